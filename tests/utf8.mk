# SPDX-License-Identifier: GPL-3.0-or-later
# 8-bit and UTF-8 mail (issue 3): BODY=8BITMIME, SMTPUTF8 and A-labels
# end to end against the real Postfix relay and against the fake server
# without SMTPUTF8. The envelope flags and the From it adds are unit-tested
# in test-envelope (src/app/local.mk).

TESTS += tests/utf8.sh
EXTRA_DIST += tests/utf8.sh

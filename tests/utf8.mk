# SPDX-License-Identifier: GPL-3.0-or-later
# 8-bit and UTF-8 mail (issue 3): the envelope flags and the From it adds
# in a unit test; BODY=8BITMIME, SMTPUTF8 and A-labels end to end against
# the real Postfix relay and against the fake server without SMTPUTF8.
check_PROGRAMS += tests/unit/test-envelope
TESTS += tests/unit/test-envelope
tests_unit_test_envelope_LDADD = $(TEST_LDADD)

TESTS += tests/utf8.sh
EXTRA_DIST += tests/utf8.sh

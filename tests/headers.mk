# SPDX-License-Identifier: GPL-3.0-or-later
# header_checks, smtp_header_checks and cleanup's header settings against
# Postfix: the differential test through Postfix's own sendmail, cleanup
# and SMTP client and through relaymail, to the same sink.
TESTS += tests/headers.sh
EXTRA_DIST += tests/headers.sh

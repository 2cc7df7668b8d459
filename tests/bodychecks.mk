# SPDX-License-Identifier: GPL-3.0-or-later
# body_checks, mime_header_checks, nested_header_checks, their smtp_
# forms and sendmail_fix_line_endings against Postfix: the differential
# test through Postfix's own sendmail, cleanup and SMTP client and
# through relaymail, to the same sink.
TESTS += tests/bodychecks.sh
EXTRA_DIST += tests/bodychecks.sh

# SPDX-License-Identifier: GPL-3.0-or-later
# non_smtpd_milters: a scriptable fake milter (tests/fakemilter.c) for the
# protocol, hostile replies included, and OpenDKIM signing through
# relaymail and through Postfix (tests/milter-dkim.sh); the scripted
# milter behind Postfix and behind relaymail, compared (tests/milter-postfix.sh).
check_PROGRAMS += tests/fakemilter
tests_fakemilter_SOURCES = tests/fakemilter.c

TESTS += tests/milter.sh tests/milter-dkim.sh tests/milter-postfix.sh
EXTRA_DIST += tests/milter.sh tests/milter-dkim.sh tests/milter-postfix.sh \
	tests/lib/oracle.sh

# SPDX-License-Identifier: GPL-3.0-or-later
# The command line and message intake: the shell tests against the real
# Postfix relay (every flag, hostile arguments, real callers: git
# send-email, cron's argv, a 100 MB message with flat memory). -bv is
# unit-tested in test-verify (src/app/local.mk).

TESTS += tests/cli.sh
EXTRA_DIST += tests/cli.sh tests/lib/client.sh

check_PROGRAMS += tests/maxrss
tests_maxrss_SOURCES = tests/maxrss.c
tests_maxrss_LDADD =
TESTS += tests/callers.sh
EXTRA_DIST += tests/callers.sh

# Long lines: quoted-printable or folded, checked at the real relay's sink
# with python3's email module (PHP mail() and -bs as the callers).
TESTS += tests/longlines.sh
EXTRA_DIST += tests/longlines.sh

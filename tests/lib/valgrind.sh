#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# relaymail under valgrind memcheck, for the shell tests: CI runs
#	make check RELAYMAIL_UNDER_TEST=$abs_top_srcdir/tests/lib/valgrind.sh TESTS='...'
# and every test that runs "$RELAYMAIL" runs this instead. Its arguments,
# stdin, stdout, stderr and exit status are relaymail's; valgrind's report
# goes to a file of its own in $RELAYMAIL_VALGRIND_LOGS (default
# $top_builddir/valgrind-logs), so a test that compares stderr is not
# disturbed. A memory error or a leak makes the exit status 99, which
# fails the test that ran it; .ci/run also fails when any report in the
# folder holds an error, for a test that expected a failure status.
# Called through a link of another name (tests/cli.sh runs it as mailq),
# it runs relaymail under that name too.
: "${top_builddir:?top_builddir is not set (run from make check)}"
logs=${RELAYMAIL_VALGRIND_LOGS:-$top_builddir/valgrind-logs}
mkdir -p "$logs" || exit 70
bin=$top_builddir/relaymail
name=$(basename "$0")

supp=${top_srcdir:?}/tests/lib/valgrind.supp
# Linked as sendmail, mailq or newaliases: the name decides what
# relaymail does, so valgrind starts it through a link of that name.
case $name in
valgrind.sh | relaymail) ;;
*)
	# The link stays beside the reports (and goes with them).
	mkdir -p "$logs/bin" && ln -sf "$bin" "$logs/bin/$name" || exit 70
	bin=$logs/bin/$name
	;;
esac
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--num-callers=30 --suppressions="$supp" --log-file="$logs/relaymail.%p.log" \
	"$bin" "$@"

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The manual pages, as the build makes them, are clean under
# "mandoc -Tlint -Wwarning": no warning, no error. RELAYMAIL_TEST_MANDOC
# is auto (skip without mandoc), yes (CI: its absence fails) or no.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib/tap.sh"

case ${RELAYMAIL_TEST_MANDOC:-auto} in
no) tap_skip_all "RELAYMAIL_TEST_MANDOC=no" ;;
yes | auto) ;;
*) tap_bail "RELAYMAIL_TEST_MANDOC must be auto, yes or no" ;;
esac
if ! command -v mandoc >/dev/null 2>&1; then
	[ "${RELAYMAIL_TEST_MANDOC:-auto}" = yes ] &&
		tap_bail "RELAYMAIL_TEST_MANDOC=yes but mandoc is not installed"
	tap_skip_all "mandoc not found (Debian: apt-get install mandoc)"
fi

for page in relaymail.8 sendmail.conf.5; do
	f=$top_builddir/doc/$page
	if [ ! -f "$f" ]; then
		tap__result 1 "$page was built"
		continue
	fi
	status=0
	out=$(mandoc -Tlint -Wwarning "$f" 2>&1) || status=$?
	tap_is "$out" "" "mandoc -Tlint -Wwarning finds nothing in $page"
	tap_is "$status" 0 "mandoc -Tlint -Wwarning $page exits 0"
	# The build filled in every @name@ of the .in file.
	left=$(grep -n '@[a-zA-Z_]*@' "$f")
	tap_is "$left" "" "$page has no @name@ left unfilled"
done
tap_done

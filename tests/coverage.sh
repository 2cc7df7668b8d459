#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Coverage of the table and match list code, of the mail layer or of the
# app layer (a measurement, not a test; not in make check): configure a
# --coverage -O0 build in a scratch folder, run the tests, then print line
# and branch coverage per file and every branch never taken, as
# file:line. The tables (-l conf, the default): test-table, test-regexp,
# test-pcre, test-matchlist, the allocation-failure test test-torture
# when the linker has --wrap, and tests/postmap.sh with
# RELAYMAIL_TEST_POSTFIX=yes. The mail layer (-l mail): its unit tests and
# test-torture-mail when the linker has --wrap. The app layer (-l app): its
# unit tests and test-torture-app when the linker has --wrap; main.c is
# left out, and so are the shell tests that run the program, so -bs, the
# dead letter file and --query show little. Needs only gcc's own gcov
# (Debian: gcc) besides .ci/packages. Usage: tests/coverage.sh
# [-l conf|mail|app] [FOLDER] (the build folder; default a temporary one,
# removed at the end).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
layer=conf
if [ "${1-}" = -l ]; then
	layer=${2-}
	shift
	[ $# -gt 0 ] && shift
fi
case $layer in
conf)
	files="table.c table_text.c table_pattern.c table_regexp.c table_pcre.c kvmap.c
textfile.c lines.c list.c matchlist.c"
	tests="test-table test-regexp test-pcre test-matchlist test-torture"
	;;
mail)
	files=$(cd "$top_srcdir/src/mail" && echo *.c)
	tests="test-address test-message test-idn test-rewrite test-alias test-encword test-generic
test-torture-mail"
	;;
app)
	files=$(cd "$top_srcdir/src/app" && for f in *.c; do [ "$f" = main.c ] || echo "$f"; done)
	tests="test-cli test-envelope test-verify test-torture-app"
	;;
*)
	echo "usage: tests/coverage.sh [-l conf|mail|app] [FOLDER]" >&2
	exit 64
	;;
esac

if [ $# -gt 0 ]; then
	build=$1
	mkdir -p "$build" || exit 1
	build=$(cd "$build" && pwd)
else
	build=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-coverage.XXXXXX") || exit 1
	trap 'rm -rf "$build"' EXIT
fi
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$build" || exit 1
[ -x "$top_srcdir/configure" ] || { echo "coverage.sh: run ./bootstrap first" >&2; exit 1; }

echo "coverage.sh: building in $build" >&2
if [ ! -f Makefile ]; then
	"$top_srcdir/configure" -q CFLAGS='-O0 -g --coverage' LDFLAGS='--coverage' \
		>configure.out 2>&1 || { cat configure.out >&2; exit 1; }
fi
grep -q '^#define HAVE_LD_WRAP 1' config.h ||
	tests=$(echo $tests | sed 's/test-torture[a-z-]*//')
grep -q '^#define HAVE_PCRE2 1' config.h || files=$(echo $files | sed 's/table_pcre\.c//')
targets=relaymail
for t in $tests; do targets="$targets tests/unit/$t"; done
make -j"$(nproc 2>/dev/null || echo 2)" $targets >make.out 2>&1 ||
	{ tail -n 30 make.out >&2; exit 1; }
find . -name '*.gcda' -exec rm -f {} +

# Each test's TAP summary; a failing test still counts towards coverage.
run() { # name, command...
	name=$1
	shift
	"$@" >"$name.tap" 2>&1
	printf '%-18s %4d ok, %d not ok, %d todo\n' "$name" "$(grep -c '^ok ' "$name.tap")" \
		"$(grep '^not ok ' "$name.tap" | grep -vc '# TODO')" \
		"$(grep -c '^not ok .*# TODO' "$name.tap")"
}
echo "Tests run:"
for t in $tests; do
	run "$t" "./tests/unit/$t"
done
if [ "$layer" = conf ]; then
	run postmap.sh env RELAYMAIL_TEST_POSTFIX=yes top_srcdir="$top_srcdir" \
		top_builddir="$build" RELAYMAIL="$build/relaymail" sh "$top_srcdir/tests/postmap.sh"
	grep -q '^Bail out!' postmap.sh.tap && sed -n 's/^Bail out! /postmap.sh: /p' postmap.sh.tap
fi

rm -rf gcov && mkdir gcov && cd gcov || exit 1
for f in $files; do
	gcov -b -c -o "$build/src/$layer" "$top_srcdir/src/$layer/$f" >/dev/null 2>&1
	[ -f "$f.gcov" ] || echo "coverage.sh: no data for $f" >&2
done

# A .gcov line is "COUNT: LINE: SOURCE" (COUNT "-" for no code, "#####"
# or "=====" for never run, a trailing "*" when a block on it was not);
# the branch lines after it belong to it.
awk '
function flush() {
	if (file == "") return
	order[++nf] = file
}
FNR == 1 { flush(); file = FILENAME; sub(/\.gcov$/, "", file) }
/^ *[-#=0-9]+\**: *[0-9]+:/ {
	split($0, p, ":")
	count = p[1]; gsub(/[ *]/, "", count)
	line = p[2] + 0
	src = $0; sub(/^[^:]*:[^:]*:/, "", src); gsub(/^[ \t]+/, "", src)
	if (count == "-" || line == 0) next
	lines[file]++
	if (count !~ /^[#=]/) hit[file]++
	next
}
/^branch / {
	br[file]++
	if ($3 == "taken" && $4 + 0 > 0) {
		taken[file]++
	} else {
		why = $3 == "never" ? "never executed" : "not taken"
		miss[++nm] = sprintf("  %s:%d: branch %s %s: %s", file, line, $2, why, src)
	}
}
function pct(a, b) { return b ? sprintf("%5.1f%%", 100 * a / b) : "    -" }
END {
	flush()
	printf "\n%-16s %15s %8s %15s %8s\n", "file", "lines", "", "branches", ""
	for (i = 1; i <= nf; i++) {
		f = order[i]
		printf "%-16s %7d/%-7d %8s %7d/%-7d %8s\n", f, hit[f], lines[f], pct(hit[f], lines[f]),
			taken[f], br[f], pct(taken[f], br[f])
		tl += lines[f]; th += hit[f]; tb += br[f]; tt += taken[f]
	}
	printf "%-16s %7d/%-7d %8s %7d/%-7d %8s\n", "total", th, tl, pct(th, tl), tt, tb, pct(tt, tb)
	printf "\nBranches never taken (%d):\n", nm
	for (i = 1; i <= nm; i++) print miss[i]
}' $(for f in $files; do [ -f "$f.gcov" ] && echo "$f.gcov"; done)

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The house rules of STYLE.md that a script can hold: every C file is
# formatted as .clang-format says (with the clang-format of Debian 12,
# version 14: other versions format differently, so they skip), no banned
# call appears, and no source file under src/ is over 700 lines.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/tests/lib/tap.sh"
cd "$top_srcdir" || tap_bail "cannot enter $top_srcdir"

files=$(find src tests fuzz -name '*.[ch]' | LC_ALL=C sort)

version=$(clang-format --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ "$version" = 14 ]; then
	bad=""
	for f in $files; do
		clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
	done
	tap_is "$bad" "" "every C file is formatted as .clang-format says (clang-format -i FILE)"
else
	tap_skip "C files formatted as .clang-format says" \
		"clang-format 14 not found (Debian 12: apt-get install clang-format)"
fi

banned=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|alarm|setjmp)[[:space:]]*\(' \
	$(echo "$files" | grep '^src/') | grep -v '^[^:]*:[0-9]*:[[:space:]]*/\?\*')
tap_is "$banned" "" "no call STYLE.md bans (sprintf, strcpy, strcat, strtok, atoi, alarm, setjmp)"

# One concern per file: past this a file holds two, and should be split
# along the seam between them.
max_lines=700
long=$(find src -type f \( -name '*.[ch]' -o -name '*.mk' \) -exec wc -l {} + |
	awk -v max="$max_lines" '$2 != "total" && $1 > max { printf " %s (%d lines)", $2, $1 }')
tap_is "$long" "" "no file under src/ is over $max_lines lines"

tap_done

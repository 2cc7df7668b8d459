#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The layering rule of DESIGN.md as a test: a file in src/LAYER may include
# headers of its own layer or of layers strictly below it, and each external
# library is included by its adapter only: one file, or a few files of one
# module with a private header that nothing else includes.
# Ranks: base 0; conf 1; mail 2 (rewriting reads tables); smtp 3;
# net and auth 4; deliver 5; app 6.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
src=$top_srcdir/src

rank() {
	case $1 in
	base) echo 0 ;; conf) echo 1 ;; mail) echo 2 ;; smtp) echo 3 ;;
	net | auth) echo 4 ;; deliver) echo 5 ;; app) echo 6 ;; *) echo 99 ;;
	esac
}

n=0
fail=0
check() { # description, status
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}

for dir in "$src"/*/; do
	layer=$(basename "$dir")
	own=$(rank "$layer")
	check "src/$layer is a known layer" "$([ "$own" != 99 ]; echo $?)"
	bad=""
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z]*\)\/[^"]*".*/\1/p' "$f"); do
			[ "$inc" = "$layer" ] && continue
			r=$(rank "$inc")
			if [ "$r" -ge "$own" ]; then
				bad="$bad ${f#"$src"/}->$inc"
			fi
		done
	done
	[ -n "$bad" ] && echo "# upward or sideways includes:$bad"
	check "src/$layer includes only lower layers" "$([ -z "$bad" ]; echo $?)"
done

adapter() { # header pattern, then the adapter's files
	pattern=$1
	shift
	allowed=$(printf '%s\n' "$@")
	found=$(grep -rlE "#[[:space:]]*include[[:space:]]*<$pattern" "$src" | sed "s|^$src/||" | sort)
	others=$(printf '%s\n' "$found" | grep -v -x -F "$allowed" | grep .)
	[ -n "$others" ] && echo "# $pattern included outside $*: $others"
	# A file listed that does not include the library would make the list
	# a licence for nothing: the adapter must be exactly these files.
	unused=$(printf '%s\n' "$allowed" | grep -v -x -F "$found")
	[ -n "$unused" ] && echo "# listed as the adapter of $pattern but not including it: $unused"
	check "<$pattern> only in $*" "$([ -z "$others$unused" ]; echo $?)"
	for h in $(printf '%s\n' "$allowed" | grep '\.h$'); do
		users=$(grep -rlE "#[[:space:]]*include[[:space:]]*\"$h\"" "$src" | sed "s|^$src/||")
		leaks=$(printf '%s\n' "$users" | grep -v -x -F "$allowed" | grep .)
		[ -n "$leaks" ] && echo "# $h brings $pattern to:" $leaks
		check "$h is included by the adapter only" "$([ -z "$leaks" ]; echo $?)"
	done
}
adapter 'gnutls/' net/tls.c net/tls_impl.h net/tls_verify.c
adapter 'gsasl\.h' auth/sasl.c auth/gsasl_lib.c auth/gsasl_lib.h
adapter 'idn2\.h' mail/idn.c
adapter 'pcre2\.h' conf/table_pcre.c conf/pcre_lib.c conf/pcre_lib.h
adapter 'unicase\.h' conf/casefold.c
adapter 'resolv\.h' net/dns.c

# Every file with translatable strings is listed for xgettext.
missing=""
for f in $(cd "$top_srcdir" && grep -rlE '\b_\(|\bN_\(' src --include='*.c'); do
	grep -qxF "$f" "$top_srcdir/po/POTFILES.in" || missing="$missing $f"
done
[ -n "$missing" ] && echo "# missing from po/POTFILES.in:$missing"
check "po/POTFILES.in lists every file with _() strings" "$([ -z "$missing" ]; echo $?)"

echo "1..$n"
exit $fail

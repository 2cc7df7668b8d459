#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Differential test against Postfix itself: for a corpus of tables of every
# type and their keys (reference/postfix.md §9.1, §9.4, §2.5), postmap -q
# and relaymail --query must print the same bytes and exit alike; for main.cf
# expansion (§9.7 and more forms), postconf -x -h and relaymail --expand.
# Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no like the relay tests.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"

. "$top_srcdir/tests/lib/tap.sh"

case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
case ${RELAYMAIL_TEST_POSTFIX:-auto} in
no) tap_skip_all "RELAYMAIL_TEST_POSTFIX=no" ;;
yes | auto) ;;
*) tap_bail "RELAYMAIL_TEST_POSTFIX must be auto, yes or no" ;;
esac
if ! command -v postmap >/dev/null 2>&1 || ! command -v postconf >/dev/null 2>&1; then
	[ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ] &&
		tap_bail "RELAYMAIL_TEST_POSTFIX=yes but postmap or postconf is not installed"
	tap_skip_all "postmap and postconf not installed (Debian: apt-get install postfix)"
fi

D=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-postmap.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$D"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# A private main.cf so the machine's Postfix and relaymail configurations
# do not matter; both read it. smtputf8_enable = yes is relaymail's default
# (Postfix's from compatibility_level 1): keys are UTF-8 and folded as such.
# $D/ascii holds the same with smtputf8_enable = no.
printf 'mydomain = example.com\nmyhostname = host.example.com\nsmtputf8_enable = yes\n' \
	>"$D/main.cf"
touch "$D/master.cf"
mkdir "$D/ascii"
sed 's/^smtputf8_enable = yes/smtputf8_enable = no/' "$D/main.cf" >"$D/ascii/main.cf"
touch "$D/ascii/master.cf"

# same DESC ARGS...: postmap -q ARGS vs relaymail --query ARGS (stdin
# from $D/keys when the key is -): the same output, the same exit status
# and the same warnings; a fatal error of postmap is an error line of
# relaymail's (worded as relaymail words it), and only then.
# For a table that postmap reads compiled, $_pm_warn names the file with
# the warnings postmap gave when it built it. Tables are dated in the past
# first: Postfix reads a file changed in the last second twice ("hot").
# $_cf names another directory with a main.cf for both.
# relaymail runs in a UTF-8 locale, postmap in the C locale Postfix uses:
# a table must mean the same whatever the caller's LANG.
same() {
	_desc=$1
	shift
	touch -d '2001-01-01 00:00' "$D"/*
	postmap -c "${_cf:-$D}" -q "$@" <"$D/keys" >"$D/pm.out" 2>"$D/pm.err"
	_pm=$?
	LC_ALL=C.UTF-8 "$RELAYMAIL" -C "${_cf:-$D}/main.cf" --query "$@" <"$D/keys" \
		>"$D/rm.out" 2>"$D/rm.err"
	_rm=$?
	sed -n 's/^postmap: warning: /relaymail: warning: /p' "${_pm_warn:-$D/pm.err}" >"$D/pm.warn"
	grep '^relaymail: warning: ' "$D/rm.err" >"$D/rm.warn"
	_pm_fatal=$(grep -c '^postmap: fatal: ' "$D/pm.err")
	_rm_fatal=$(grep -c -v '^relaymail: warning: ' "$D/rm.err")
	if cmp -s "$D/pm.out" "$D/rm.out" && [ "$_pm" = "$_rm" ] &&
		cmp -s "$D/pm.warn" "$D/rm.warn" && [ "$_pm_fatal" = "$_rm_fatal" ]; then
		tap__result 0 "$_desc"
		return
	fi
	tap__result 1 "$_desc"
	tap_diag "postmap (exit $_pm): $(cat "$D/pm.out")" "relaymail (exit $_rm): $(cat "$D/rm.out")"
	tap_diag "warnings, postmap then relaymail:" "$(diff "$D/pm.warn" "$D/rm.warn")"
	tap_diag "fatal lines: postmap $_pm_fatal, relaymail $_rm_fatal"
}
: >"$D/keys"

# --- regexp: §9.1 re1 ------------------------------------------------------
cat >"$D/re1" <<'EOF'
# sample sender rewriting table
/^root@.*$/                 admin@example.com
/^([^@+]+)(\+[^@]*)?@host\.example\.com$/   ${1}@example.com
/^(.*)@localhost(\.localdomain)?$/  $1@example.com
if /@example\.org$/
/^bob@/                     robert@example.org
!/^(alice|carol)@/          nobody@example.org
endif
/^UPPER@example\.net$/i     case-sensitive-hit@example.net
/^x(y)?z@test$/             got[$1]
/^dollar@test$/             cost$$5
/^multi@test$/              first
  second
EOF
for k in root@host.example.com root@anything.example Root@Host.Example.Com \
	john+tag@host.example.com john@host.example.com JOHN@HOST.EXAMPLE.COM \
	fred@localhost fred@localhost.localdomain bob@example.org alice@example.org \
	carol@example.org dave@example.org UPPER@example.net upper@example.net xz@test \
	xyz@test dollar@test multi@test nomatch@else '' ' ' '""'; do
	same "regexp re1: '$k'" "$k" "regexp:$D/re1"
done

# --- regexp: §9.1 re2, the rules Postfix skips or warns about -------------
cat >"$D/re2" <<'EOF'
/^zero@(.*)$/       $0
/^two@(.*)$/        $2
!/^neg(.*)$/        bad$1
/^(a.*)@x$/!/^ab/   pair:$1
|^pipe/slash@(x)$|  delim:$1
/^esc\/slash@x$/    escaped
/^bre(x)\{2\}@x$/x  bre-match:$1
/^ere(x){2}@x$/     ere-match:$1
/^nores@x$/
endif
/^un(known)@x$/q    unknown-flag
/^lit@x$/           $1abc
/^num@(x)$/         ${1}abc $(1)def
/^brex\{2\}@x$/x    bre-plain
/^multi(line)$/m    m-flag:$1
IF /^upif@/
/^upif@(.*)$/ upper-if:$1
ENDIF
if !/^notif@/
/^(.*)@notifdom$/ not-if:$1
endif
 /^indented@x$/ continuation
if /^if@/
/^if@(.*)$/ inner:$1
EOF
for k in zero@a two@a neg-x other@y aab@x ab@x after@x pipe/slash@x esc/slash@x \
	brexx@x erexx@x nores@x unknown@x lit@x num@x multiline upif@z notif@notifdom \
	yes@notifdom indented@x if@z ifnot@z; do
	same "regexp re2: '$k'" "$k" "regexp:$D/re2"
done

# --- texthash: and hash: from the same source (§9.4) -----------------------
cat >"$D/th" <<'EOF'
# comment
[smtp.example.com]:587   user1:pa ss:word  
  # indented comment
smtp.example.com	user2:secret

[Mixed.Example.COM]:465 user3:x
"quoted key"  qv
"esc \" key"  escaped
key:   aliasstyle
cont   first
  second
novalue
UPPER   lower-cased-key
[smtp.example.com]:587 dup:dup
EOF
cp "$D/th" "$D/hs"
postmap -c "$D" "hash:$D/hs" 2>"$D/hs.build" || tap_diag "postmap could not build $D/hs.db"
# relaymail reads hash: from its source, so it warns as postmap did when
# it built hs.db; but where postmap names the .db for a duplicate, relaymail
# names the source line.
sed "s|^postmap: warning: $D/hs.db: duplicate|postmap: warning: $D/hs, line 14: duplicate|" \
	"$D/hs.build" >"$D/hs.warn"
for k in '[smtp.example.com]:587' smtp.example.com '[MIXED.EXAMPLE.COM]:465' \
	'[mixed.example.com]:465' '"quoted key"' 'quoted key' '"esc \" key"' key: key cont \
	novalue upper UPPER '#' comment ''; do
	same "texthash: '$k'" "$k" "texthash:$D/th"
	_pm_warn=$D/hs.warn
	same "hash: '$k'" "$k" "hash:$D/hs"
	_pm_warn=
done

# --- inline: and static: (§2.5) ---------------------------------------------
for k in '[smtp.example.com]:587' SMTP.EXAMPLE.COM smtp.example.com other; do
	same "inline: '$k'" "$k" \
		'inline:{ [smtp.example.com]:587=user:pass, {smtp.example.com = u2:p w} }'
done
same "inline: quoted key" '"a b"' 'inline:{ {"a b" = quoted} }'
same "inline: last definition wins" a 'inline:{ a=1, a=2 }'
same "static: any key" anything 'static:relay@example.com'
same "static: braces" anything 'static:{ user name:pass }'

# --- several tables, first hit wins ----------------------------------------
same "two tables: second has it" john@host.example.com 'inline:{ x=1 }' "regexp:$D/re1"
same "two tables: first has it" x 'inline:{ x=1 }' 'static:fallback'
same "two tables: none has it" nomatch@else 'inline:{ x=1 }' "regexp:$D/re1"

# --- keys on stdin ----------------------------------------------------------
printf '%s\n' root@host.example.com nomatch@else JOHN@HOST.EXAMPLE.COM '' multi@test >"$D/keys"
same "-q - with regexp" - "regexp:$D/re1"
printf '%s\n' SMTP.example.com novalue '"quoted key"' >"$D/keys"
same "-q - with texthash" - "texthash:$D/th"
printf '%s\n' none nothing >"$D/keys"
same "-q - nothing found" - "texthash:$D/th"
: >"$D/keys"

# --- errors: postmap's fatal exit --------------------------------------------
same "missing texthash file" k "texthash:$D/nonexistent"
# Each table is opened when a key gets to it: a key the first one has
# never opens (nor hears the warnings of) the next.
printf '/(/ broken\n' >"$D/re-broken"
same "a hit in the first table: the missing second is not opened" a 'inline:{a=1}' \
	"texthash:$D/nonexistent"
same "a miss in the first table: the missing second is fatal" b 'inline:{a=1}' \
	"texthash:$D/nonexistent"
same "a hit in the first table: the second's warnings are not given" a 'inline:{a=1}' \
	"regexp:$D/re-broken"
printf 'a\nA\n' >"$D/keys"
same "-q -: every key in the first table, the second is not opened" - 'inline:{a=1}' \
	"texthash:$D/nonexistent"
printf 'b\n' >"$D/keys"
same "-q -: a key the first misses opens the second" - 'inline:{a=1}' "texthash:$D/nonexistent"
: >"$D/keys"
same "missing regexp file" k "regexp:$D/nonexistent"
same "unknown table type" k "bogus:$D/th"

# --- regexp: rules at the edges of the parser (bad ones are skipped) -----
cat >"$D/re3" <<'EOF'
!!
! !
/(/ bad-regex
/^a@x$/!/(/ bad-second-regex
/^cost@x$/ cost$
/^open@x$/ ${1
/^empty@x$/ ${}
/^under@(x)$/ $a_b
/^dash@(x)$/ $-
/^big@(x)$/ $1000
/^huge@(x)$/ $99999999999999999999999
if
if /(/
/^inif@x$/ inif
endif
i
e
endifx
/^x(y*)z@test$/ got[$1]
/^r1@x$/ r1
/^r2@x$/ r2
/^r3@x$/ r3
/^r4@x$/ r4
/^r5@x$/ r5
/^r6@x$/ r6
/^r7@x$/ r7
/^r8@x$/ r8
/^r9@x$/ r9
/^r10@x$/ r10
/^r11@x$/ r11
/^r12@x$/ r12
/^r13@x$/ r13
/^r14@x$/ r14
/^r15@x$/ r15
/^r16@x$/ r16
/^r17@x$/ r17
/^s/!/t\
/abc\
/^(.*)$/ last:$1
EOF
for k in a@x cost@x open@x empty@x under@x dash@x big@x huge@x inif@x xz@test xyyz@test \
	r1@x r17@x other '!!' xabcx sx st; do
	same "regexp re3: '$k'" "$k" "regexp:$D/re3"
done

# --- regexp: a backslash as the delimiter escapes before it closes ---------
printf '\\a\\ b\nIF \\x\\\n/a/ in-if\nENDIF\n/c/ c\n' >"$D/re-bs"
for k in a xa c; do
	same "regexp with \\ as the delimiter: '$k'" "$k" "regexp:$D/re-bs"
done

# --- regexp: result syntax as Postfix's mac_parse reads it ----------------
cat >"$D/re9" <<'EOF'
/^a(x)$/ $
/^b(x)$/ ${
/^c(x)$/ $(
/^d(x)$/ $(1
/^e(x)$/ ${1)
/^f(x)$/ $(1}
/^g(x)$/ ${{1}}
/^h(x)$/ ${1?x}
/^i(x)$/ ${1:x}
/^j(x)$/ $ 1
/^k(x)$/ ab${1 }cd
/^l(x)$/ $(x y)
/^m(x)$/ $1$
/^n(x)$/ x$}y
/^o(x)$/ ${a${1}}
/^p(x)$/ $$$1
/^q(x)$/ $#
/^r(x)$/ ${}x
/^s(x)$/ $()
/^t(x)$/ $((1))
/^u(x)$/ ${1${
/^v(x)$/ $00
/^w(x)$/ $01
/^y(x)$/ ${ 1}
/^A(x)$/ <$4294967297>
/^B(x)$/ $18446744073709551617
/^C(x)$/ $2147483648
/^D(x)$/ $2147483647
/^E(x)(y)$/ $2$3$1
/^(.*)$/ fallback:$1
EOF
for k in px wx Ax Bx Cx Dx Exy zz; do
	same "regexp result syntax: '$k'" "$k" "regexp:$D/re9"
done

# "." is one byte and "i" folds ASCII only, as in Postfix's C locale.
printf '/^.{2}@x$/ two-bytes\n/^[^a]@y$/ one-char\n/^\303\211@z$/i ci\n' >"$D/loc"
for k in "$(printf '\303\251@x')" "$(printf '\303\251@y')" "$(printf '\303\251@z')"; do
	same "regexp: bytes, not characters: '$k'" "$k" "regexp:$D/loc"
done

# --- regexp: IF nesting has no limit ---------------------------------------
{
	i=0
	while [ $i -lt 300 ]; do echo 'if /^a/' && i=$((i + 1)); done
	printf '%s\n' 'if /^c/' '/^ab/ deep-hit' endif '/^ab/ depth-300'
	i=0
	while [ $i -lt 300 ]; do echo endif && i=$((i + 1)); done
	printf '%s\n' '/b/ outside' 'if /x/' 'if /y/' '/xy/ open'
} >"$D/deep"
for k in ab cab b xy xb; do
	same "regexp deep IF nesting: '$k'" "$k" "regexp:$D/deep"
done

# --- regexp: more than 99 groups ($100 and $101) -----------------------------
groups=$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "(a)"; print "(b)" }')
printf '/^%s$/ r=$100$101\n/^(a)/ $2\n/.*/ other\n' "$groups" >"$D/groups"
key100=$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "a"; print "b" }')
same "regexp \$100 and \$101 of 101 groups" "$key100" "regexp:$D/groups"
same "regexp: a group beyond the rule's" aab "regexp:$D/groups"

# --- texthash: odd files -----------------------------------------------------
printf '  leading continuation\nfirst value1\n"unbalanced key value\n"open\\\nlast nonl' \
	>"$D/th2"
for k in leading first '"unbalanced' '"open\' last nonl; do
	same "texthash odd lines: '$k'" "$k" "texthash:$D/th2"
done
printf 'crlf value\r\nk2 v2 \r\n  cont\r\n' >"$D/crlf"
for k in crlf k2; do
	same "texthash CRLF: '$k'" "$k" "texthash:$D/crlf"
done
printf 'vt\vvalue\nff\fvalue2\ncr\rvalue3\n' >"$D/spaces"
for k in vt ff cr; do
	same "texthash \\v \\f \\r separators: '$k'" "$k" "texthash:$D/spaces"
done
same "texthash \\v \\f \\r separators: 'vt\\vvalue'" "$(printf 'vt\vvalue')" \
	"texthash:$D/spaces"
: >"$D/empty"
same "empty texthash file" k "texthash:$D/empty"
same "texthash file below a file" k "texthash:$D/th/x"

# Backslashes escape the next byte outside quotes too; a first logical
# line that starts with whitespace is reported whole (30 bytes) and skipped.
printf 'a\\ b value\n\\"x y\nq\\\n"in \\" q" v2\n' >"$D/th4"
for k in 'a\ b' 'a\' '\"x' '"x' 'q\' '"in \" q"'; do
	same "texthash backslashes: '$k'" "$k" "texthash:$D/th4"
done
printf '  leading\n  more\nfirst v\n' >"$D/th5"
same "texthash: a joined continuation first" first "texthash:$D/th5"
printf '  leading continuation that is longer than thirty bytes\nfirst v\n' >"$D/th6"
same "texthash: a long continuation first" first "texthash:$D/th6"
printf '  /^a$/ b\n /x/ y\n/^c$/ d\n' >"$D/re5"
for k in a c; do
	same "regexp: a continuation first is skipped: '$k'" "$k" "regexp:$D/re5"
done
printf 'k \033[31mred\nbad\001line\n' >"$D/th7"
same "texthash: control bytes are not written to the terminal" k "texthash:$D/th7"

# --- UTF-8: folding, and what is not UTF-8 ----------------------------------
# Keys fold with Unicode full case folding (Postfix: ICU); a source line
# that is not UTF-8 is skipped; a key that is not is not found; a result
# that is not is an error. With smtputf8_enable = no, ASCII folding only
# and bytes are bytes.
printf '\303\204BC upper-umlaut\nbad\377 key\nSTRASSE@x a\nStra\303\237e@y b\n\304\260x c\n\316\243\316\221\316\243 d\nGood v\nk8 bad\377value\n' \
	>"$D/u8"
for k in "$(printf '\303\204BC')" "$(printf '\303\244bc')" strasse@x "$(printf 'stra\303\237e@y')" \
	strasse@y STRASSE@Y "$(printf 'i\314\207x')" "$(printf '\317\203\316\261\317\202')" \
	"$(printf '\317\203\316\261\317\203')" good "$(printf 'b\377d')" "$(printf 'bad\377')" k8; do
	same "texthash UTF-8: '$k'" "$k" "texthash:$D/u8"
	_cf=$D/ascii
	same "texthash, smtputf8_enable = no: '$k'" "$k" "texthash:$D/u8"
	_cf=
done
cp "$D/u8" "$D/u8h"
postmap -c "$D" "hash:$D/u8h" 2>"$D/u8h.build" || tap_diag "postmap could not build $D/u8h.db"
sed -n '/non-UTF-8 input/p' "$D/u8h.build" >"$D/u8h.warn"
for k in "$(printf '\303\244bc')" strasse@y good; do
	_pm_warn=$D/u8h.warn
	same "hash UTF-8: '$k'" "$k" "hash:$D/u8h"
	_pm_warn=
done
printf '/^bad@x$/ v\377v\n/^(.*)@y$/ $1\n/^\303\274@z$/ umlaut\n/^\303\234@w$/i ci\n' >"$D/reu8"
for k in bad@x "$(printf 'b\377d@y')" "$(printf '\303\274@z')" "$(printf '\303\234@z')" \
	"$(printf '\303\274@w')" ok@y; do
	same "regexp UTF-8: '$k'" "$k" "regexp:$D/reu8"
	_cf=$D/ascii
	same "regexp, smtputf8_enable = no: '$k'" "$k" "regexp:$D/reu8"
	_cf=
done
for k in "$(printf '\303\204')" "$(printf '\303\244')" x; do
	same "inline UTF-8: '$k'" "$k" "$(printf 'inline:{ \303\204=upper, x=y }')"
done
same "inline that is not UTF-8" k "$(printf 'inline:{ k=v\377 }')"
same "static that is not UTF-8" k "$(printf 'static:v\377')"
_cf=$D/ascii
same "inline that is not UTF-8, smtputf8_enable = no" k "$(printf 'inline:{ k=v\377 }')"
_cf=

# --- malformed table names -------------------------------------------------
for m in ':x' 'texthash:' 'regexp:' 'pcre:' 'inline:' 'static:' 'inline:a=1' 'inline:{' \
	'inline:{}' 'inline:{ =v }' 'inline:{ a= }' 'inline:{ a=1 } x' 'inline:{a=1}}' \
	'inline:{ {a=1}x }' 'static:{ abc' 'static:{ abc } x' 'static:{}' 'static:{ }' \
	'regexp:{' 'regexp:{}' 'regexp:{ {/a/ b} } x' 'regexp:{ /a/ b }' 'regexp:{ {/a/ b} x }' \
	'regexp:{ {/a/ b}' 'regexp:{ {/a/ b},{/c/ d} }' 'inline:{a=1} {b=2}' 'static:{a} {b}' \
	'regexp:{ {/a/ b} } { {/c/ d} }'; do
	same "table '$m'" a "$m"
done
# inline: as Postfix's split_qnameval and extpar read an item.
for m in 'inline:{=v, a=1}' 'inline:{ { = w }, a=1 }' 'inline:{ {a=1}x }' 'inline:{ {a b=1} }' \
	'inline:{ {"a b" = 1} }' 'inline:{ a = 1 }' 'inline:{ {} }' 'inline:{a=1,{b=2}c}'; do
	for k in '' a '{a' '"a b"'; do
		same "table '$m', key '$k'" "$k" "$m"
	done
done

# --- pcre: when both sides have it ------------------------------------------
if postconf -c "$D" -m 2>/dev/null | grep -qx pcre &&
	"$RELAYMAIL" --version | grep -q '^tables:.* pcre'; then
	cat >"$D/pc" <<'EOF'
/^(\w+)@host\.example\.com$/   ${1}@example.com
/^\Qa.b\E@x$/                 quoted-literal
/^case@x$/                    insensitive
/^ws @ x$/x                   extended
EOF
	for k in joe@host.example.com a.b@x aXb@x CASE@x ws@x; do
		same "pcre: '$k'" "$k" "pcre:$D/pc"
	done
	# Every flag, a match that hits PCRE2's limit (the rule counts as no
	# match), an unset group before a set one, a trailing backslash
	# (unlike regexp:, no closing delimiter).
	cat >"$D/pc2" <<'EOF'
/^(a+)+$/ catastrophic
/zb@x/A anchored
/^(a)?(b)@x$/ r[$1][$2]
/^m.line$/m mflag
/^S.LINE$/s sflag
/^i c@x$/ix iflag-xflag
/^e@x$/E endonly
/^(u+)/U ungreedy:$1
/^X@x$/X extra
/^q@x$/q unknown
/abc\
/(.*)/ last:$1
EOF
	for k in aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab zb@x yzb@x b@x ab@x ic@x IC@x e@x uuu \
		X@x q@x xabcx; do
		same "pcre flags and edges: '$k'" "$k" "pcre:$D/pc2"
	done
	same "pcre \$100 and \$101 of 101 groups" "$key100" "pcre:$D/groups"
	same "pcre flags and edges: 'm\\nline'" "$(printf 'm\nline')" "pcre:$D/pc2"
	same "pcre flags and edges: 'S\\nLINE'" "$(printf 'S\nLINE')" "pcre:$D/pc2"
	# pcre words some warnings differently; each flag letter toggles.
	sed 's/^\/^A(x)\$\/ /\/^A(x)$\/AAX /' "$D/re9" >"$D/pc9"
	printf '/^zero(x)$/ $0\n/unclosed\n/^two(x)$/ $2\n!/neg(x)/ $1\n/^AA(a)/AA twice\n' \
		>>"$D/pc9"
	for k in px wx Ax Bx Cx Dx Exy zz zerox twox AAa xAAa; do
		same "pcre result syntax and flags: '$k'" "$k" "pcre:$D/pc9"
	done
	for k in a xa c; do
		same "pcre with \\ as the delimiter: '$k'" "$k" "pcre:$D/re-bs"
	done
elif [ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ]; then
	tap__result 1 "pcre: tables (RELAYMAIL_TEST_POSTFIX=yes, but Postfix (postfix-pcre) or relaymail lacks pcre)"
else
	tap_skip "pcre: tables" "Postfix or relaymail built without pcre"
fi

# --- main.cf expansion: postconf -x -h vs relaymail --expand ----------------
cat >"$D/main.cf" <<'EOF'
mydomain = example.com
myhostname = host.example.com
sender_canonical_maps = regexp:{ {/^(.*)@host\.example\.com$$/ $${1}@$mydomain} }
relayhost = [smtp.$mydomain]:587
smtp_fallback_relay = ${relayhost?{[backup.$mydomain]:465}}
smtp_sasl_password_maps =
    texthash:/etc/postfix/sasl_passwd,
# comment in middle
    inline:{ {[smtp.example.com]:587 = u:p} }

recipient_canonical_maps = ${nosuch:{empty-branch}}
canonical_maps = ${nosuch?{set-branch}}
luser_relay = ${relayhost?{yes}:{no}}   $user+$$x@$mydomain
smtp_tls_fingerprint_cert_match = <$luser_relay>
always_bcc = ${nosuch?{yes}:{no}}
smtp_tls_servername = $(mydomain)
smtp_helo_name = mail.${mydomain}
transport_maps = $$literal $${braced}
smtp_generic_maps = ${{$mydomain} == {example.com}?{eq}:{ne}}
smtp_bind_address = ${{10} < {9}?{less}:{notless}}
debug_peer_list = ${{abc} != {abd}?{differ}:{same}}
header_checks = ${{b} > {a}?{gt}:{le}}
smtp_tls_CAfile = a # not a comment
smtp_tls_CApath = first
smtp_tls_CApath = last wins
EOF
for n in sender_canonical_maps relayhost smtp_fallback_relay smtp_sasl_password_maps \
	recipient_canonical_maps canonical_maps luser_relay always_bcc smtp_tls_servername \
	smtp_helo_name transport_maps smtp_generic_maps smtp_bind_address debug_peer_list \
	header_checks smtp_tls_CAfile smtp_tls_CApath myorigin mydestination mydomain \
	myhostname smtp_tls_fingerprint_cert_match; do
	postconf -c "$D" -x -h "$n" >"$D/pc.out" 2>/dev/null
	_pc=$?
	"$RELAYMAIL" -C "$D/main.cf" --expand "$n" >"$D/rm.out" 2>"$D/rm.err"
	_rm=$?
	if cmp -s "$D/pc.out" "$D/rm.out" && [ "$_pc" = "$_rm" ]; then
		tap__result 0 "expand $n"
	else
		tap__result 1 "expand $n"
		tap_diag "postconf (exit $_pc): $(cat "$D/pc.out")" \
			"relaymail (exit $_rm): $(cat "$D/rm.out")" "$(head -n 3 "$D/rm.err")"
	fi
done


# --- expansion forms, one main.cf each -----------------------------------------
# Each line is the value of smtp_helo_name. Where postconf expands it,
# relaymail must print the same; where postconf refuses it (a macro
# processing error), relaymail must refuse the configuration: exit 78 and
# one line (besides warnings) naming the file, the line and the parameter.
mkdir "$D/x"
touch "$D/x/master.cf"
while IFS= read -r _e; do
	printf 'mydomain = example.com\nmyhostname = host.example.com\nsmtp_helo_name = %s\n' \
		"$_e" >"$D/x/main.cf"
	postconf -c "$D/x" -x -h smtp_helo_name >"$D/pc.out" 2>/dev/null
	_pc=$?
	"$RELAYMAIL" -C "$D/x/main.cf" --expand smtp_helo_name >"$D/rm.out" 2>"$D/rm.err"
	_rm=$?
	if [ "$_pc" = 0 ] && [ "$_rm" = 0 ] && cmp -s "$D/pc.out" "$D/rm.out"; then
		tap__result 0 "expand form: $_e"
	elif [ "$_pc" != 0 ] && [ "$_rm" = 78 ] &&
		[ "$(grep -c -v ': warning: ' "$D/rm.err")" = 1 ] &&
		grep -v ': warning: ' "$D/rm.err" | grep -q "main.cf, line 3: .*smtp_helo_name"; then
		tap__result 0 "expand form refused: $_e"
	else
		tap__result 1 "expand form: $_e"
		tap_diag "postconf (exit $_pc): $(cat "$D/pc.out")" \
			"relaymail (exit $_rm): $(cat "$D/rm.out")" "$(head -n 3 "$D/rm.err")"
	fi
done <<'EOF'
$undefined_thing
${mydomain?}x${nosuch?}y${mydomain:}z${nosuch:}w
$mydomain$
${mydomain
$(mydomain}
$(mydomain)
$( mydomain )
${ mydomain}
${mydomain }
${	mydomain}
${ mydomain ?x}
${mydomain ? x}
${mydomain?  a   b  }
${my domain}
${mydomain?{x}:}
${nosuch?{x}:}
${mydomain?{x} :{y}}
${nosuch?{x}: {y}}
${mydomain? {x}}
${mydomain?x:y}
${nosuch?x:y}
${nosuch:{x}?}
${mydomain?{x}?{y}}
${mydomain?{x}:{y} }
${mydomain?{x}:{y}z}
${mydomain?{a}:{b}:{c}}
${mydomain:{a}:{b}}
${mydomain?{a}{b}}
${mydomain?{a}x}
${nosuch:{a}x}
${mydomain?{{nested}}:{no}}
${mydomain?$myhostname}
${mydomain?{$myhostname}}
${{$mydomain}=={example.com}?{eq}:{ne}}
${ {a} == {a} ?{x}}
${{a}=={a} ? {x}}
${{a} == {a}}
${{a} != {a}}
${{a} == {a}?}
${{a} == {a}?{x}:}
${{a} === {b}?{x}:{y}}
${{a} <> {b}?{x}:{y}}
${{a} == {b} ?{x}}
${{a}=={b}:{x}}
${{ 1 } == {1}?{sp}:{nosp}}
${{10} <= {9}?{le}:{gt}} ${{9} >= {9}?{ge}:{lt}}
${{2} < {10}?{num}:{str}}
${{007} == {7}?{num}:{str}}
${{-1} < {1}?{a}:{b}}
${{x} < {10}?{a}:{b}}
${{ab}<{abc}?{a}:{b}}
${{}=={}?{eq}}
${{$nosuch}=={}?{empty}:{not}}
${{99999999999999999999} > {1}?{a}:{b}}
$$ $$$$ $$mydomain
a$ b
$mydomain_x
$mydomain-x
${mydomain}${myhostname}
${smtp_helo_name}
${{3.6} <level {1}?{a}:{b}}
${{3.10} >level {3.9}?{a}:{b}}
${{3.6} ==level {3.6.0}?{a}:{b}}
${{1}<level{2}}
${{2} <=level {2}?{le}}
${{ 3.6} <level {4}?{a}:{b}}
${{+3} >level {2}?{a}:{b}}
${{-0} <level {2}?{a}:{b}}
${{3. 6} <level {4}?{a}:{b}}
${{3.x} <level {1}?{a}:{b}}
${{3.1024} <level {1}?{a}:{b}}
${{} <level {1}?{a}:{b}}
${{-1} <level {2}?{a}:{b}}
${{3 .6} <level {4}?{a}:{b}}
${{1.2.3.4} <level {4}?{a}:{b}}
${{1} <levels {1}?{a}:{b}}
${{1} <Level {1}?{a}:{b}}
${{1} < level {2}?{a}:{b}}
${smtp_fallback_relay?{backup}:{none}}
${fallback_relay?{set}:{unset}}
a${smtp_helo_name?b}
${smtp_helo_name:{x}}
<${myhostname?{h}}>
a${}b
a$()b
a${ }b
a$( )b
a${?x}b
a${:x}b
EOF

# --- compatibility_level: the defaults that depend on it ----------------------
# relaymail's own default level is 3.6 (Postfix's is 0), so each case sets it.
for _l in 0 1 2 3.6 3.10 8796093022207 8796093022208 10000000000000; do
	printf 'mydomain = example.com\ncompatibility_level = %s\n' "$_l" >"$D/x/main.cf"
	for n in smtputf8_enable append_dot_mydomain smtp_tls_fingerprint_digest; do
		postconf -c "$D/x" -x -h "$n" >"$D/pc.out" 2>/dev/null
		"$RELAYMAIL" -C "$D/x/main.cf" --expand "$n" >"$D/rm.out" 2>"$D/rm.err"
		if cmp -s "$D/pc.out" "$D/rm.out"; then
			tap__result 0 "compatibility_level = $_l: $n"
		else
			tap__result 1 "compatibility_level = $_l: $n"
			tap_diag "postconf: $(cat "$D/pc.out")" "relaymail: $(cat "$D/rm.out")" \
				"$(head -n 3 "$D/rm.err")"
		fi
	done
done

tap_done

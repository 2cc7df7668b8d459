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
# A private main.cf so the machine's Postfix configuration does not matter.
printf 'mydomain = example.com\nmyhostname = host.example.com\n' >"$D/main.cf"
touch "$D/master.cf"

# same DESC ARGS...: postmap -q ARGS vs relaymail --query ARGS (stdin
# from $D/keys when the key is -).
same() {
	_desc=$1
	shift
	postmap -c "$D" -q "$@" <"$D/keys" >"$D/pm.out" 2>"$D/pm.err"
	_pm=$?
	"$RELAYMAIL" --query "$@" <"$D/keys" >"$D/rm.out" 2>"$D/rm.err"
	_rm=$?
	if cmp -s "$D/pm.out" "$D/rm.out" && [ "$_pm" = "$_rm" ]; then
		tap__result 0 "$_desc"
		return
	fi
	tap__result 1 "$_desc"
	tap_diag "postmap (exit $_pm): $(cat "$D/pm.out")" "relaymail (exit $_rm): $(cat "$D/rm.out")"
	tap_diag "relaymail stderr: $(head -n 3 "$D/rm.err")"
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
postmap -c "$D" "hash:$D/hs" 2>/dev/null || tap_diag "postmap could not build $D/hs.db"
for k in '[smtp.example.com]:587' smtp.example.com '[MIXED.EXAMPLE.COM]:465' \
	'[mixed.example.com]:465' '"quoted key"' 'quoted key' '"esc \" key"' key: key cont \
	novalue upper UPPER '#' comment ''; do
	same "texthash: '$k'" "$k" "texthash:$D/th"
	same "hash: '$k'" "$k" "hash:$D/hs"
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

# --- malformed table names -------------------------------------------------
for m in ':x' 'texthash:' 'regexp:' 'pcre:' 'inline:' 'static:' 'inline:a=1' 'inline:{' \
	'inline:{}' 'inline:{ =v }' 'inline:{ a= }' 'inline:{ a=1 } x' 'inline:{a=1}}' \
	'inline:{ {a=1}x }' 'static:{ abc' 'static:{ abc } x' 'static:{}' 'static:{ }' \
	'regexp:{' 'regexp:{}' 'regexp:{ {/a/ b} } x' 'regexp:{ /a/ b }' 'regexp:{ {/a/ b} x }' \
	'regexp:{ {/a/ b}' 'regexp:{ {/a/ b},{/c/ d} }' 'inline:{a=1} {b=2}' 'static:{a} {b}' \
	'regexp:{ {/a/ b} } { {/c/ d} }'; do
	same "table '$m'" a "$m"
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

tap_done

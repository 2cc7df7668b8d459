#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Recipients from broken headers (-t), differential, with Postfix as the
# oracle: each message of the corpus below (a CRLF of PHP's mail() turned
# into spaces, stray ":" ";" "<", unbalanced quotes and comments, encoded
# words, group syntax misused) goes (A) through a private Postfix's own
# sendmail -t, which forwards it to the sink of tests/lib/relay.sh, and
# (B) through relaymail -t to the same sink. The recipients that arrive
# must be the same; where Postfix loses or invents a recipient, relaymail
# must instead refuse the message with exit 65 and keep it (a case marked
# "refuse"). The harness is tests/lib/differential.sh, with one oracle
# for all cases. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no;
# RELAY_KEEP=1 keeps the scratch folder.
: "${CANON_TIMEOUT:=${EXTRACT_TIMEOUT:-40}}"
DIFF_NAME=extract DIFF_DOMAIN=extract.test DIFF_SUBJECT=extract
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib/differential.sh"

# One Postfix for every case, forwarding all to the sink.
shared_oracle
lines <<'EOF'
smtp_tls_security_level = none
EOF

# --- The corpus. ---------------------------------------------------------------
# case_begin NAME DESCRIPTION, then the header fields on stdin; refuse
# REASON marks a case where Postfix loses or invents a recipient and
# relaymail refuses the message instead (exit 65, message kept).
case_begin() {
	case_new "$@"
	submit -t -i -f joe@example.com
	cat >"$C/headers"
}
refuse() {
	printf '%s\n' "$1" >"$C/refuse"
}

case_begin php-bcc 'PHP mail(): a CRLF in $to turned into two spaces before Bcc' <<'EOF'
To: bob@example.com  Bcc: carol@example.com
EOF
refuse 'Postfix sends to bob and "Bcc:carol"@example.com, never to carol'

case_begin php-cc 'PHP mail(): one space before Cc' <<'EOF'
To: bob@example.com Cc: carol@example.com
EOF
refuse 'Postfix sends to "Cc:carol"@example.com'

case_begin php-name 'PHP mail(): a display name, then Bcc' <<'EOF'
To: Bob <bob@example.com>  Bcc: carol@example.com
EOF
refuse 'Postfix sends to "Bcc:carol"@example.com'

case_begin php-list 'PHP mail(): a list, then Cc with a list' <<'EOF'
To: bob@example.com, dan@example.com  Cc: carol@example.com, eve@example.com
EOF
refuse 'Postfix sends to "Cc:carol"@example.com'

case_begin php-tab 'PHP mail(): a tab before Bcc' <<'EOF'
To: bob@example.com	Bcc: carol@example.com
EOF
refuse 'Postfix sends to "Bcc:carol"@example.com'

case_begin php-comma 'PHP mail(): a comma, then Bcc' <<'EOF'
To: bob@example.com,  Bcc: carol@example.com
EOF
refuse 'Postfix sends to "Bcc:carol"@example.com'

case_begin php-subject 'PHP mail(): a Subject line glued to To' <<'EOF'
To: bob@example.com  Subject: hello
EOF
refuse 'Postfix sends to "Subject:hello"@host.example.com'

case_begin cc-broken 'a good To, a Cc with a lost line break' <<'EOF'
To: dan@example.com
Cc: bob@example.com  Bcc: carol@example.com
EOF
refuse 'Postfix sends to "Bcc:carol"@example.com'

case_begin resent-broken 'Resent-To with a lost line break (only Resent- fields count)' <<'EOF'
To: dan@example.com
Resent-From: joe@example.com
Resent-To: bob@example.com  Resent-Cc: carol@example.com
EOF
refuse 'Postfix sends to "Resent-Cc:carol"@example.com'

case_begin colon 'a stray colon between two addresses' <<'EOF'
To: bob@example.com: carol@example.com
EOF
refuse 'Postfix sends to "bob@example.com:carol"@example.com only'

case_begin semicolon 'a semicolon as separator' <<'EOF'
To: bob@example.com; carol@example.com
EOF

case_begin group-open 'a group that is never closed' <<'EOF'
To: friends: bob@example.com, carol@example.com
EOF
refuse 'Postfix sends to "friends:bob"@example.com'

case_begin group-nested 'a group inside a group' <<'EOF'
To: a: b: bob@example.com;;, carol@example.com
EOF

case_begin group-empty 'an empty group and a Cc' <<'EOF'
To: undisclosed-recipients:;
Cc: carol@example.com
EOF

case_begin angle-open 'a "<" never closed' <<'EOF'
To: <bob@example.com, carol@example.com
EOF
refuse 'Postfix sends to "<bob"@example.com'

case_begin angle-close 'a ">" without "<"' <<'EOF'
To: bob@example.com>, carol@example.com
EOF

case_begin angle-two 'two angle addresses in one mailbox' <<'EOF'
To: Bob <bob@example.com> <carol@example.com>
EOF

case_begin quote-open 'a quote never closed' <<'EOF'
To: "Bob <bob@example.com>, carol@example.com
EOF
refuse 'Postfix sends to one made-up address'

case_begin comment-open 'a comment never closed' <<'EOF'
To: bob@example.com (Bob, carol@example.com
EOF
refuse 'Postfix loses carol inside the comment'

case_begin comment-close 'a ")" without "("' <<'EOF'
To: bob@example.com), carol@example.com
EOF
refuse 'Postfix bounces bob@example.com)'

case_begin encoded-word 'an encoded word that hides "<" and ","' <<'EOF'
To: =?UTF-8?Q?Doe=2C_J=3Cx=3E?= <bob@example.com>, carol@example.com
EOF

case_begin encoded-addr 'an encoded word as an address' <<'EOF'
To: =?UTF-8?B?Ym9iQGV4YW1wbGUuY29t?=, carol@example.com
EOF
refuse 'Postfix sends to =?UTF-8?B?...?=@host.example.com, not bob'

case_begin name-comma 'an unquoted display name with a comma' <<'EOF'
To: Doe, Bob <bob@example.com>
EOF

case_begin spaces 'addresses separated by spaces only' <<'EOF'
To: bob@example.com carol@example.com
EOF

case_begin bare-name 'a name before a bare address' <<'EOF'
To: Bob bob@example.com
EOF
refuse 'Postfix sends to Bob@host.example.com'

case_begin at-twice 'two @ in one address' <<'EOF'
To: bob@example.com@example.org, carol@example.com
EOF
refuse 'Postfix sends to "bob@example.com"@example.org'

case_begin angle-trailing 'a name after the angle address' <<'EOF'
To: <bob@example.com> Bob, carol@example.com
EOF
refuse 'Postfix sends to Bob@host.example.com'

case_begin group-proper 'a group with its ";", and one more address' <<'EOF'
To: friends: bob@example.com, Carol <carol@example.com>;, dan@example.com
EOF

case_begin route 'an obsolete route in the angle address' <<'EOF'
To: Bob <@relay.example:bob@example.com>, carol@example.com
EOF

case_begin folded 'a field folded over three lines, a comment in it' <<'EOF'
To: bob@example.com (Bob,
  the builder), "Carol, C."
	<carol@example.com>
EOF

case_begin empty-items 'empty list items' <<'EOF'
To: , bob@example.com,, carol@example.com,
EOF

# rcpts NAME PATH: the envelope recipients that arrived, sorted, on one
# line ("none" when nothing did).
rcpts() {
	_r=$(for _f in "$W/got/$1.$2"/*; do
		[ -f "$_f" ] && sed -n '/^$/q; s/^X-Original-To: //p' "$_f"
	done | sort | tr '\n' ' ' | sed 's/ $//')
	echo "${_r:-none}"
}

# kept NAME: status 0 when relaymail's dead letter file holds the message.
kept() {
	grep -q "^Message-ID: <$1\.B@extract\.test>" "$W/r/shared.dead" 2>/dev/null
}

compare() {
	_desc=$(cat "$W/c/$1/desc")
	_a=$(rcpts "$1" A) _b=$(rcpts "$1" B)
	_rca=$(cat "$W/got/$1.A.rc") _rcb=$(cat "$W/got/$1.B.rc")
	if [ -f "$W/c/$1/refuse" ]; then
		[ "$_rcb" = 65 ] && [ "$_b" = none ] && kept "$1" &&
			grep -q '^relaymail: in the [A-Za-z-]* header field: invalid address list ' \
				"$W/got/$1.B.err"
		tap__result $? "$1: $_desc: refused, exit 65, kept (Postfix: exit $_rca, to $_a)" ||
			tap_diag "Postfix: exit $_rca, to $_a" "relaymail: exit $_rcb, to $_b" \
				"relaymail's stderr: $(head -n 3 "$W/got/$1.B.err")"
		return
	fi
	[ "$_rca" = 0 ] && [ "$_rcb" = 0 ] && [ "$_a" = "$_b" ] && [ "$_a" != none ]
	tap__result $? "$1: $_desc: the recipients Postfix gives ($_a)" ||
		tap_diag "Postfix: exit $_rca, to $_a" "relaymail: exit $_rcb, to $_b" \
			"relaymail's stderr: $(head -n 3 "$W/got/$1.B.err")"
}

# --- Run. ----------------------------------------------------------------------
differential_send
for name in $(cat "$W/cases"); do
	compare "$name"
done

tap_done

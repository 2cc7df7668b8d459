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
# "refuse"). Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1
# keeps the scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
: "${EXTRACT_TIMEOUT:=40}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

W=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-extract.XXXXXX") || tap_bail "mktemp failed"
chmod 0755 "$W" || tap_bail "cannot open $W"
cleanup() {
	[ -d "$W/o" ] && relay_stop "$W/o"
	relay_stop "$W/sink"
	if [ "${RELAY_KEEP:-0}" = 1 ]; then
		echo "# kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

PF_SENDMAIL=$(postconf -d -h sendmail_path 2>/dev/null) && [ -x "$PF_SENDMAIL" ] ||
	tap_bail "Postfix's sendmail (postconf -d sendmail_path) not found"
mkdir -p "$W/c" "$W/got" "$W/home" || tap_bail "cannot create folders in $W"
HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

# --- The corpus. ---------------------------------------------------------------
# case_begin NAME DESCRIPTION, then the header fields on stdin; refuse
# REASON marks a case where Postfix loses or invents a recipient and
# relaymail refuses the message instead (exit 65, message kept).
case_begin() {
	C=$W/c/$1
	mkdir "$C" || tap_bail "case $1 defined twice"
	printf '%s\n' "$2" >"$C/desc"
	printf '%s\n' "$1" >>"$W/cases"
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

# --- The oracle and the sink. --------------------------------------------------
shared_lines() {
	cat <<-EOF
		myhostname = host.example.com
		mydomain = example.com
		alias_maps =
	EOF
}

# oracle_conf: a private Postfix, laid out as relay_start lays out its
# instance so that relay_stop stops it: local submission only, every
# message forwarded to the sink.
oracle_conf() {
	_o=$W/o
	mkdir -p "$_o/postfix" "$_o/queue" "$_o/data" &&
		chown postfix "$_o/data" && chmod 0700 "$_o/data" &&
		chmod 0755 "$_o" "$_o/queue" || return 1
	{
		cat <<-EOF
			compatibility_level = 3.6
			queue_directory = $_o/queue
			data_directory = $_o/data
			maillog_file_prefixes = $_o
			maillog_file = $_o/maillog
			syslog_name = oracle-extract
			inet_interfaces = 127.0.0.1
			inet_protocols = ipv4
			alias_database =
			biff = no
			transport_maps = static:smtp:[$RELAY_HOST]:$RELAY_PLAIN_PORT
			smtp_tls_security_level = none
		EOF
		shared_lines
	} >"$_o/postfix/main.cf"
	cat >"$_o/postfix/master.cf" <<-EOF
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		flush     unix  n       -       n       1000?   0       flush
		smtp      unix  -       -       n       -       -       smtp
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		showq     unix  n       -       n       -       -       showq
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	# Files younger than a second make Postfix read them twice, slowly.
	touch -t 200001010000 "$_o/postfix"/* "$_o/postfix"
}

oracle_start() {
	if ! postfix -c "$W/o/postfix" start >"$W/o/start.log" 2>&1; then
		cat "$W/o/start.log" >&2
		return 1
	fi
}

relaymail_conf() {
	{
		echo "relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $W/dead.letter"
		shared_lines
	} >"$W/relaymail.cf"
}

# message NAME PATH: the case's header, a Subject, Date and Message-ID of
# its own, a body.
message() {
	cat "$W/c/$1/headers"
	echo "Subject: extract case $1"
	echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
	echo "Message-ID: <$1.$2@extract.test>"
	echo ""
	echo "Body of $1."
}

# send NAME PATH: -t through Postfix (A) or relaymail (B); the exit status
# in got/NAME.PATH.rc.
send() {
	_g=$W/got/$1.$2
	message "$1" "$2" >"$_g.msg"
	if [ "$2" = A ]; then
		"$PF_SENDMAIL" -C "$W/o/postfix" -t -i -f joe@example.com <"$_g.msg" \
			>"$_g.out" 2>"$_g.err"
	else
		timeout 60 "$RELAYMAIL" -C "$W/relaymail.cf" -t -i -f joe@example.com \
			<"$_g.msg" >"$_g.out" 2>"$_g.err"
	fi
	echo $? >"$_g.rc"
}

busy() {
	for _q in "$W/o/queue" "$W/sink/queue"; do
		for _d in maildrop incoming active deferred; do
			[ -d "$_q/$_d" ] || continue
			[ -n "$(find "$_q/$_d" -type f | head -n 1)" ] && return 0
		done
	done
	return 1
}

wait_quiet() {
	_end=$(($(date +%s) + $1))
	_flush=$(($(date +%s) + 3))
	while busy; do
		_now=$(date +%s)
		[ "$_now" -ge "$_end" ] && return 1
		if [ "$_now" -ge "$_flush" ]; then
			postqueue -c "$W/o/postfix" -f >/dev/null 2>&1
			postqueue -c "$W/sink/postfix" -f >/dev/null 2>&1
			_flush=$((_now + 3))
		fi
		sleep 0.1
	done
	return 0
}

# sort_sink: each delivered file into got/NAME.PATH/ by its Message-ID.
sort_sink() {
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] || continue
		_id=$(sed -n '/^$/q; s/^Message-ID: <\([^@]*\)@extract\.test>$/\1/p' "$_f")
		case $_id in
		*.A | *.B) _d=$W/got/$_id ;;
		*) _d=$W/got/other ;;
		esac
		mkdir -p "$_d" && mv "$_f" "$_d/"
	done
}

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
	grep -q "^Message-ID: <$1\.B@extract\.test>" "$W/dead.letter" 2>/dev/null
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
relay_start "$W/sink" || tap_bail "the sink relay did not start"
. "$W/sink/relay.env"
oracle_conf && relaymail_conf || tap_bail "cannot write the configurations"
oracle_start || tap_bail "the oracle Postfix did not start"

for name in $(cat "$W/cases"); do
	send "$name" A
	send "$name" B
done
wait_quiet "$EXTRACT_TIMEOUT" || tap_diag "mail still on its way after ${EXTRACT_TIMEOUT}s"
sort_sink
# Postfix bounces what it made of comment-close; anything else is news.
if [ -d "$W/got/other" ] && grep -L '^Subject: Undelivered Mail' "$W/got/other"/* |
	grep -q .; then
	tap_diag "unexpected mail in the sink:" \
		"$(grep -h -m 3 -E '^(Subject|To):' "$W/got/other"/* | head -n 12)"
fi

for name in $(cat "$W/cases"); do
	compare "$name"
done

tap_done

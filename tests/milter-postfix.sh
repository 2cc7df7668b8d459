#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# non_smtpd_milters, differential, with Postfix as the oracle: the same
# scripted milter (tests/fakemilter) sits behind a private Postfix (its
# own sendmail, pickup, cleanup, smtp) and behind relaymail, both
# relaying to the sink of tests/lib/relay.sh, with the same main.cf lines
# and message. Compared: what the milter was sent, packet by packet
# (queue IDs masked, and the v macro, whose default names the program),
# and what arrived at the sink: the header fields but the trace, the
# body, the sender and the recipients; where the milter gives a verdict,
# the mail log record of cleanup instead, and relaymail's exit status. 23
# cases: the events, -t, edits, insert positions, canonical maps, the
# null sender, a large body, reject, a reply code, tempfail, quarantine,
# discard, a refused RCPT, version 2, macro lists and defaults; and
# milter_header_checks (regexp and pcre) on added, inserted and changed
# fields: REPLACE, WARN, INFO, IGNORE, STRIP, PREPEND and PASS (which
# Postfix does not do there), BCC, REDIRECT, REJECT, DISCARD, HOLD, a
# deleted field not looked up, a field that matches nothing. Gated by
# RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the scratch
# folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKEMILTER=$top_builddir/tests/fakemilter

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/oracle.sh"

relay_gate
[ -x "$FAKEMILTER" ] || tap_bail "$FAKEMILTER is missing"
PF_SENDMAIL=$(postconf -d -h sendmail_path 2>/dev/null) && [ -x "$PF_SENDMAIL" ] ||
	tap_bail "Postfix's sendmail (postconf -d sendmail_path) not found"

W=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-milterpf.XXXXXX") || tap_bail "mktemp failed"
chmod 0755 "$W" || tap_bail "cannot open $W"
milter_pids=
cleanup() {
	for _p in $milter_pids; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	for _o in "$W"/o/*; do
		[ -d "$_o" ] && relay_stop "$_o"
	done
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
trap 'exit 143' TERM

mkdir -p "$W/c" "$W/o" "$W/got" "$W/home" || tap_bail "cannot create folders in $W"
HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

relay_start "$W/sink" || tap_bail "the sink relay did not start"
. "$W/sink/relay.env"

# --- How a case is written: case NAME, then files in $C: script (the
# milter's), lines (main.cf lines both sides get), headers (the message's
# fields before its Subject, Date and Message-ID), body, args (sendmail
# arguments, one a line).
case_begin() {
	C=$W/c/$1
	mkdir -p "$C"
	printf '%s\n' "$1" >>"$W/cases"
	printf 'From: <s@example.com>\nTo: <r@dest.test>\n' >"$C/headers"
	printf 'Body line.\n' >"$C/body"
	printf '%s\n' -f s@example.com r@dest.test >"$C/args"
	: >"$C/lines"
}

# milter NAME SIDE: a fakemilter with the case's script; its port in $mport.
milter() {
	_m=$W/c/$1/$2
	"$FAKEMILTER" --script "$W/c/$1/script" --port-file "$_m.port" --transcript "$_m.mtr" \
		--timeout 60 2>"$_m.merr" &
	milter_pids="$milter_pids $!"
	_i=0
	while [ ! -s "$_m.port" ]; do
		_i=$((_i + 1))
		[ "$_i" -gt 100 ] && tap_bail "fakemilter did not start"
		sleep 0.05
	done
	mport=$(cat "$_m.port")
}

# message NAME SIDE: the case's message, its Subject and Message-ID
# naming the side.
message() {
	cat "$W/c/$1/headers"
	printf 'Subject: milter case %s\nDate: Mon, 01 Jan 2024 12:00:00 +0000\n' "$1.$2"
	printf 'Message-ID: <%s@example.com>\n\n' "$1.$2"
	cat "$W/c/$1/body"
}

# run_case NAME: through Postfix (A), then relaymail (B).
run_case() {
	_n=$1 _c=$W/c/$1
	set --
	while IFS= read -r _a; do set -- "$@" "$_a"; done <"$_c/args"
	milter "$_n" A
	{
		printf 'myhostname = host.example.com\nmydomain = example.com\n'
		cat "$_c/lines"
		echo "non_smtpd_milters = inet:127.0.0.1:$mport"
	} | oracle_up "$W/o/$_n" || tap_bail "the oracle of case $_n did not start"
	message "$_n" A >"$_c/A.msg"
	"$PF_SENDMAIL" -C "$W/o/$_n/postfix" "$@" <"$_c/A.msg" >"$_c/A.out" 2>&1
	milter "$_n" B
	{
		echo "relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT"
		printf 'myhostname = host.example.com\nmydomain = example.com\nalias_maps =\n'
		echo "dead_letter_file = $_c/B.dead"
		echo "maillog_file = $_c/B.maillog"
		cat "$_c/lines"
		echo "non_smtpd_milters = inet:127.0.0.1:$mport"
	} >"$_c/B.cf"
	message "$_n" B >"$_c/B.msg"
	timeout 60 "$RELAYMAIL" -C "$_c/B.cf" "$@" <"$_c/B.msg" >"$_c/B.out" 2>&1
	echo $? >"$_c/B.rc"
}

# masked NAME SIDE: the milter's transcript, queue IDs, the v macro and
# the side's name masked; nothing after QUIT (Postfix may still be
# reading when the milter's script ends).
masked() {
	sed -e 's/\(|i|\|^D .i|\)[0-9A-Za-z]*/\1QID/' -e 's/|v|[^|]*|/|v|V|/' \
		-e "s/$1\\.$2/$1.X/g" "$W/c/$1/$2.mtr" | sed '/^Q/q'
}

# sink_sort: every delivered file into got/NAME.SIDE/ by its Message-ID.
sink_sort() {
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] || continue
		_id=$(sed -n '/^$/q; s/^Message-I[Dd]: *<\([^@]*\)@example\.com>$/\1/p' "$_f")
		mkdir -p "$W/got/${_id:-other}" && mv "$_f" "$W/got/${_id:-other}/"
	done
}

# copies NAME SIDE: how many copies of the case arrived.
copies() {
	ls "$W/got/$1.$2" 2>/dev/null | grep -c .
}

# arrived NAME SIDE: the copies as one text: the sender (Return-Path),
# the recipients (Delivered-To, sorted), then the first copy's header
# without the trace fields, and its body; the side's name masked.
arrived() {
	_d=$W/got/$1.$2
	{
		for _f in "$_d"/*; do sed -n '/^$/q; s/^Return-Path: //p' "$_f"; done | sort -u
		for _f in "$_d"/*; do sed -n '/^$/q; s/^Delivered-To: //p' "$_f"; done | sort
		_f=$(ls "$_d"/* | head -n 1)
		awk '/^$/ { body = 1 } body { print; next }
			/^[ \t]/ { if (keep) print; next }
			{ n = tolower($0); sub(/:.*/, "", n)
			  keep = n != "received" && n != "return-path" && n != "delivered-to" &&
				n != "x-original-to"; if (keep) print }' "$_f"
	} | sed "s/$1\\.$2/$1.X/g"
}

# verdict NAME RC: the case ends in a verdict, relaymail's exit status
# RC; compared is the mail log's record of it instead of what arrived.
verdict() {
	printf '%s\n' "$2" >"$W/c/$1/verdict"
}

# record FILE: the first milter record of a mail log, from the action on.
record() {
	records "$1" | head -n 1
}

# records FILE: every milter record of a mail log, from the action on.
records() {
	sed -n 's/^.* [0-9A-Za-z]*: \(milter-[a-z-]*: .*\)$/\1/p' "$1" 2>/dev/null |
		sed 's/\.[AB]@/.X@/g'
}

# --- The cases. --------------------------------------------------------

case_begin events
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" "send c" >"$C/script"
printf 'From: <s@example.com>\nTo: <r@dest.test>,\n\t<r2@dest.test>\nX-Tight:value\nX-Tab:\tvalue\nX-Two:  two\n' \
	>"$C/headers"
printf '%s\n' -f s@example.com r@dest.test r2@dest.test >"$C/args"

case_begin extract
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" "send c" >"$C/script"
printf 'From: Sender <s@example.com>\nTo: <r@dest.test>\nBcc: <hidden@dest.test>\n' >"$C/headers"
printf '%s\n' -t -f s@example.com >"$C/args"

case_begin edits
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send h X-Added\0at the end\0' 'send i \0\0\0\0X-Top\0inserted at 0\0' \
	'send i \0\0\0\x02X-Third\0inserted at 2\0' 'send m \0\0\0\x01Subject\0changed\0' \
	'send m \0\0\0\x01X-Drop\0\0' 'send m \0\0\0\x01X-None\0appended\0' \
	'send m \0\0\0\x02X-Twice\0second changed\0' \
	'send b New body line.\r\nSecond line.\r\n' 'send e <new@example.com>\0' \
	'send + <added@dest.test>\0' 'send - <r@dest.test>\0' "send c" >"$C/script"
printf 'From: <s@example.com>\nTo: <r@dest.test>\nX-Drop: me\nX-Twice: one\nX-Twice: two\n' \
	>"$C/headers"
printf '%s\n' -f s@example.com r@dest.test keep@dest.test >"$C/args"

case_begin positions
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send i \0\0\0\x01X-One\0at 1\0' 'send i \0\0\0\0X-Zero\0at 0\0' \
	'send i \0\0\0\x01X-Under\0at 1, under X-Zero\0' 'send m \0\0\0\x01X-Zero\0\0' \
	'send i \0\0\0\x01X-After\0at 1\0' 'send i \0\0\0\x04X-Four\0at 4\0' \
	'send i \0\0\0\x63X-Far\0at 99\0' 'send m \0\0\0\x02To\0second To\0' "send c" \
	>"$C/script"
printf 'From: <s@example.com>\nTo: <r@dest.test>\nTo: <r@dest.test>\n' >"$C/headers"

case_begin canonical
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send e <new@example.com>\0' 'send + <added@dest.test>\0' "send c" >"$C/script"
printf '%s\n' "sender_canonical_maps = inline:{ s@example.com=canon@example.com, new@example.com=newcanon@example.com }" \
	"recipient_canonical_maps = inline:{ r@dest.test=rr@dest.test, added@dest.test=aa@dest.test }" \
	>"$C/lines"

case_begin nullsender
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" "send c" >"$C/script"
printf '%s\n' -f '<>' r@dest.test >"$C/args"

case_begin bigbody
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" "send c" >"$C/script"
awk 'BEGIN { for (i = 0; i < 4000; i++) printf "line %05d of a body of some size, in chunks\n", i }' \
	>"$C/body"

case_begin reject
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" "send r" >"$C/script"
verdict reject 65

case_begin replycode
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" 'send y 554 5.7.0 Go away\0' \
	>"$C/script"
verdict replycode 65

case_begin tempfail
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect M" "send t" >"$C/script"
verdict tempfail 75

case_begin hold
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" 'send q looks odd\0' "send a" \
	>"$C/script"
verdict hold 75

case_begin discard
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" "send d" >"$C/script"
verdict discard 0

case_begin rcptreject
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect R" "send r" >"$C/script"
verdict rcptreject 75

case_begin v2
printf '%s\n' "expect O" "optneg 2 0x1f 0x0" "auto" "expect E" "send c" >"$C/script"
echo "milter_protocol = 2" >"$C/lines"

case_begin macros
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0 3 {rcpt_addr} {rcpt_host} j" "auto" "expect E" \
	"send c" >"$C/script"
printf '%s\n' "milter_macro_defaults = { rcpt_host = dest.test }, {j}=unused, foo=bar" \
	"milter_data_macros = i foo {daemon_name}" "milter_macro_daemon_name = signer" >"$C/lines"

# milter_header_checks on the fields the milter adds, inserts and
# changes (the mail log's milter-header-* records compared too).
# hbc NAME TYPE: the case's table, of type TYPE, from stdin.
hbc() {
	cat >"$W/c/$1/hbc"
	echo "milter_header_checks = $2:$W/c/$1/hbc" >"$W/c/$1/lines"
	: >"$W/c/$1/logs"
}

case_begin hbc-edit
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send h X-Spam\0yes\0' 'send m \0\0\0\x01Subject\0changed by the milter\0' \
	'send i \0\0\0\0X-Other\0not matched\0' 'send h X-Warn\0look\0' "send c" >"$C/script"
hbc hbc-edit regexp <<'EOF'
/^X-Spam: yes$/ REPLACE X-Spam-Flag: YES
/^Subject: changed/ REPLACE Subject: [checked] changed
/^X-Warn:/ WARN a warned field
/^Subject: milter case/ REPLACE Subject: never (the milter did not give it)
EOF

case_begin hbc-ignore
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send h X-Drop\0added\0' 'send m \0\0\0\x01X-Old\0changed\0' \
	'send i \0\0\0\x01X-Strip\0inserted\0' 'send m \0\0\0\x01X-Gone\0\0' \
	'send h X-Kept\0added too\0' "send c" >"$C/script"
printf 'From: <s@example.com>\nTo: <r@dest.test>\nX-Old: original\nX-Gone: deleted\n' >"$C/headers"
hbc hbc-ignore pcre <<'EOF'
/^x-drop:/ IGNORE
/^X-Old: changed/ IGNORE
/^X-Strip:/ STRIP stripped it
/^X-Gone:/ REJECT never: a deletion is not looked up
EOF

case_begin hbc-prepend
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send h X-Pre\0one\0' 'send h X-Pass\0two\0' 'send h X-Info\0three\0' "send c" >"$C/script"
hbc hbc-prepend regexp <<'EOF'
/^X-Pre:/ PREPEND X-Prepended: not implemented by Postfix
/^X-Pass:/ PASS is not a command here
/^X-Info:/ INFO noted
EOF

case_begin hbc-bcc
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" 'send h X-Copy\0yes\0' \
	"send c" >"$C/script"
hbc hbc-bcc pcre <<'EOF'
/^X-Copy: yes/ BCC copy@dest.test
EOF

case_begin hbc-redirect
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send m \0\0\0\x01Subject\0redirect me\0' 'send h X-Copy\0after the redirect\0' \
	"send c" >"$C/script"
hbc hbc-redirect regexp <<'EOF'
/^Subject: redirect/ REDIRECT other@dest.test
/^X-Copy:/ BCC never@dest.test
EOF

case_begin hbc-reject
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" 'send h X-Virus\0found\0' \
	'send h X-After\0skipped\0' "send c" >"$C/script"
hbc hbc-reject regexp <<'EOF'
/^X-Virus: found/ REJECT 5.7.0 infected
/^X-After:/ WARN never: the message is rejected
EOF
verdict hbc-reject 65

case_begin hbc-discard
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" \
	'send m \0\0\0\x01Subject\0junk\0' "send c" >"$C/script"
hbc hbc-discard pcre <<'EOF'
/^Subject: junk/ DISCARD dropped
EOF
verdict hbc-discard 0

case_begin hbc-hold
printf '%s\n' "expect O" "optneg 6 0x1ff 0x0" "auto" "expect E" 'send h X-Odd\0yes\0' \
	"send c" >"$C/script"
hbc hbc-hold regexp <<'EOF'
/^X-Odd:/ HOLD looks odd
EOF
verdict hbc-hold 75

for n in $(cat "$W/cases"); do
	run_case "$n"
done

# all_there: every case without a verdict has copies from both sides.
all_there() {
	for _n in $(cat "$W/cases"); do
		[ -f "$W/c/$_n/verdict" ] && continue
		[ -d "$W/got/$_n.A" ] && [ -d "$W/got/$_n.B" ] || return 1
	done
}

# Every copy at the sink, Postfix's retried until they are all there.
end=$(($(date +%s) + 40))
while sink_sort; ! all_there; do
	[ "$(date +%s)" -ge "$end" ] && break
	for o in "$W"/o/*; do oracle_flush "$o"; done
	sleep 0.2
done

for n in $(cat "$W/cases"); do
	if [ -f "$W/c/$n/verdict" ]; then
		tap_is "$(cat "$W/c/$n/B.rc")" "$(cat "$W/c/$n/verdict")" \
			"$n: relaymail's exit status"
		# Postfix 3.10 and later log a quarantine's reason; before,
		# the generic text: compared as the later ones write it.
		tap_is "$(record "$W/c/$n/B.maillog")" \
			"$(record "$W/o/$n/maillog" | sed 's/: milter triggers HOLD action;/: looks odd;/')" \
			"$n: the same mail log record as Postfix's cleanup"
		tap_ok "$n: the record is there" [ -n "$(record "$W/c/$n/B.maillog")" ]
		continue
	fi
	tap_is "$(cat "$W/c/$n/B.rc")" 0 "$n: relaymail sent it"
	tap_ok "$n: both arrived" [ "$(copies "$n" A)" -gt 0 ] && [ "$(copies "$n" B)" -gt 0 ]
	masked "$n" A >"$W/c/$n/A.masked"
	masked "$n" B >"$W/c/$n/B.masked"
	if tap_ok "$n: the milter was sent the same packets" cmp -s "$W/c/$n/A.masked" "$W/c/$n/B.masked"; then :; else
		tap_diag "$(diff "$W/c/$n/A.masked" "$W/c/$n/B.masked")"
	fi
	arrived "$n" A >"$W/c/$n/A.got"
	arrived "$n" B >"$W/c/$n/B.got"
	if tap_ok "$n: the same arrived at the sink" cmp -s "$W/c/$n/A.got" "$W/c/$n/B.got"; then :; else
		tap_diag "$(diff "$W/c/$n/A.got" "$W/c/$n/B.got")"
	fi
	[ -f "$W/c/$n/logs" ] || continue
	records "$W/o/$n/maillog" >"$W/c/$n/A.log"
	records "$W/c/$n/B.maillog" >"$W/c/$n/B.log"
	tap_ok "$n: milter_header_checks logged" [ -s "$W/c/$n/B.log" ]
	if tap_ok "$n: the same milter-header records as Postfix's cleanup" \
		cmp -s "$W/c/$n/A.log" "$W/c/$n/B.log"; then :; else
		tap_diag "$(diff "$W/c/$n/A.log" "$W/c/$n/B.log")"
	fi
done
tap_ok "the events case is not empty: a header packet with its value" \
	grep -q '^L X-Tab|\\x09value' "$W/c/events/B.masked"
tap_ok "the edits case changed something: the added recipient arrived" \
	grep -qx 'added@dest.test' "$W/c/edits/B.got"

tap_done

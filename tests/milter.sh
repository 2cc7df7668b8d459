#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# non_smtpd_milters against a scripted milter (tests/fakemilter) and the
# scripted relay (tests/fakesmtp): the events and macros a local
# submission gives a milter, its verdicts (reject, tempfail, a reply
# code, discard, quarantine), its edits (headers, sender, recipients,
# body), milter_default_action when it cannot be reached, never answers
# or sends garbage (one line naming the milter and what it sent, never a
# hang), a large body streamed in chunks, a Unix socket, two milters in
# order, SMFIR_SKIP, protocol version 2 and SETSYMLIST.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp
FAKEMILTER=$top_builddir/tests/fakemilter
FREEPORT=$top_builddir/tests/freeport

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
[ -x "$FAKEMILTER" ] || tap_bail "$FAKEMILTER is missing"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-milter.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
_milter_pids=
trap 'for p in $_milter_pids; do kill "$p" 2>/dev/null; done; fake_stop_all; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

printf 'From: <s@client.test>\nTo: <r@dest.test>\nSubject: milter test\n\nBody line.\n.dot line\n' \
	>"$T/msg"
printf '%s\n' "send 220 fake.test ESMTP" "expect EHLO" "send 250 fake.test" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
	"expect DATA" "send 354 go" "data" "send 250 2.0.0 Ok: queued" "expect QUIT" \
	"send 221 Bye" >"$T/relay.script"
# Two recipients.
printf '%s\n' "send 220 fake.test ESMTP" "expect EHLO" "send 250 fake.test" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
	"expect RCPT TO:" "send 250 2.1.5 Ok" "expect DATA" "send 354 go" "data" \
	"send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 Bye" >"$T/relay2.script"

# milter NAME [LINES...]: a fakemilter with that script (without lines,
# the one in $T/NAME.ms) on a free port ($mport), or with MILTER_UNIX
# set, on that Unix socket.
milter() {
	_n=$1
	shift
	[ $# = 0 ] || printf '%s\n' "$@" >"$T/$_n.ms"
	rm -f "$T/$_n.port" "$T/$_n.mtr" "$T/$_n.body"
	if [ -n "${MILTER_UNIX:-}" ]; then
		"$FAKEMILTER" --script "$T/$_n.ms" --unix "$MILTER_UNIX" --port-file "$T/$_n.port" \
			--transcript "$T/$_n.mtr" --body "$T/$_n.body" --timeout 30 2>"$T/$_n.merr" &
	else
		"$FAKEMILTER" --script "$T/$_n.ms" --port-file "$T/$_n.port" \
			--transcript "$T/$_n.mtr" --body "$T/$_n.body" --timeout 30 2>"$T/$_n.merr" &
	fi
	_milter_pids="$_milter_pids $!"
	_i=0
	while [ ! -s "$T/$_n.port" ]; do
		_i=$((_i + 1))
		[ "$_i" -gt 100 ] && tap_bail "fakemilter did not start"
		sleep 0.05
	done
	mport=$(cat "$T/$_n.port")
}

# run NAME [LINE...]: relaymail through a fresh relay (relay.script, or
# $RELAY_SCRIPT) with these lines; $rc, stderr in $T/NAME.err, the relay's
# transcript in $T/NAME.tr. The message is $MSG (default $T/msg).
run() {
	_n=$1
	shift
	fake_start "$_n" "${RELAY_SCRIPT:-$T/relay.script}"
	{
		echo "relayhost = [127.0.0.1]:$fake_port"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/$_n.dead"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
	_start=$(date +%s)
	timeout 60 "$RELAYMAIL" -C "$T/$_n.cf" -f s@client.test ${RCPTS:-r@dest.test} \
		<"${MSG:-$T/msg}" >/dev/null 2>"$T/$_n.err"
	rc=$?
	elapsed=$(($(date +%s) - _start))
	fake_stop "$_n"
}

relayed() { # NAME: the relay got the message
	grep -q '^C: DATA' "$T/$1.tr"
}
not_relayed() {
	! grep -q '^C: MAIL FROM' "$T/$1.tr"
}
one_line() { # NAME TEXT: stderr's first line holds TEXT and names the milter
	head -n 1 "$T/$1.err" | grep -F "$2" | grep -q "milter inet:127.0.0.1:"
}

accept_all='optneg 6 0x1ff 0x0'

# --- the events of a local submission, and header edits ----------------
milter basic "expect O" "$accept_all" "auto" "expect E" "send p" "send p" \
	'send h X-Milter\0added\n\tand folded\0' 'send i \0\0\0\0X-First\0at the top\0' \
	'send m \0\0\0\x01Subject\0changed\0' 'send m \0\0\0\x01To\0\0' "send c"
run basic "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 0 "a milter that continues (after two SMFIR_PROGRESS): the message is sent (0)"
tap_is "$(cut -c1 "$T/basic.mtr" | grep -v D | tr -d '\n')" "OCHMRTLLLLLNBEQ" \
	"the events: OPTNEG, CONNECT, HELO, MAIL, RCPT, DATA, 5 headers, EOH, BODY, EOB, QUIT"
tap_ok "OPTNEG offers version 6, every action, every protocol step" \
	grep -qx 'O 6 0x1ff 0x1fffff' "$T/basic.mtr"
tap_ok "CONNECT is the made-up localhost [127.0.0.1] of a local submission" \
	grep -q '^C localhost|4||127.0.0.1' "$T/basic.mtr"
tap_ok "HELO localhost" grep -q '^H localhost' "$T/basic.mtr"
tap_ok "MAIL gives the sender without brackets" grep -q '^M s@client.test' "$T/basic.mtr"
tap_ok "RCPT gives the recipient" grep -q '^R r@dest.test' "$T/basic.mtr"
tap_ok "connect macros: j, {daemon_name}, {daemon_addr}, v, _" \
	grep -q '^D Cj|client.test|{daemon_name}|client.test|{daemon_addr}|127.0.0.1|v|relaymail [^|]*|_|localhost \[127.0.0.1\]' \
	"$T/basic.mtr"
tap_ok "mail macros: i and {mail_addr}" grep -q '^D Mi|[0-9A-F]*|{mail_addr}|s@client.test' \
	"$T/basic.mtr"
tap_ok "a header goes as name and value, without the space after the colon" \
	grep -q '^L Subject|milter test $' "$T/basic.mtr"
tap_ok "the body goes as it is stored, CRLF, no dot-stuffing" \
	cmp -s "$T/basic.body" "$(printf 'Body line.\r\n.dot line\r\n' >"$T/want" && echo "$T/want")"
tap_ok "SMFIR_INSHEADER 0 puts a field at the top" \
	sh -c "sed -n '/^# data/{n;p;}' '$T/basic.tr' | grep -qx 'C: X-First: at the top'"
tap_ok "SMFIR_ADDHEADER appends, its folding kept" \
	sh -c "grep -A1 'X-Milter: added' '$T/basic.tr' | grep -q 'and folded'"
tap_ok "SMFIR_CHGHEADER changes the field in its place" \
	sh -c "grep -A1 'C+ From:' '$T/basic.tr' | grep -q 'Subject: changed'"
tap_ok "SMFIR_CHGHEADER with an empty value deletes the field" \
	sh -c "! grep -q 'To: <r@dest.test>' '$T/basic.tr'"

# --- verdicts ----------------------------------------------------------
milter rej "expect O" "$accept_all" "auto" "expect E" "send r"
run rej "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 65 "SMFIR_REJECT: a permanent failure (65)"
tap_ok "SMFIR_REJECT: the relay is not contacted" not_relayed rej
tap_ok "SMFIR_REJECT: the error names the milter and the reply" \
	one_line rej "rejected by non_smtpd_milters: milter inet:127.0.0.1:$mport: 550 5.7.1 Command rejected after END-OF-MESSAGE"
tap_ok "SMFIR_REJECT: the message is kept" grep -q '^Subject: milter test' "$T/rej.dead"

milter soft "expect O" "$accept_all" "auto" "expect E" 'send y 554 5.7.0 Go away\0'
run soft "non_smtpd_milters = inet:127.0.0.1:$mport" "soft_bounce = yes"
tap_is "$rc" 75 "soft_bounce = yes: a milter's 554 is temporary (75)"
tap_ok "... and says so" one_line soft "554 5.7.0 Go away after END-OF-MESSAGE (reported as temporary: soft_bounce = yes)"

milter tmp "expect O" "$accept_all" "auto" "expect M" "send t"
run tmp "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "SMFIR_TEMPFAIL at MAIL: try again later (75)"
tap_ok "SMFIR_TEMPFAIL: the relay is not contacted" not_relayed tmp

# --resend: a message kept after a milter's TEMPFAIL goes through the
# milters again (its envelope was not built, as Postfix keeps it in the
# maildrop for pickup to try again).
milter again "expect O" "$accept_all" "auto" "expect E" 'send h X-Second-Try\0yes\0' "send c"
fake_start tmpagain "$T/relay.script"
sed -e "s/^relayhost = .*/relayhost = [127.0.0.1]:$fake_port/" \
	-e "s/^non_smtpd_milters = .*/non_smtpd_milters = inet:127.0.0.1:$mport/" "$T/tmp.cf" >"$T/tmpagain.cf"
timeout 60 "$RELAYMAIL" -C "$T/tmpagain.cf" --resend >/dev/null 2>"$T/tmpagain.err"
tap_is "$?" 0 "--resend after a milter's TEMPFAIL: sent (0)"
fake_stop tmpagain
tap_ok "... through the milters again" grep -q '^C+ X-Second-Try: yes' "$T/tmpagain.tr"

milter code "expect O" "$accept_all" "auto" "expect E" 'send y 554 5.7.0 No 100%% way\0'
run code "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 65 "SMFIR_REPLYCODE 554: permanent (65)"
tap_ok "SMFIR_REPLYCODE: its text, %% made %" one_line code "554 5.7.0 No 100% way"

milter badcode "expect O" "$accept_all" "auto" "expect E" 'send y 250 fine\0'
run badcode "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "SMFIR_REPLYCODE that is no 4xx/5xx reply: a configuration problem (75)"
tap_ok "a malformed reply code is quoted" one_line badcode "malformed reply: 250 fine"

# -bs: the client gets the milter's verdict as the reply to the dot.
milter bs "expect O" "$accept_all" "auto" "expect E" 'send y 550 No way\0'
printf '%s\n' "relayhost = [127.0.0.1]:9" "smtp_tls_security_level = none" \
	"dead_letter_file = $T/bs.dead" "non_smtpd_milters = inet:127.0.0.1:$mport" >"$T/bs.cf"
printf 'EHLO x\r\nMAIL FROM:<s@client.test>\r\nRCPT TO:<r@dest.test>\r\nDATA\r\nSubject: bs\r\n\r\nbody\r\n.\r\nQUIT\r\n' |
	timeout 30 "$RELAYMAIL" -C "$T/bs.cf" -bs >"$T/bs.out" 2>"$T/bs.err"
tap_ok "-bs: a milter's 550 without an enhanced code is the reply to the dot, with 5.7.1" \
	grep -q '^550 5.7.1 No way' "$T/bs.out"

milter disc "expect O" "$accept_all" "auto" "expect E" "send d"
run disc "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 0 "SMFIR_DISCARD: a success (0)"
tap_ok "SMFIR_DISCARD: nothing is sent" not_relayed disc

milter quar "expect O" "$accept_all" "auto" "expect E" 'send q looks odd\0' "send a"
run quar "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "SMFIR_QUARANTINE: held, not sent (75)"
tap_ok "SMFIR_QUARANTINE: the error gives the reason" one_line quar "quarantine: looks odd"
tap_ok "SMFIR_QUARANTINE: the message is kept" grep -q '^Subject: milter test' "$T/quar.dead"

milter rcptrej "expect O" "$accept_all" "auto" "expect R" "send r"
run rcptrej "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "a milter that refuses a RCPT of a local submission: a configuration error (75)"
tap_ok "the RCPT refusal is explained" grep -q "cannot do for a local submission" "$T/rcptrej.err"

# --- envelope and body edits -------------------------------------------
RELAY_SCRIPT=$T/relay2.script
milter env "expect O" "$accept_all" "auto" "expect E" 'send e <new@client.test>\0' \
	'send + <added@dest.test>\0' 'send 2 extra@dest.test\0NOTIFY=NEVER\0' \
	'send - r@dest.test\0' "send c"
run env "non_smtpd_milters = inet:127.0.0.1:$mport"
RELAY_SCRIPT=
tap_is "$rc" 0 "envelope edits: sent (0)"
tap_ok "SMFIR_CHGFROM: the new sender" grep -q '^C: MAIL FROM:<new@client.test>' "$T/env.tr"
tap_ok "SMFIR_ADDRCPT and SMFIR_ADDRCPT_PAR: added recipients" \
	sh -c "grep -q '^C: RCPT TO:<added@dest.test>' '$T/env.tr' && grep -q '^C: RCPT TO:<extra@dest.test>' '$T/env.tr'"
tap_ok "SMFIR_DELRCPT: the recipient is gone" sh -c "! grep -q 'RCPT TO:<r@dest.test>' '$T/env.tr'"
tap_ok "ESMTP arguments of an edit are named in a warning" grep -q 'NOTIFY=NEVER' "$T/env.err"

milter body "expect O" "$accept_all" "auto" "expect E" 'send b New body\nsecond line' \
	'send b  continues\n' "send c"
run body "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 0 "SMFIR_REPLBODY: sent (0)"
tap_ok "SMFIR_REPLBODY: the relay gets the new body, lines joined across packets" \
	sh -c "grep -A3 '^C+ $' '$T/body.tr' | grep -q 'second line continues' &&
		! grep -q 'Body line' '$T/body.tr'"

# --- failures and milter_default_action ----------------------------------
milter huge "expect O" "$accept_all" "auto" "expect E" 'raw \xff\xff\xff\xff'
run huge "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "an oversized packet length: the default action tempfail (75)"
tap_ok "an oversized packet length is named" one_line huge "a packet of length 4294967295"
tap_is "$(wc -l <"$T/huge.err" | tr -d ' ')" 2 "one line for the error, one for where the message went"

milter cut "expect O" "$accept_all" "auto" "expect E" 'raw \0\0\0\x20hX-Cut\0' "close"
run cut "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "a truncated packet: tempfail (75)"
tap_ok "a truncated packet is named" one_line cut "closed in the middle of a packet"

milter unk "expect O" "$accept_all" "auto" "expect E" 'send Z junk'
run unk "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "an unknown reply: tempfail (75)"
tap_ok "an unknown reply is named with its code" one_line unk "unknown reply 0x5a with 4 octets"

milter early "expect O" "$accept_all" "auto" "expect H" 'send h X-Early\0no\0'
run early "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "an edit before the end of the message: tempfail (75)"
tap_ok "an edit out of place is named" one_line early "unexpected reply SMFIR_ADDHEADER after HELO"

milter badhdr "expect O" "$accept_all" "auto" "expect E" 'send h X-Bad\0one\nTwo: injected\0'
run badhdr "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "a header value that would start a new field: refused (75)"
tap_ok "the bad header value is quoted" one_line badhdr 'the header value "one?Two: injected" cannot be put'

# A milter that never stops adding: bounded.
awk 'BEGIN { print "expect O"; print "optneg 6 0x1ff 0x0"; print "auto"; print "expect E";
	for (i = 0; i < 10001; i++) print "send h X-Many\\0v\\0"; print "send c" }' >"$T/many.ms.in"
mv "$T/many.ms.in" "$T/many.ms"
milter many
run many "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 75 "10001 header fields added: refused (75)"
tap_ok "... named" one_line many "more than 10000 header changes"

long=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "0123456789" }')
milter grow "expect O" "$accept_all" "auto" "expect E" "send h X-Long\\0$long\\0" "send c"
run grow "non_smtpd_milters = inet:127.0.0.1:$mport" "message_size_limit = 5000"
tap_is "$rc" 0 "a header field within message_size_limit: accepted"
milter grow2 "expect O" "$accept_all" "auto" "expect E" "send h X-Long\\0$long\\0" \
	"send h X-Long\\0$long\\0" "send c"
run grow2 "non_smtpd_milters = inet:127.0.0.1:$mport" "message_size_limit = 5000"
tap_is "$rc" 75 "header fields past message_size_limit: refused (75)"
tap_ok "... named" one_line grow2 "header changes past the size limit"

milter slow "expect O" "$accept_all" "expect C" "sleep 10"
run slow "non_smtpd_milters = inet:127.0.0.1:$mport" "milter_command_timeout = 1s"
tap_is "$rc" 75 "a milter that never answers: tempfail (75)"
tap_ok "... after milter_command_timeout, not longer (${elapsed}s)" [ "$elapsed" -le 4 ]
tap_ok "the timeout is named" one_line slow "timed out"

milter slowacc "expect O" "$accept_all" "expect C" "sleep 10"
run slowacc "non_smtpd_milters = { inet:127.0.0.1:$mport, default_action=accept, { command_timeout = 1s } }"
tap_is "$rc" 0 "the per-milter { ..., default_action=accept }: sent without it (0)"
tap_ok "... with a warning naming the milter" grep -q "milter inet:127.0.0.1:$mport: timed out.*goes on without it" \
	"$T/slowacc.err"

# A stop while a milter thinks: the message is kept, whatever
# milter_default_action says.
milter sig "expect O" "$accept_all" "expect C" "sleep 10"
fake_start sig "$T/relay.script"
printf '%s\n' "relayhost = [127.0.0.1]:$fake_port" "smtp_tls_security_level = none" \
	"dead_letter_file = $T/sig.dead" "non_smtpd_milters = inet:127.0.0.1:$mport" \
	"milter_default_action = accept" >"$T/sig.cf"
"$RELAYMAIL" -C "$T/sig.cf" -f s@client.test r@dest.test <"$T/msg" 2>"$T/sig.err" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
tap_is "$?" 75 "SIGTERM while a milter is asked: try again later (75), not milter_default_action"
fake_stop sig
tap_ok "... nothing is sent" not_relayed sig
tap_ok "... the message is kept" grep -q '^Subject: milter test' "$T/sig.dead"
tap_ok "... and the error says so" grep -q "milter inet:127.0.0.1:$mport: interrupted by SIGTERM" \
	"$T/sig.err"

run blanks "non_smtpd_milters = { inet:127.0.0.1:$mport, default_action = accept }"
tap_is "$rc" 78 "an override with blanks around = outside braces: a configuration error, as in Postfix (78)"

# A milter whose port never answers the connect (a full accept queue).
fake_start_backlog blk
blk=$fake_port
run hang "non_smtpd_milters = { inet:127.0.0.1:$blk, connect_timeout=1s }"
tap_is "$rc" 75 "a connect that hangs: tempfail (75)"
tap_ok "... after the per-milter connect_timeout, not longer (${elapsed}s)" [ "$elapsed" -le 4 ]
tap_ok "... named" one_line hang "timed out"
run hangdl "non_smtpd_milters = inet:127.0.0.1:$blk" "relaymail_deadline = 2s"
tap_is "$rc" 75 "... and with the default 30s connect timeout, relaymail_deadline = 2s ends it (75)"
tap_ok "... in time (${elapsed}s)" [ "$elapsed" -le 5 ]
fake_stop blk

dead=$("$FREEPORT")
run unreach "non_smtpd_milters = inet:127.0.0.1:$dead"
tap_is "$rc" 75 "an unreachable milter: tempfail (75)"
run unreachrej "non_smtpd_milters = inet:127.0.0.1:$dead" "milter_default_action = reject"
tap_is "$rc" 65 "an unreachable milter with milter_default_action = reject: 65"
run unreachq "non_smtpd_milters = inet:127.0.0.1:$dead" "milter_default_action = quarantine"
tap_is "$rc" 75 "... with quarantine: held (75)"
run unreachacc "non_smtpd_milters = inet:127.0.0.1:$dead" "milter_default_action = accept"
tap_is "$rc" 0 "... with accept: sent (0)"

# --- a large body, in chunks -------------------------------------------
awk 'BEGIN { print "From: <s@client.test>"; print "Subject: big"; print "";
	for (i = 0; i < 60000; i++) printf "line %06d of a large message body............\n", i }' \
	>"$T/big"
milter big "expect O" "$accept_all" "auto" "expect E" "send c"
MSG=$T/big run big "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 0 "a 3 MB body: sent (0)"
sed -n '4,$p' "$T/big" | sed 's/$/\r/' >"$T/big.want"
tap_ok "the milter got the whole body, byte for byte" cmp -s "$T/big.body" "$T/big.want"
tap_ok "in chunks of at most 65535 octets" \
	sh -c "awk '/^B / { if (\$2 > 65535) bad = 1; n++ } END { exit bad || n < 40 }' '$T/big.mtr'"

# --- a Unix socket, two milters, SMFIR_SKIP ----------------------------
MILTER_UNIX=$T/m.sock milter sock "expect O" "$accept_all" "auto" "expect E" \
	'send h X-Unix\0yes\0' "send c"
run sock "non_smtpd_milters = unix:$T/m.sock"
tap_is "$rc" 0 "a milter on a Unix socket: sent (0)"
tap_ok "... with its edit" grep -q '^C+ X-Unix: yes' "$T/sock.tr"

milter first "expect O" "$accept_all" "auto" "expect E" 'send h X-First-Milter\0one\0' "send c"
p1=$mport
milter second "expect O" "$accept_all" "auto" "expect E" "send c"
run two "non_smtpd_milters = inet:127.0.0.1:$p1, inet:127.0.0.1:$mport"
tap_is "$rc" 0 "two milters: sent (0)"
tap_ok "the second milter sees the first one's edit" grep -q '^L X-First-Milter|one' \
	"$T/second.mtr"

milter skip "expect O" "$accept_all" "auto" "expect B" "send s" "expect E" "send c"
MSG=$T/big run skip "non_smtpd_milters = inet:127.0.0.1:$mport"
tap_is "$rc" 0 "SMFIR_SKIP: sent (0)"
tap_is "$(grep -c '^B' "$T/skip.mtr")" 1 "SMFIR_SKIP after the first chunk: no more body chunks"

# --- how a milter is named ----------------------------------------------
milter lh "expect O" "$accept_all" "auto" "expect E" "send c"
run lh "non_smtpd_milters = inet:localhost:$mport"
tap_is "$rc" 0 "inet:localhost:PORT, as the guides write it: each address of localhost is tried (0)"
milter br "expect O" "$accept_all" "auto" "expect E" "send c"
run br "non_smtpd_milters = inet:[127.0.0.1]:$mport"
tap_is "$rc" 0 "inet:[127.0.0.1]:PORT (0)"
milter pv "expect O" "optneg 4 0x1ff 0x0" "auto" "expect E" "send c"
run pv "non_smtpd_milters = { inet:127.0.0.1:$mport, protocol=4 }"
tap_ok "a per-milter protocol=4 is what OPTNEG offers" grep -qx 'O 4 0x1ff 0x37f' "$T/pv.mtr"
run badname "non_smtpd_milters = inet:127.0.0.1"
tap_is "$rc" 78 "inet: without a port: a configuration error (78)"
tap_ok "... naming the parameter" grep -q 'non_smtpd_milters' "$T/badname.err"
run badover "non_smtpd_milters = { inet:127.0.0.1:$mport, default_action=bounce }"
tap_is "$rc" 78 "a per-milter default_action=bounce: a configuration error (78)"
tap_ok "... naming non_smtpd_milters and the value" \
	sh -c "head -n 1 '$T/badover.err' | grep -q 'bad value \"bounce\" for parameter non_smtpd_milters'"
run badproto "non_smtpd_milters = { inet:127.0.0.1:$mport, protocol=5 }"
tap_is "$rc" 78 "a per-milter protocol=5: a configuration error (78)"
tap_ok "... naming non_smtpd_milters" sh -c "head -n 1 '$T/badproto.err' | grep -q 'non_smtpd_milters (.*bad milter protocol information: 5'"
run relpath "non_smtpd_milters = unix:private/opendkim"
tap_is "$rc" 78 "a relative unix: path: a configuration error (78)"

# --- -bv lists the milters, -bv -v tries them ------------------------------
milter bv "expect O" "optneg 2 0x1ff 0x0" "expect Q"
printf '%s\n' "relayhost = [127.0.0.1]:9" "smtp_tls_security_level = none" \
	"non_smtpd_milters = inet:127.0.0.1:$mport, inet:127.0.0.1:$dead" >"$T/bv.cf"
timeout 30 "$RELAYMAIL" -C "$T/bv.cf" -bv r@dest.test >"$T/bv.out" 2>&1
tap_ok "-bv lists each milter" sh -c "grep -qx 'milter 1: inet:127.0.0.1:$mport' '$T/bv.out' &&
	grep -qx 'milter 2: inet:127.0.0.1:$dead' '$T/bv.out'"
timeout 30 "$RELAYMAIL" -C "$T/bv.cf" -bv -v r@dest.test >"$T/bvv.out" 2>&1
tap_ok "-bv -v: a milter that answers, with its version" \
	grep -qx "milter 1: inet:127.0.0.1:$mport: ok (protocol version 2)" "$T/bvv.out"
tap_ok "-bv -v: one that does not, and why" \
	grep -q "^milter 2: inet:127.0.0.1:$dead: failed: connect to .*refused" "$T/bvv.out"
tap_ok "-bv -v: the milter got OPTNEG and QUIT, nothing else" \
	sh -c "[ \"\$(cut -c1 '$T/bv.mtr' | tr -d '\n')\" = OQ ]"

# --- protocol versions and macro lists ---------------------------------
milter v2 "expect O" "optneg 2 0x1f 0x0" "auto" "expect E" "send c"
run v2 "non_smtpd_milters = inet:127.0.0.1:$mport" "milter_protocol = 2"
tap_is "$rc" 0 "milter_protocol = 2: sent (0)"
tap_ok "version 2 is offered with its events only" grep -qx 'O 2 0x1ff 0x7f' "$T/v2.mtr"
tap_ok "version 2 has no DATA event" sh -c "! grep -q '^T' '$T/v2.mtr'"

milter sym "expect O" "optneg 6 0x1ff 0x0 2 {mail_addr} j" "auto" "expect E" "send c"
run sym "non_smtpd_milters = inet:127.0.0.1:$mport" "milter_macro_defaults = {j}=ignored, { rcpt_host = dest.test }"
tap_is "$rc" 0 "SETSYMLIST: sent (0)"
tap_ok "SETSYMLIST: the MAIL macros are the milter's list" \
	grep -qx 'D M{mail_addr}|s@client.test|j|client.test ' "$T/sym.mtr"
tap_ok "milter_macro_defaults fills a macro relaymail has no value for" \
	grep -q '^D Ri|[0-9A-F]*|{rcpt_addr}|r@dest.test|{rcpt_host}|dest.test' "$T/sym.mtr"

tap_done

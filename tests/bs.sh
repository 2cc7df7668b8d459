#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# -bs end to end against the real Postfix relay (tests/lib/relay.sh): a
# scripted client (tests/bs/chat.php) with and without pipelining, refusals
# and an unreachable relay as replies to the dot, the session limits, and
# the real callers: Symfony Mailer's sendmail transport and PHP mail().
# Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no; needs php-cli and
# php-symfony-mailer as well. RELAY_KEEP=1 keeps the scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
: "${RELAY_MAIL_TIMEOUT:=10}"
: "${PHP:=php}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate
# PHP is part of what this test needs: "yes" insists on it like on Postfix.
symfony=Symfony/Component/Mailer/autoload.php
why=""
if ! command -v "$PHP" >/dev/null 2>&1; then
	why="php not found (Debian: apt-get install php-cli)"
elif ! "$PHP" -r "exit((include '$symfony') ? 0 : 1);" >/dev/null 2>&1; then
	why="Symfony Mailer not found (Debian: apt-get install php-symfony-mailer)"
fi
if [ -n "$why" ]; then
	[ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ] && tap_bail "$why"
	tap_skip_all "$why"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-bs.XXXXXX") || tap_bail "mktemp failed"
cleanup() {
	relay_stop "$scratch"
	if [ "${RELAY_KEEP:-0}" = 1 ]; then
		echo "# kept $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

relay_start "$scratch" || tap_bail "the test relay did not start"
. "$scratch/relay.env"

T=$scratch/client
mkdir -p "$T/got" && chmod 0700 "$T" || tap_bail "cannot create $T"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

# write_conf NAME HOST PORT [LINE...]: $T/NAME.cf for relay [HOST]:PORT
# with user1's credentials, TLS verified by RELAY_CA.
write_conf() {
	_n=$1 _h=$2 _p=$3
	shift 3
	(umask 077 && printf '[%s]:%s %s:%s\n' "$_h" "$_p" "$RELAY_USER1" \
		"$RELAY_PASS1" >"$T/$_n.pw")
	{
		echo "relayhost = [$_h]:$_p"
		echo "myhostname = client.test"
		echo "smtp_sasl_auth_enable = yes"
		echo "smtp_sasl_password_maps = texthash:$T/$_n.pw"
		echo "smtp_tls_security_level = verify"
		echo "smtp_tls_CAfile = $RELAY_CA"
		echo "dead_letter_file = $T/dead.letter"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
}

# chat CONF SCRIPT: runs the script against relaymail -bs -C CONF; the
# transcript, queue ids replaced by QID, goes to $T/transcript.
chat() {
	timeout 120 "$PHP" "$top_srcdir/tests/bs/chat.php" "$2" \
		"$RELAYMAIL" -bs -C "$T/$1.cf" 2>"$T/err" |
		sed -E 's/(queued as) [0-9A-Za-z]+$/\1 QID/' >"$T/transcript"
}

# same FILE TEXT DESC: FILE holds exactly TEXT (plus a final newline).
same() {
	printf '%s\n' "$2" >"$T/want"
	if cmp -s "$1" "$T/want"; then
		tap__result 0 "$3"
		return
	fi
	tap__result 1 "$3"
	tap_diag "$(diff "$T/want" "$1" | head -n 30)"
	tap_diag "stderr: $(head -n 5 "$T/err")"
}

# take COUNT: waits for COUNT messages, moves the sink into a fresh folder
# and prints its name; status 1 when fewer arrived in time.
take() {
	_d=$(mktemp -d "$T/got/XXXXXX") || return 1
	relay_wait_mail "$scratch" "$1" "$RELAY_MAIL_TIMEOUT"
	_st=$?
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] && mv "$_f" "$_d/"
	done
	echo "$_d"
	return "$_st"
}

count() {
	set -- "$1"/*
	[ -f "$1" ] && echo $# || echo 0
}

# field NAME DIR: the first value of header NAME in each message, sorted.
field() {
	for _f in "$2"/*; do
		[ -f "$_f" ] || continue
		sed -n "s/^$1: //p" "$_f" | head -n 1
	done | sort | tr '\n' ' ' | sed 's/ $//'
}

# delivered_to DIR RCPT: the message in DIR delivered to RCPT, without
# the header lines the relay prepended.
delivered_to() {
	_f=$(grep -l "^Delivered-To: $2\$" "$1"/* 2>/dev/null | head -n 1)
	[ -n "$_f" ] || return 1
	awk 'top && /^(Return-Path|X-Original-To|Delivered-To|Received):/ {
			skip = 1
			next
		}
		top && skip && /^[ \t]/ { next }
		{ top = 0; print }' top=1 "$_f"
}

# arrived DIR RCPT MESSAGE: the copy for RCPT is byte-exact MESSAGE.
arrived() {
	delivered_to "$1" "$2" >"$T/delivered" || return 1
	cmp -s "$3" "$T/delivered" && return 0
	tap_diag "$(diff "$3" "$T/delivered" | head -n 20)"
	return 1
}

# message FILE N [LINE...]: test message N in LF form, with dot lines.
message() {
	{
		echo "From: Test User <$RELAY_USER1>"
		echo "To: <rcpt$2@dest.test>"
		echo "Subject: relaymail -bs test $2"
		echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
		echo "Message-ID: <bs-$2.$$@client.test>"
		echo ""
		echo "Body of -bs test $2."
		echo "."
		echo ".."
		echo ".leading dot"
		echo "end"
	} >"$1"
}

# wire FILE crlf|lf: FILE as a client sends it after DATA: dot-stuffed,
# with the given line ends, and the end-of-data line.
wire() {
	if [ "$2" = crlf ]; then
		sed -e 's/^\./../' -e 's/$/\r/' "$1"
		printf '.\r\n'
	else
		sed -e 's/^\./../' "$1"
		printf '.\n'
	fi
}

ehlo="250-client.test
250-PIPELINING
250-SIZE 10240000
250-ENHANCEDSTATUSCODES
250-8BITMIME
250-DSN
250-SMTPUTF8
250 HELP"
U=$RELAY_USER1

write_conf starttls "$RELAY_HOST" "$RELAY_SUBMISSION_PORT"

# --- (a) Two messages in one session, one command at a time. -------------
message "$T/m1" 1
message "$T/m2" 2
wire "$T/m1" crlf >"$T/m1.wire"
wire "$T/m2" lf >"$T/m2.wire"
cat >"$T/a.script" <<EOF
<
> EHLO client.test
<
> MAIL FROM:<$U>
<
> RCPT TO:<one@dest.test>
<
> DATA
<
>file $T/m1.wire
<
> MAIL FROM: <$U> BODY=7BIT SIZE=1000
<
> RCPT TO:<two@dest.test>
<
> rcpt to:<three@dest.test> NOTIFY=FAILURE,DELAY
<
> RCPT TO:<four@dest.test>
<
> DATA
<
>file $T/m2.wire
<
> QUIT
<
EOF
chat starttls "$T/a.script"
same "$T/transcript" "220 client.test ESMTP relaymail
$ehlo
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as QID
250 2.1.0 Ok
250 2.1.5 Ok
452 4.5.3 Error: a different NOTIFY needs another transaction
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as QID
221 2.0.0 Bye
exit 0" "two messages, one command at a time: every reply, exit 0"
d=$(take 3)
tap_is "$(field Delivered-To "$d")" "four@dest.test one@dest.test two@dest.test" \
	"two messages: each delivered to its RCPT recipients"
tap_is "$(field Return-Path "$d")" "<$U> <$U> <$U>" \
	"two messages: envelope sender is the MAIL FROM address"
tap_ok "message 1 (CRLF, dot-stuffed) arrives byte-exact" arrived "$d" one@dest.test "$T/m1"
tap_ok "message 2 (LF line ends) arrives byte-exact" arrived "$d" two@dest.test "$T/m2"

# --- (b) Pipelining: groups in one write, the dot followed by the next
# transaction, a refused command in the middle of a group. ---------------
message "$T/m3" 3
message "$T/m4" 4
wire "$T/m3" crlf >"$T/m3.wire"
wire "$T/m4" crlf >"$T/m4.wire"
cat >"$T/b.script" <<EOF
<
> EHLO client.test
<
> MAIL FROM:<$U>
> RCPT TO:<bad address@>
> RCPT TO:<five@dest.test>
> DATA
< 4
>file $T/m3.wire
> MAIL FROM:<$U>
> RCPT TO:<six@dest.test>
> DATA
< 4
>file $T/m4.wire
> QUIT
< 2
EOF
chat starttls "$T/b.script"
same "$T/transcript" "220 client.test ESMTP relaymail
$ehlo
250 2.1.0 Ok
501 5.1.3 Bad recipient address syntax
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as QID
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as QID
221 2.0.0 Bye
exit 0" "pipelined groups: replies in order, none lost"
d=$(take 2)
tap_is "$(field Delivered-To "$d")" "five@dest.test six@dest.test" \
	"pipelined groups: both messages delivered"
tap_ok "pipelined: message 3 byte-exact" arrived "$d" five@dest.test "$T/m3"
tap_ok "pipelined: message 4 byte-exact" arrived "$d" six@dest.test "$T/m4"

# The whole session in one write, as from a pipe.
message "$T/m5" 5
{
	printf 'HELO client.test\r\nMAIL FROM:<%s>\r\nRCPT TO:<seven@dest.test>\r\nDATA\r\n' "$U"
	wire "$T/m5" crlf
	printf 'NOOP\r\nQUIT\r\n'
} >"$T/m5.session"
timeout 120 "$RELAYMAIL" -bs -C "$T/starttls.cf" <"$T/m5.session" 2>"$T/err" |
	sed -E 's/(queued as) [0-9A-Za-z]+\r$/\1 QID\r/' >"$T/transcript"
rc=$?
printf '%s\r\n' "220 client.test ESMTP relaymail" "250 client.test" "250 2.1.0 Ok" \
	"250 2.1.5 Ok" "354 End data with <CR><LF>.<CR><LF>" "250 2.0.0 Ok: queued as QID" \
	"250 2.0.0 Ok" "221 2.0.0 Bye" >"$T/want"
tap_ok "a whole session in one write: every reply, CRLF-terminated" \
	cmp -s "$T/transcript" "$T/want"
d=$(take 1)
tap_ok "a whole session in one write: message delivered byte-exact" \
	arrived "$d" seven@dest.test "$T/m5"

# --- (c) The relay refuses the sender: a 5xx to the dot, and the session
# goes on to the next message. --------------------------------------------
message "$T/m6" 6
message "$T/m7" 7
wire "$T/m6" crlf >"$T/m6.wire"
wire "$T/m7" crlf >"$T/m7.wire"
cat >"$T/c.script" <<EOF
<
> EHLO client.test
<
> MAIL FROM:<someone@else.test>
> RCPT TO:<refused@dest.test>
> DATA
< 3
>file $T/m6.wire
<
> MAIL FROM:<$U>
> RCPT TO:<after@dest.test>
> DATA
< 3
>file $T/m7.wire
<
> QUIT
<
EOF
chat starttls "$T/c.script"
refusal="554 5.7.1 relay $RELAY_HOST[$RELAY_HOST]:$RELAY_SUBMISSION_PORT said: <someone@else.test>: Sender address rejected: not owned by user $U (message kept in the dead letter file)"
sed -n '13p' "$T/transcript" >"$T/line"
same "$T/line" "$refusal" "relay refusal of the sender: 554 with the relay's words as the reply to the dot"
sed -n '14,18p' "$T/transcript" >"$T/rest"
same "$T/rest" "250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as QID
221 2.0.0 Bye" "relay refusal: the session goes on and the next message is accepted"
tap_ok "relay refusal: the refused message is in the dead letter file" \
	grep -q "^Message-ID: <bs-6\.$$@client.test>" "$T/dead.letter"
d=$(take 1)
tap_is "$(field Delivered-To "$d")" "after@dest.test" \
	"relay refusal: only the next message was delivered"

# --- (d) No relay listening: 451, message in the dead letter file. -------
dead=$(relay__freeport 1)
write_conf unreachable "$RELAY_HOST" "$dead"
message "$T/m8" 8
wire "$T/m8" crlf >"$T/m8.wire"
cat >"$T/d.script" <<EOF
<
> HELO client.test
> MAIL FROM:<$U>
> RCPT TO:<x@dest.test>
> DATA
< 4
>file $T/m8.wire
<
> QUIT
<
EOF
chat unreachable "$T/d.script"
same "$T/transcript" "220 client.test ESMTP relaymail
250 client.test
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
451 4.3.0 connect to $RELAY_HOST[$RELAY_HOST]:$dead: Connection refused (message kept in the dead letter file)
221 2.0.0 Bye
exit 0" "unreachable relay: 451 to the dot, session ends normally"
tap_ok "unreachable relay: the message is in the dead letter file" \
	grep -q "^Message-ID: <bs-8\.$$@client.test>" "$T/dead.letter"
tap_ok "unreachable relay: the dead letter keeps the envelope sender" \
	grep -q "^From $U " "$T/dead.letter"

# --- Limits and errors of the dialogue itself. ----------------------------
write_conf small "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" "message_size_limit = 200"
long=$(awk 'BEGIN { while (n++ < 2100) printf "x" }')
cat >"$T/e.script" <<EOF
<
> EHLO client.test
<
> RCPT TO:<x@dest.test>
<
> DATA
<
> MAIL FROM:<$U> SIZE=201
<
> MAIL FROM:<$U>
<
> MAIL FROM:<$U>
<
> DATA
<
> RCPT TO:<x@dest.test>
<
> DATA
<
>file $T/m1.wire
<
> NOOP $long
<
> STARTTLS
<
> QUIT
<
EOF
chat small "$T/e.script"
same "$T/transcript" "220 client.test ESMTP relaymail
250-client.test
250-PIPELINING
250-SIZE 200
250-ENHANCEDSTATUSCODES
250-8BITMIME
250-DSN
250-SMTPUTF8
250 HELP
503 5.5.1 Error: need MAIL command
503 5.5.1 Error: need MAIL command
552 5.3.4 Message size exceeds fixed limit
250 2.1.0 Ok
503 5.5.1 Error: nested MAIL command
554 5.5.1 Error: no valid recipients
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
552 5.3.4 Error: message file too big
500 5.5.2 Error: line too long
502 5.5.1 Error: command not implemented
221 2.0.0 Bye
exit 0" "sequence errors, SIZE, too big after DATA, long line, unknown command"

# Input ending inside DATA: nothing relayed, exit 75.
printf 'HELO c\r\nMAIL FROM:<%s>\r\nRCPT TO:<cut@dest.test>\r\nDATA\r\nSubject: cut\r\n\r\nhalf' \
	"$U" | timeout 60 "$RELAYMAIL" -bs -C "$T/starttls.cf" >"$T/out" 2>"$T/err"
tap_is "$?" 75 "input ending inside DATA: exit 75"
# Input ending between commands, no QUIT: exit 0.
printf 'HELO c\r\nNOOP\r\n' | timeout 60 "$RELAYMAIL" -bs -C "$T/starttls.cf" >"$T/out" 2>&1
tap_is "$?" 0 "input ending between commands: exit 0"
# Errors without end: the session is closed with 421.
awk 'BEGIN { for (i = 0; i < 30; i++) printf "BOGUS\r\n" }' |
	timeout 60 "$RELAYMAIL" -bs -C "$T/starttls.cf" >"$T/out" 2>"$T/err"
rc=$?
tr -d '\r' <"$T/out" | tail -n 1 >"$T/line"
same "$T/line" "421 4.7.0 client.test Error: too many errors" \
	"twenty errors: 421 and the session ends"
tap_is "$rc" 76 "twenty errors: exit 76"
tap_is "$(grep -c '^500 ' "$T/out")" 20 "twenty errors: twenty 500 replies first"
# A configuration that cannot be loaded: a 421 greeting.
printf 'QUIT\r\n' | timeout 60 "$RELAYMAIL" -bs -C "$T/missing.cf" >"$T/out" 2>"$T/err"
rc=$?
tr -d '\r' <"$T/out" >"$T/line"
same "$T/line" "421 4.3.5 localhost Error: server configuration error" \
	"configuration file missing: 421 greeting"
tap_is "$rc" 78 "configuration file missing: exit 78"
# A bad setting is found before the greeting: 421, exit 78, the reason
# on stderr naming the parameter.
write_conf broken "$RELAY_HOST" "$RELAY_SUBMISSION_PORT"
sed -i 's/^relayhost = .*/relayhost = [127.0.0.1/' "$T/broken.cf"
printf 'HELO c\r\nQUIT\r\n' | timeout 60 "$RELAYMAIL" -bs -C "$T/broken.cf" >"$T/out" 2>"$T/err"
rc=$?
tr -d '\r' <"$T/out" >"$T/line"
same "$T/line" "421 4.3.5 localhost Error: server configuration error" \
	"bad relayhost: 421 greeting"
tap_is "$rc" 78 "bad relayhost: exit 78"
tap_ok "bad relayhost: stderr names relayhost" grep -q 'relayhost (.*): bad destination' "$T/err"
# A configuration error found when relaying (a table's result, known only
# for this sender): 451, message kept.
write_conf tableresult "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"sender_dependent_relayhost_maps = inline:{ {$U = [127.0.0.1} }"
chat tableresult "$T/d.script"
sed -n '6p' "$T/transcript" >"$T/line"
grep -q '^451 4\.3\.0 .*sender_dependent_relayhost_maps.* (message kept in the dead letter file)$' "$T/line"
tap__result $? "configuration error when relaying: 451 naming the table, message kept"
tap_diag "$(cat "$T/line")"

# A To field of 90 KiB (4700 addresses), between the 64 KiB the
# header rewriting once stopped at ("out of memory", 451 forever) and
# header_size_limit: relayed, its one old address rewritten.
write_conf bigto "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"recipient_canonical_maps = inline:{ {bob@old.example = bob@new.example} }"
{
	echo "From: Test User <$U>"
	# Six addresses a line: 4700 of them, about 92 KiB.
	awk 'BEGIN {
		printf "To: bob@old.example"
		for (i = 0; i < 4700; i++)
			printf "%s user%d@x.example", (i % 6 == 0 ? ",\n" : ","), i
		print ""
	}'
	echo "Subject: a 90 KiB To"
	echo "Message-ID: <bs-bigto.$$@client.test>"
	echo ""
	echo "body"
} >"$T/bigto"
wire "$T/bigto" crlf >"$T/bigto.wire"
cat >"$T/bigto.script" <<EOF
<
> HELO client.test
> MAIL FROM:<$U>
> RCPT TO:<bigto@dest.test>
> DATA
< 4
>file $T/bigto.wire
<
> QUIT
<
EOF
chat bigto "$T/bigto.script"
sed -n '6p' "$T/transcript" >"$T/line"
tap_ok "90 KiB To field: 250 to the dot" grep -q '^250 ' "$T/line" ||
	tap_diag "$(cat "$T/line")" "stderr: $(head -n 3 "$T/err")"
d=$(take 1)
delivered_to "$d" bigto@dest.test | sed -n '/^To:/,/^[^ \t]/p' >"$T/to"
tap_ok "90 KiB To field: delivered whole, the old address rewritten" \
	sh -c 'test "$(wc -c <"$1")" -gt 92160 && grep -q "^To: bob@new.example," "$1" &&
		grep -q "user4699@x.example" "$1" && ! grep -q old.example "$1"' - "$T/to"

# An alias whose value is not an address list: 451 naming the recipient,
# never the value (the table's contents); stderr names the file (and
# quotes the value in a warning, which -bs shows only with -v). Ten
# such transactions in one session leak nothing (valgrind, when there).
printf 'root: a;(secret\n' >"$T/aliases"
write_conf badalias "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" "alias_maps = hash:$T/aliases" \
	"myorigin = client.test"
{
	printf 'HELO client.test\r\n'
	i=0
	while [ "$i" -lt 10 ]; do
		printf 'MAIL FROM:<%s>\r\nRCPT TO:<root>\r\nDATA\r\n' "$U"
		wire "$T/m8" crlf
		i=$((i + 1))
	done
	printf 'QUIT\r\n'
} >"$T/badalias.in"
# Not over an ASan build (ASan checks the leaks there itself) nor over a
# wrapper that runs valgrind already (.ci/run's valgrind pass).
vg=
if command -v valgrind >/dev/null 2>&1 && ! ldd "$RELAYMAIL" 2>/dev/null | grep -q libasan &&
	head -c 4 "$RELAYMAIL" | grep -q ELF; then
	vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
fi
# shellcheck disable=SC2086 # $vg is a command and its options
timeout 300 $vg "$RELAYMAIL" -bs -C "$T/badalias.cf" <"$T/badalias.in" >"$T/out" 2>"$T/err"
rc=$?
tap_is "$(grep -c '^451 4\.3\.0 alias_maps: the alias root for <root@client\.test> is not a list of addresses' "$T/out")" 10 \
	"bad alias value: 451 naming recipient and alias, ten times"
tap_ok "bad alias value: the client never sees the value" sh -c '! grep -q secret "$1"' - "$T/out"
tap_ok "bad alias value: stderr names the alias file" \
	grep -q "is not a list of addresses (hash:$T/aliases)\$" "$T/err"
if [ -n "$vg" ]; then
	tap_is "$rc" 0 "bad alias value: ten transactions, no leak (valgrind)"
	[ "$rc" = 0 ] || tap_diag "$(grep -A8 'lost' "$T/err" | head -n 20)"
else
	tap_is "$rc" 0 "bad alias value: ten transactions, exit 0 (leaks checked by ASan or the wrapper, if any)"
fi

# A stalled client gets 421 after smtpd_timeout when relaymail knows the
# parameter; the default (300 s) is too long to wait for here.
write_conf stall "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" "smtpd_timeout = 1"
(printf 'HELO c\r\n'; sleep 4) |
	timeout 60 "$RELAYMAIL" -bs -C "$T/stall.cf" >"$T/out" 2>"$T/err"
rc=$?
if grep -q smtpd_timeout "$T/err"; then
	tap_skip "stalled client: 421 after smtpd_timeout" \
		"smtpd_timeout is not a known parameter yet"
	tap_skip "stalled client: exit 75" "smtpd_timeout is not a known parameter yet"
else
	tr -d '\r' <"$T/out" | tail -n 1 >"$T/line"
	same "$T/line" "421 4.4.2 client.test Error: timeout exceeded" \
		"stalled client: 421 after smtpd_timeout"
	tap_is "$rc" 75 "stalled client: exit 75"
fi

# --- (e) Symfony Mailer's sendmail transport (Laravel uses the same), with
# Laravel's default flags "-bs -i". -----------------------------------------
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
cmd="$(q "$RELAYMAIL") -bs -i -C $(q "$T/starttls.cf")"
timeout 120 "$PHP" "$top_srcdir/tests/bs/symfony.php" "$cmd" "$U" 3 >"$T/out" 2>"$T/err"
rc=$?
tap_is "$rc" 0 "Symfony Mailer: the script ends without an exception"
[ "$rc" = 0 ] || tap_diag "$(head -n 20 "$T/err")"
same "$T/out" "sent 1
sent 2
sent 3" "Symfony Mailer: three messages sent through one transport"
d=$(take 3)
tap_is "$(field Delivered-To "$d")" "symfony1@dest.test symfony2@dest.test symfony3@dest.test" \
	"Symfony Mailer: all three delivered"
tap_is "$(field Return-Path "$d")" "<$U> <$U> <$U>" \
	"Symfony Mailer: envelope sender is the From address"
tap_is "$(field Subject "$d")" "Symfony message 1 Symfony message 2 Symfony message 3" \
	"Symfony Mailer: the subjects"
tap_is "$(grep -lx '\.a line with a leading dot' "$d"/* | wc -l | tr -d ' ')" 3 \
	"Symfony Mailer: a body line with a leading dot survives in each"

# --- (f) PHP mail() with sendmail_path and -f in the additional parameters.
timeout 120 "$PHP" -d "sendmail_path=$RELAYMAIL -C $T/starttls.cf -t -i" -r '
	$ok = mail("php@dest.test", "PHP mail() test", "Sent by mail().\n.leading dot",
		"From: PHP <" . $argv[1] . ">", "-f" . $argv[1]);
	exit($ok ? 0 : 1);' "$U" >"$T/out" 2>"$T/err"
tap_is "$?" 0 "PHP mail(): returns true"
d=$(take 1)
tap_is "$(field Delivered-To "$d")" php@dest.test "PHP mail(): delivered to its To"
tap_is "$(field Return-Path "$d")" "<$U>" "PHP mail(): envelope sender from -f"
delivered_to "$d" php@dest.test | sed -n '/^$/,$p' >"$T/body"
same "$T/body" "
Sent by mail().
.leading dot" "PHP mail(): body intact (PHP adds the final newline)"

# --- A 30 MB message through -bs with flat memory. -----------------------
if [ ! -x /usr/bin/time ]; then
	tap_skip "30 MB message through -bs with flat memory" "no /usr/bin/time"
elif grep -qa __asan_init "$RELAYMAIL"; then
	# The sanitizer keeps freed memory in quarantine: RSS means nothing.
	tap_skip "30 MB message through -bs with flat memory" "built with AddressSanitizer"
else
	write_conf big "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" "message_size_limit = 0"
	message "$T/m9" 9
	awk 'BEGIN {
		for (i = 0; i < 400000; i++)
			printf "%07d ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,:\n", i
	}' >>"$T/m9"
	{
		printf 'EHLO client.test\r\nMAIL FROM:<%s>\r\nRCPT TO:<big@dest.test>\r\nDATA\r\n' "$U"
		wire "$T/m9" crlf
		printf 'QUIT\r\n'
	} >"$T/m9.session"
	rss() { # CONF SESSION: peak RSS in KiB of relaymail -bs
		/usr/bin/time -f %M -o "$T/rss" "$RELAYMAIL" -bs -C "$T/$1.cf" <"$2" \
			>"$T/out" 2>"$T/err"
		cat "$T/rss"
	}
	small=$(rss big "$T/m5.session")
	d=$(take 1)
	large=$(rss big "$T/m9.session")
	tap_diag "$(wc -c <"$T/m9" | tr -d ' ') bytes; peak RSS $small KiB small, $large KiB large"
	tap_is "$(grep -c '^250 2\.0\.0 Ok: queued as ' "$T/out")" 1 "30 MB message: accepted"
	case $RELAYMAIL in
	*/valgrind.sh) # valgrind's own memory is most of the RSS then
		tap_skip "30 MB message: peak RSS within 8 MiB of a small message's" \
			"relaymail runs under valgrind" ;;
	*)
		tap_ok "30 MB message: peak RSS within 8 MiB of a small message's" \
			test "$large" -le $((small + 8192)) ;;
	esac
	d=$(take 1)
	tap_ok "30 MB message: arrives byte-exact" arrived "$d" big@dest.test "$T/m9"
fi

tap_done

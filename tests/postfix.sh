#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end against a real Postfix with Dovecot SASL (tests/lib/relay.sh):
# relaymail submits over STARTTLS and SMTPS with AUTH, and the relay's sink
# shows the envelope and the exact bytes that arrived. Gated by
# RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
# Seconds to wait for a message the relay accepted to reach the sink.
: "${RELAY_MAIL_TIMEOUT:=10}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

scratch=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-postfix.XXXXXX") ||
	tap_bail "mktemp failed"
cleanup() {
	relay_stop "$scratch"
	if [ "${RELAY_KEEP:-0}" = 1 ]; then
		echo "# kept $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
# Servers never outlive the test, whatever ends it.
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

started=$(date +%s.%N)
relay_start "$scratch" || tap_bail "the test relay did not start"
tap_diag "relay started in $(echo "$(date +%s.%N) $started" | awk '{printf "%.2f", $1 - $2}') s"
. "$scratch/relay.env"

T=$scratch/client
mkdir -p "$T/got" && chmod 0700 "$T" || tap_bail "cannot create $T"
# relaymail must not touch the real home (dead letter file, config search).
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

# write_conf NAME HOST PORT [LINE...]: $T/NAME.cf for relay [HOST]:PORT,
# with user1's password in $T/NAME.pw (0600) and TLS verified by RELAY_CA.
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

# send CONF ARGS... < MESSAGE: runs relaymail, sets $rc, keeps its output
# in $T/out and $T/err.
send() {
	_c=$1
	shift
	timeout 120 "$RELAYMAIL" -C "$T/$_c.cf" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" != 0 ]; then
		tap_diag "relaymail $* exited $rc; stderr:"
		tap_diag "$(head -n 20 "$T/err")"
	fi
}

# take COUNT: waits for COUNT messages, moves all of the sink into a fresh
# folder and prints its name; status 1 when fewer arrived in time.
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

# count DIR: the number of messages in DIR.
count() {
	set -- "$1"/*
	[ -f "$1" ] && echo $# || echo 0
}

# field NAME DIR: the values of header NAME in every message of DIR, sorted.
field() {
	for _f in "$2"/*; do
		[ -f "$_f" ] || continue
		sed -n "s/^$1: //p" "$_f" | head -n 1
	done | sort | tr '\n' ' ' | sed 's/ $//'
}

# as_sent FILE: FILE without the header lines the relay prepended.
as_sent() {
	awk 'top && /^(Return-Path|X-Original-To|Delivered-To|Received):/ {
			skip = 1
			next
		}
		top && skip && /^[ \t]/ { next }
		{ top = 0; print }' top=1 "$1"
}

# same_as_sent MESSAGE DIR: DIR holds one message, byte-exact MESSAGE.
same_as_sent() {
	[ "$(count "$2")" = 1 ] || return 1
	as_sent "$2"/* >"$T/delivered"
	cmp "$1" "$T/delivered" >/dev/null && return 0
	tap_diag "delivered message differs from what was sent:"
	tap_diag "$(diff "$1" "$T/delivered" | head -n 20)"
	return 1
}

# message FILE [HEADER...]: a test message with From, To, Date,
# Message-ID (relaymail adds any that is missing) and the headers given.
n_msg=0
message() {
	n_msg=$((n_msg + 1))
	{
		echo "From: Test User <$RELAY_USER1>"
		echo "To: <rcpt$n_msg@dest.test>"
		echo "Subject: relaymail test $n_msg"
		echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
		echo "Message-ID: <test-$n_msg.$$@client.test>"
		shift
		for _l in "$@"; do echo "$_l"; done
		echo ""
		echo "Body of test message $n_msg."
	} >"$1"
}

# maillog_since LINE: the maillog from line LINE on.
maillog_since() {
	tail -n "+$1" "$RELAY_MAILLOG"
}

# wait_log LINE PATTERN: waits (bounded) for PATTERN in the maillog.
wait_log() {
	_end=$(($(date +%s) + 5))
	until maillog_since "$1" | grep -q "$2"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

loglines() {
	wc -l <"$RELAY_MAILLOG" | tr -d ' '
}

# --- The relay itself, checked with swaks when it is installed. ----------
if command -v swaks >/dev/null 2>&1; then
	sw() {
		_port=$1
		shift
		swaks --server "$RELAY_HOST:$_port" --helo client.test \
			--auth-user "$RELAY_USER1" --auth-password "$RELAY_PASS1" \
			--to swaks@dest.test "$@" >"$T/swaks.out" 2>&1
	}
	sw "$RELAY_SUBMISSION_PORT" --tls --auth PLAIN --from "$RELAY_USER1"
	d=$(take 1)
	tap_is "$(field Return-Path "$d")" "<$RELAY_USER1>" \
		"relay: swaks STARTTLS + AUTH PLAIN delivers to the sink"
	sw "$RELAY_SUBMISSION_PORT" --tls --auth PLAIN --from someone@else.test
	tap_ok "relay: a sender the login does not own gets 553 at RCPT" \
		grep -q '^<~\* *553 5\.7\.1 .*not owned by user' "$T/swaks.out"
	sw "$RELAY_SUBMISSION_PORT" --auth PLAIN --from "$RELAY_USER1"
	tap_ok "relay: no AUTH before STARTTLS" \
		grep -q 'Host did not advertise authentication' "$T/swaks.out"
	sw "$RELAY_SMTPS_PORT" --tlsc --auth LOGIN --from "$RELAY_USER1"
	sw "$RELAY_SUBMISSION_PORT" --tls --auth CRAM-MD5 --from "$RELAY_USER1"
	d=$(take 2)
	tap_is "$(count "$d")" 2 "relay: SMTPS with LOGIN and STARTTLS with CRAM-MD5 deliver"
	swaks --server "$RELAY_HOST:$RELAY_PLAIN_PORT" --helo client.test \
		--from any@where.test --to plain@dest.test >"$T/swaks.out" 2>&1
	d=$(take 1)
	tap_is "$(field Delivered-To "$d")" plain@dest.test \
		"relay: the test-only plain port accepts without TLS or AUTH"
else
	tap_skip "relay self-check with swaks" "swaks not installed"
fi

# --- relaymail against the relay. ----------------------------------------
if [ ! -x "$RELAYMAIL" ]; then
	tap_diag "no relaymail binary at $RELAYMAIL: every check below fails"
fi

write_conf starttls "$RELAY_HOST" "$RELAY_SUBMISSION_PORT"
write_conf smtps "$RELAY_HOST" "$RELAY_SMTPS_PORT" "smtp_tls_wrappermode = yes"
write_conf dnsname localhost "$RELAY_SUBMISSION_PORT"

# STARTTLS + AUTH: envelope and bytes.
message "$T/m1"
before=$(loglines)
send starttls -f "$RELAY_USER1" one@dest.test <"$T/m1"
tap_is "$rc" 0 "STARTTLS + AUTH: relaymail exits 0"
d=$(take 1)
tap_is "$(field Return-Path "$d")" "<$RELAY_USER1>" \
	"STARTTLS + AUTH: envelope sender is the -f address"
tap_is "$(field Delivered-To "$d")" one@dest.test \
	"STARTTLS + AUTH: envelope recipient is the argument"
tap_ok "STARTTLS + AUTH: headers and body arrive byte-exact" \
	same_as_sent "$T/m1" "$d"
wait_log "$before" 'relaytest/submission/smtpd.*disconnect from'
tap_ok "maillog: the client used STARTTLS" \
	sh -c 'tail -n "+$1" "$2" | grep "relaytest/submission/smtpd.*disconnect from" | grep -q "starttls=1"' \
	- "$before" "$RELAY_MAILLOG"
tap_ok "maillog: the client authenticated (sasl_method=)" \
	sh -c 'tail -n "+$1" "$2" | grep -q "relaytest/submission/smtpd.*sasl_method=.*sasl_username=$3"' \
	- "$before" "$RELAY_MAILLOG" "$RELAY_USER1"
tap_diag "$(maillog_since "$before" | grep -o 'sasl_method=[^,]*' | head -n 1)"

# The strongest mechanism both sides share is SCRAM-SHA-256 (Dovecot offers
# no -PLUS); each other mechanism Dovecot has works when the filter asks.
message "$T/mx"
send starttls -f "$RELAY_USER1" mech@dest.test <"$T/mx"
wait_log "$before" 'sasl_method=SCRAM-SHA-256'
tap_ok "default choice: SCRAM-SHA-256, the strongest both sides share" \
	sh -c 'tail -n "+$1" "$2" | grep -q "sasl_method=SCRAM-SHA-256"' - "$before" "$RELAY_MAILLOG"
take 1 >/dev/null
for mech in PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1; do
	before=$(loglines)
	lower=$(printf '%s' "$mech" | tr 'A-Z' 'a-z')
	write_conf "mech-$lower" "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
		"smtp_sasl_mechanism_filter = $lower"
	message "$T/m-$lower"
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld-$lower" \
		send "mech-$lower" -f "$RELAY_USER1" "$lower@dest.test" <"$T/m-$lower"
	tap_is "$rc" 0 "AUTH $mech: relaymail exits 0"
	# PLAIN and LOGIN are relaymail's own; GNU SASL is loaded for the rest.
	case $mech in
	PLAIN | LOGIN) want=no ;;
	*) want=yes ;;
	esac
	if cat "$T/ld-$lower".* 2>/dev/null | grep -q 'file=libgsasl'; then
		loaded=yes
	else
		loaded=no
	fi
	tap_is "$loaded" "$want" "AUTH $mech: libgsasl loaded: $want"
	wait_log "$before" "sasl_method=$mech,"
	tap_ok "AUTH $mech: the relay saw sasl_method=$mech" \
		sh -c 'tail -n "+$1" "$2" | grep -q "sasl_method=$3,"' - "$before" \
		"$RELAY_MAILLOG" "$mech"
	d=$(take 1)
	tap_is "$(count "$d")" 1 "AUTH $mech: delivered"
done
write_conf badpass "$RELAY_HOST" "$RELAY_SUBMISSION_PORT"
(umask 077 && printf '[%s]:%s %s:wrong\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"$RELAY_USER1" >"$T/badpass.pw")
message "$T/mbad"
send badpass -f "$RELAY_USER1" bad@dest.test <"$T/mbad"
tap_is "$rc" 77 "wrong password: exit status 77 (authentication refused)"
tap_ok "wrong password: the reason quotes the relay" grep -q "535" "$T/err"

# A SCRAM challenge relaymail will not answer (200,000 iterations, over
# its cap): "*" cancels the exchange (RFC 4954 §4) and Postfix reads QUIT
# as a command again. Postfix's own client sends QUIT in the middle of the
# exchange, which the relay takes for a garbled response.
before=$(loglines)
write_conf slow "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"smtp_sasl_mechanism_filter = scram-sha-256"
(umask 077 && printf '[%s]:%s %s:secret3\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"$RELAY_SLOW_USER" >"$T/slow.pw")
message "$T/mslow"
send slow -f "$RELAY_SLOW_USER" slow@dest.test <"$T/mslow"
tap_is "$rc" 77 "SCRAM challenge over the cap: exit 77, as for a refused login"
tap_ok "SCRAM challenge over the cap: stderr names the count and the cap" \
	grep -q 'asked for 200000 SCRAM iterations; relaymail computes at most 100000' "$T/err"
wait_log "$before" 'SASL SCRAM-SHA-256 authentication aborted'
tap_ok "SCRAM challenge over the cap: Postfix saw the exchange aborted" \
	sh -c 'tail -n "+$1" "$2" | grep -q "SASL SCRAM-SHA-256 authentication aborted"' \
	- "$before" "$RELAY_MAILLOG"
# That smtpd's next disconnect line (an smtpd serves one client after
# another: not an earlier one's).
slow_end() {
	maillog_since "$before" | awk '
		/SASL SCRAM-SHA-256 authentication aborted/ && match($0, /smtpd\[[0-9]+\]/) {
			pid = substr($0, RSTART, RLENGTH); next }
		pid != "" && index($0, pid ": disconnect from") { print; exit }'
}
end=$(date +%s)
until [ -n "$(slow_end)" ] || [ "$(date +%s)" -ge $((end + 10)) ]; do sleep 0.1; done
slow_line=$(slow_end)
tap_diag "${slow_line#*: }"
case $slow_line in
*" auth=0/1 quit=1 "*) tap__result 0 "SCRAM challenge over the cap: then QUIT, as a command (quit=1)" ;;
*) tap__result 1 "SCRAM challenge over the cap: then QUIT, as a command (quit=1)" ;;
esac
tap_ok "SCRAM challenge over the cap: the message is in the dead letter file" \
	grep -q "^Message-ID: <test-$n_msg\.$$@client.test>" "$T/dead.letter"

# Dots: with -i a line holding only "." is text, and every line starting
# with a dot must survive the dot-stuffing round trip.
message "$T/m2"
printf '%s\n' "." ".." "..." ".starts with a dot" "..two dots" "end ." \
	"." >>"$T/m2"
send starttls -i -f "$RELAY_USER1" dots@dest.test <"$T/m2"
tap_is "$rc" 0 "dot lines with -i: relaymail exits 0"
d=$(take 1)
tap_ok "dot lines with -i: arrive byte-exact" same_as_sent "$T/m2" "$d"

# A 5 MB body.
message "$T/m3"
awk 'BEGIN {
	for (i = 0; i < 65536; i++)
		printf "%07d ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,:\n", i
}' >>"$T/m3"
tap_diag "5 MB message: $(wc -c <"$T/m3" | tr -d ' ') bytes"
send starttls -f "$RELAY_USER1" big@dest.test <"$T/m3"
tap_is "$rc" 0 "5 MB message: relaymail exits 0"
d=$(take 1)
tap_ok "5 MB message: arrives byte-exact" same_as_sent "$T/m3" "$d"

# Two recipients on the command line.
message "$T/m4"
send starttls -f "$RELAY_USER1" a@dest.test b@other.test <"$T/m4"
tap_is "$rc" 0 "two recipients: relaymail exits 0"
d=$(take 2)
tap_is "$(field Delivered-To "$d")" "a@dest.test b@other.test" \
	"two recipients: both delivered"

# -t: recipients from To, Cc and Bcc; Bcc removed.
{
	echo "From: <$RELAY_USER1>"
	echo "To: To Person <to@dest.test>"
	echo "Cc: cc@dest.test"
	echo "Bcc: hidden@dest.test"
	echo "Subject: relaymail -t test"
	echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
	echo "Message-ID: <test-t.$$@client.test>"
	echo ""
	echo "Recipients from the headers."
} >"$T/m5"
send starttls -t -f "$RELAY_USER1" <"$T/m5"
tap_is "$rc" 0 "-t: relaymail exits 0"
d=$(take 3)
tap_is "$(field Delivered-To "$d")" "cc@dest.test hidden@dest.test to@dest.test" \
	"-t: To, Cc and Bcc recipients delivered"
tap_ok "-t: no Bcc header in any delivered copy" \
	sh -c '[ -f "$1/$2" ] && ! grep -il "^bcc:" "$1"/* >/dev/null' - "$d" "$(ls "$d" | head -n 1)"

# SMTPS (implicit TLS).
message "$T/m6"
send smtps -f "$RELAY_USER1" smtps@dest.test <"$T/m6"
tap_is "$rc" 0 "SMTPS: relaymail exits 0"
d=$(take 1)
tap_ok "SMTPS: arrives byte-exact" same_as_sent "$T/m6" "$d"

# The relay named by DNS name: the certificate is checked against it.
message "$T/m7"
send dnsname -f "$RELAY_USER1" dns@dest.test <"$T/m7"
tap_is "$rc" 0 "[localhost]:PORT: relaymail exits 0"
d=$(take 1)
tap_is "$(count "$d")" 1 "[localhost]:PORT: delivered"

# A sender the login does not own: 553 at RCPT is a verdict, not a fault.
message "$T/m8"
send starttls -f someone@else.test refused@dest.test <"$T/m8"
tap_is "$rc" 69 "wrong sender: exit status 69 (the relay refused the sender)"
tap_ok "wrong sender: the message is kept in the dead letter file" \
	grep -q "^Message-ID: <test-$n_msg\.$$@client.test>" "$T/dead.letter"
tap_ok "wrong sender: the dead letter keeps the envelope" \
	grep -q "^From someone@else.test " "$T/dead.letter"
relay_flush "$scratch" >/dev/null 2>&1
sleep 1
d=$(take 0)
tap_is "$(count "$d")" 0 "wrong sender: nothing delivered"

# Nothing listening: a temporary failure.
dead=$(relay__freeport 1)
write_conf unreachable "$RELAY_HOST" "$dead"
message "$T/m9"
send unreachable -f "$RELAY_USER1" x@dest.test <"$T/m9"
tap_is "$rc" 75 "unreachable relay: exit status 75"
tap_ok "unreachable relay: the message is kept in the dead letter file" \
	grep -q "^Message-ID: <test-$n_msg\.$$@client.test>" "$T/dead.letter"

# Configuration errors.
write_conf broken "$RELAY_HOST" "$RELAY_SUBMISSION_PORT"
sed -i 's/^relayhost = .*/relayhost = [127.0.0.1/' "$T/broken.cf"
send broken -f "$RELAY_USER1" x@dest.test <"$T/m9"
tap_is "$rc" 78 "relayhost = [127.0.0.1: exit status 78"

write_conf readable "$RELAY_HOST" "$RELAY_SUBMISSION_PORT"
chmod 0644 "$T/readable.pw"
send readable -f "$RELAY_USER1" x@dest.test <"$T/m9"
tap_is "$rc" 78 "world-readable password file: exit status 78"
d=$(take 0)
tap_is "$(count "$d")" 0 "configuration errors: nothing delivered"

tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Connection reuse and many recipients against the real Postfix relay
# (tests/lib/relay.sh), over STARTTLS and AUTH: prompt ACKs before each
# read of a reply (under strace, when installed); a -bs session of five
# messages is one relay session (one TLS handshake, one AUTH, RSET between
# the messages, as the relay's own log counts them); 1,000 recipients go
# in one transaction (smtpd_recipient_limit), 1,100 in two, each recipient
# getting the message once. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate
command -v timeout >/dev/null 2>&1 || tap_skip_all "timeout (coreutils) is not installed"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-perf.XXXXXX") || tap_bail "mktemp failed"
cleanup() {
	relay_stop "$scratch"
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

relay_start "$scratch" || tap_bail "the test relay did not start"
. "$scratch/relay.env"

T=$scratch/client
mkdir -p "$T" && chmod 0700 "$T" || tap_bail "cannot create $T"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

(umask 077 && printf '[%s]:%s %s:%s\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"$RELAY_USER1" "$RELAY_PASS1" >"$T/pw")
cat >"$T/relaymail.cf" <<CONF
relayhost = [$RELAY_HOST]:$RELAY_SUBMISSION_PORT
myhostname = client.test
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = texthash:$T/pw
smtp_tls_security_level = verify
smtp_tls_CAfile = $RELAY_CA
dead_letter_file = $T/dead.letter
CONF

# sessions: the relay log's session summaries so far.
sessions() { grep -c 'disconnect from' "$RELAY_MAILLOG"; }
# last_session: the counts of the last one ("ehlo=2 starttls=1 ...").
last_session() { grep 'disconnect from' "$RELAY_MAILLOG" | tail -n 1 | sed 's/.*\] //'; }
# settle: until every session the relay logged as started has logged its
# summary too (10 s); a summary may come after the client has exited.
settle() {
	_i=0
	while [ "$(grep -c ': connect from' "$RELAY_MAILLOG")" -gt "$(sessions)" ] &&
		[ "$_i" -lt 200 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
}
# wait_sessions N: until the relay logged N session summaries (10 s).
wait_sessions() {
	_i=0
	while [ "$(sessions)" -lt "$1" ] && [ "$_i" -lt 200 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
}
# delivered PATTERN: sink files whose Delivered-To matches (one per recipient).
delivered() {
	grep -l "^Delivered-To: $1" "$RELAY_SINK"/* 2>/dev/null | wc -l | tr -d ' '
}
# wait_delivered PATTERN N: until N such files are in the sink (30 s).
wait_delivered() {
	_i=0
	while [ "$(delivered "$1")" -lt "$2" ] && [ "$_i" -lt 600 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
}

# ---- No stall behind the TLS 1.3 session ticket: relaymail asks for a
# prompt ACK (TCP_QUICKACK) before each read of the relay's replies, the
# first EHLO after the handshake included (a timing check would only
# measure the machine's load).
printf 'Subject: ack\n\nprompt ACKs\n' >"$T/ack"
if command -v strace >/dev/null 2>&1; then
	# LeakSanitizer cannot run under ptrace: no leak check in this run of
	# a sanitizer build (the others have it).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=setsockopt,sendto,sendmsg,recvfrom -o "$T/ack.trace" \
		"$RELAYMAIL" -C "$T/relaymail.cf" -f "$RELAY_USER1" ack@dest.test <"$T/ack" \
		2>"$T/ack.err"
	tap_is "$?" 0 "under strace: exit 0"
	# The dialogue after STARTTLS: EHLO, AUTH, the MAIL group, the body,
	# QUIT: a read after each, each read asked for with TCP_QUICKACK.
	quick=$(grep -c 'TCP_QUICKACK, \[1\]' "$T/ack.trace")
	tap_ok "TCP_QUICKACK before the reads of the replies ($quick times)" test "$quick" -ge 7
	# After STARTTLS's 220, the first application data sent is EHLO (in
	# the segment of the handshake's end: net/tls_io.c); the next read
	# (its reply) comes after a TCP_QUICKACK.
	tap_ok "TCP_QUICKACK between the first EHLO over TLS and its reply" awk '
		/STARTTLS/ { tls = 1 }
		tls && /send(msg|to)\(.*\\27\\3\\3/ { sent = 1; asked = 0 }
		sent && /TCP_QUICKACK/ { asked = 1 }
		sent && /recvfrom\(.*\\27\\3\\3/ { exit !asked }
		END { if (!sent) exit 1 }' "$T/ack.trace"
else
	tap_skip "prompt ACKs" "strace is not installed"
	tap_skip "prompt ACKs" "strace is not installed"
	tap_skip "prompt ACKs" "strace is not installed"
fi

# ---- -bs: five messages, one relay session.
{
	printf 'EHLO client.test\r\n'
	for i in 1 2 3 4 5; do
		printf 'MAIL FROM:<%s>\r\nRCPT TO:<bs%s@dest.test>\r\nDATA\r\n' "$RELAY_USER1" "$i"
		printf 'Subject: bs %s\r\n\r\nmessage %s\r\n.\r\n' "$i" "$i"
	done
	printf 'QUIT\r\n'
} >"$T/bs.in"
settle
before=$(sessions)
timeout 120 "$RELAYMAIL" -bs -C "$T/relaymail.cf" <"$T/bs.in" >"$T/bs.out" 2>"$T/bs.err"
tap_is "$?" 0 "-bs with five messages: exit 0"
tap_is "$(grep -c '^250 2.0.0 Ok: queued as' "$T/bs.out")" 5 "-bs: five messages accepted"
wait_sessions $((before + 1))
tap_is "$(($(sessions) - before))" 1 "-bs: one relay session for the five"
tap_is "$(last_session)" \
	"ehlo=2 starttls=1 auth=1 mail=5 rcpt=5 data=5 rset=4 quit=1 commands=24" \
	"-bs: one STARTTLS, one AUTH, RSET between the messages, one QUIT"
wait_delivered 'bs[1-5]@dest.test' 5
tap_is "$(delivered 'bs[1-5]@dest.test')" 5 "-bs: each message delivered"

# ---- 1,000 recipients: one transaction; 1,100: the relay's limit is
# 1,000, the last 100 in a second transaction.
printf 'Subject: many\n\nmany recipients\n' >"$T/msg"
many() { # PREFIX N: N addresses PREFIXi@dest.test
	_i=1
	while [ "$_i" -le "$2" ]; do
		printf '%s%s@dest.test\n' "$1" "$_i"
		_i=$((_i + 1))
	done
}
settle
before=$(sessions)
# shellcheck disable=SC2046
timeout 120 "$RELAYMAIL" -C "$T/relaymail.cf" -f "$RELAY_USER1" $(many k 1000) \
	<"$T/msg" 2>"$T/k.err"
tap_is "$?" 0 "1,000 recipients: exit 0"
wait_sessions $((before + 1))
tap_is "$(last_session)" "ehlo=2 starttls=1 auth=1 mail=1 rcpt=1000 data=1 quit=1 commands=1007" \
	"1,000 recipients: one transaction"
wait_delivered 'k[0-9]*@dest.test' 1000
tap_is "$(delivered 'k[0-9]*@dest.test')" 1000 "1,000 recipients: each got the message"

settle
before=$(sessions)
# shellcheck disable=SC2046
timeout 120 "$RELAYMAIL" -C "$T/relaymail.cf" -f "$RELAY_USER1" $(many m 1100) \
	<"$T/msg" 2>"$T/m.err"
tap_is "$?" 0 "1,100 recipients: exit 0"
wait_sessions $((before + 1))
tap_ok "1,100 recipients: two transactions on one connection ($(last_session))" \
	eval 'last_session | grep -q "ehlo=2 starttls=1 auth=1 mail=2 .* data=2 quit=1"'
wait_delivered 'm[0-9]*@dest.test' 1100
tap_is "$(delivered 'm[0-9]*@dest.test')" 1100 "1,100 recipients: each got the message once"
tap_ok "no dead letter" test ! -e "$T/dead.letter"

tap_done

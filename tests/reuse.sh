#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Connection reuse in -bs, against tests/fakesmtp: the messages of one
# session go over one relay connection with RSET between them; a relay
# that closed the idle connection, or answers RSET with 421, gets the next
# message over a new connection (no failure, no dead letter, no other
# relay); smtp_connection_reuse_count_limit and
# smtp_connection_reuse_time_limit end a connection's reuse.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
command -v timeout >/dev/null 2>&1 || tap_skip_all "timeout (coreutils) is not installed"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-reuse.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
cleanup() {
	fake_stop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG
LC_ALL=C
export LC_ALL

# session N: a -bs session of N messages, from a@client.test to rN@dest.test.
session() {
	printf 'EHLO client.test\r\n'
	_i=1
	while [ "$_i" -le "$1" ]; do
		printf 'MAIL FROM:<a@client.test>\r\nRCPT TO:<r%s@dest.test>\r\nDATA\r\n' "$_i"
		printf 'Subject: %s\r\n\r\nmessage %s\r\n.\r\n' "$_i" "$_i"
		_i=$((_i + 1))
	done
	printf 'QUIT\r\n'
}

# txn N QID: the relay's side of message N, accepted as QID.
txn() {
	printf '%s\n' "expect MAIL FROM:<a@client.test>" "send 250 2.1.0 Ok" \
		"expect RCPT TO:<r$1@dest.test>" "send 250 2.1.5 Ok" "expect DATA" \
		"send 354 go ahead" data "send 250 2.0.0 Ok: queued as $2"
}
hello() { printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" "send 250 fake.test"; }
rset() { printf '%s\n' "expect RSET" "send 250 2.0.0 Ok"; }
quit() { printf '%s\n' "expect QUIT" "send 221 2.0.0 Bye"; }

# run NAME N [LINE...]: relaymail -bs with a session of N messages to the
# fake server NAME (already started, fake_port), config lines added; sets
# rc, and accepted (how many messages got 250 to their dot).
run() {
	_n=$1 _m=$2
	shift 2
	printf '%s\n' "relayhost = [127.0.0.1]:$fake_port" "myhostname = client.test" \
		"smtp_tls_security_level = none" "dead_letter_file = $T/$_n.dead" "$@" >"$T/$_n.cf"
	session "$_m" | timeout 60 "$RELAYMAIL" -bs -C "$T/$_n.cf" >"$T/$_n.out" 2>"$T/$_n.err"
	rc=$?
	accepted=$(grep -c '^250 2.0.0 Ok: queued as' "$T/$_n.out")
}
connections() { grep -c '^# connection' "$T/$1.tr"; }

# ---- Three messages, one connection.
{ hello; txn 1 Q1; rset; txn 2 Q2; rset; txn 3 Q3; quit; } >"$T/three.script"
fake_start three "$T/three.script"
run three 3 "maillog_file = $T/three.log"
tap_is "$rc" 0 "three messages in one -bs session: exit 0"
tap_is "$accepted" 3 "each message has its own 250 after the relay accepted it"
tap_is "$(grep -o 'queued as Q[0-9]' "$T/three.out" | tr '\n' ' ')" \
	"queued as Q1 queued as Q2 queued as Q3 " "the relay's own reply for each, in order"
tap_is "$(fake_status three)" 0 "one connection: EHLO once, RSET between the messages, QUIT"
tap_is "$(connections three)" 1 "the relay saw one connection"
tap_ok "no dead letter" test ! -e "$T/three.dead"
tap_is "$(sed -n 's/.* to=<\(r[0-9]\)@dest.test>, relay=[^,]*, \(conn_use=[0-9], \)\{0,1\}delay=.*status=sent.*/\1 \2/p' \
	"$T/three.log" | tr '\n' '|')" "r1 |r2 conn_use=2, |r3 conn_use=3, |" \
	"the mail log says conn_use=2 and 3 for the messages over the reused connection"

# ---- The relay closes the idle connection: the next message goes over a
# new one, as if nothing happened.
{
	hello
	txn 1 Q1
	echo close
	echo connection
	hello
	txn 2 Q2
	quit
} >"$T/dropped.script"
fake_start dropped "$T/dropped.script"
run dropped 2
tap_is "$rc" 0 "relay closed the idle connection: exit 0"
tap_is "$accepted" 2 "relay closed the idle connection: both messages accepted"
tap_is "$(fake_status dropped)" 0 "relay closed the idle connection: a new connection, EHLO again"
tap_ok "relay closed the idle connection: no dead letter" test ! -e "$T/dropped.dead"
tap_ok "relay closed the idle connection: nothing on stderr" test ! -s "$T/dropped.err"

# ---- The relay answers RSET with 421 (its idle timeout) and closes.
{
	hello
	txn 1 Q1
	echo "expect RSET"
	echo "send 421 4.4.2 fake.test Error: timeout exceeded"
	echo close
	echo connection
	hello
	txn 2 Q2
	quit
} >"$T/timedout.script"
fake_start timedout "$T/timedout.script"
run timedout 2
tap_is "$rc" 0 "421 to RSET: exit 0"
tap_is "$accepted" 2 "421 to RSET: both messages accepted"
tap_is "$(fake_status timedout)" 0 "421 to RSET: the second message over a new connection"

# ---- smtp_connection_reuse_count_limit = 1: two messages per connection.
{
	hello
	txn 1 Q1
	rset
	txn 2 Q2
	quit
	echo connection
	hello
	txn 3 Q3
	quit
} >"$T/count.script"
fake_start count "$T/count.script"
run count 3 "smtp_connection_reuse_count_limit = 1"
tap_is "$rc" 0 "count limit 1: exit 0"
tap_is "$accepted" 3 "count limit 1: three messages accepted"
tap_is "$(fake_status count)" 0 "count limit 1: one reuse, then QUIT and a new connection"

# ---- smtp_connection_reuse_time_limit = 0: no reuse at all.
{
	hello
	txn 1 Q1
	quit
	echo connection
	hello
	txn 2 Q2
	quit
} >"$T/time.script"
fake_start time "$T/time.script"
run time 2 "smtp_connection_reuse_time_limit = 0"
tap_is "$rc" 0 "time limit 0: exit 0"
tap_is "$(fake_status time)" 0 "time limit 0: QUIT after each message, a connection each"

# ---- smtp_connection_reuse_time_limit = 1s, and the client takes 2 s
# before its second message: the old connection gets QUIT, the message a
# new one.
{
	hello
	txn 1 Q1
	quit
	echo connection
	hello
	txn 2 Q2
	quit
} >"$T/aged.script"
fake_start aged "$T/aged.script"
printf '%s\n' "relayhost = [127.0.0.1]:$fake_port" "myhostname = client.test" \
	"smtp_tls_security_level = none" "dead_letter_file = $T/aged.dead" \
	"smtp_connection_reuse_time_limit = 1s" >"$T/aged.cf"
{
	session 1 | sed '$d'
	sleep 2
	printf 'MAIL FROM:<a@client.test>\r\nRCPT TO:<r2@dest.test>\r\nDATA\r\n'
	printf 'Subject: 2\r\n\r\nmessage 2\r\n.\r\nQUIT\r\n'
} | timeout 60 "$RELAYMAIL" -bs -C "$T/aged.cf" >"$T/aged.out" 2>"$T/aged.err"
tap_is "$?" 0 "time limit 1s, 2 s between the messages: exit 0"
tap_is "$(grep -c '^250 2.0.0 Ok: queued as' "$T/aged.out")" 2 \
	"time limit 1s: both messages accepted"
tap_is "$(fake_status aged)" 0 "time limit 1s: QUIT to the aged connection, a new one for the next"

# ---- A message refused at its dot ends the connection; the next one
# opens a new one.
{
	hello
	echo "expect MAIL FROM:<a@client.test>"
	echo "send 250 2.1.0 Ok"
	echo "expect RCPT TO:<r1@dest.test>"
	echo "send 250 2.1.5 Ok"
	echo "expect DATA"
	echo "send 354 go ahead"
	echo data
	echo "send 554 5.7.1 spam"
	quit
	echo connection
	hello
	txn 2 Q2
	quit
} >"$T/refused.script"
fake_start refused "$T/refused.script"
run refused 2
tap_is "$accepted" 1 "a refused message, then an accepted one"
tap_ok "the refused message got the relay's 554" grep -q '^554 5.7.1 .* spam' "$T/refused.out"
tap_is "$(fake_status refused)" 0 "after a refusal: QUIT, and a new connection for the next"

tap_done

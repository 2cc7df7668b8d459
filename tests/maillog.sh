#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The mail log end to end (issue 10): messages with known outcomes against
# the real Postfix relay and tests/fakesmtp, written to maillog_file, each
# checked record by record (sent with TLS, sent in plaintext, deferred with
# the relay down, bounced by Postfix at RCPT, one of two recipients refused,
# a failure followed by the fallback relay, two messages of one -bs
# session); then pflogsumm --syslog-name=relaymail over that log must count
# exactly what was sent; then 20 invocations at once append to one file and
# leave only whole lines; and a log that cannot be written costs a warning,
# never the message. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no; pflogsumm
# is needed too (Debian: apt-get install pflogsumm).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"
. "$top_srcdir/tests/lib/fake.sh"

client_start maillog
[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
if ! command -v pflogsumm >/dev/null 2>&1; then
	[ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ] &&
		tap_bail "pflogsumm not found (Debian: apt-get install pflogsumm)"
	tap_skip_all "pflogsumm not found (Debian: apt-get install pflogsumm)"
fi
FAKE_DIR=$T/fake
mkdir -p "$FAKE_DIR" || tap_bail "cannot create $FAKE_DIR"
fake_certs || tap_bail "certtool failed"
trap 'fake_stop_all; client__cleanup' EXIT

LOG=$T/maillog
uid=$(id -u)
sub=$RELAY_SUBMISSION_PORT
plain=$RELAY_PLAIN_PORT
down=$(relay__freeport 1) || tap_bail "no free port"

conf_submission sub "maillog_file = $LOG" "smtp_tls_loglevel = 1"
conf_plain plain "maillog_file = $LOG"
# conf_to NAME PORT [LINE...]: the plain setup relaying to 127.0.0.1:PORT.
conf_to() {
	_cn=$1 _cp=$2
	shift 2
	{
		echo "relayhost = [127.0.0.1]:$_cp"
		echo "myhostname = client.test"
		echo "myorigin = dest.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/dead.letter"
		echo "maillog_file = $LOG"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_cn.cf"
}
conf_to down "$down"

# size FILE: the size the log gives a message relaymail sends unchanged:
# its octets with CRLF line ends.
size() {
	echo $(($(wc -c <"$1") + $(wc -l <"$1")))
}

# norm: the records on stdin without time, host and PID ("SERVICE: "),
# queue IDs as Q1, Q2... in order of appearance, delay values as D, the
# relay's own queue ID as X, and the TLS cipher as C when both bit counts
# agree.
norm() {
	awk '{
		sub(/^[A-Z][a-z][a-z] [0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [^ ]+ relaymail\//, "")
		sub(/\[[0-9]+\]: /, ": ")
		if (match($0, /^[a-z]+: [0-9A-F]+: /)) {
			s = index($0, " ") + 1
			q = substr($0, s, RSTART + RLENGTH - 2 - s)
			if (!(q in id))
				id[q] = "Q" (++n)
			$0 = substr($0, 1, s - 1) id[q] substr($0, RSTART + RLENGTH - 2)
		}
		gsub(/delay=[0-9.]+, delays=[0-9.]+\/[0-9.]+\/[0-9.]+\/[0-9.]+/,
			"delay=D, delays=D/D/D/D")
		sub(/queued as [0-9A-Za-z]+\)$/, "queued as X)")
		print
	}' | sed -E 's/with cipher [A-Z0-9_]+ \(([0-9]+)\/\1 bits\)$/with cipher C (N\/N bits)/'
}

# since N: the log's lines after the first N.
since() {
	tail -n +"$(($1 + 1))" "$LOG"
}

lines() {
	[ -f "$LOG" ] && wc -l <"$LOG" || echo 0
}

# records N: what was logged since line N, normalized.
records() {
	since "$1" | norm
}

# --- Sent over STARTTLS with AUTH, to two recipients. ---------------------
n0=$(lines)
message "$T/m1" "sent with TLS"
send sub -f "$RELAY_USER1" a1@dest.test a2@dest.test <"$T/m1"
diag_failure
tap_is "$rc" 0 "sent with TLS: exit 0"
tap_is "$(cat "$T/err")" "" "sent with TLS: nothing on stderr"
s1=$(size "$T/m1")
tap_is "$(records "$n0")" "pickup: Q1: uid=$uid from=<$RELAY_USER1>
cleanup: Q1: message-id=<test-1.$$@client.test>
qmgr: Q1: from=<$RELAY_USER1>, size=$s1, nrcpt=2 (queue active)
smtp: Verified TLS connection established to 127.0.0.1[127.0.0.1]:$sub: TLSv1.3 with cipher C (N/N bits)
smtp: Q1: to=<a1@dest.test>, relay=127.0.0.1[127.0.0.1]:$sub, delay=D, delays=D/D/D/D, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)
smtp: Q1: to=<a2@dest.test>, relay=127.0.0.1[127.0.0.1]:$sub, delay=D, delays=D/D/D/D, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)
qmgr: Q1: removed" "sent with TLS: pickup, cleanup, qmgr, the TLS summary, one record per recipient, removed"
tap_ok "every line in postlogd's form, host client, PID in brackets" \
	sh -c '! grep -vE "^[A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} client relaymail/(pickup|cleanup|qmgr|smtp)\[[0-9]+\]: " "$1"' - "$LOG"
pids=$(sed -E 's/.*relaymail\/[a-z]+\[([0-9]+)\]: .*/\1/' "$LOG" | sort -u)
tap_is "$(echo "$pids" | wc -l)" 1 "one process, one PID on every record"
tap_ok "delays formatted as Postfix's (two significant digits, at most two decimals)" \
	sh -c '! grep -E "delay=" "$1" | grep -vE "delay=[0-9]+(\.[0-9]{1,2})?, delays=([0-9]+(\.[0-9]{1,2})?/){3}[0-9]+(\.[0-9]{1,2})?, "' - "$LOG"
take 2 >/dev/null

# --- Sent in plaintext; pickup shows the sender as given. ---------------
n0=$(lines)
message "$T/m2" "sent in plaintext"
send plain -f joe b1@dest.test <"$T/m2"
tap_is "$rc" 0 "sent in plaintext: exit 0"
s2=$(size "$T/m2")
tap_is "$(records "$n0")" "pickup: Q1: uid=$uid from=<joe>
cleanup: Q1: message-id=<test-2.$$@client.test>
qmgr: Q1: from=<joe@dest.test>, size=$s2, nrcpt=1 (queue active)
smtp: Q1: to=<b1@dest.test>, relay=127.0.0.1[127.0.0.1]:$plain, delay=D, delays=D/D/D/D, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)
qmgr: Q1: removed" "sent in plaintext: the sender as given, then qualified"
take 1 >/dev/null

# --- Deferred: nothing listens on the relay's port. --------------------
n0=$(lines)
message "$T/m3" "deferred"
send down -f joe c1@dest.test <"$T/m3"
tap_is "$rc" 75 "relay down: exit 75"
s3=$(size "$T/m3")
tap_is "$(records "$n0")" "pickup: Q1: uid=$uid from=<joe>
cleanup: Q1: message-id=<test-3.$$@client.test>
qmgr: Q1: from=<joe@dest.test>, size=$s3, nrcpt=1 (queue active)
smtp: connect to 127.0.0.1[127.0.0.1]:$down: Connection refused
smtp: Q1: to=<c1@dest.test>, relay=none, delay=D, delays=D/D/D/D, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:$down: Connection refused)
qmgr: Q1: removed" "relay down: the failed connection, relay=none, deferred"
tap_ok "relay down: no connection set-up time (c = 0)" \
	sh -c 'since() { tail -n +"$(($2 + 1))" "$1"; }; since "$1" "$2" | grep -q "delays=[0-9.]*/[0-9.]*/0/[0-9.]*, dsn=4.4.1"' - "$LOG" "$n0"

# --- Bounced: the relay refuses a sender that is not the login's. -------
n0=$(lines)
message "$T/m4" "bounced"
send sub -f other@isp.test d1@dest.test d2@dest.test <"$T/m4"
tap_is "$rc" 69 "sender refused at RCPT: exit 69 (the sender, not the recipients)"
s4=$(size "$T/m4")
why="host 127.0.0.1[127.0.0.1] said: 553 5.7.1 <other@isp.test>: Sender address rejected: not owned by user $RELAY_USER1 (in reply to RCPT TO command)"
tap_is "$(records "$n0")" "pickup: Q1: uid=$uid from=<other@isp.test>
cleanup: Q1: message-id=<test-4.$$@client.test>
qmgr: Q1: from=<other@isp.test>, size=$s4, nrcpt=2 (queue active)
smtp: Verified TLS connection established to 127.0.0.1[127.0.0.1]:$sub: TLSv1.3 with cipher C (N/N bits)
smtp: Q1: to=<d1@dest.test>, relay=127.0.0.1[127.0.0.1]:$sub, delay=D, delays=D/D/D/D, dsn=5.7.1, status=bounced ($why)
smtp: Q1: to=<d2@dest.test>, relay=127.0.0.1[127.0.0.1]:$sub, delay=D, delays=D/D/D/D, dsn=5.7.1, status=bounced ($why)
qmgr: Q1: removed" "refused at RCPT: each recipient bounced with Postfix's reply"

# --- A failure, then the fallback relay: the failure is an info record. --
cat >"$FAKE_DIR/later.script" <<'EOS'
send 220 fake.test ESMTP fakesmtp
expect EHLO
send 250 fake.test
expect MAIL FROM:
send 451 4.3.0 try again later
expect QUIT
send 221 2.0.0 Bye
EOS
fake_start later "$FAKE_DIR/later.script"
conf_to failover "$fake_port" "smtp_fallback_relay = [127.0.0.1]:$plain"
n0=$(lines)
message "$T/m5" "fallback"
send failover -f joe e1@dest.test <"$T/m5"
tap_is "$rc" 0 "451, then the fallback relay: exit 0"
s5=$(size "$T/m5")
tap_is "$(records "$n0")" "pickup: Q1: uid=$uid from=<joe>
cleanup: Q1: message-id=<test-5.$$@client.test>
qmgr: Q1: from=<joe@dest.test>, size=$s5, nrcpt=1 (queue active)
smtp: Q1: host 127.0.0.1[127.0.0.1] said: 451 4.3.0 try again later (in reply to MAIL FROM command)
smtp: Q1: to=<e1@dest.test>, relay=127.0.0.1[127.0.0.1]:$plain, delay=D, delays=D/D/D/D, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)
qmgr: Q1: removed" "451, then the fallback relay: QUEUE_ID: reason, then sent"
take 1 >/dev/null

# --- One of two recipients refused: neither is sent. --------------------
cat >"$FAKE_DIR/mixed.script" <<'EOS'
send 220 fake.test ESMTP fakesmtp
expect EHLO
send 250 fake.test
expect MAIL FROM:
send 250 2.1.0 Ok
expect RCPT TO:<g1@dest.test>
send 250 2.1.5 Ok
expect RCPT TO:<g2@dest.test>
send 550 5.1.1 <g2@dest.test>: Recipient address rejected: User unknown
expect QUIT
send 221 2.0.0 Bye
EOS
fake_start mixed "$FAKE_DIR/mixed.script"
mixed=$fake_port
conf_to mixed "$mixed"
n0=$(lines)
message "$T/m6" "mixed"
send mixed -f joe g1@dest.test g2@dest.test <"$T/m6"
tap_is "$rc" 67 "one recipient refused: exit 67"
s6=$(size "$T/m6")
tap_is "$(records "$n0")" "pickup: Q1: uid=$uid from=<joe>
cleanup: Q1: message-id=<test-6.$$@client.test>
qmgr: Q1: from=<joe@dest.test>, size=$s6, nrcpt=2 (queue active)
smtp: Q1: to=<g1@dest.test>, relay=127.0.0.1[127.0.0.1]:$mixed, delay=D, delays=D/D/D/D, dsn=5.0.0, status=bounced (message not sent: another recipient was refused)
smtp: Q1: to=<g2@dest.test>, relay=127.0.0.1[127.0.0.1]:$mixed, delay=D, delays=D/D/D/D, dsn=5.1.1, status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <g2@dest.test>: Recipient address rejected: User unknown (in reply to RCPT TO command))
qmgr: Q1: removed" "one recipient refused: it with the relay's words, the other not sent"
tap_is "$(fake_status mixed)" 0 "one recipient refused: the fake saw the dialogue it expected"

# --- Two messages of one -bs session: two queue IDs. --------------------
message "$T/m7" "bs one"
message "$T/m8" "bs two"
{
	printf 'EHLO client.test\r\n'
	for i in 7 8; do
		printf 'MAIL FROM:<bs@dest.test>\r\nRCPT TO:<f%s@dest.test>\r\nDATA\r\n' "$i"
		sed 's/$/\r/' "$T/m$i"
		printf '.\r\n'
	done
	printf 'QUIT\r\n'
} >"$T/bs.in"
n0=$(lines)
timeout 60 "$RELAYMAIL" -C "$T/plain.cf" -bs <"$T/bs.in" >"$T/out" 2>"$T/err"
tap_is "$?" 0 "-bs: exit 0"
tap_is "$(grep -c '^250 2.0.0 ' "$T/out")" 2 "-bs: both messages relayed"
s7=$(size "$T/m7")
s8=$(size "$T/m8")
tap_is "$(records "$n0")" "pickup: Q1: uid=$uid from=<bs@dest.test>
cleanup: Q1: message-id=<test-7.$$@client.test>
qmgr: Q1: from=<bs@dest.test>, size=$s7, nrcpt=1 (queue active)
smtp: Q1: to=<f7@dest.test>, relay=127.0.0.1[127.0.0.1]:$plain, delay=D, delays=D/D/D/D, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)
qmgr: Q1: removed
pickup: Q2: uid=$uid from=<bs@dest.test>
cleanup: Q2: message-id=<test-8.$$@client.test>
qmgr: Q2: from=<bs@dest.test>, size=$s8, nrcpt=1 (queue active)
smtp: Q2: to=<f8@dest.test>, relay=127.0.0.1[127.0.0.1]:$plain, conn_use=2, delay=D, delays=D/D/D/D, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)
qmgr: Q2: removed" "-bs: each message its own queue ID and records"
take 2 >/dev/null

# --- pflogsumm reads it as Postfix's. -----------------------------------
pflogsumm --syslog-name=relaymail "$LOG" >"$T/summary" 2>"$T/summary.err"
tap_is "$?" 0 "pflogsumm: exit 0"
# figure NAME: the number pflogsumm's Grand Totals give for NAME.
figure() {
	sed -n "s/^ *\([0-9][0-9]*\)[ km]  $1\( .*\)\{0,1\}\$/\1/p" "$T/summary" | head -n 1
}
tap_is "$(figure received)" 8 "pflogsumm: 8 messages received"
tap_is "$(figure delivered)" 6 "pflogsumm: 6 delivered (2 + 1 + 1 + 1 + 1 recipients)"
tap_is "$(figure deferred)" 1 "pflogsumm: 1 deferred"
tap_ok "pflogsumm: 1 deferral" grep -qE '^ +1 +deferred +\(1 +deferrals\)$' "$T/summary"
tap_is "$(figure bounced)" 4 "pflogsumm: 4 bounced (2 refused senders, 2 of the mixed message)"
tap_is "$(figure 'bytes received')" $((s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8)) \
	"pflogsumm: bytes received, the sum of the sizes"
tap_is "$(figure 'bytes delivered')" $((2 * s1 + s2 + s5 + s7 + s8)) \
	"pflogsumm: bytes delivered, each size times its delivered recipients"
tap_is "$(figure senders)" 4 "pflogsumm: 4 senders"
tap_is "$(figure 'sending hosts\/domains')" 2 "pflogsumm: 2 sending domains"
tap_is "$(figure recipients)" 6 "pflogsumm: 6 recipients"
tap_is "$(figure 'recipient hosts\/domains')" 1 "pflogsumm: 1 recipient domain"
tap_ok "pflogsumm: the deferral's reason in its detail" grep -q "Connection refused" "$T/summary"
tap_ok "pflogsumm: the refusal in its bounce detail" \
	grep -q "not owned by user $RELAY_USER1 (in reply to RCPT TO command)" "$T/summary"

# --- 20 invocations at once, one file: whole lines only. ---------------
CLOG=$T/concurrent.log
conf_plain conc "maillog_file = $CLOG"
message "$T/mc" "concurrent"
rcpts=""
for r in 01 02 03 04 05 06 07 08 09 10; do
	rcpts="$rcpts a-recipient-with-a-rather-long-name-$r@dest.test"
done
i=0
while [ "$i" -lt 20 ]; do
	# shellcheck disable=SC2086 # one argument per recipient
	(timeout 120 "$RELAYMAIL" -C "$T/conc.cf" -f "c$i" $rcpts <"$T/mc" \
		>/dev/null 2>"$T/conc.$i.err"
	echo $? >"$T/conc.$i.rc") &
	i=$((i + 1))
done
wait
bad=0
i=0
while [ "$i" -lt 20 ]; do
	[ "$(cat "$T/conc.$i.rc")" = 0 ] || bad=$((bad + 1))
	i=$((i + 1))
done
tap_is "$bad" 0 "20 at once: every invocation exit 0"
tap_is "$(wc -l <"$CLOG")" $((20 * 14)) "20 at once: 14 records each (3, 10 recipients, removed)"
tap_ok "20 at once: every line whole, from its start to its end" awk '
	!/^[A-Z][a-z][a-z] [0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] client relaymail\/(pickup|cleanup|qmgr|smtp)\[[0-9]+\]: [0-9A-F]+: (uid=[0-9]+ from=<c[0-9]+>|message-id=<[^>]+>|from=<c[0-9]+@dest\.test>, size=[0-9]+, nrcpt=10 \(queue active\)|to=<a-recipient-with-a-rather-long-name-[0-9]+@dest\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:[0-9]+, delay=[0-9.]+, delays=[0-9.]+\/[0-9.]+\/[0-9.]+\/[0-9.]+, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: queued as [0-9A-Z]+\)|removed)$/ { bad = 1; print "# " $0 }
	END { exit bad }' "$CLOG"
ids=$(sed -E 's/^.*\]: ([0-9A-F]+): .*$/\1/' "$CLOG" | sort | uniq -c | awk '{ print $1 }' | sort -u)
tap_is "$(sed -E 's/^.*\]: ([0-9A-F]+): .*$/\1/' "$CLOG" | sort -u | wc -l)" 20 \
	"20 at once: 20 queue IDs"
tap_is "$ids" 14 "20 at once: 14 records under each"
tap_is "$(sed -E 's/^.*\[([0-9]+)\]: ([0-9A-F]+): .*$/\1 \2/' "$CLOG" | sort -u | wc -l)" 20 \
	"20 at once: each queue ID from one process"

# --- A log that cannot be written never stops a message. ---------------
conf_plain nolog "maillog_file = $T/no/such/dir/maillog"
message "$T/m9" "no log"
send nolog -f joe h1@dest.test <"$T/m9"
tap_is "$rc" 0 "unwritable maillog_file: the message is sent, exit 0"
tap_is "$(grep -c 'warning: the mail log' "$T/err")" 1 "unwritable maillog_file: one warning"
tap_ok "unwritable maillog_file: the warning names the file" grep -q "no/such/dir/maillog" "$T/err"
printf 'EHLO client.test\r\nMAIL FROM:<bs@dest.test>\r\nRCPT TO:<h2@dest.test>\r\nDATA\r\n' \
	>"$T/bs2.in"
sed 's/$/\r/' "$T/m9" >>"$T/bs2.in"
printf '.\r\nQUIT\r\n' >>"$T/bs2.in"
timeout 60 "$RELAYMAIL" -C "$T/nolog.cf" -bs <"$T/bs2.in" >"$T/out" 2>"$T/err"
tap_is "$?" 0 "unwritable maillog_file under -bs: exit 0"
tap_is "$(cat "$T/err")" "" "unwritable maillog_file under -bs: nothing on stderr without -v"
take 2 >/dev/null

# --- Under -bs, stdout is the dialogue's: /dev/stdout is not used. ------
conf_plain bsout "maillog_file = /dev/stdout"
timeout 60 "$RELAYMAIL" -C "$T/bsout.cf" -bs <"$T/bs2.in" >"$T/out" 2>"$T/err"
tap_ok "maillog_file = /dev/stdout under -bs: only SMTP replies on stdout" \
	sh -c '! grep -v "^[0-9][0-9][0-9][ -]" "$1"' - "$T/out"
message "$T/m10" "stdout"
send bsout -f joe h3@dest.test <"$T/m10"
tap_is "$(grep -c 'relaymail/smtp\[[0-9]*\]: [0-9A-F]*: to=<h3@dest.test>' "$T/out")" 1 \
	"maillog_file = /dev/stdout: the records on standard output"
take 2 >/dev/null

# --- smtp_tls_loglevel = 0, Postfix's default: no TLS summary. ---------
conf_submission sub0 "maillog_file = $LOG"
n0=$(lines)
message "$T/m11" "loglevel 0"
send sub0 -f "$RELAY_USER1" k1@dest.test <"$T/m11"
tap_is "$rc" 0 "smtp_tls_loglevel = 0: exit 0"
tap_is "$(records "$n0" | grep -c 'TLS connection established')" 0 \
	"smtp_tls_loglevel = 0: no TLS summary"
tap_is "$(records "$n0" | grep -c 'to=<k1@dest.test>.*status=sent')" 1 \
	"smtp_tls_loglevel = 0: the delivery record all the same"
take 1 >/dev/null

tap_done

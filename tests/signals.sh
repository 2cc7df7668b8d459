#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Signals (issue 10), against tests/fakesmtp: SIGTERM, SIGINT and SIGHUP
# during an attempt, during intake and in -bs end relaymail cleanly (the
# message kept, exit 75, the signal named), a stop after the final dot
# warns that the message may have been delivered, and a reader that went
# away is a write error, never a death by SIGPIPE. Every relaymail runs
# under timeout and is signalled by its own PID.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp
FREEPORT=$top_builddir/tests/freeport

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
[ -x "$FREEPORT" ] || tap_bail "$FREEPORT is missing"
command -v timeout >/dev/null 2>&1 || tap_skip_all "timeout (coreutils) is not installed"
command -v mkfifo >/dev/null 2>&1 || tap_skip_all "mkfifo is not installed"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-signals.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
cleanup() {
	exec 3>&- 4<&-
	for _f in "$T"/*.pid; do
		[ -s "$_f" ] && kill -KILL "$(cat "$_f")" 2>/dev/null
	done
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

cat >"$T/msg" <<'EOM'
From: Sender <sender@client.test>
To: <rcpt@dest.test>
Subject: signals test
Date: Mon, 01 Jan 2024 12:00:00 +0000
Message-ID: <signals@client.test>

Body line.
EOM

MAY='it may have been delivered'

# conf NAME PORT: $T/NAME.cf relaying to [127.0.0.1]:PORT, dead letters
# in $T/NAME.dead.
conf() {
	printf '%s\n' "relayhost = [127.0.0.1]:$2" "myhostname = client.test" \
		"dead_letter_file = $T/$1.dead" >"$T/$1.cf"
}

# start NAME IN CMD...: CMD in the background under timeout, stdin from
# IN (opened there: IN may be a FIFO), stdout and stderr in $T/NAME.out
# and $T/NAME.err; CMD's own PID in $T/NAME.pid (sh execs it), its exit
# status in $T/NAME.rc. Sets job to the background job's PID.
start() {
	_n=$1 _in=$2
	shift 2
	rm -f "$T/$_n.pid" "$T/$_n.rc"
	(
		exec <"$_in" >"$T/$_n.out" 2>"$T/$_n.err"
		timeout 30 sh -c 'echo $$ >"$0" && exec "$@"' "$T/$_n.pid" "$@"
		echo $? >"$T/$_n.rc"
	) &
	job=$!
}

# until_true DESC CMD...: wait (at most 10 s) until CMD succeeds.
until_true() {
	_d=$1
	shift
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ "$_i" -gt 200 ] && {
			tap_diag "gave up waiting: $_d"
			return 1
		}
		sleep 0.05
	done
}

# pid NAME: the PID of relaymail run NAME, once it has one.
pid() {
	until_true "the PID of $1" test -s "$T/$1.pid" && cat "$T/$1.pid"
}

# blocked PID: true once PID sleeps in poll (it has read what there was
# to read). Where /proc does not tell, a second is taken as enough.
blocked() {
	_w=$(cat "/proc/$1/wchan" 2>/dev/null) || _w=
	case $_w in
	*poll*) return 0 ;;
	'' | 0)
		sleep 1
		return 0
		;;
	esac
	return 1
}

# stop NAME SIGNAL: send SIGNAL to relaymail run NAME and wait for it;
# sets rc and took (seconds from the signal to the exit, two decimals).
stop() {
	_p=$(pid "$1")
	_t0=$(date +%s.%N)
	kill -s "$2" "$_p"
	wait "$job"
	took=$(echo "$(date +%s.%N) $_t0" | awk '{ printf "%.2f", $1 - $2 }')
	rc=$(cat "$T/$1.rc" 2>/dev/null || echo none)
}

in_time() { awk -v t="$took" 'BEGIN { exit !(t < 1.0) }'; }
has() { grep -qs -- "$2" "$T/$1"; }
lacks() { ! grep -qs -- "$2" "$T/$1"; }
messages() { grep -c '^From ' "$T/$1.dead" 2>/dev/null || echo 0; }
transcript_has() { grep -q -- "$2" "$T/$1.tr" 2>/dev/null; }

# ---- During an attempt: a relay that stalls after the greeting.

for sig in TERM INT HUP; do
	name=greet$sig
	printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" stall >"$T/$name.script"
	fake_start "$name" "$T/$name.script"
	conf "$name" "$fake_port"
	start "$name" "$T/msg" "$RELAYMAIL" -C "$T/$name.cf" -f sender@client.test rcpt@dest.test
	until_true "EHLO at the relay" transcript_has "$name" '^# stall'
	stop "$name" "$sig"
	tap_is "$rc" 75 "SIG$sig while the relay stalls after its greeting: exit 75"
	tap_ok "SIG$sig: relaymail ends within a second (took $took s)" in_time
	tap_ok "SIG$sig: stderr names the signal" has "$name.err" \
		"while performing the EHLO handshake: interrupted by SIG$sig\$"
	tap_is "$(messages "$name")" 1 "SIG$sig: the message is in the dead letter file"
	tap_ok "SIG$sig: stderr says where it went" has "$name.err" \
		"the message was saved in $T/$name.dead"
	tap_ok "SIG$sig: no 'may have been delivered' before the final dot" lacks "$name.err" "$MAY"
	fake_stop "$name"
done
tap_ok "the dead letter file has the message whole" has greetTERM.dead '^Body line\.$'

# A SIGHUP that the caller ignores (nohup) is not a stop; SIGTERM still is.
if command -v nohup >/dev/null 2>&1; then
	printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" stall >"$T/nohup.script"
	fake_start nohup "$T/nohup.script"
	conf nohup "$fake_port"
	start nohup "$T/msg" nohup "$RELAYMAIL" -C "$T/nohup.cf" -f sender@client.test \
		rcpt@dest.test
	until_true "EHLO at the relay" transcript_has nohup '^# stall'
	kill -s HUP "$(pid nohup)"
	sleep 0.5
	tap_ok "under nohup, SIGHUP does not stop relaymail" test ! -f "$T/nohup.rc"
	stop nohup TERM
	tap_is "$rc" 75 "under nohup, SIGTERM does: exit 75"
	tap_is "$(messages nohup)" 1 "under nohup: the message is in the dead letter file"
	fake_stop nohup
else
	for _i in 1 2 3; do tap_skip "SIGHUP under nohup" "nohup is not installed"; done
fi

# Failover stops too: the fallback relay is never tried.
printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" stall >"$T/fo.script"
printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" "send 250 fake.test" \
	"expect QUIT" "send 221 bye" >"$T/fo2.script"
fake_start fo "$T/fo.script"
fo_port=$fake_port
fake_start fo2 "$T/fo2.script"
conf fo "$fo_port"
echo "smtp_fallback_relay = [127.0.0.1]:$fake_port" >>"$T/fo.cf"
start fo "$T/msg" "$RELAYMAIL" -C "$T/fo.cf" -f sender@client.test rcpt@dest.test
until_true "EHLO at the first relay" transcript_has fo '^# stall'
stop fo TERM
tap_is "$rc" 75 "SIGTERM with a fallback relay configured: exit 75"
tap_is "$(fake_transcript fo2)" "" "the fallback relay is not tried after the stop"
tap_is "$(messages fo)" 1 "the message is in the dead letter file"
fake_stop fo
fake_stop fo2

# ---- After the final dot: the relay may have the message.

printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" "send 250 fake.test" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
	"expect DATA" "send 354 go ahead" data stall >"$T/dot.script"
fake_start dot "$T/dot.script"
conf dot "$fake_port"
start dot "$T/msg" "$RELAYMAIL" -C "$T/dot.cf" -f sender@client.test rcpt@dest.test
until_true "the final dot at the relay" transcript_has dot '^# stall'
stop dot TERM
tap_is "$rc" 75 "SIGTERM after the final dot: exit 75"
tap_ok "after the final dot: ends within a second (took $took s)" in_time
tap_ok "after the final dot: the 'may have been delivered' warning" has dot.err "$MAY"
tap_ok "after the final dot: stderr names the signal and the stage" has dot.err \
	"while sending the end of the message: interrupted by SIGTERM\$"
tap_is "$(messages dot)" 1 "after the final dot: the message is in the dead letter file"
fake_stop dot

# ---- During intake: a producer that is slow to finish.

mkfifo "$T/slow.in"
port=$("$FREEPORT")
conf slow "$port"
start slow "$T/slow.in" "$RELAYMAIL" -C "$T/slow.cf" -f sender@client.test rcpt@dest.test
exec 3>"$T/slow.in"
printf 'Subject: slow\n\npart one\npart' >&3
until_true "relaymail waiting for the rest" blocked "$(pid slow)"
stop slow TERM
exec 3>&-
tap_is "$rc" 75 "SIGTERM while the message is being read: exit 75"
tap_ok "during intake: ends within a second (took $took s)" in_time
tap_ok "during intake: stderr says the message is incomplete, and why" has slow.err \
	"the message was not sent: it is incomplete (interrupted by SIGTERM while reading it)"
tap_is "$(messages slow)" 1 "during intake: the part read is in the dead letter file"
tap_ok "during intake: with what had come, the unfinished last line too" \
	sh -c "grep -qs '^part one\$' '$T/slow.dead' && grep -qs '^part\$' '$T/slow.dead'"
tap_ok "during intake: with the recipient of the command line" has slow.dead \
	'^X-Relaymail-Arg-Rcpt: rcpt@dest.test$'
tap_ok "during intake: marked incomplete, so --resend never sends it" has slow.dead \
	'^X-Relaymail-Incomplete: yes$'
tap_ok "during intake: no relay was tried" lacks slow.err 'connect'

# Nothing read at all: nothing to keep.
mkfifo "$T/none.in"
conf none "$port"
start none "$T/none.in" "$RELAYMAIL" -C "$T/none.cf" -f sender@client.test rcpt@dest.test
exec 3>"$T/none.in"
until_true "relaymail waiting for input" blocked "$(pid none)"
stop none INT
exec 3>&-
tap_is "$rc" 75 "SIGINT before any byte of the message: exit 75"
tap_ok "before any byte: stderr names the signal" has none.err "interrupted by SIGINT"
tap_is "$(messages none)" 0 "before any byte: nothing in the dead letter file"

# ---- -bs.

# bs_start NAME PORT: relaymail -bs reading $T/NAME.in, a FIFO this shell
# writes through descriptor 3.
bs_start() {
	conf "$1" "$2"
	mkfifo "$T/$1.in"
	start "$1" "$T/$1.in" "$RELAYMAIL" -C "$T/$1.cf" -bs
	exec 3>"$T/$1.in"
}

# Idle, between commands.
bs_start bsidle "$port"
printf 'EHLO client.test\r\n' >&3
until_true "the EHLO reply" has bsidle.out '^250 '
stop bsidle TERM
exec 3>&-
tap_is "$rc" 75 "-bs, SIGTERM while waiting for a command: exit 75"
tap_ok "-bs idle: ends within a second (took $took s)" in_time
tap_is "$(tail -n 1 "$T/bsidle.out" | tr -d '\r')" "421 4.3.2 client.test Error: shutting down" \
	"-bs idle: the last reply is 421 4.3.2 shutting down"
tap_ok "-bs idle: stderr names the signal" has bsidle.err \
	"interrupted by SIGTERM; ending the SMTP session"

# Inside DATA: the message was never answered; the client keeps it.
bs_start bsdata "$port"
printf 'EHLO client.test\r\nMAIL FROM:<sender@client.test>\r\nRCPT TO:<rcpt@dest.test>\r\n' >&3
printf 'DATA\r\nSubject: half\r\n\r\nthe first half\r\n' >&3
until_true "the 354" has bsdata.out '^354 '
stop bsdata HUP
exec 3>&-
tap_is "$rc" 75 "-bs, SIGHUP inside DATA: exit 75"
tap_is "$(tail -n 1 "$T/bsdata.out" | tr -d '\r')" "421 4.3.2 client.test Error: shutting down" \
	"-bs inside DATA: 421 4.3.2 shutting down"
tap_ok "-bs inside DATA: no 250 for the message" lacks bsdata.out '^250 2\.0\.0'
tap_is "$(messages bsdata)" 0 "-bs inside DATA: nothing in the dead letter file"

# While the message is relayed: the failure path (kept, 451), then 421.
printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" stall >"$T/bsrelay.script"
fake_start bsrelay "$T/bsrelay.script"
bs_start bsrelay "$fake_port"
printf 'EHLO client.test\r\nMAIL FROM:<sender@client.test>\r\nRCPT TO:<rcpt@dest.test>\r\n' >&3
printf 'DATA\r\nSubject: relayed\r\n\r\nwhole\r\n.\r\n' >&3
until_true "EHLO at the relay" transcript_has bsrelay '^# stall'
stop bsrelay TERM
exec 3>&-
tap_is "$rc" 75 "-bs, SIGTERM while the message is relayed: exit 75"
tap_ok "-bs relaying: ends within a second (took $took s)" in_time
tap_is "$(tail -n 2 "$T/bsrelay.out" | cut -c 1-3 | tr '\n' ' ')" "451 421 " \
	"-bs relaying: the message gets 451, then the session 421"
tap_ok "-bs relaying: the 451 says it was kept" has bsrelay.out 'kept in the dead letter file'
tap_is "$(messages bsrelay)" 1 "-bs relaying: the message is in the dead letter file"
fake_stop bsrelay

# ---- SIGPIPE: a reader that went away is a write error.

# -bs whose stdout reader is gone before the reply to EHLO.
mkfifo "$T/pipe.in" "$T/pipe.out"
conf pipe "$port"
rm -f "$T/pipe.rc"
(
	exec <"$T/pipe.in" >"$T/pipe.out" 2>"$T/pipe.err"
	timeout 30 "$RELAYMAIL" -C "$T/pipe.cf" -bs
	echo $? >"$T/pipe.rc"
) &
job=$!
exec 3>"$T/pipe.in" 4<"$T/pipe.out"
IFS= read -r greeting <&4
exec 4<&-
printf 'EHLO client.test\r\nQUIT\r\n' >&3
exec 3>&-
wait "$job"
tap_is "$(echo "$greeting" | cut -c 1-4)" "220 " "-bs: the greeting came before the reader left"
tap_is "$(cat "$T/pipe.rc")" 74 "-bs with its reader gone: exit 74 (I/O error), not SIGPIPE"
tap_ok "-bs with its reader gone: stderr says the write failed" has pipe.err \
	"cannot write the SMTP replies to standard output"

# The command line with its stderr reader gone: the reason cannot be
# told, but the message is still kept.
mkfifo "$T/epipe.in" "$T/epipe.err"
conf epipe "$port"
rm -f "$T/epipe.rc"
(
	exec <"$T/epipe.in" >/dev/null 2>"$T/epipe.err"
	timeout 30 "$RELAYMAIL" -C "$T/epipe.cf" -f sender@client.test rcpt@dest.test
	echo $? >"$T/epipe.rc"
) &
job=$!
exec 3>"$T/epipe.in" 4<"$T/epipe.err"
exec 4<&-
cat "$T/msg" >&3
exec 3>&-
wait "$job"
tap_is "$(cat "$T/epipe.rc")" 75 "stderr's reader gone, relay refusing: exit 75, not SIGPIPE"
tap_is "$(messages epipe)" 1 "stderr's reader gone: the message is in the dead letter file"

tap_done

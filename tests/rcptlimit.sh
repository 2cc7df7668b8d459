#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Many recipients, against tests/fakesmtp: a relay that answers 452 "too
# many recipients" after three gets the message for those three, and the
# rest in a new transaction on the same connection; when that second
# transaction fails, the message is kept for the recipients that did not
# get it only (a resend delivers nothing twice), and no fallback relay is
# tried (it would deliver to the first three again), not even under
# soft_bounce = yes.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
command -v timeout >/dev/null 2>&1 || tap_skip_all "timeout (coreutils) is not installed"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-rcptlimit.XXXXXX") || tap_bail "mktemp failed"
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

printf 'Subject: many\n\nto five\n' >"$T/msg"
RCPTS="r1@dest.test r2@dest.test r3@dest.test r4@dest.test r5@dest.test"

# first: the relay takes r1-r3 and answers 452 to r4 and r5, in one
# pipelined group, then takes the message for r1-r3 as Q1.
first() {
	printf '%s\n' "send 220 fake.test ESMTP fakesmtp" "expect EHLO" "send 250-fake.test" \
		"send 250 PIPELINING" "expect MAIL FROM:<a@client.test>" "send 250 2.1.0 Ok"
	for r in 1 2 3; do
		printf '%s\n' "expect RCPT TO:<r$r@dest.test>" "send 250 2.1.5 Ok"
	done
	for r in 4 5; do
		printf '%s\n' "expect RCPT TO:<r$r@dest.test>" \
			"send 452 4.5.3 Error: too many recipients"
	done
	printf '%s\n' "expect DATA" "send 354 go ahead" data "send 250 2.0.0 Ok: queued as Q1"
	printf '%s\n' "expect MAIL FROM:<a@client.test>" "send 250 2.1.0 Ok"
	for r in 4 5; do
		printf '%s\n' "expect RCPT TO:<r$r@dest.test>" "send 250 2.1.5 Ok"
	done
	printf '%s\n' "expect DATA" "send 354 go ahead" data
}

# run NAME [LINE...]: relaymail to the five recipients through the fake
# server (fake_port), config lines added; sets rc.
run() {
	_n=$1
	shift
	printf '%s\n' "relayhost = [127.0.0.1]:$fake_port" "myhostname = client.test" \
		"smtp_tls_security_level = none" "dead_letter_file = $T/$_n.dead" "$@" >"$T/$_n.cf"
	# shellcheck disable=SC2086
	timeout 60 "$RELAYMAIL" -C "$T/$_n.cf" -f a@client.test $RCPTS <"$T/msg" \
		>"$T/$_n.out" 2>"$T/$_n.err"
	rc=$?
}

# ---- 452 after three: two transactions, both accepted.
{ first; printf '%s\n' "send 250 2.0.0 Ok: queued as Q2" "expect QUIT" "send 221 Bye"; } \
	>"$T/split.script"
fake_start split "$T/split.script"
run split
tap_is "$rc" 0 "452 after three recipients: exit 0"
tap_is "$(fake_status split)" 0 \
	"the message to r1-r3, then MAIL, RCPT r4 and r5 and the message again, one connection"
tap_is "$(grep -c '^# data' "$T/split.tr")" 2 "the relay received the message twice"
tap_ok "452 after three recipients: no dead letter" test ! -e "$T/split.dead"

# ---- The second transaction fails: kept for r4 and r5 only, and the
# fallback relay is not tried.
{ first; printf '%s\n' "send 451 4.3.0 Error: try again later" "expect QUIT" "send 221 Bye"; } \
	>"$T/half.script"
printf '%s\n' "send 220 backup.test ESMTP" "expect EHLO" "send 250 backup.test" >"$T/backup.script"
fake_start backup "$T/backup.script"
backup_port=$fake_port
fake_start half "$T/half.script"
run half "smtp_fallback_relay = [127.0.0.1]:$backup_port"
tap_is "$rc" 75 "second part refused for now: exit 75"
tap_is "$(fake_status half)" 0 "second part refused for now: the relay's dialogue as scripted"
tap_ok "the fallback relay is not tried" test ! -s "$T/backup.tr"
tap_is "$(grep '^X-Relaymail-Rcpt:' "$T/half.dead" | tr '\n' ' ')" \
	"X-Relaymail-Rcpt: <r4@dest.test> X-Relaymail-Rcpt: <r5@dest.test> " \
	"kept for r4 and r5 only"
tap_ok "stderr says the relay took it for three" grep -q 'for 3 recipients' "$T/half.err"

# ---- The same refused for good, with soft_bounce = yes: temporary, and
# still no fallback (which soft_bounce tries when nobody has the message).
{ first; printf '%s\n' "send 554 5.7.1 Error: no thanks" "expect QUIT" "send 221 Bye"; } \
	>"$T/soft.script"
fake_start backup "$T/backup.script"
backup_port=$fake_port
fake_start soft "$T/soft.script"
run soft "smtp_fallback_relay = [127.0.0.1]:$backup_port" "soft_bounce = yes"
tap_is "$rc" 75 "second part refused for good, soft_bounce = yes: exit 75"
tap_ok "soft_bounce = yes: the fallback relay is not tried after a part went" \
	test ! -s "$T/backup.tr"
tap_is "$(grep '^X-Relaymail-Rcpt:' "$T/soft.dead" | tr '\n' ' ')" \
	"X-Relaymail-Rcpt: <r4@dest.test> X-Relaymail-Rcpt: <r5@dest.test> " \
	"soft_bounce = yes: kept for r4 and r5 only"

tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Nothing lost (issue 10), against tests/fakesmtp: where a message that
# could not be sent is kept (the XDG state file, the spool for a user
# whose home cannot be written, $TMPDIR last, never through a link), and
# relaymail --resend: everything sent once, in order, what fails kept
# again with the new reason, a stopped run going on where it stopped, two
# runs at once and a failure during a run losing nothing. The cases of
# www-data, nobody and a user ID without a passwd entry run as those
# users when the test runs as root (gated like the Postfix tests).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-dead.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
trap 'fake_stop_all; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# Other users run a copy of the program from here.
chmod 0755 "$T"
cp "$RELAYMAIL" "$T/relaymail" || tap_bail "cannot copy $RELAYMAIL"
RM=$T/relaymail
mkdir -m 1777 "$T/spool" "$T/tmp"
HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state TMPDIR=$T/tmp
export HOME XDG_CONFIG_HOME XDG_STATE_HOME TMPDIR
unset RELAYMAIL_CONFIG
dead=$("$top_builddir/tests/freeport") || tap_bail "no free port"

# msg N [EXTRA HEADER]: a message whose Subject says N.
msg() {
	printf 'From: Sender <s@client.test>\nSubject: kept %s\n%s\nplain body %s\nFrom the body\n' \
		"$1" "${2:-}" "$1"
}

# conf NAME PORT [LINE...]: $T/NAME.cf relaying to [127.0.0.1]:PORT.
conf() {
	_n=$1 _p=$2
	shift 2
	{
		echo "relayhost = [127.0.0.1]:$_p"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_spool = $T/spool"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
	chmod 0644 "$T/$_n.cf"
}

# accept R...: a script of one connection per R, each taking one message
# for R recipients.
accept() {
	for _r in "$@"; do
		printf '%s\n' connection "send 220 fake.test ESMTP" "expect EHLO" \
			"send 250 fake.test" "expect MAIL FROM:" "send 250 2.1.0 Ok"
		_i=0
		while [ "$_i" -lt "$_r" ]; do
			printf '%s\n' "expect RCPT TO:" "send 250 2.1.5 Ok"
			_i=$((_i + 1))
		done
		printf '%s\n' "expect DATA" "send 354 go on" data "send 250 2.0.0 Ok: queued" \
			"expect QUIT" "send 221 2.0.0 Bye"
	done
}

# relay NAME R...: start a fake relay NAME (accept R...); sets port.
relay() {
	_n=$1
	shift
	accept "$@" >"$T/$_n.script"
	FAKE_TIMEOUT=60 fake_start "$_n" "$T/$_n.script"
	port=$fake_port
}

# lines NAME WHAT: the transcript lines of relay NAME starting with WHAT.
lines() {
	sed -n "s/^C[:+] $2/$2/p" "$T/$1.tr" 2>/dev/null
}

conf down "$dead"

# ---- The XDG state file, and --resend sending it all. --------------------
msg 1 | "$RM" -C "$T/down.cf" -f s1@client.test r1@dest.test >"$T/out" 2>"$T/err"
tap_is "$?" 75 "relay down: exit 75"
mbox=$T/state/relaymail/dead.letter
tap_ok "relay down: stderr names the file" grep -qF "the message was saved in $mbox" "$T/err"
printf 'To: r2@dest.test\nCc: r3@dest.test\nBcc: r4@dest.test\n' >"$T/h"
msg 2 "$(cat "$T/h")" | "$RM" -C "$T/down.cf" -t >/dev/null 2>"$T/err"
tap_is "$?" 75 "relay down, -t: exit 75"
tap_is "$(stat -c %a "$mbox") $(stat -c %a "$(dirname "$mbox")")" "600 700" \
	"the dead letter file is 0600 in a 0700 folder"
tap_is "$(grep -c '^From ' "$mbox")" 2 "both messages are in it"
tap_ok "a body line \"From \" is quoted" grep -qx '>From the body' "$mbox"

relay up1 1 3
conf up1 "$port"
"$RM" -C "$T/up1.cf" --resend >"$T/out" 2>"$T/err"
tap_is "$?" 0 "--resend: exit 0" || tap_diag "$(cat "$T/err")"
tap_is "$(cat "$T/err")" "" "--resend that sends everything is silent"
tap_is "$(lines up1 'MAIL FROM:' | tr '\n' ' ')" \
	"MAIL FROM:<s1@client.test> MAIL FROM:<root@client.test> " \
	"--resend: the senders, in order"
tap_is "$(lines up1 'RCPT TO:' | tr '\n' ' ')" \
	"RCPT TO:<r1@dest.test> RCPT TO:<r2@dest.test> RCPT TO:<r3@dest.test> RCPT TO:<r4@dest.test> " \
	"--resend: the recipients as they were built, Bcc included"
tap_is "$(grep -c 'X-Relaymail' "$T/up1.tr")" 0 "--resend: no X-Relaymail line goes out"
tap_is "$(grep -c '^C[:+] Bcc:' "$T/up1.tr")" 0 "--resend: no Bcc field goes out"
tap_ok "--resend: a quoted From_ line goes out as it was" grep -q '^C[:+] From the body$' "$T/up1.tr"
tap_is "$(ls "$T/state/relaymail")" "" "--resend: nothing is left"
"$RM" -C "$T/up1.cf" --resend >"$T/out" 2>"$T/err"
tap_is "$?" 0 "--resend with nothing kept: exit 0"

# ---- A refusal on resend is kept, with the relay's words. ----------------
msg 3 | "$RM" -C "$T/down.cf" -f s3@client.test r3@dest.test 2>/dev/null
printf '%s\n' "send 220 fake.test ESMTP" "expect EHLO" "send 250 fake.test" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" \
	"send 550 5.1.1 <r3@dest.test>: Recipient address rejected" "expect RSET" \
	"send 250 Ok" "expect QUIT" "send 221 Bye" >"$T/refuse.script"
FAKE_TIMEOUT=60 fake_start refuse "$T/refuse.script"
conf refuse "$fake_port"
"$RM" -C "$T/refuse.cf" --resend >"$T/out" 2>"$T/err"
tap_is "$?" 67 "--resend, recipient refused: exit 67 (the status of a refusal)"
tap_ok "--resend, refused: the message is kept again" \
	grep -q '^Subject: kept 3' "$mbox"
tap_ok "--resend, refused: with the relay's words as the reason" \
	grep -q '^X-Relaymail-Reason: .*550 5.1.1' "$mbox"
tap_ok "--resend, refused: stderr says how many are left" \
	grep -q 'messages sent again: 0; kept for later: 1' "$T/err"
relay up2 1
conf up2 "$port"
"$RM" -C "$T/up2.cf" --resend 2>"$T/err"
tap_is "$?" 0 "--resend once the recipient is fixed: exit 0"
tap_is "$(lines up2 'RCPT TO:')" "RCPT TO:<r3@dest.test>" "... to the recipient it had"

# ---- A stopped --resend goes on where it was. ----------------------------
for n in 4 5 6; do msg $n | "$RM" -C "$T/down.cf" -f s$n@client.test r$n@dest.test 2>/dev/null; done
second=$(grep -b '^From ' "$mbox" | sed -n '2s/:.*//p')
mv "$mbox" "$mbox.resend-abcdef"
printf '%020d\n' "$second" >"$mbox.resend-abcdef.pos"
relay up3 1 1
conf up3 "$port"
"$RM" -C "$T/up3.cf" --resend 2>"$T/err"
tap_is "$?" 0 "a stopped --resend: the next one ends it"
tap_is "$(lines up3 'MAIL FROM:' | tr '\n' ' ')" "MAIL FROM:<s5@client.test> MAIL FROM:<s6@client.test> " \
	"a stopped --resend: only what it had not done, in order"
tap_is "$(ls "$T/state/relaymail")" "" "a stopped --resend: nothing is left"

# ---- Two runs at once, and a failure during a run. -----------------------
# The second run may take the message kept meanwhile: the relay takes
# seven, each of them slowly.
for n in 11 12 13 14 15 16; do msg $n | "$RM" -C "$T/down.cf" -f s$n@client.test r@dest.test 2>/dev/null; done
accept 1 1 1 1 1 1 1 | sed 's/^send 250 2.0.0 Ok: queued$/delay 300\nsend 250 2.0.0 Ok: queued/' \
	>"$T/slow.script"
FAKE_TIMEOUT=60 fake_start slow "$T/slow.script"
conf slow "$fake_port"
"$RM" -C "$T/slow.cf" --resend 2>"$T/err.a" &
pa=$!
sleep 0.2
"$RM" -C "$T/slow.cf" --resend 2>"$T/err.b" &
pb=$!
msg 17 | "$RM" -C "$T/down.cf" -f s17@client.test r@dest.test 2>"$T/err.c"
rc17=$?
wait "$pa"
ra=$?
wait "$pb"
rb=$?
tap_is "$rc17" 75 "a failure during a --resend: exit 75"
sent17=$(lines slow 'MAIL FROM:<s17@' | wc -l)
kept17=$(grep -c '^Subject: kept 17' "$mbox" 2>/dev/null)
tap_is "$sent17 + ${kept17:-0}" "$((1 - ${kept17:-0})) + ${kept17:-0}" \
	"the message kept meanwhile is sent once or kept, never lost"
tap_is "$(lines slow 'MAIL FROM:' | sort | uniq -d)" "" "two --resend at once: no message twice"
tap_is "$(lines slow 'MAIL FROM:' | grep -vc 's17@')" 6 "two --resend at once: all six sent"
tap_is "$ra" 0 "the first --resend: exit 0" || tap_diag "$(cat "$T/err.a")"
case $rb in 0 | 75) tap__result 0 "the second --resend: exit 0 or 75 (left to the first)" ;;
*) tap__result 1 "the second --resend: exit 0 or 75, got $rb" ;;
esac
rm -f "$mbox"
fake_stop slow

# ---- A --resend that is stopped keeps what it did not send. --------------
for n in 41 42 43; do msg $n | "$RM" -C "$T/down.cf" -f s$n@client.test r@dest.test 2>/dev/null; done
accept 1 1 1 | sed 's/^send 220 fake.test ESMTP$/delay 600\nsend 220 fake.test ESMTP/' \
	>"$T/late.script"
FAKE_TIMEOUT=60 fake_start late "$T/late.script"
conf late "$fake_port"
"$RM" -C "$T/late.cf" --resend 2>"$T/err" &
pr=$!
sleep 1
kill -TERM "$pr"
wait "$pr"
tap_is "$?" 75 "a --resend stopped by SIGTERM: exit 75"
relay after 1 1 1
conf after "$port"
"$RM" -C "$T/after.cf" --resend 2>"$T/err"
tap_is "$?" 0 "the next --resend sends the rest"
tap_is "$( (lines late 'MAIL FROM:'; lines after 'MAIL FROM:') | sort | tr '\n' ' ')" \
	"MAIL FROM:<s41@client.test> MAIL FROM:<s42@client.test> MAIL FROM:<s43@client.test> " \
	"a stopped --resend and the next one: each message sent once"
tap_is "$(ls "$T/state/relaymail")" "" "... and nothing is left"
fake_stop late
fake_stop after

# ---- Never through a link; nowhere to keep it. ---------------------------
mkdir -p "$T/state2/relaymail" && ln -s "$T/target" "$T/state2/relaymail/dead.letter"
msg 20 | XDG_STATE_HOME=$T/state2 "$RM" -C "$T/down.cf" -f s@client.test r@dest.test 2>"$T/err"
tap_is "$?" 75 "a link at the dead letter file: exit 75"
tap_ok "... the link is not followed" test ! -e "$T/target"
tap_ok "... the message goes to the spool" grep -q "saved in $T/spool/$(id -u)\." "$T/err"
rm -f "$T/spool"/*
conf nowhere "$dead" "dead_letter_spool = $T/no/spool"
msg 21 | XDG_STATE_HOME=/proc/none TMPDIR=$T/no/tmp "$RM" -C "$T/nowhere.cf" -f s@client.test \
	r@dest.test 2>"$T/err"
tap_is "$?" 75 "nowhere to keep it: exit 75"
tap_ok "nowhere to keep it: stderr says so and names dead_letter_file" \
	grep -q 'could not be saved.*dead_letter_file' "$T/err"
conf off "$dead" "dead_letter_file ="
msg 22 | "$RM" -C "$T/off.cf" -f s@client.test r@dest.test 2>"$T/err"
tap_ok "dead_letter_file empty: stderr says it was not saved" grep -q 'not saved' "$T/err"

# ---- Other users. ---------------------------------------------------------
as_user() { # USER HOME CMD...: run as USER (its group, no others)
	_u=$1 _h=$2
	shift 2
	setpriv --reuid="$_u" --regid="$(id -g "$_u" 2>/dev/null || echo "$_u")" --clear-groups \
		env HOME="$_h" XDG_STATE_HOME= XDG_CONFIG_HOME= TMPDIR="$T/tmp" "$@"
}
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	[ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ] && tap_bail "the user cases need root and setpriv"
	tap_skip "www-data, nobody and a user ID without a name" "not root, or no setpriv"
	tap_done
fi
mkdir -m 0755 "$T/wwwhome"
msg 30 | as_user www-data "$T/wwwhome" "$RM" -C "$T/down.cf" -f web@client.test r@dest.test \
	2>"$T/err"
tap_is "$?" 75 "www-data, home not writable: exit 75"
wfile=$(sed -n 's/^relaymail: the message was saved in //p' "$T/err")
case $wfile in "$T/spool/$(id -u www-data)."*) tap__result 0 "www-data: kept in the spool" ;;
*) tap__result 1 "www-data: kept in the spool (got '$wfile')" ;;
esac
tap_is "$(stat -c '%U %a' "$wfile" 2>/dev/null)" "www-data 600" "www-data: the file is its own, 0600"
as_user nobody /nonexistent cat "$wfile" >/dev/null 2>&1
tap_is "$?" 1 "nobody cannot read it"
as_user nobody /nonexistent rm -f "$wfile" 2>/dev/null
tap_ok "nobody cannot remove it" test -f "$wfile"
as_user nobody /nonexistent "$RM" -C "$T/up1.cf" --resend >/dev/null 2>&1
tap_ok "nobody's --resend leaves it alone" test -f "$wfile"
relay www 1
conf www "$port"
as_user www-data "$T/wwwhome" "$RM" -C "$T/www.cf" --resend 2>"$T/err"
tap_is "$?" 0 "www-data --resend: exit 0" || tap_diag "$(cat "$T/err")"
tap_is "$(lines www 'MAIL FROM:')" "MAIL FROM:<web@client.test>" "www-data --resend: sent"
tap_ok "www-data --resend: the spool file is gone" test ! -e "$wfile"

conf nospool "$dead" "dead_letter_spool = $T/no/spool"
msg 31 | as_user nobody /nonexistent "$RM" -C "$T/nospool.cf" -f nobody@client.test r@dest.test \
	2>"$T/err"
tap_is "$?" 75 "nobody, no home and no spool: exit 75"
nfile=$(sed -n 's/^relaymail: the message was saved in //p' "$T/err")
case $nfile in "$T/tmp/relaymail-dead.$(id -u nobody)."*) tap__result 0 "nobody: kept in \$TMPDIR" ;;
*) tap__result 1 "nobody: kept in \$TMPDIR (got '$nfile')" ;;
esac
tap_ok "nobody: a warning that it may not survive a reboot" grep -q 'may not survive a reboot' "$T/err"
relay nob 1
conf nob "$port" "dead_letter_spool = $T/no/spool"
as_user nobody /nonexistent "$RM" -C "$T/nob.cf" --resend 2>"$T/err"
tap_is "$?" 0 "nobody --resend from \$TMPDIR: exit 0"
tap_ok "nobody --resend: the file is gone" test ! -e "$nfile"

uid=1000123
getent passwd "$uid" >/dev/null && tap_bail "user ID $uid has a passwd entry here"
msg 32 | as_user "$uid" /nonexistent "$RM" -C "$T/down.cf" r@dest.test 2>"$T/err"
tap_is "$?" 78 "a user ID without a name and no -f: exit 78"
tap_ok "... the error names -f and sender_canonical_maps" \
	grep -q 'no login name.*-f.*sender_canonical_maps' "$T/err"
tap_ok "... the message is kept" grep -q "saved in $T/spool/$uid\." "$T/err"
msg 33 | as_user "$uid" /nonexistent "$RM" -C "$T/down.cf" -f app@client.test r@dest.test 2>"$T/err"
tap_is "$?" 75 "a user ID without a name, with -f: the name is not needed (75: relay down)"
relay nameless 1
conf nameless "$port" "sender_canonical_maps = static:app@client.test"
msg 34 | as_user "$uid" /nonexistent "$RM" -C "$T/nameless.cf" r@dest.test 2>"$T/err"
tap_is "$?" 0 "a user ID without a name, with a static: sender map: sent" ||
	tap_diag "$(cat "$T/err")"
tap_is "$(lines nameless 'MAIL FROM:')" "MAIL FROM:<app@client.test>" "... as the map says"

if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
	mkdir -p "$T/ro"
	msg 35 | unshare -m sh -c "mount -t tmpfs none '$T/ro' && mount -o remount,ro '$T/ro' &&
		HOME='$T/ro' XDG_STATE_HOME= '$RM' -C '$T/down.cf' -f s@client.test r@dest.test" \
		2>"$T/err"
	tap_is "$?" 75 "a read-only home: exit 75"
	tap_ok "a read-only home: kept in the spool" grep -q "saved in $T/spool/" "$T/err"
else
	tap_skip "a read-only home" "unshare -m is not allowed here"
fi
tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The sendmail flag matrix against the real Postfix relay: each flag seen
# where it shows (the sink, the relay's DSN, the SMTP dialogue of -v, exit
# status and stderr), and each hostile argument refused with 64 and
# nothing delivered. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"

client_start cli
conf_submission sub
conf_plain plain

# --- -t: header recipients are added; Bcc and Resent-Bcc never arrive. ---
message "$T/t1" "-t" "Cc: Carbon <cc@dest.test>" "Bcc: hidden@dest.test"
send sub -t -f "$RELAY_USER1" argv@dest.test <"$T/t1"
diag_failure
tap_is "$rc" 0 "-t: exit 0"
d=$(take 4)
tap_is "$(field Delivered-To "$d")" \
	"argv@dest.test cc@dest.test hidden@dest.test rcpt$n_msg@dest.test" \
	"-t: argv, To, Cc and Bcc recipients each received the message"
tap_ok "-t: no Bcc header at the sink" sh -c '! grep -qi "^Bcc:" "$1"/*' - "$d"

{
	echo "From: Original <orig@dest.test>"
	echo "To: first@dest.test"
	echo "Cc: firstcc@dest.test"
	echo "Subject: resent"
	echo "Resent-From: <$RELAY_USER1>"
	echo "Resent-To: again@dest.test"
	echo "Resent-Cc: Some One <againcc@dest.test>"
	echo "Resent-Bcc: secret@dest.test"
	echo ""
	echo "Resent message."
} >"$T/t2"
send sub -t -f "$RELAY_USER1" <"$T/t2"
diag_failure
tap_is "$rc" 0 "-t with Resent-*: exit 0"
d=$(take 3)
tap_is "$(field Delivered-To "$d")" "again@dest.test againcc@dest.test secret@dest.test" \
	"-t with Resent-*: only the Resent- recipients (Resent-Bcc too) received it"
tap_ok "-t with Resent-*: no Resent-Bcc header at the sink" \
	sh -c '! grep -qi "^Resent-Bcc:" "$1"/*' - "$d"
tap_ok "-t with Resent-*: To and Cc kept as they were" \
	sh -c 'grep -q "^To: first@dest.test" "$1"/* && grep -q "^Cc: firstcc@dest.test" "$1"/*' \
	- "$d"

printf 'Subject: no recipients\n\nx\n' >"$T/t3"
send sub -t -f "$RELAY_USER1" <"$T/t3"
tap_is "$rc" 64 "-t without recipient headers: exit 64"

# --- A 90 KiB To field (4700 addresses), between the 64 KiB the header ---
# rewriting once stopped at ("out of memory", exit 70) and
# header_size_limit: sent with -bm, its one old address rewritten.
conf_plain bigto "recipient_canonical_maps = inline:{ {bob@old.example = bob@new.example} }"
{
	echo "From: Test User <$RELAY_USER1>"
	awk 'BEGIN {
		printf "To: bob@old.example"
		for (i = 0; i < 4700; i++)
			printf "%s user%d@x.example", (i % 6 == 0 ? ",\n" : ","), i
		print ""
	}'
	echo "Subject: a 90 KiB To"
	echo ""
	echo "body"
} >"$T/bigto"
send bigto -bm -f "$RELAY_USER1" bigto@dest.test <"$T/bigto"
diag_failure
tap_is "$rc" 0 "90 KiB To field, -bm: exit 0"
d=$(take 1)
sed -n '/^To:/,/^[^ \t]/p' "$d"/* >"$T/to"
tap_ok "90 KiB To field, -bm: delivered whole, the old address rewritten" \
	sh -c 'test "$(wc -c <"$1")" -gt 92160 && grep -q "^To: bob@new.example," "$1" &&
		grep -q "user4699@x.example" "$1" && ! grep -q old.example "$1"' - "$T/to"
send bigto -t -f "$RELAY_USER1" <"$T/bigto"
tap_is "$rc" 65 "90 KiB To field with -t: 4701 recipients are too many for one message: exit 65"
tap_ok "90 KiB To field with -t: the message is kept" \
	grep -q '^Subject: a 90 KiB To' "$T/dead.letter"

# --- -f, -r: envelope sender, the null sender on the plain port. ---------
message "$T/f1" "-r"
send sub -r "$RELAY_USER1" r@dest.test <"$T/f1"
d=$(take 1)
tap_is "$rc/$(field Return-Path "$d")" "0/<$RELAY_USER1>" "-r sets the envelope sender"
printf 'Subject: null sender\n\nbounce-like\n' >"$T/f2"
send plain -f '<>' null@dest.test <"$T/f2"
diag_failure
d=$(take 1)
tap_is "$rc/$(field Return-Path "$d")" "0/<>" "-f '<>': Return-Path <> at the sink"
send plain -f '' null2@dest.test <"$T/f2"
d=$(take 1)
tap_is "$rc/$(field Return-Path "$d")" "0/<>" "-f '': the null sender too"
send plain null3@dest.test <"$T/f2"
d=$(take 1)
tap_is "$(field Return-Path "$d")" "<$(id -un)@dest.test>" \
	"no -f: the login, qualified with myorigin"

# --- -F: the full name of an added From. ----------------------------------
printf 'Subject: full name\n\nx\n' >"$T/F1"
send sub -f "$RELAY_USER1" -F "Full, Name" fullname@dest.test <"$T/F1"
d=$(take 1)
tap_is "$rc/$(field From "$d")" "0/\"Full, Name\" <$RELAY_USER1>" \
	"-F 'Full, Name': From: \"Full, Name\" <sender>"
send sub -f "$RELAY_USER1" -FCronDaemon fullname@dest.test <"$T/F1"
d=$(take 1)
tap_is "$(field From "$d")" "CronDaemon <$RELAY_USER1>" "-FCronDaemon: attached form"
message "$T/F2" "has From"
send sub -f "$RELAY_USER1" -F "Ignored Name" fullname@dest.test <"$T/F2"
d=$(take 1)
tap_is "$(field From "$d")" "Test User <$RELAY_USER1>" "-F leaves an existing From alone"

# --- -N, -R, -V: DSN parameters, seen in the relay's delivery report. ----
message "$T/dsn" "dsn"
send sub -f "$RELAY_USER1" -N success,failure -R hdrs -V 'cli test+1=x' dsn@dest.test \
	<"$T/dsn"
diag_failure
d=$(take 2)
tap_is "$rc/$(field Return-Path "$d")" "0/<> <$RELAY_USER1>" \
	"-N success: the relay sends a success report to the sender"
report=$(grep -l '^Return-Path: <>' "$d"/* | head -n 1)
tap_is "$(sed -n 's/^Original-Envelope-Id: //p' "$report")" "cli test+1=x" \
	"-V: ENVID arrives (xtext-encoded on the wire, decoded by the relay)"
tap_ok "-R hdrs: the report returns the headers only" \
	grep -q '^Content-Type: text/rfc822-headers' "$report"
send sub -v -f "$RELAY_USER1" -N never -R full -V envid dsn2@dest.test <"$T/dsn"
d=$(take 1)
tap_ok "-N never -R full -V envid: in the SMTP dialogue" \
	sh -c 'grep -q "^>>> MAIL FROM:<$1> SIZE=[0-9]* RET=FULL ENVID=envid$" "$2" &&
		grep -q "^>>> RCPT TO:<dsn2@dest.test> NOTIFY=NEVER$" "$2"' \
	- "$RELAY_USER1" "$T/err"
tap_is "$(count "$d")" 1 "-N never: no report, just the message"
send sub -f "$RELAY_USER1" -N bogus -R some dsn3@dest.test <"$T/dsn"
d=$(take 1)
tap_is "$rc/$(count "$d")" 0/1 "bad -N and -R values: warned and ignored, delivered"
tap_ok "bad -N and -R values: two warnings" \
	sh -c 'grep -q "bad -N option value \"bogus\"" "$1" &&
		grep -q "bad -R option value \"some\"" "$1"' - "$T/err"

# --- -B and 8-bit content. -----------------------------------------------
message "$T/8bit" "8bit" "Content-Type: text/plain; charset=utf-8"
printf 'Gr\303\274\303\237e aus M\303\274nchen.\n' >>"$T/8bit"
send sub -v -f "$RELAY_USER1" -B 8BITMIME eight@dest.test <"$T/8bit"
d=$(take 1)
tap_ok "-B 8BITMIME with 8-bit content: BODY=8BITMIME, arrives byte-exact" \
	sh -c 'grep -q "^>>> MAIL FROM:.* BODY=8BITMIME" "$1" && [ "$2" = 0 ]' - "$T/err" "$rc"
tap_ok "8-bit body arrives byte-exact" same_as_sent "$T/8bit" "$d"
send sub -v -f "$RELAY_USER1" eight@dest.test <"$T/8bit"
d=$(take 1)
tap_ok "8-bit content without -B: BODY=8BITMIME all the same" \
	grep -q "^>>> MAIL FROM:.* BODY=8BITMIME" "$T/err"
send sub -v -f "$RELAY_USER1" -B8BITMIME ascii@dest.test <"$T/dsn"
d=$(take 1)
tap_ok "-B8BITMIME with ASCII content: BODY=8BITMIME, declared as asked (as Postfix does)" \
	grep -q "^>>> MAIL FROM:.* BODY=8BITMIME" "$T/err"
send sub -B 8bitmime x@dest.test <"$T/dsn"
tap_is "$rc" 64 "-B 8bitmime (wrong case): exit 64"

# --- -i, -oi and the lone dot. --------------------------------------------
message "$T/dot" "dots"
printf '%s\n' "line one" "." "after the dot" >>"$T/dot"
send sub -f "$RELAY_USER1" dot@dest.test <"$T/dot"
d=$(take 1)
tap_is "$(body "$d"/* | tr '\n' '|')" "Body of test message $n_msg.|line one|" \
	"no -i: a lone dot ends the message"
for flag in -i -oi; do
	send sub "$flag" -f "$RELAY_USER1" dot@dest.test <"$T/dot"
	d=$(take 1)
	tap_ok "$flag: the lone dot is text, the message arrives byte-exact" \
		same_as_sent "$T/dot" "$d"
done

# --- Long lines and NUL. --------------------------------------------------
message "$T/long" "long line"
awk 'BEGIN { for (i = 0; i < 2500; i++) printf "%d", i % 10; printf "\n" }' >>"$T/long"
printf 'nul\000here\n' >>"$T/long"
send sub -f "$RELAY_USER1" long@dest.test <"$T/long"
d=$(take 1)
tap_is "$(sed -n '/^$/q; s/^Content-Transfer-Encoding: //p' "$d"/*)" quoted-printable \
	"a 2500-octet line: the message arrives quoted-printable (tests/longlines.sh)"
tap_is "$(body "$d"/* | awk '/=$/ { printf "%s", substr($0, 1, length($0) - 1); next }
	{ print }' | sed -n 2p)" "$(awk 'BEGIN { for (i = 0; i < 2500; i++) printf "%d", i % 10 }')" \
	"joined at its soft line breaks, the line is the 2500 digits as sent"
tap_is "$(body "$d"/* | tail -n 1)" "nul here" "a NUL in the body arrives as a space"

# --- Modes: -bm, -bp, mailq, -bd, -q, -bv, -bh, --help, --version. ----------
message "$T/bm" "bm"
send sub -bm -L relaymail-test -f "$RELAY_USER1" bm@dest.test <"$T/bm"
d=$(take 1)
tap_is "$rc/$(count "$d")" 0/1 "-bm -L label: delivered"
send sub -bp
tap_is "$rc/$(cat "$T/out")" "0/Mail queue is empty" "-bp: Mail queue is empty, exit 0"
ln -sf "$RELAYMAIL" "$T/mailq"
"$T/mailq" >"$T/out" 2>&1
tap_is "$?/$(cat "$T/out")" "0/Mail queue is empty" "mailq: Mail queue is empty, exit 0"
send sub -bp x@dest.test
tap_is "$rc/$(cat "$T/err")" "64/relaymail: -bp mode requires no recipient" \
	"-bp with a recipient: exit 64"
send sub -bd
tap_is "$rc" 64 "-bd: refused, exit 64"
tap_ok "-bd: says there is no daemon" grep -q "no daemon mode" "$T/err"
for q in -q -q15m -qRdest.test -qIABCDEF; do
	send sub "$q"
	tap_is "$rc/$(cat "$T/err")" \
		"0/relaymail: no queue to run: each message is sent when it is submitted" \
		"$q: exit 0 with a note on stderr"
done
send sub -qX
tap_is "$rc" 64 "-qX: exit 64"
send sub -bh
tap_is "$rc/$(cat "$T/err")" "0/" "-bh: exit 0, silent"
send sub --help
tap_ok "--help: usage on stdout, exit 0" \
	sh -c '[ "$1" = 0 ] && head -n 1 "$2" | grep -q "^Usage: relaymail"' - "$rc" "$T/out"
send sub --version
tap_ok "--version: version and features, exit 0" \
	sh -c '[ "$1" = 0 ] && head -n 1 "$2" | grep -q "^relaymail [0-9]" &&
		grep -q "^tls: GnuTLS" "$2"' - "$rc" "$T/out"

send sub -bv -f "$RELAY_USER1" one@dest.test "Two <two@DEST.test>" </dev/null
tap_is "$rc" 0 "-bv: exit 0"
tap_is "$(cat "$T/out")" "sender: <$RELAY_USER1>
recipient: <one@dest.test>
recipient: <two@DEST.test>
relay 1: [$RELAY_HOST]:$RELAY_SUBMISSION_PORT (tls: verify, auth: yes as $RELAY_USER1)" \
	"-bv: envelope and the relay with TLS level and AUTH"
send plain -bv -f '<>' root
tap_is "$rc/$(tr "\n" "|" <"$T/out")" \
	"0/sender: <>|recipient: <root@dest.test>|relay 1: [$RELAY_HOST]:$RELAY_PLAIN_PORT (tls: none, auth: no)|" \
	"-bv: null sender, root qualified, the plain relay"
send sub -bv -t x@dest.test
tap_is "$rc/$(cat "$T/err")" "64/relaymail: -t option cannot be used with -bv" "-bv -t: exit 64"
tap_is "$(nothing_arrives)" 0 "-bv sends nothing"

# --- -X: ignored with a warning, nothing written. -------------------------
message "$T/X" "-X"
send sub -X "$T/shell.php" -f "$RELAY_USER1" x@dest.test <"$T/X"
d=$(take 1)
tap_is "$rc/$(count "$d")" 0/1 "-X FILE: delivered all the same"
tap_ok "-X FILE: a warning names it, and no file appears" \
	sh -c 'grep -q "warning: option -X $1 ignored" "$2" && [ ! -e "$1" ]' \
	- "$T/shell.php" "$T/err"
send sub -XV -f "$RELAY_USER1" x@dest.test <"$T/X"
tap_is "$rc" 64 "-XV (VERP): exit 64"

# --- -v: the dialogue on stderr, the password never. ----------------------
send sub -v -f "$RELAY_USER1" v@dest.test <"$T/X"
d=$(take 1)
tap_ok "-v: the SMTP dialogue on stderr" \
	sh -c 'grep -q "^>>> EHLO client.test" "$1" && grep -q "^<<< 250 2.0.0 Ok: queued" "$1"' \
	- "$T/err"
tap_ok "-v: the password is not shown" sh -c '! grep -qF "$1" "$2"' - "$RELAY_PASS1" "$T/err"

# --- Hostile arguments: 64, the argument named, nothing delivered. --------
cr=$(printf '\r')
nl='
'
soh=$(printf '\001')
message "$T/h" "hostile"
hostile() { # DESC WANT-IN-STDERR ARGS...
	_hd=$1 _hw=$2
	shift 2
	send sub "$@" <"$T/h"
	tap_is "$rc" 64 "hostile $_hd: exit 64"
	grep -qF -- "$_hw" "$T/err" || {
		tap_diag "stderr lacks: $_hw" "$(cat "$T/err")"
		false
	}
	tap__result $? "hostile $_hd: stderr names it"
}
hostile "-f with CRLF" 'invalid -f argument "a@b??RCPT TO:<evil@dest.test>"' \
	-f "a@b${cr}${nl}RCPT TO:<evil@dest.test>" x@dest.test
hostile "-F with CRLF" 'invalid -F argument "Name??Bcc: evil@dest.test"' \
	-f "$RELAY_USER1" -F "Name${cr}${nl}Bcc: evil@dest.test" x@dest.test
hostile "recipient with LF" 'invalid recipient "x@dest.test?DATA"' \
	-f "$RELAY_USER1" "x@dest.test${nl}DATA"
hostile "recipient with SOH" 'invalid recipient "?@dest.test"' \
	-f "$RELAY_USER1" "${soh}@dest.test"
hostile "recipient with a leading dash" 'invalid recipient "-oQ/tmp/"' \
	-f "$RELAY_USER1" x@dest.test -oQ/tmp/
hostile "-f with a leading dash" 'invalid -f argument "-bs"' -f -bs x@dest.test
hostile "recipient with a space" 'invalid recipient "a b@dest.test"' \
	-f "$RELAY_USER1" "a b@dest.test"
hostile "recipient with an open bracket" 'invalid recipient "<a@dest.test"' \
	-f "$RELAY_USER1" "<a@dest.test"
hostile "a name, not an address" 'invalid recipient "Some Name"' \
	-f "$RELAY_USER1" "Some Name"
tap_is "$(nothing_arrives)" 0 "hostile arguments: nothing delivered"
tap_ok "hostile arguments: nothing in the dead letter file" \
	sh -c '! grep -q "hostile" "$1" 2>/dev/null' - "$T/dead.letter"

tap_done

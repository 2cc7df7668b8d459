#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# 8-bit and UTF-8 mail end to end (issue 3). Against the real Postfix relay
# (SMTPUTF8 and 8BITMIME offered): BODY=8BITMIME and SMTPUTF8 in the -v
# dialogue, the message byte-exact at the sink, a UTF-8 domain delivered
# at its A-label, a UTF-8 local part, the From added for -F and for the
# null sender. Against tests/fakesmtp without SMTPUTF8: UTF-8 only in the
# header goes without it; a UTF-8 local part fails clearly, nothing sent.
# The Postfix part is gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"
. "$top_srcdir/tests/lib/fake.sh"

# The relay gate without its early exit: the fake server part runs anyway.
with_relay=yes
case ${RELAYMAIL_TEST_POSTFIX:-auto} in
no) with_relay=no why="RELAYMAIL_TEST_POSTFIX=no" ;;
yes | auto) ;;
*) tap_bail "RELAYMAIL_TEST_POSTFIX must be auto, yes or no" ;;
esac
if [ "$with_relay" = yes ] && ! why=$(relay_available); then
	[ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ] && tap_bail "RELAYMAIL_TEST_POSTFIX=yes but $why"
	with_relay=no
fi
if [ "$with_relay" = yes ]; then
	client_start utf8
else
	T=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-utf8.XXXXXX") || tap_bail "mktemp failed"
	HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
	export HOME XDG_CONFIG_HOME XDG_STATE_HOME
	unset RELAYMAIL_CONFIG NAME
fi
FAKE_DIR=$T/fake
mkdir -p "$FAKE_DIR" || tap_bail "cannot create $FAKE_DIR"
cleanup() {
	fake_stop_all
	if [ "$with_relay" = yes ]; then
		client__cleanup
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# UTF-8 pieces, written as octal escapes so the file stays ASCII.
ue=$(printf '\303\274')   # u-umlaut
oe=$(printf '\303\266')   # o-umlaut
sz=$(printf '\303\237')   # sharp s

# utf8_message FILE TO: UTF-8 in From, Subject and body; 8-bit body.
utf8_message() {
	{
		printf 'From: J%srg <%s>\n' "$oe" "${RELAY_USER1:-sender@client.test}"
		printf 'To: <%s>\n' "$2"
		printf 'Subject: Gr%s%se aus M%snchen\n' "$ue" "$sz" "$ue"
		printf 'Date: Mon, 01 Jan 2024 12:00:00 +0000\n'
		printf 'Message-ID: <utf8.%s@client.test>\n' "$$"
		printf 'MIME-Version: 1.0\n'
		printf 'Content-Type: text/plain; charset=utf-8\n'
		printf 'Content-Transfer-Encoding: 8bit\n'
		printf '\n'
		printf 'Stra%se, %s\n' "$sz" "$(printf '\346\227\245\346\234\254\350\252\236')"
	} >"$1"
}

# ---- The real Postfix relay. ----------------------------------------------

relay_checks() {
	conf_submission sub
	conf_plain plain

	utf8_message "$T/u1" utf8@dest.test
	send sub -v -f "$RELAY_USER1" utf8@dest.test <"$T/u1"
	diag_failure
	d=$(take 1)
	tap_is "$rc" 0 "UTF-8 header and 8-bit body: exit 0"
	tap_ok "UTF-8 header and 8-bit body: MAIL FROM has BODY=8BITMIME and SMTPUTF8" \
		grep -q "^>>> MAIL FROM:<$RELAY_USER1> SIZE=[0-9]* BODY=8BITMIME SMTPUTF8\$" \
		"$T/err"
	tap_ok "UTF-8 header and 8-bit body: arrives byte-exact" same_as_sent "$T/u1" "$d"

	printf 'Subject: to an IDN\n\nx\n' >"$T/idn"
	send sub -v -f "$RELAY_USER1" "bob@b${ue}cher.dest.test" <"$T/idn"
	diag_failure
	d=$(take 1)
	tap_is "$rc/$(field Delivered-To "$d")" "0/bob@xn--bcher-kva.dest.test" \
		"UTF-8 domain: delivered at the A-label address"
	tap_ok "UTF-8 domain: RCPT TO with the A-label, no SMTPUTF8 needed" \
		sh -c 'grep -q "^>>> RCPT TO:<bob@xn--bcher-kva.dest.test>\$" "$1" &&
			! grep -q "^>>> MAIL FROM:.*SMTPUTF8" "$1"' - "$T/err"

	send sub -v -f "$RELAY_USER1" "j${oe}rg@dest.test" <"$T/idn"
	diag_failure
	d=$(take 1)
	tap_is "$rc/$(field Delivered-To "$d")" "0/j${oe}rg@dest.test" \
		"UTF-8 local part: delivered as it is through a relay with SMTPUTF8"
	tap_ok "UTF-8 local part: MAIL FROM has SMTPUTF8" \
		grep -q "^>>> MAIL FROM:<$RELAY_USER1> .*SMTPUTF8\$" "$T/err"

	send sub -f "$RELAY_USER1" -F "J${oe}rg M${ue}ller" fullname@dest.test <"$T/idn"
	d=$(take 1)
	tap_is "$rc/$(field From "$d")" "0/=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <$RELAY_USER1>" \
		"-F not ASCII: an RFC 2047 encoded-word in the From added"

	send plain -f '<>' -F "Ignored" null@dest.test <"$T/idn"
	d=$(take 1)
	tap_is "$rc/$(field From "$d")" "0/MAILER-DAEMON" \
		"null sender: From: MAILER-DAEMON, as Postfix's cleanup writes it"
}

if [ "$with_relay" = yes ]; then
	relay_checks
else
	tap_skip "the checks against the Postfix relay" "$why"
fi

# ---- A relay without SMTPUTF8 (tests/fakesmtp). ----------------------------

# fake_script FILE CAPS...: greeting, EHLO with CAPS, one accepted message.
fake_script() {
	_f=$1
	shift
	{
		echo "send 220 fake.test ESMTP"
		echo "expect EHLO"
		echo "send 250-fake.test"
		for _c in "$@"; do echo "send 250-$_c"; done
		echo "send 250 PIPELINING"
		printf '%s\n' "expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" \
			"send 250 2.1.5 Ok" "expect DATA" "send 354 go ahead" data \
			"send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 2.0.0 Bye"
	} >"$_f"
}

# fake_send NAME ARGS...: relaymail against the fake server NAME with the
# message on stdin; sets rc, stderr in $T/err.
fake_send() {
	_fn=$1
	shift
	{
		echo "relayhost = [127.0.0.1]:$fake_port"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/dead.letter"
	} >"$T/$_fn.cf"
	timeout 60 "$RELAYMAIL" -C "$T/$_fn.cf" -f sender@client.test "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# commands NAME: the client's command lines, "|" between, data left out.
commands() {
	awk '$0 == "# data" { d = 1; next }
		d { if ($0 == "C: ." || $0 == "C+ .") d = 0; next }
		/^C[:+] / { sub(/^C[:+] /, ""); print }' "$FAKE_DIR/$1.tr" | paste -sd '|'
}

fake_checks() {
	fake_certs || tap_bail "certtool failed"

	utf8_message "$T/f1" rcpt@dest.test
	fake_script "$T/h.script" 8BITMIME
	fake_start h "$T/h.script"
	fake_send h rcpt@dest.test <"$T/f1"
	tap_is "$rc/$(fake_status h)" 0/0 "no SMTPUTF8, UTF-8 only in the header: delivered"
	tap_is "$(commands h)" \
		"EHLO client.test|MAIL FROM:<sender@client.test> BODY=8BITMIME|RCPT TO:<rcpt@dest.test>|DATA|QUIT" \
		"no SMTPUTF8, UTF-8 only in the header: BODY=8BITMIME, no SMTPUTF8 asked"
	tap_ok "no SMTPUTF8: the UTF-8 Subject went as it is" \
		grep -q '^C[:+] Subject: Gr\\xc3\\xbc\\xc3\\x9fe aus M\\xc3\\xbcnchen$' "$FAKE_DIR/h.tr"
	fake_stop h

	fake_start s "$T/h.script"
	fake_send s -B 7BIT rcpt@dest.test <"$T/f1"
	tap_is "$rc/$(commands s | cut -d '|' -f 2)" "0/MAIL FROM:<sender@client.test> BODY=8BITMIME" \
		"-B 7BIT with 8-bit content: declared as 8BITMIME all the same"
	tap_is "$(cat "$T/err")" \
		"relaymail: warning: -B 7BIT was given, but the message holds 8-bit data; it is sent as BODY=8BITMIME" \
		"-B 7BIT with 8-bit content: one warning"
	fake_stop s

	fake_script "$T/o.script" 8BITMIME SMTPUTF8
	fake_start o "$T/o.script"
	fake_send o rcpt@dest.test <"$T/f1"
	tap_is "$rc/$(commands o)" \
		"0/EHLO client.test|MAIL FROM:<sender@client.test> BODY=8BITMIME SMTPUTF8|RCPT TO:<rcpt@dest.test>|DATA|QUIT" \
		"SMTPUTF8 offered, UTF-8 only in the header: asked for"
	fake_stop o

	{
		echo "send 220 fake.test ESMTP"
		echo "expect EHLO"
		echo "send 250-fake.test"
		echo "send 250-8BITMIME"
		echo "send 250 PIPELINING"
		echo "expect QUIT"
		echo "send 221 2.0.0 Bye"
	} >"$T/l.script"
	fake_start l "$T/l.script"
	fake_send l "j${oe}rg@dest.test" <"$T/f1"
	tap_is "$rc/$(fake_status l)" 65/0 "no SMTPUTF8, UTF-8 local part: exit 65 (data error)"
	tap_is "$(commands l)" "EHLO client.test|QUIT" \
		"no SMTPUTF8, UTF-8 local part: no MAIL, QUIT at once"
	tap_is "$(head -n 1 "$T/err")" \
		"relaymail: relay 127.0.0.1[127.0.0.1]:$fake_port does not support SMTPUTF8, which the non-ASCII address <j${oe}rg@dest.test> needs" \
		"no SMTPUTF8, UTF-8 local part: the error names the relay and the address"
	tap_ok "no SMTPUTF8, UTF-8 local part: the message kept in the dead letter file" \
		grep -q "^Subject: Gr${ue}${sz}e aus M${ue}nchen" "$T/dead.letter"
	fake_stop l
}

if ! command -v certtool >/dev/null 2>&1; then
	tap_skip "the checks against a relay without SMTPUTF8" "certtool (gnutls-bin) is not installed"
elif [ ! -x "$FAKESMTP" ]; then
	tap_bail "$FAKESMTP is missing"
else
	fake_checks
fi

tap_done

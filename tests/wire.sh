#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# smtp_generic_maps on the wire, against tests/fakesmtp: MAIL FROM, RCPT
# TO and the header carry the mapped addresses, while the relay is still
# chosen by the sender before the maps (sender_dependent_relayhost_maps,
# as in Postfix), the mail log names the addresses before them, and the
# same holds for -bs and for the automatic copies.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-wire.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
trap 'fake_stop_all; [ "${FAKE_KEEP:-0}" = 1 ] || rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

cat >"$T/msg" <<'EOM'
From: Joe <joe>
To: root
Subject: generic on the wire
Date: Mon, 01 Jan 2024 12:00:00 +0000
Message-ID: <wire@client.test>

Body line.
EOM

# One transaction with two recipients, per connection.
txn() {
	cat <<-'EOS'
		send 220 fake.test ESMTP fakesmtp
		expect EHLO
		send 250 fake.test
		expect MAIL FROM:
		send 250 2.1.0 Ok
		expect RCPT TO:
		send 250 2.1.5 Ok
		expect RCPT TO:
		send 250 2.1.5 Ok
		expect DATA
		send 354 End data with <CR><LF>.<CR><LF>
		data
		send 250 2.0.0 Ok: queued as FAKE1
	EOS
}
{
	echo connection
	txn
	echo "expect QUIT"
	echo "send 221 2.0.0 Bye"
	echo connection
	txn
	echo "expect QUIT"
	echo "send 221 2.0.0 Bye"
	echo connection
	txn
	echo "expect QUIT"
	echo "send 221 2.0.0 Bye"
	echo connection
	txn
	echo "expect QUIT"
	echo "send 221 2.0.0 Bye"
	# No SMTPUTF8 here: a mapped non-ASCII local part cannot go.
	echo connection
	echo "send 220 fake.test ESMTP fakesmtp"
	echo "expect EHLO"
	echo "send 250 fake.test"
	echo "expect QUIT"
	echo "send 221 2.0.0 Bye"
} >"$T/chosen.script"
FAKE_TIMEOUT=60 fake_start chosen "$T/chosen.script"
chosen=$fake_port
FAKE_TIMEOUT=60 fake_start default "$T/chosen.script"
default=$fake_port

{
	echo "relayhost = [127.0.0.1]:$default"
	echo "myhostname = host.example.com"
	echo "smtp_tls_security_level = none"
	echo "alias_maps ="
	echo "dead_letter_file = $T/dead"
	echo "maillog_file = $T/maillog"
	echo "always_bcc = archive"
	echo "sender_dependent_relayhost_maps = inline:{ {joe@host.example.com = [127.0.0.1]:$chosen} }"
	echo "smtp_generic_maps = inline:{ {joe@host.example.com = joe@isp.example},"
	echo "    {root@host.example.com = admin@isp.example}, {@host.example.com = box@isp.example},"
	echo "    {joe@isp.example = twice@isp.example}, {sue@example.org = sue@bücher.example},"
	echo "    {uni@example.org = ünï@isp.example} }"
} >"$T/wire.cf"

timeout 20 "$RELAYMAIL" -C "$T/wire.cf" -f joe root <"$T/msg" >"$T/out" 2>"$T/err"
tap_is "$?" 0 "sent (exit 0)" || tap_diag "$(cat "$T/err")"
sed 's/^C[:+] //' "$T/chosen.tr" | tr -d '\r' >"$T/chosen.txt"
tap_ok "the relay of the sender before the maps was used" grep -q '^MAIL FROM:' "$T/chosen.txt"
tap_is "$(grep -c '^# connection' "$T/default.tr" 2>/dev/null)" 0 "relayhost was not used"
tap_is "$(grep -m 1 '^MAIL FROM:' "$T/chosen.txt")" "MAIL FROM:<joe@isp.example>" \
	"MAIL FROM carries the mapped sender"
tap_is "$(grep '^RCPT TO:' "$T/chosen.txt" | head -n 2 | tr '\n' ' ')" \
	"RCPT TO:<admin@isp.example> RCPT TO:<box@isp.example> " \
	"RCPT TO carries the mapped recipient and the mapped always_bcc copy"
tap_ok "the From field is mapped" grep -q '^From: Joe <joe@isp.example>$' "$T/chosen.txt"
tap_ok "the To field is mapped" grep -q '^To: admin@isp.example$' "$T/chosen.txt"
tap_ok "the mail log names the sender before the maps" \
	grep -q 'from=<joe@host.example.com>' "$T/maillog"
tap_ok "the mail log names the recipient before the maps" \
	grep -q 'to=<root@host.example.com>, relay=127.0.0.1' "$T/maillog"
tap_ok "the mail log names the copy before the maps" \
	grep -q 'to=<archive@host.example.com>, relay=127.0.0.1' "$T/maillog"

# -bv: each address, and what goes on the wire when it differs.
timeout 20 "$RELAYMAIL" -C "$T/wire.cf" -bv -f joe root amy@example.org >"$T/bv" 2>"$T/err"
tap_is "$?" 0 "-bv: exit 0" || tap_diag "$(cat "$T/err")"
tap_is "$(grep -v '^relay ' "$T/bv" | tr '\n' '|')" \
	"sender: <joe@host.example.com>|sender on the wire: <joe@isp.example>|recipient: <root@host.example.com>|recipient on the wire: <admin@isp.example>|recipient: <amy@example.org>|recipient: <archive@host.example.com>|recipient on the wire: <box@isp.example>|" \
	"-bv: the addresses, and those on the wire"
tap_ok "-bv: the route of the sender before the maps" grep -q "^relay 1: \[127.0.0.1\]:$chosen " "$T/bv"

# -bs: the same, from MAIL and RCPT.
printf 'EHLO client.test\r\nMAIL FROM:<joe>\r\nRCPT TO:<root>\r\nDATA\r\n' >"$T/bs.in"
sed 's/$/\r/' "$T/msg" >>"$T/bs.in"
printf '.\r\nQUIT\r\n' >>"$T/bs.in"
timeout 20 "$RELAYMAIL" -C "$T/wire.cf" -bs <"$T/bs.in" >"$T/bs.out" 2>"$T/err"
tap_is "$?" 0 "-bs: exit 0" || tap_diag "$(cat "$T/err" "$T/bs.out")"
tap_ok "-bs: the message was accepted" grep -q '^250 2.0.0 ' "$T/bs.out"
sed 's/^C[:+] //' "$T/chosen.tr" | tr -d '\r' >"$T/chosen.txt"
tap_is "$(grep '^MAIL FROM:' "$T/chosen.txt" | sed -n 2p)" "MAIL FROM:<joe@isp.example>" \
	"-bs: MAIL FROM carries the mapped sender, on the relay the sender chose"
tap_is "$(grep -c '^RCPT TO:<admin@isp.example>' "$T/chosen.txt")" 2 \
	"-bs: RCPT TO carries the mapped recipient"

# The relay of the sender is down: the dead letter file keeps the
# envelope before the maps (and the header as it was to leave); --resend
# maps the envelope again, and the header only once.
fake_start gone "$T/chosen.script"
gone=$fake_port
fake_stop gone
sed "s|\[127.0.0.1\]:$chosen|[127.0.0.1]:$gone|" "$T/wire.cf" >"$T/down.cf"
timeout 20 "$RELAYMAIL" -C "$T/down.cf" -f joe root <"$T/msg" >"$T/out" 2>"$T/err"
tap_is "$?" 75 "relay down: exit 75" || tap_diag "$(cat "$T/err")"
tap_is "$(grep '^X-Relaymail-Rcpt:' "$T/dead" | tr '\n' ' ')" \
	"X-Relaymail-Rcpt: <root@host.example.com> X-Relaymail-Rcpt: <archive@host.example.com> " \
	"relay down: the dead letter file keeps the recipients before the maps"
timeout 20 "$RELAYMAIL" -C "$T/wire.cf" --resend >"$T/out" 2>"$T/err"
tap_is "$?" 0 "--resend: exit 0" || tap_diag "$(cat "$T/err")"
sed 's/^C[:+] //' "$T/chosen.tr" | tr -d '\r' >"$T/chosen.txt"
tap_is "$(grep '^MAIL FROM:' "$T/chosen.txt" | sed -n 3p)" "MAIL FROM:<joe@isp.example>" \
	"--resend: MAIL FROM carries the mapped sender"
tap_is "$(grep '^RCPT TO:' "$T/chosen.txt" | sed -n '5,6p' | tr '\n' ' ')" \
	"RCPT TO:<admin@isp.example> RCPT TO:<box@isp.example> " \
	"--resend: RCPT TO carries the mapped recipients"
tap_is "$(grep -c '^From: Joe <joe@isp.example>$' "$T/chosen.txt")" 3 \
	"--resend: the header went out as it was kept, not mapped twice"

# Non-ASCII results: a domain goes as A-labels, a local part needs
# SMTPUTF8, which this relay does not offer.
timeout 20 "$RELAYMAIL" -C "$T/wire.cf" -f joe sue@example.org <"$T/msg" >"$T/out" 2>"$T/err"
tap_is "$?" 0 "a mapped IDN: sent" || tap_diag "$(cat "$T/err")"
sed 's/^C[:+] //' "$T/chosen.tr" | tr -d '\r' >"$T/chosen.txt"
tap_is "$(grep '^RCPT TO:' "$T/chosen.txt" | sed -n 7p)" "RCPT TO:<sue@xn--bcher-kva.example>" \
	"a mapped IDN: RCPT TO with A-labels"
timeout 20 "$RELAYMAIL" -C "$T/wire.cf" -f joe uni@example.org <"$T/msg" >"$T/out" 2>"$T/err"
tap_is "$?" 65 "a mapped UTF-8 local part and no SMTPUTF8: exit 65" || tap_diag "$(cat "$T/err")"
tap_ok "... saying so" grep -q 'does not support SMTPUTF8' "$T/err"
tap_done

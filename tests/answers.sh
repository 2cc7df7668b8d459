#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What the walk makes of a relay's answers, as Postfix's parameters say,
# against the scripted relay (tests/fakesmtp): soft_bounce and
# smtp_sasl_auth_soft_bounce turn a permanent refusal into "try again
# later" (75, message kept); smtp_skip_5xx_greeting = no makes a 5xx
# greeting a verdict (no fallback); smtp_discard_ehlo_keywords hides
# keywords the relay offers.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

command -v certtool >/dev/null 2>&1 || tap_skip_all "certtool (gnutls-bin) is not installed"
[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-answers.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
trap 'fake_stop_all; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fake_certs || tap_bail "certtool failed"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

printf 'From: <s@client.test>\nTo: <r@dest.test>\nSubject: answers\n\nBody.\n' >"$T/msg"

# conf NAME PORT [LINE...]: plaintext relay on 127.0.0.1:PORT.
conf() {
	_n=$1 _p=$2
	shift 2
	{
		echo "relayhost = [127.0.0.1]:$_p"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/$_n.dead"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
	chmod 600 "$T/$_n.cf" # some hold an inline: password
}

# send NAME: $rc, stderr in $T/err.
send() {
	timeout 60 "$RELAYMAIL" -C "$T/$1.cf" -f s@client.test r@dest.test <"$T/msg" \
		>/dev/null 2>"$T/err"
	rc=$?
}

# script FILE LINES...: a script file of the given lines.
script() {
	_f=$1
	shift
	printf '%s\n' "$@" >"$_f"
}

# --- soft_bounce -------------------------------------------------------
script "$T/refuse.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250 fake.test" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" \
	"send 550 5.1.1 <r@dest.test>: Recipient address rejected" "expect QUIT" "send 221 Bye"
fake_start refuse "$T/refuse.script"
conf hard "$fake_port"
send hard
tap_is "$rc" 67 "soft_bounce unset: a 5xx to RCPT is final (67)"
fake_start refuse "$T/refuse.script"
conf soft "$fake_port" "soft_bounce = yes"
send soft
tap_is "$rc" 75 "soft_bounce = yes: the same refusal is temporary (75)"
tap_ok "soft_bounce = yes: the error says why it is temporary" \
	grep -q "reported as temporary: soft_bounce = yes" "$T/err"
tap_ok "soft_bounce = yes: the message is kept" grep -q "^Subject: answers" "$T/soft.dead"
# As Postfix keeps the recipients for a backup server, the fallback
# relay gets the message after a refusal turned temporary.
fake_start refuse "$T/refuse.script"
p=$fake_port
script "$T/fbok.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250 fake.test" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
	"expect DATA" "send 354 go" "data" "send 250 2.0.0 Ok: queued" "expect QUIT" \
	"send 221 Bye"
fake_start fbok "$T/fbok.script"
conf softfb "$p" "soft_bounce = yes" "smtp_fallback_relay = [127.0.0.1]:$fake_port"
send softfb
tap_is "$rc" 0 "soft_bounce = yes: after a 5xx to RCPT the fallback relay takes the message"
tap_is "$(fake_status fbok)" 0 "soft_bounce = yes: the fallback saw the whole transaction"

# --- smtp_sasl_auth_soft_bounce ----------------------------------------
# CRAM-MD5 may go without TLS; the relay refuses the password.
script "$T/auth.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250-fake.test" \
	"send 250 AUTH CRAM-MD5" "expect AUTH CRAM-MD5" "auth CRAM-MD5 user other-secret" \
	"expect QUIT" "send 221 Bye"
fake_start auth "$T/auth.script"
conf authhard "$fake_port" "smtp_sasl_auth_enable = yes" \
	"smtp_sasl_password_maps = inline:{ [127.0.0.1]:$fake_port=user:secret }" \
	"smtp_sasl_security_options = noanonymous"
send authhard
tap_is "$rc" 77 "smtp_sasl_auth_soft_bounce unset: a refused password is 77"
fake_start auth "$T/auth.script"
conf authsoft "$fake_port" "smtp_sasl_auth_enable = yes" \
	"smtp_sasl_password_maps = inline:{ [127.0.0.1]:$fake_port=user:secret }" \
	"smtp_sasl_security_options = noanonymous" "smtp_sasl_auth_soft_bounce = yes"
send authsoft
tap_is "$rc" 75 "smtp_sasl_auth_soft_bounce = yes: a refused password is temporary (75)"

# --- smtp_skip_5xx_greeting --------------------------------------------
script "$T/greet.script" "send 554 5.7.1 go away"
script "$T/ok.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250 fake.test" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
	"expect DATA" "send 354 go" "data" "send 250 2.0.0 Ok: queued" "expect QUIT" \
	"send 221 Bye"
fake_start greet "$T/greet.script"
g=$fake_port
fake_start fallback "$T/ok.script"
conf skip "$g" "smtp_fallback_relay = [127.0.0.1]:$fake_port"
send skip
tap_is "$rc" 0 "smtp_skip_5xx_greeting unset: a 5xx greeting moves on to the fallback"
fake_start greet "$T/greet.script"
g=$fake_port
fake_start fallback "$T/ok.script"
conf noskip "$g" "smtp_fallback_relay = [127.0.0.1]:$fake_port" "smtp_skip_5xx_greeting = no"
send noskip
tap_is "$rc" 69 "smtp_skip_5xx_greeting = no: a 5xx greeting is a verdict (69)"
tap_ok "smtp_skip_5xx_greeting = no: the error quotes the greeting" \
	grep -q "refused to talk to me: 554 5.7.1 go away" "$T/err"
tap_is "$(fake_transcript fallback | grep -c .)" 0 \
	"smtp_skip_5xx_greeting = no: the fallback is not contacted"
fake_stop fallback

# --- smtp_discard_ehlo_keywords ----------------------------------------
# The relay offers STARTTLS; at "may", relaymail would start it. With the
# keyword discarded, MAIL comes right after EHLO.
script "$T/discard.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250-fake.test" \
	"send 250-SIZE 1000000" "send 250 STARTTLS" "expect MAIL FROM:" "send 250 2.1.0 Ok" \
	"expect RCPT TO:" "send 250 2.1.5 Ok" "expect DATA" "send 354 go" "data" \
	"send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 Bye"
fake_start discard "$T/discard.script"
conf discard "$fake_port" "smtp_tls_security_level = may" \
	"smtp_discard_ehlo_keywords = starttls, Size, silent-discard"
send discard
tap_is "$rc" 0 "smtp_discard_ehlo_keywords: sent"
tap_is "$(fake_status discard)" 0 "smtp_discard_ehlo_keywords = starttls: no STARTTLS"
tap_ok "smtp_discard_ehlo_keywords = size: no SIZE= on MAIL FROM" \
	sh -c '! grep -q "SIZE=" "$1"' - "$FAKE_DIR/discard.tr"

# --- -bs: BODY= and SMTPUTF8 as the client declared them ------------------
# An ASCII message declared BODY=8BITMIME SMTPUTF8 goes on with both to a
# relay that offers them, and without SMTPUTF8 to one that does not.
bs_session() { # MAIL-PARAMS: a -bs session sending one ASCII message
	printf 'EHLO client.test\r\nMAIL FROM:<s@client.test>%s\r\nRCPT TO:<r@dest.test>\r\nDATA\r\n' "$1"
	printf 'Subject: declared\r\n\r\nascii body\r\n.\r\nQUIT\r\n'
}
script "$T/utf8.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250-fake.test" \
	"send 250-8BITMIME" "send 250 SMTPUTF8" "expect MAIL FROM:<s@client.test> BODY=8BITMIME SMTPUTF8" \
	"send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" "expect DATA" "send 354 go" \
	"data" "send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 Bye"
fake_start utf8 "$T/utf8.script"
conf bsutf8 "$fake_port"
bs_session " BODY=8BITMIME SMTPUTF8" | timeout 60 "$RELAYMAIL" -C "$T/bsutf8.cf" -bs >"$T/out" 2>&1
tap_is "$(fake_status utf8)" 0 "-bs: BODY=8BITMIME and SMTPUTF8 passed on to a relay that offers them"
script "$T/ascii.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250-fake.test" \
	"send 250 8BITMIME" "expect MAIL FROM:<s@client.test> BODY=8BITMIME" \
	"send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" "expect DATA" "send 354 go" \
	"data" "send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 Bye"
fake_start ascii "$T/ascii.script"
conf bsascii "$fake_port"
bs_session " BODY=8BITMIME SMTPUTF8" | timeout 60 "$RELAYMAIL" -C "$T/bsascii.cf" -bs >"$T/out" 2>&1
tap_is "$(fake_status ascii)" 0 "-bs: an ASCII message declared SMTPUTF8 still goes to a relay without it"
tap_ok "-bs: ... without the SMTPUTF8 parameter" \
	sh -c '! grep -q "SMTPUTF8" "$1"' - "$FAKE_DIR/ascii.tr"
tap_ok "-bs: the client heard 250 for its message" grep -q "^250 2.0.0" "$T/out"

# --- smtp_never_send_ehlo, smtp_always_send_ehlo ---------------------------
ok_after() { # FILE GREETING HELLO: a script greeting so, expecting HELLO, then a message
	script "$1" "send $2" "expect $3" "send 250 fake.test" "expect MAIL FROM:" \
		"send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" "expect DATA" \
		"send 354 go" "data" "send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 Bye"
}
ok_after "$T/helo.script" "220 fake.test ESMTP" "HELO client.test"
fake_start helo "$T/helo.script"
conf never "$fake_port" "smtp_never_send_ehlo = yes"
send never
tap_is "$(fake_status helo)" 0 "smtp_never_send_ehlo = yes: HELO, never EHLO"
ok_after "$T/old.script" "220 fake.test Sendmail ready" "HELO client.test"
fake_start old "$T/old.script"
conf notalways "$fake_port" "smtp_always_send_ehlo = no"
send notalways
tap_is "$(fake_status old)" 0 "smtp_always_send_ehlo = no: HELO after a greeting without ESMTP"
ok_after "$T/new.script" "220 fake.test esmtp ready" "EHLO client.test"
fake_start new "$T/new.script"
conf notalways2 "$fake_port" "smtp_always_send_ehlo = no"
send notalways2
tap_is "$(fake_status new)" 0 "smtp_always_send_ehlo = no: EHLO after a greeting that says ESMTP"

# --- smtp_tls_note_starttls_offer ------------------------------------------
script "$T/offer.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250-fake.test" \
	"send 250 STARTTLS" "expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" \
	"send 250 2.1.5 Ok" "expect DATA" "send 354 go" "data" "send 250 2.0.0 Ok: queued" \
	"expect QUIT" "send 221 Bye"
fake_start offer "$T/offer.script"
conf note "$fake_port" "smtp_tls_note_starttls_offer = yes" "maillog_file = $T/maillog"
send note
tap_is "$rc" 0 "smtp_tls_note_starttls_offer: sent in plaintext at level none"
tap_ok "smtp_tls_note_starttls_offer: the log notes the offer in Postfix's words" \
	grep -q "relaymail/smtp\[[0-9]*\]: Host offered STARTTLS: \[127.0.0.1\]" "$T/maillog"

# --- smtp_sasl_password_result_delimiter -------------------------------------
script "$T/delim.script" "send 220 fake.test ESMTP" "expect EHLO" "send 250-fake.test" \
	"send 250 AUTH CRAM-MD5" "expect AUTH CRAM-MD5" "auth CRAM-MD5 us:er secret" \
	"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
	"expect DATA" "send 354 go" "data" "send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 Bye"
fake_start delim "$T/delim.script"
conf delim "$fake_port" "smtp_sasl_auth_enable = yes" \
	"smtp_sasl_password_maps = inline:{ {[127.0.0.1]:$fake_port = us:er;secret} }" \
	"smtp_sasl_security_options = noanonymous" "smtp_sasl_password_result_delimiter = ;"
send delim
tap_is "$rc" 0 "smtp_sasl_password_result_delimiter = ;: the user name may hold a colon"

# --- authorized_submit_users ---------------------------------------------
me=$(id -un)
ok_after "$T/acl.script" "220 fake.test ESMTP" "EHLO client.test"
fake_start acl "$T/acl.script"
conf aclok "$fake_port" "authorized_submit_users = $me"
send aclok
tap_is "$rc" 0 "authorized_submit_users lists the caller: sent"
conf aclno "$fake_port" "authorized_submit_users = !$me, static:anyone"
send aclno
tap_is "$rc" 77 "authorized_submit_users excludes the caller: 77, as Postfix's EX_NOPERM"
tap_ok "authorized_submit_users: Postfix's words and the parameter" \
	grep -q "User $me($(id -u)) is not allowed to submit mail (authorized_submit_users)" "$T/err"
printf 'EHLO x\r\nQUIT\r\n' | timeout 20 "$RELAYMAIL" -C "$T/aclno.cf" -bs >"$T/out" 2>/dev/null
tap_is "$?" 77 "authorized_submit_users under -bs: 77"
tap_ok "authorized_submit_users under -bs: the client is told at the greeting" grep -q "^421 " "$T/out"

tap_done

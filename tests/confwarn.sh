#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Warnings about the configuration (doc/sendmail.conf.5, DIAGNOSTICS):
# each names the file and line; a successful send prints none of them
# (cron mails any output), -v and -bv show them at once, a failed send
# shows them before its reason, and the mail log always has them. Then
# the mistakes copying from a guide makes: $HOME, a "# comment" after a
# value, a byte order mark, a no-break or full-width space, a misspelt
# RELAYMAIL_<NAME>. The relay is tests/fakesmtp.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-confwarn.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
trap 'fake_stop_all; [ -n "$KEEP" ] || rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

cat >"$T/msg" <<'EOM'
From: Sender <sender@client.test>
To: <rcpt@dest.test>
Subject: configuration warnings
Date: Mon, 01 Jan 2024 12:00:00 +0000
Message-ID: <confwarn@client.test>

Body line.
EOM

cat >"$T/relay.script" <<'EOS'
send 220 fake.test ESMTP fakesmtp
expect EHLO
send 250 fake.test
expect MAIL FROM:
send 250 2.1.0 Ok
expect RCPT TO:
send 250 2.1.5 Ok
expect DATA
send 354 End data with <CR><LF>.<CR><LF>
data
send 250 2.0.0 Ok: queued as FAKE1
expect QUIT
send 221 2.0.0 Bye
EOS

# A main.cf as Debian's postfix package writes it (main.cf.debian,
# main.cf.tls and what its configuration script adds), pasted whole, then
# the settings of the relay. Every Postfix parameter in it that relaymail
# does not use is one warning.
pasted() {
	cat <<'EOF'
smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
compatibility_level = 3.6
smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level=may
smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=may
smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = client.test
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
mydestination = $myhostname, localhost.localdomain, localhost
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
EOF
	# What Debian's own files hold, when Postfix is installed: more of
	# the same kind.
	for f in /usr/share/postfix/main.cf.debian /usr/share/postfix/main.cf.tls; do
		[ -r "$f" ] && cat "$f"
	done
	echo "relayhost = [127.0.0.1]:$1"
	echo "smtp_tls_security_level = none"
	echo "alias_maps ="
	echo "maillog_file = $T/maillog"
	echo "dead_letter_file = $T/dead.letter"
}

# send NAME CONF [OPTION...]: a message through a fresh fake relay.
send() {
	_name=$1 _conf=$2
	shift 2
	fake_start "$_name" "$T/relay.script"
	pasted "$fake_port" >"$T/$_name.cf"
	[ -n "$_conf" ] && printf '%s\n' "$_conf" >>"$T/$_name.cf"
	timeout 20 "$RELAYMAIL" -C "$T/$_name.cf" "$@" -f sender@client.test rcpt@dest.test \
		<"$T/msg" >"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
	fake_stop "$_name"
}

: >"$T/maillog"
send quiet ""
tap_is "$rc" 0 "a pasted Debian main.cf: the message is sent"
tap_is "$(cat "$T/quiet.err")" "" "and nothing is printed on stderr"
tap_ok "the relay got the message" grep -q '^C+ Subject: configuration warnings' "$T/quiet.tr"
unused=$(grep -c 'sendmail\[[0-9]*\]: warning: .*parameter alias_database is not used by' \
	"$T/maillog")
tap_is "$unused" 1 "the mail log has the warning about alias_database"
tap_ok "the mail log's warning names the file and line" \
	grep -q "warning: $T/quiet.cf, line 15: parameter alias_database is not used" "$T/maillog"
tap_ok "the mail log's warnings come before the message's records" \
	sh -c "grep -n 'warning: ' '$T/maillog' | head -n 1 | cut -d: -f1 >'$T/w1';
		grep -n 'status=sent' '$T/maillog' | cut -d: -f1 >'$T/s1';
		[ \$(cat '$T/w1') -lt \$(cat '$T/s1') ]"

: >"$T/maillog"
send verbose "" -v
tap_is "$rc" 0 "-v: sent"
tap_ok "-v: the warnings are on stderr" \
	grep -q "^relaymail: warning: $T/verbose.cf, line 15: parameter alias_database is not used" \
	"$T/verbose.err"
tap_is "$(grep -c ': warning: ' "$T/verbose.err")" "$(grep -c ': warning: ' "$T/maillog")" \
	"-v: each warning of the mail log once on stderr"

# A relay that is not there: the send fails (75), and the warnings come
# first, then the reason.
fake_start gone "$T/relay.script"
gone=$fake_port
fake_stop gone
pasted "$gone" >"$T/fail.cf"
echo "smtp_helo_name = client.test" >>"$T/fail.cf"
timeout 20 "$RELAYMAIL" -C "$T/fail.cf" -f sender@client.test rcpt@dest.test <"$T/msg" \
	>"$T/fail.out" 2>"$T/fail.err"
tap_is "$?" 75 "a failed send: exit 75"
tap_ok "a failed send shows the warnings" \
	grep -q "^relaymail: warning: $T/fail.cf, line 15: parameter alias_database is not used" \
	"$T/fail.err"
first=$(grep -n . "$T/fail.err" | grep -v ': warning: ' | head -n 1 | cut -d: -f1)
last=$(grep -n ': warning: ' "$T/fail.err" | tail -n 1 | cut -d: -f1)
tap_ok "... before the reason it failed" [ "${last:-99}" -lt "${first:-0}" ]

# The $HOME of a guide: the table's name becomes /.config/..., which does
# not exist, and the send fails (78); the warning that explains it comes
# before the error, on stderr of the user whose send failed.
pasted "$gone" >"$T/home.cf"
echo 'smtp_sasl_auth_enable = yes' >>"$T/home.cf"
echo 'smtp_sasl_password_maps = texthash:$HOME/.config/relaymail/sasl_passwd' >>"$T/home.cf"
n=$(wc -l <"$T/home.cf")
timeout 20 "$RELAYMAIL" -C "$T/home.cf" -f sender@client.test rcpt@dest.test <"$T/msg" \
	>"$T/home.out" 2>"$T/home.err"
tap_is "$?" 78 "\$HOME in a table name: the table is missing, exit 78"
tap_ok "... the warning says \$HOME is no parameter, with file and line" \
	grep -q "^relaymail: warning: $T/home.cf, line $n: the value of parameter smtp_sasl_password_maps refers to \\\$HOME, which is not a parameter and expands to nothing; environment variables are not expanded" \
	"$T/home.err"
hw=$(grep -n 'refers to \$HOME' "$T/home.err" | cut -d: -f1)
he=$(grep -n 'cannot open /.config/relaymail/sasl_passwd' "$T/home.err" | grep -v ': warning: ' |
	head -n 1 | cut -d: -f1)
tap_ok "... before the error" [ "${hw:-99}" -lt "${he:-0}" ]

# -bv: the warnings at once, as with -v.
send verify "" -bv
tap_is "$rc" 0 "-bv: exit 0"
tap_ok "-bv: the warnings are on stderr" \
	grep -q "parameter biff is not used by relaymail" "$T/verify.err"

# --- the mistakes of copying, one main.cf each, with --expand ------------
# expand NAME TEXT PARAM: relaymail --expand PARAM of a main.cf holding
# TEXT (printf format); sets rc, and $T/NAME.out and .err.
expand() {
	printf "$2" >"$T/$1.cf"
	"$RELAYMAIL" -C "$T/$1.cf" --expand "$3" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
}

expand comment 'relayhost = [a.example]\nsmtp_fallback_relay = [b.example] # backup\n' \
	smtp_fallback_relay
tap_is "$rc" 0 "a # after a value: accepted"
tap_is "$(cat "$T/comment.out")" "[b.example] # backup" "... with Postfix's meaning"
tap_is "$(cat "$T/comment.err")" \
	"relaymail: warning: $T/comment.cf, line 2: the value of parameter smtp_fallback_relay goes on after \"#\": \"# backup\" is part of the value, as in Postfix; a comment must be on a line of its own" \
	"... with a warning naming file, line and the text"
expand hash 'relayhost = [a#b.example]\n' relayhost
tap_is "$(cat "$T/hash.err")" "" "a # inside a word is no comment: no warning"

expand bom '\357\273\277relayhost = [a.example]\n' relayhost
tap_is "$rc" 0 "a byte order mark: accepted"
tap_is "$(cat "$T/bom.out")" "[a.example]" "... the first line is read"
tap_is "$(cat "$T/bom.err")" \
	"relaymail: warning: $T/bom.cf, line 1: the file starts with a UTF-8 byte order mark; relaymail skips it, Postfix would not: save the file without it" \
	"... with a warning"

expand ideo 'relayhost\343\200\200= [a.example]\n' relayhost
tap_is "$rc" 78 "U+3000 before =: exit 78"
tap_is "$(cat "$T/ideo.err")" \
	"relaymail: $T/ideo.cf, line 1: a U+3000 (ideographic space) stands where a parameter name or \"=\" is expected; write an ASCII space" \
	"... naming the character, file and line"
expand nbsp 'mydomain = example.com\nrelayhost =\302\240[a.example]\n' relayhost
tap_is "$rc" 78 "U+00A0 in a used value: exit 78"
tap_is "$(cat "$T/nbsp.err")" \
	"relaymail: $T/nbsp.cf, line 2: the value of parameter relayhost holds a U+00A0 (no-break space), which Postfix does not take for a space; write an ASCII space" \
	"... naming the character, file, line and parameter"
expand banner 'smtpd_banner = $myhostname\343\200\200ESMTP\n' relayhost
tap_is "$rc" 0 "U+3000 in a value relaymail does not use: accepted"
tap_ok "... with a warning" grep -q "^relaymail: warning: $T/banner.cf, line 1: the value of parameter smtpd_banner holds a U+3000" "$T/banner.err"

expand undef 'relayhost = [$relay_name]\nsmtpd_banner = $myhostname ESMTP $mail_name\n' \
	relayhost
tap_is "$(cat "$T/undef.err" | grep -v 'not used by')" \
	"relaymail: warning: $T/undef.cf, line 1: the value of parameter relayhost refers to \$relay_name, which is not a parameter and expands to nothing" \
	"an unknown \$name: one warning; Postfix's own names (\$mail_name) none"

# RELAYMAIL_<NAME> close to a parameter.
: >"$T/empty.cf"
RELAYMAIL_RELAY_HOST='[a.example]' RELAYMAIL_TEST_POSTFIX=yes RELAYMAIL_SASL_USER=x \
	"$RELAYMAIL" -C "$T/empty.cf" --expand relayhost >"$T/env.out" 2>"$T/env.err"
tap_is "$(cat "$T/env.err")" \
	"relaymail: warning: environment variable RELAYMAIL_RELAY_HOST names no parameter and is ignored; for parameter relayhost, write RELAYMAIL_RELAYHOST" \
	"RELAYMAIL_RELAY_HOST: a warning naming relayhost; other RELAYMAIL_ variables none"
RELAYMAIL_SMTP_TLS_SECURTY_LEVEL=encrypt "$RELAYMAIL" -C "$T/empty.cf" --expand relayhost \
	>"$T/env.out" 2>"$T/env.err"
tap_ok "a misspelling two letters off is found too" \
	grep -q "write RELAYMAIL_SMTP_TLS_SECURITY_LEVEL\$" "$T/env.err"

tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Settings are read once, at start (issue 9): for every parameter
# relaymail acts on, a bad value is exit 78 before any connection, with
# one line that names the parameter, and the message is kept in the dead
# letter file. The list of parameters comes from src/conf/params.c, so a
# parameter added there without a case here fails this test. A relay
# stand-in (tests/fakesmtp) counts connections: there must be none until
# the last check, which shows the same setup sends when nothing is bad.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-settings.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
trap 'fake_stop_all; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

cat >"$T/msg" <<'EOM'
From: Sender <sender@client.test>
To: <rcpt@dest.test>
Subject: kept despite a bad setting
Date: Mon, 01 Jan 2024 12:00:00 +0000
Message-ID: <settings@client.test>

Body line.
EOM

# The stand-in accepts one message, without TLS.
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
FAKE_TIMEOUT=120 fake_start relay "$T/relay.script"
port=$fake_port

# Every parameter relaymail acts on: PARAM_USED, PARAM_DERIVED, PARAM_RAW.
params=$(sed -n 's/^[[:space:]]*{ "\([a-z_0-9]*\)",.*\(, U\|, R\|PARAM_DERIVED\) },.*$/\1/p' \
	"$top_srcdir/src/conf/params.c")
[ -n "$params" ] || tap_bail "no parameters found in src/conf/params.c"

# Parameters for which every value is usable: a free text or a name.
free_params=" empty_address_relayhost_maps_lookup_key smtp_sasl_oauth_token_command \
 smtp_tls_servername recipient_delimiter mydestination \
 smtp_tls_exclude_ciphers smtp_tls_mandatory_exclude_ciphers \
 milter_macro_daemon_name milter_macro_v milter_connect_macros milter_helo_macros \
 milter_mail_macros milter_rcpt_macros milter_data_macros milter_end_of_header_macros \
 milter_end_of_data_macros "

# bad PARAM: a value that cannot be used, and any line the case needs,
# as "VALUE|EXTRA LINE".
bad() {
	case $1 in
	relayhost) echo '[smtp.example|' ;;
	smtp_fallback_relay) echo '[backup.example]:99999|' ;;
	fallback_relay) echo '[backup.example]:nosuchservice|' ;;
	sender_dependent_relayhost_maps) echo "regexp:$T/no/such/table|" ;;
	smtp_tls_policy_maps) echo "texthash:$T/no/such/policy|" ;;
	authorized_submit_users) echo "texthash:$T/no/such/users|" ;;
	transport_maps) echo "texthash:$T/no/such/table|" ;;
	smtp_tcp_port) echo 'nosuchservice|' ;;
	known_tcp_ports) echo 'smtp|' ;;
	inet_protocols) echo 'ipv5|' ;;
	smtp_address_preference) echo 'ipv5|' ;;
	smtp_bind_address) echo 'not-an-address|' ;;
	smtp_bind_address6) echo 'not-an-address|' ;;
	smtp_mx_address_limit | smtp_mx_session_limit) echo 'many|' ;;
	smtputf8_autodetect_classes) echo 'sendmail, everything|' ;;
	smtp_connection_reuse_count_limit) echo 'many|' ;;
	smtp_connection_reuse_time_limit) echo 'soon|' ;;
	smtp_dns_support_level) echo 'bogus|' ;;
	smtp_sasl_password_maps) echo "texthash:$T/no/such/passwords|smtp_sasl_auth_enable = yes" ;;
	smtp_sasl_security_options) echo 'noanonymous, bogus|smtp_sasl_auth_enable = yes' ;;
	smtp_sasl_tls_security_options) echo 'bogus|' ;;
	smtp_sasl_tls_verified_security_options) echo 'bogus|' ;;
	smtp_sasl_mechanism_filter) echo "regexp:$T/no/such/table|" ;;
	smtp_sasl_auth_cache_name) echo 'proxy:btree:relative/sasl_auth_cache|' ;;
	smtp_sasl_auth_cache_time) echo 'forever|' ;;
	smtp_tls_security_level) echo 'dane-only|' ;;
	smtp_tls_CAfile) echo "$T/no/such/file|smtp_tls_security_level = verify" ;;
	smtp_tls_CApath) echo "$T/no/such/dir|smtp_tls_security_level = verify" ;;
	smtp_tls_cert_file) echo "$T/no/such/cert.pem|smtp_tls_security_level = may" ;;
	smtp_tls_key_file) echo "$T/no/such/key.pem|smtp_tls_security_level = may" ;;
	smtp_tls_mandatory_protocols) echo '>=TLSv9|' ;;
	smtp_tls_protocols) echo '>=TLSv9|' ;;
	smtp_tls_fingerprint_digest) echo 'bogus|' ;;
	smtp_tls_fingerprint_cert_match) echo 'zz:zz|' ;;
	smtp_tls_verify_cert_match) echo '|' ;;
	smtp_tls_secure_cert_match) echo '|' ;;
	myhostname) echo 'host name|' ;;
	mydomain) echo 'bad domain|' ;;
	myorigin) echo 'bad origin|' ;;
	inet_interfaces) echo '999.1.1.1|' ;;
	proxy_interfaces) echo '999.1.1.1|' ;;
	propagate_unmatched_extensions) echo 'bogus|' ;;
	canonical_maps | sender_canonical_maps | recipient_canonical_maps) echo "regexp:$T/no/such|" ;;
	canonical_classes | sender_canonical_classes | recipient_canonical_classes) echo 'bogus|' ;;
	masquerade_classes) echo 'envelope_sender, bogus|' ;;
	masquerade_domains) echo 'example.com, user@example.com|' ;;
	masquerade_exceptions) echo "root, texthash:$T/no/such/table|" ;;
	smtp_generic_maps | sender_bcc_maps | recipient_bcc_maps) echo "regexp:$T/no/such|" ;;
	always_bcc) echo 'one@example.com, two@example.com|' ;;
	alias_maps) echo "hash:$T/no/such/aliases|" ;;
	luser_relay) echo '${user|' ;;
	smtp_helo_name) echo 'helo name|' ;;
	smtp_line_length_limit | message_size_limit | header_size_limit) echo 'big|' ;;
	compatibility_level) echo 'bogus|' ;;
	dead_letter_file | dead_letter_spool) echo 'relative/path|' ;;
	syslog_name) echo 'relay mail|' ;;
	syslog_facility) echo 'bogus|' ;;
	maillog_file) echo 'relative/maillog|' ;;
	*_timeout | relaymail_deadline) echo 'soon|' ;;
	smtp_tls_loglevel) echo 'verbose|' ;;
	smtp_sasl_password_result_delimiter) echo '::|' ;;
	smtp_tls_ciphers | smtp_tls_mandatory_ciphers) echo 'null|' ;;
	smtp_discard_ehlo_keywords) echo 'pipelining, nosuchkeyword|' ;;
	header_checks | smtp_header_checks | mime_header_checks | nested_header_checks | \
		milter_header_checks | \
		smtp_mime_header_checks | smtp_nested_header_checks | body_checks | \
		smtp_body_checks) echo "regexp:$T/no/such/checks|" ;;
	body_checks_size_limit) echo 'big|' ;;
	line_length_limit) echo '511|' ;;
	debug_peer_list) echo '127.0.0.1/8|' ;;
	debug_peer_level) echo '0|' ;;
	sendmail_fix_line_endings) echo 'Always|' ;;
	message_drop_headers) echo 'bcc, return-path:|' ;;
	undisclosed_recipients_header) echo 'undisclosed-recipients|' ;;
	header_from_format) echo 'fancy|' ;;
	non_smtpd_milters) echo 'tcp:localhost:8891|' ;;
	milter_protocol) echo '7|' ;;
	milter_default_action) echo 'bounce|' ;;
	milter_macro_defaults) echo 'noequals|' ;;
	# The rest are booleans.
	*) echo 'maybe|' ;;
	esac
}

i=0
for p in $params; do
	case $free_params in *" $p "*) continue ;; esac
	i=$((i + 1))
	spec=$(bad "$p")
	value=${spec%%|*}
	extra=${spec#*|}
	{
		echo "relayhost = [127.0.0.1]:$port"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/dead.$i"
		[ -n "$extra" ] && echo "$extra"
		echo "$p = $value"
	} >"$T/$i.cf"
	timeout 20 "$RELAYMAIL" -C "$T/$i.cf" -f sender@client.test rcpt@dest.test \
		<"$T/msg" >"$T/out" 2>"$T/err"
	rc=$?
	tap_is "$rc" 78 "$p = $value: exit 78 (a configuration error)" ||
		tap_diag "$(cat "$T/err")"
	first=$(head -n 1 "$T/err")
	case $first in
	*"$p"*) tap__result 0 "$p = $value: the first line of stderr names the parameter" ;;
	*) tap__result 1 "$p = $value: the first line of stderr names the parameter"
		tap_diag "stderr: $(cat "$T/err")" ;;
	esac
	# A file that cannot be read as a configuration at all, or a bad
	# dead_letter_file, keeps the message in the default place; any
	# other, where it says.
	saved=$(sed -n 's/^relaymail: the message was saved in //p' "$T/err")
	want=$T/dead.$i
	case $p in compatibility_level | dead_letter_file) want=$T/state/relaymail/dead.letter ;; esac
	tap_is "$saved" "$want" "$p = $value: stderr says where the message is"
	tap_ok "$p = $value: the message is kept there" \
		grep -q '^Subject: kept despite a bad setting' "$want"
done
tap_is "$(cat "$T/relay.tr" 2>/dev/null | grep -c "^# connection")" 0 \
	"no bad setting led to a connection"

# Every known parameter has a case: a new one must get one here.
: >"$T/empty.cf"
for p in $params; do
	case $free_params in *" $p "*) continue ;; esac
	case $(bad "$p") in
	'maybe|')
		v=$(env -i "$RELAYMAIL" -C "$T/empty.cf" --expand "$p" 2>/dev/null)
		case $v in
		yes | no) ;;
		*) tap__result 1 "$p has a bad value case of its own (its default \"$v\" is no boolean)" ;;
		esac
		;;
	esac
done

# -bs reads its settings before the greeting: 421 and 78.
printf 'EHLO client.test\r\nQUIT\r\n' | timeout 20 "$RELAYMAIL" -C "$T/1.cf" -bs >"$T/out" 2>"$T/err"
rc=$?
tap_is "$rc" 78 "-bs with a bad setting: exit 78"
tap_ok "-bs with a bad setting: 421 as the greeting" grep -q '^421 4.3.5 ' "$T/out"

# The same configuration without the bad line sends.
{
	echo "relayhost = [127.0.0.1]:$port"
	echo "myhostname = client.test"
	echo "smtp_tls_security_level = none"
	echo "dead_letter_file = $T/dead.good"
} >"$T/good.cf"
timeout 20 "$RELAYMAIL" -C "$T/good.cf" -f sender@client.test rcpt@dest.test <"$T/msg" \
	>"$T/out" 2>"$T/err"
tap_is "$?" 0 "without the bad setting the message is sent" || tap_diag "$(cat "$T/err")"
tap_is "$(grep -c '^# connection' "$T/relay.tr" 2>/dev/null)" 1 "... over one connection"
tap_done

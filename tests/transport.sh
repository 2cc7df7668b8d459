#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The relay transport against tests/fakesmtp: every TLS level against
# STARTTLS offered or not and good or bad certificates, SMTPS, STARTTLS
# injection, the failover walk between two relays, every timeout on a
# stalled server, PIPELINING, and replies that are odd on purpose. Each
# check compares relaymail's exit status and the exact client transcript.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

command -v certtool >/dev/null 2>&1 || tap_skip_all "certtool (gnutls-bin) is not installed"
[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-transport.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
cleanup() {
	fake_stop_all
	if [ "${FAKE_KEEP:-0}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
# Servers never outlive the test, whatever ends it.
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

fake_certs || tap_bail "certtool failed: $(tail -n 3 "$T/tls/certtool.log")"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

cat >"$T/msg" <<'EOM'
From: Sender <sender@client.test>
To: <rcpt@dest.test>
Subject: transport test
Date: Mon, 01 Jan 2024 12:00:00 +0000
Message-ID: <transport@client.test>

Body line.
EOM

# ---- Script pieces (see the top of tests/fakesmtp.c).

s_greet() { echo "send 220 fake.test ESMTP fakesmtp"; }
# s_ehlo CAP...: the EHLO reply with these capabilities.
s_ehlo() {
	echo "expect EHLO"
	if [ $# = 0 ]; then
		echo "send 250 fake.test"
		return
	fi
	echo "send 250-fake.test"
	while [ $# -gt 1 ]; do
		echo "send 250-$1"
		shift
	done
	echo "send 250 $1"
}
s_starttls() { printf '%s\n' "expect STARTTLS" "send 220 2.0.0 Ready to start TLS" tls; }
s_quit() { printf '%s\n' "expect QUIT" "send 221 2.0.0 Bye"; }
# s_txn: MAIL, RCPT, DATA and the message accepted, then QUIT.
s_txn() {
	printf '%s\n' "expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" \
		"send 250 2.1.5 Ok" "expect DATA" "send 354 End data with <CR><LF>.<CR><LF>" \
		data "send 250 2.0.0 Ok: queued as FAKE1"
	s_quit
}

# script NAME PIECES...: each piece is a function name or "line:TEXT".
script() {
	_sn=$1
	shift
	for _p in "$@"; do
		case $_p in
		line:*) echo "${_p#line:}" ;;
		*) eval "$_p" ;;
		esac
	done >"$T/$_sn.script"
}

# conf NAME PORT LINE...: $T/NAME.cf relaying to [127.0.0.1]:PORT.
conf() {
	_cn=$1 _cp=$2
	shift 2
	{
		echo "relayhost = [127.0.0.1]:$_cp"
		echo "myhostname = client.test"
		echo "smtp_tls_CAfile = $T/tls/ca.pem"
		echo "dead_letter_file = $T/dead.letter"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_cn.cf"
}

# password NAME KEY USER PASS: add a line to $T/NAME.pw (0600).
password() {
	(umask 077 && printf '%s %s:%s\n' "$2" "$3" "$4" >>"$T/$1.pw")
}

# run CONF [ARGS...]: relaymail -C $T/CONF.cf with the test message;
# sets rc and elapsed (seconds, one decimal); stderr in $T/err.
run() {
	_rc=$1
	shift
	_t0=$(date +%s.%N)
	timeout 60 "$RELAYMAIL" -C "$T/$_rc.cf" -f sender@client.test "$@" rcpt@dest.test \
		<"$T/msg" >"$T/out" 2>"$T/err"
	rc=$?
	elapsed=$(echo "$(date +%s.%N) $_t0" | awk '{ printf "%.1f", $1 - $2 }')
}

# shape NAME: the transcript on one line, "|" between lines, the message
# data replaced by <data>.
shape() {
	awk 'd { if ($0 == "C: ." || $0 == "C+ .") { print "<data>"; d = 0 }; next }
		$0 == "# data" { d = 1; next }
		{ print }' "$T/$1.tr" 2>/dev/null | paste -sd '|'
}

# within SECONDS: elapsed is below SECONDS.
within() {
	awk -v e="$elapsed" -v l="$1" 'BEGIN { exit !(e < l) }'
}

# stderr_has TEXT: relaymail's stderr contains TEXT.
stderr_has() {
	grep -qF -- "$1" "$T/err" && return 0
	tap_diag "stderr:" "$(cat "$T/err")"
	return 1
}

# QUIT goes with the end of the message (RFC 2920), as Postfix sends it.
MAIL='C: MAIL FROM:<sender@client.test>|C+ RCPT TO:<rcpt@dest.test>|C+ DATA|<data>|C+ QUIT'
# The same without PIPELINING: one command per write.
MAIL1='C: MAIL FROM:<sender@client.test>|C: RCPT TO:<rcpt@dest.test>|C: DATA|<data>|C: QUIT'
EHLO='C: EHLO client.test'
PLAIN_OK="# connection 1|$EHLO|$MAIL"
TLS_OK="# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO|$MAIL"
# A certificate refused after the handshake: QUIT over TLS, as Postfix.
TLS_REFUSED="# connection 1|$EHLO|C: STARTTLS|# tls|C: QUIT"
NOT_OFFERED="# connection 1|$EHLO|C: QUIT"

# ---- TLS levels x STARTTLS offered or not x certificate.

fp_good=$(certtool --fingerprint --hash=sha256 --infile "$T/tls/good.pem" 2>/dev/null)
[ -n "$fp_good" ] || tap_bail "certtool --fingerprint failed"

# level_conf LEVEL: the configuration lines for that level ("unset": none).
level_conf() {
	case $1 in
	unset) ;;
	fingerprint)
		echo "smtp_tls_security_level = fingerprint"
		echo "smtp_tls_fingerprint_cert_match = $fp_good"
		;;
	*) echo "smtp_tls_security_level = $1" ;;
	esac
}

# tls_case LEVEL OFFERED CERT WANT_RC WANT_SHAPE [STDERR]
tls_case() {
	_l=$1 _o=$2 _c=$3 _want=$4 _shape=$5 _err=${6:-}
	_what="level $_l, STARTTLS $_o, certificate $_c"
	if [ "$_o" = offered ]; then
		case $_shape in
		"$PLAIN_OK") script m s_greet "s_ehlo PIPELINING STARTTLS" s_txn ;;
		"$TLS_REFUSED") script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls s_quit ;;
		*) script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls \
			"s_ehlo PIPELINING" s_txn ;;
		esac
	else
		case $_shape in
		"$PLAIN_OK") script m s_greet "s_ehlo PIPELINING" s_txn ;;
		*) script m s_greet "s_ehlo PIPELINING" s_quit ;;
		esac
	fi
	fake_start m "$T/m.script" "$_c"
	# shellcheck disable=SC2046
	(IFS='
'
		conf m "$fake_port" $(level_conf "$_l"))
	run m
	fake_stop m
	tap_is "$rc" "$_want" "$_what: exit status $_want"
	tap_is "$(shape m)" "$_shape" "$_what: transcript"
	[ -z "$_err" ] || tap_ok "$_what: stderr says why" stderr_has "$_err"
}

for level in none may encrypt verify secure fingerprint unset; do
	case $level in
	none | may | unset) tls_case $level "not offered" good 0 "$PLAIN_OK" ;;
	*) tls_case $level "not offered" good 75 "$NOT_OFFERED" \
		"TLS is required, but was not offered by relay" ;;
	esac
	for cert in good unknown wrongname expired; do
		case $level:$cert in
		none:*) tls_case $level offered $cert 0 "$PLAIN_OK" ;;
		may:* | encrypt:* | *:good) tls_case $level offered $cert 0 "$TLS_OK" ;;
		fingerprint:*) tls_case $level offered $cert 75 "$TLS_REFUSED" \
			"fingerprint mismatch" ;;
		*:unknown) tls_case $level offered $cert 75 "$TLS_REFUSED" "untrusted issuer" ;;
		*:wrongname) tls_case $level offered $cert 75 "$TLS_REFUSED" \
			"certificate is for wrong.example, not 127.0.0.1" ;;
		*:expired) tls_case $level offered $cert 75 "$TLS_REFUSED" \
			"certificate has expired" ;;
		esac
	done
done

# A key pinned instead of a certificate: no expiry or name is checked.
fp_key=$(certtool --pubkey-info --outder --load-privkey "$T/tls/key.pem" 2>/dev/null |
	sha256sum | cut -c1-64)
script m s_greet "s_ehlo STARTTLS" s_starttls s_ehlo s_txn
fake_start m "$T/m.script" expired
conf m "$fake_port" "smtp_tls_security_level = fingerprint" \
	"smtp_tls_fingerprint_cert_match = $fp_key"
run m
fake_stop m
tap_is "$rc" 0 "fingerprint of the public key: an expired certificate with that key delivers"
tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO|$MAIL1" \
	"fingerprint of the public key: transcript"

# ---- Which names a certificate must carry: verify checks the host name,
# secure the next hop and any name below it (smtp_tls_*_cert_match).

# names_case LEVEL CERT WANT_RC WHAT [LINE...]: relay [localhost]:PORT.
names_case() {
	_l=$1 _c=$2 _want=$3 _what=$4
	shift 4
	if [ "$_want" = 0 ]; then
		script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls "s_ehlo PIPELINING" s_txn
	else
		script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls s_quit
	fi
	fake_start m "$T/m.script" "$_c"
	[ "$_l" = unset ] && _l=
	conf m "$fake_port" "relayhost = [localhost]:$fake_port" "inet_protocols = ipv4" \
		"smtp_tls_security_level = $_l" "$@"
	run m
	fake_stop m
	tap_is "$rc" "$_want" "$_what"
	if [ "$_want" = 0 ]; then
		tap_is "$(shape m)" "$TLS_OK" "$_what: transcript"
	else
		tap_is "$(shape m)" "$TLS_REFUSED" "$_what: transcript"
	fi
}
names_case verify good 0 "verify: a certificate for localhost matches [localhost]"
names_case verify sub 75 "verify: mx.localhost is not the host name localhost"
tap_ok "verify: stderr names both" stderr_has "certificate is for mx.localhost, not localhost"
names_case secure sub 0 "secure: mx.localhost matches dot-nexthop of [localhost]"
names_case secure sub 75 "secure: smtp_tls_secure_cert_match = nexthop refuses mx.localhost" \
	"smtp_tls_secure_cert_match = nexthop"
names_case verify sub 0 "verify: smtp_tls_verify_cert_match = .localhost accepts mx.localhost" \
	"smtp_tls_verify_cert_match = hostname, .localhost"
names_case unset sub 75 "unset level: checks the host name as verify does"

# ---- SMTPS (smtp_tls_wrappermode): TLS before the greeting.

SMTPS_OK="# connection 1|# tls|$EHLO|$MAIL"
# A certificate refused after the handshake: the greeting, then QUIT over
# TLS (Postfix sends QUIT too), not a connection dropped.
SMTPS_REFUSED="# connection 1|# tls|C: QUIT"
# smtps_case LEVEL CERT WANT_RC WANT_SHAPE
smtps_case() {
	if [ "$4" = "$SMTPS_REFUSED" ]; then
		script m line:tls s_greet s_quit
	else
		script m line:tls s_greet "s_ehlo PIPELINING" s_txn
	fi
	fake_start m "$T/m.script" "$2"
	# shellcheck disable=SC2046
	(IFS='
'
		conf m "$fake_port" "smtp_tls_wrappermode = yes" $(level_conf "$1"))
	run m
	fake_stop m
	tap_is "$rc" "$3" "SMTPS, level $1, certificate $2: exit status $3"
	tap_is "$(shape m)" "$4" "SMTPS, level $1, certificate $2: transcript"
}
smtps_case unset good 0 "$SMTPS_OK"
smtps_case unset wrongname 75 "$SMTPS_REFUSED"
smtps_case encrypt unknown 0 "$SMTPS_OK"
smtps_case verify good 0 "$SMTPS_OK"
smtps_case verify expired 75 "$SMTPS_REFUSED"
smtps_case secure unknown 75 "$SMTPS_REFUSED"
smtps_case fingerprint good 0 "$SMTPS_OK"
# The goodbye is short: a refused relay that never greets is left after
# a few seconds, not smtp_helo_timeout's 300; the error stays the
# certificate's.
script m line:tls line:stall
fake_start m "$T/m.script" wrongname
conf m "$fake_port" "smtp_tls_wrappermode = yes"
run m
fake_stop m
tap_is "$rc" 75 "SMTPS, refused certificate, no greeting: exit 75"
tap_ok "SMTPS, refused certificate, no greeting: left within 10 s (took $elapsed s)" \
	awk -v e="$elapsed" 'BEGIN { exit !(e < 10) }'
tap_ok "SMTPS, refused certificate, no greeting: the error is the certificate's" \
	stderr_has "certificate is for wrong.example"
smtps_case may good 78 ""
tap_ok "SMTPS at may: stderr names the fix" stderr_has "requires smtp_tls_security_level = encrypt"

# ---- A failed handshake at "may": plaintext at once, unless a password
# would go with it (postfix.md §4.4); never at the unset level.

script m s_greet "s_ehlo PIPELINING STARTTLS" line:"expect STARTTLS" \
	line:"send 220 2.0.0 Ready" line:badtls line:connection s_greet \
	"s_ehlo PIPELINING STARTTLS" s_txn
fake_start m "$T/m.script"
conf m "$fake_port" "smtp_tls_security_level = may"
run m
tap_is "$rc" 0 "may, handshake fails: delivered in plaintext on a second connection"
tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# bad tls|# connection 2|$EHLO|$MAIL" \
	"may, handshake fails: transcript"
tap_is "$(fake_status m)" 0 "may, handshake fails: the server saw its whole script"
fake_stop m

fake_start m "$T/m.script"
password m "[127.0.0.1]:$fake_port" user1 secret1
conf m "$fake_port" "smtp_tls_security_level = may" "smtp_sasl_auth_enable = yes" \
	"smtp_sasl_password_maps = texthash:$T/m.pw" "maillog_file = $T/m.log"
run m
fake_stop m
tap_is "$rc" 75 "may with credentials, handshake fails: no plaintext retry, exit 75"
tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# bad tls" \
	"may with credentials, handshake fails: one connection only"
rm -f "$T/m.pw"

fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 75 "unset level, handshake fails: no plaintext retry, exit 75"
tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# bad tls" \
	"unset level, handshake fails: one connection only"

# ---- Credentials never travel in cleartext.

script m s_greet "s_ehlo PIPELINING AUTH\ PLAIN\ LOGIN" s_quit
fake_start m "$T/m.script"
password m "[127.0.0.1]:$fake_port" user1 secret1
conf m "$fake_port" "smtp_sasl_auth_enable = yes" "smtp_sasl_password_maps = texthash:$T/m.pw"
run m
fake_stop m
tap_is "$rc" 75 "unset level, credentials, no STARTTLS: exit 75"
tap_is "$(shape m)" "$NOT_OFFERED" "unset level, credentials, no STARTTLS: no AUTH sent"
tap_ok "unset level, credentials, no STARTTLS: stderr says TLS is required" \
	stderr_has "TLS is required, but was not offered by relay"

fake_start m "$T/m.script"
rm -f "$T/m.pw"
password m "[127.0.0.1]:$fake_port" user1 secret1
conf m "$fake_port" "smtp_tls_security_level = none" "smtp_sasl_auth_enable = yes" \
	"smtp_sasl_password_maps = texthash:$T/m.pw" "smtp_sasl_security_options ="
run m
fake_stop m
tap_is "$rc" 77 "level none, credentials, only PLAIN/LOGIN offered: exit 77"
tap_is "$(shape m)" "$NOT_OFFERED" "level none, only PLAIN/LOGIN offered: no AUTH sent"
rm -f "$T/m.pw"

script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls "s_ehlo PIPELINING AUTH\ PLAIN" \
	line:"expect AUTH PLAIN" line:"auth PLAIN user1 secret1" s_txn
fake_start m "$T/m.script" unknown
password m "[127.0.0.1]:$fake_port" user1 secret1
conf m "$fake_port" "smtp_tls_security_level = may" "smtp_sasl_auth_enable = yes" \
	"smtp_sasl_password_maps = texthash:$T/m.pw" "maillog_file = $T/m.log"
run m
fake_stop m
tap_is "$rc" 0 "may, credentials, unverified certificate: delivered"
tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO|C: AUTH PLAIN AHVzZXIxAHNlY3JldDE=|# auth PLAIN ok|$MAIL" \
	"may, credentials, unverified certificate: transcript"
tap_ok "may, credentials, unverified certificate: the mail log warns" \
	grep -q "warning: .*was not verified (smtp_tls_security_level = may)" "$T/m.log"
tap_is "$(cat "$T/err")" "" "may, credentials, unverified certificate: a send that works is quiet"
rm -f "$T/m.pw"

# ---- STARTTLS injection (RFC 3207 §4): bytes after the 220 in the same
# write are a protocol error; relaymail hangs up without a handshake.

script m s_greet "s_ehlo PIPELINING STARTTLS" line:"expect STARTTLS" \
	line:"send 220 2.0.0 Ready" line:'raw 250-injected\r\n' line:tls s_ehlo s_txn
fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 76 "STARTTLS injection: exit 76 (the relay broke the protocol)"
tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# tls failed" \
	"STARTTLS injection: no handshake, no further command"
tap_ok "STARTTLS injection: stderr says so" stderr_has "possible STARTTLS injection"

# ---- The failover walk: relayhost [127.0.0.1]:P, smtp_fallback_relay
# [127.0.0.1]:F, each with its own credentials (keys as written).

AUTH2='C: AUTH PLAIN AHVzZXIyAHNlY3JldDI=|# auth PLAIN ok'
FALLBACK_OK="# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO|$AUTH2|$MAIL"
script fb s_greet "s_ehlo PIPELINING STARTTLS" s_starttls "s_ehlo PIPELINING AUTH\ PLAIN" \
	line:"expect AUTH PLAIN" line:"auth PLAIN user2 secret2" s_txn

# failover PRIMARY_PORT PRIMARY_PASSWORD [LINE...]: starts the fallback,
# writes $T/fo.cf; PRIMARY_PASSWORD "-": no credentials for the primary.
failover() {
	_pp=$1 _ppw=$2
	shift 2
	fake_start fb "$T/fb.script"
	fb_port=$fake_port
	rm -f "$T/fo.pw"
	[ "$_ppw" = - ] || password fo "[127.0.0.1]:$_pp" user1 "$_ppw"
	password fo "[127.0.0.1]:$fake_port" user2 secret2
	conf fo "$_pp" "smtp_fallback_relay = [127.0.0.1]:$fake_port" \
		"smtp_sasl_auth_enable = yes" "smtp_sasl_password_maps = texthash:$T/fo.pw" "$@"
}

# fails_over WHAT PRIMARY_SHAPE [may-twice]: relaymail delivers through
# the fallback.
fails_over() {
	run fo
	fake_stop pr
	fake_stop fb
	tap_is "$rc" 0 "primary $1: the fallback delivers, exit 0"
	tap_is "$(shape pr)" "$2" "primary $1: primary transcript"
	tap_is "$(shape fb)" "$FALLBACK_OK" "primary $1: fallback transcript"
	# The relay that drops the connection after 354 may close it while
	# the final dot is on its way: then the message may be there, and
	# the one warning that says so is right (the race is the relay's).
	if [ "${3:-}" = may-twice ] && grep -q 'may arrive twice$' "$T/err"; then
		tap_is "$(wc -l <"$T/err")" 1 "primary $1: one line on stderr, that it may arrive twice"
		return
	fi
	tap_is "$(cat "$T/err")" "" "primary $1: nothing on stderr once the message is through"
}

# stays WHAT WANT_RC PRIMARY_SHAPE: a verdict; the fallback never hears of it.
stays() {
	run fo
	fake_stop pr
	fake_stop fb
	tap_is "$rc" "$2" "primary $1: exit $2"
	tap_is "$(shape pr)" "$3" "primary $1: primary transcript"
	tap_is "$(shape fb)" "" "primary $1: the fallback is never contacted"
}

dead_port=$("$top_builddir/tests/freeport")
failover "$dead_port" -
fails_over "refuses the connection" ""

for greeting in "421 4.3.2 Service not available" "554 5.3.2 go away"; do
	script pr line:"send $greeting" s_quit
	fake_start pr "$T/pr.script"
	failover "$fake_port" -
	fails_over "greets ${greeting%% *}" "# connection 1|C: QUIT"
done

script pr s_greet "s_ehlo PIPELINING STARTTLS" s_starttls s_quit
fake_start pr "$T/pr.script" unknown
failover "$fake_port" secret1
fails_over "fails TLS verification" "$TLS_REFUSED"

script pr s_greet "s_ehlo PIPELINING STARTTLS" s_starttls "s_ehlo PIPELINING AUTH\ PLAIN" \
	line:"expect AUTH" line:"auth PLAIN user1 secret1" s_quit
fake_start pr "$T/pr.script"
failover "$fake_port" wrong
fails_over "fails AUTH (535)" \
	"# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO|C: AUTH PLAIN AHVzZXIxAHdyb25n|# auth PLAIN failed|C: QUIT"

script pr s_greet "s_ehlo PIPELINING" line:"expect MAIL" line:"send 250 2.1.0 Ok" \
	line:"expect RCPT" line:"send 451 4.3.0 Try again later" line:"expect DATA" \
	line:"send 554 5.5.1 Error: no valid recipients" s_quit
fake_start pr "$T/pr.script"
failover "$fake_port" -
fails_over "answers 451 to RCPT" "# connection 1|$EHLO|${MAIL%|<data>*}|C: QUIT"

script pr s_greet "s_ehlo PIPELINING" line:"expect MAIL" line:"send 250 2.1.0 Ok" \
	line:"expect RCPT" line:"send 250 2.1.5 Ok" line:"expect DATA" line:"send 354 go" line:close
fake_start pr "$T/pr.script"
failover "$fake_port" -
fails_over "drops the connection after 354" "# connection 1|$EHLO|${MAIL%|<data>*}" may-twice

# The primary drops the connection after the final dot: it may have the
# message. The fallback is tried, as Postfix does; the success says so.
script pr s_greet "s_ehlo PIPELINING" line:"expect MAIL" line:"send 250 2.1.0 Ok" \
	line:"expect RCPT" line:"send 250 2.1.5 Ok" line:"expect DATA" line:"send 354 go" \
	line:data line:close
fake_start pr "$T/pr.script"
pport=$fake_port
failover "$pport" -
run fo
fake_stop pr
fake_stop fb
tap_is "$rc" 0 "primary drops the connection after the dot: the fallback delivers, exit 0"
tap_is "$(shape fb)" "$FALLBACK_OK" "primary drops the connection after the dot: fallback transcript"
tap_ok "primary drops the connection after the dot: a warning names both relays" \
	stderr_has "the connection with 127.0.0.1[127.0.0.1]:$pport was lost after the message was sent; it went through 127.0.0.1[127.0.0.1]:$fb_port, and may arrive twice"
tap_is "$(wc -l <"$T/err")" 1 "primary drops the connection after the dot: that one line"

# stays_script WHAT WANT_RC MAIL_REPLY RCPT_REPLY DATA_REPLY [DOT_REPLY]
stays_script() {
	_sw=$1 _sr=$2
	if [ -n "${6:-}" ]; then
		script pr s_greet "s_ehlo PIPELINING" line:"expect MAIL" line:"send $3" \
			line:"expect RCPT" line:"send $4" line:"expect DATA" line:"send $5" line:data \
			line:"send $6" s_quit
		_shape="# connection 1|$EHLO|$MAIL"
	else
		script pr s_greet "s_ehlo PIPELINING" line:"expect MAIL" line:"send $3" \
			line:"expect RCPT" line:"send $4" line:"expect DATA" line:"send $5" s_quit
		_shape="# connection 1|$EHLO|${MAIL%|<data>*}|C: QUIT"
	fi
	fake_start pr "$T/pr.script"
	failover "$fake_port" -
	stays "$_sw" "$_sr" "$_shape"
}
stays_script "answers 550 to RCPT" 67 "250 2.1.0 Ok" \
	"550 5.1.1 <rcpt@dest.test>: Recipient address rejected" \
	"554 5.5.1 Error: no valid recipients"
tap_ok "550 to RCPT: stderr names the recipient and quotes the relay" \
	stderr_has "<rcpt@dest.test> (550 5.1.1 <rcpt@dest.test>: Recipient address rejected)"
stays_script "answers 553 to MAIL" 69 "553 5.7.1 <sender@client.test>: Sender address rejected" \
	"503 5.5.1 Error: need MAIL command" "503 5.5.1 Error: need RCPT command"
tap_ok "553 to MAIL: stderr quotes the relay" \
	stderr_has "553 5.7.1 <sender@client.test>: Sender address rejected"
stays_script "answers 554 after the dot" 69 "250 2.1.0 Ok" "250 2.1.5 Ok" "354 go" \
	"554 5.7.1 Message rejected as spam"
tap_ok "554 after the dot: stderr quotes the relay with its enhanced status code" \
	stderr_has "554 5.7.1 Message rejected as spam"

# ---- When every relay fails, the most telling status (src/deliver/deliver.c).

AUTH_FAILS="s_greet 's_ehlo PIPELINING STARTTLS' s_starttls 's_ehlo PIPELINING AUTH\ PLAIN' line:'expect AUTH' line:'auth PLAIN user1 secret1' s_quit"
eval "script pr $AUTH_FAILS"
eval "script p2 $AUTH_FAILS"
fake_start pr "$T/pr.script"
pport=$fake_port
fake_start p2 "$T/p2.script"
rm -f "$T/all.pw"
password all "[127.0.0.1]:$pport" user1 wrong
password all "[127.0.0.1]:$fake_port" user1 wrong2
conf all "$pport" "smtp_fallback_relay = [127.0.0.1]:$fake_port" \
	"smtp_sasl_auth_enable = yes" "smtp_sasl_password_maps = texthash:$T/all.pw"
run all
fake_stop pr
fake_stop p2
tap_is "$rc" 77 "both relays refuse the credentials: exit 77"
tap_is "$(grep -c '535 5.7.8 Authentication credentials invalid' "$T/err")" 2 \
	"both relays refuse the credentials: both refusals on stderr"

fake_start pr "$T/pr.script"
rm -f "$T/all.pw"
password all "[127.0.0.1]:$fake_port" user1 wrong
conf all "$fake_port" "smtp_fallback_relay = [127.0.0.1]:$dead_port" \
	"smtp_sasl_auth_enable = yes" "smtp_sasl_password_maps = texthash:$T/all.pw"
run all
fake_stop pr
tap_is "$rc" 75 "primary refuses the credentials, fallback down: exit 75 (a later try may work)"
tap_ok "primary refuses the credentials, fallback down: stderr has the refusal" \
	stderr_has "535 5.7.8 Authentication credentials invalid"
tap_ok "primary refuses the credentials, fallback down: stderr has the refused connection" \
	stderr_has "connect to 127.0.0.1[127.0.0.1]:$dead_port"

fake_start pr "$T/pr.script"
rm -f "$T/all.pw"
password all "[127.0.0.1]:$fake_port" user1 wrong
conf all "$dead_port" "smtp_fallback_relay = [127.0.0.1]:$fake_port" \
	"smtp_sasl_auth_enable = yes" "smtp_sasl_password_maps = texthash:$T/all.pw"
run all
fake_stop pr
tap_is "$rc" 75 "primary down, fallback refuses the credentials: exit 75, not 77"
tap_is "$(grep -c -e "connect to 127.0.0.1\[127.0.0.1\]:$dead_port" \
	-e '535 5.7.8 Authentication credentials invalid' "$T/err")" 2 \
	"primary down, fallback refuses the credentials: both failures on stderr"

script pr line:"send 421 4.3.2 Service not available" s_quit
fake_start pr "$T/pr.script"
conf all "$fake_port"
run all
fake_stop pr
tap_is "$rc" 75 "the only relay greets 421: exit 75"
tap_ok "the only relay greets 421: stderr quotes it" stderr_has "421 4.3.2 Service not available"

# ---- Every timeout fires on a stalled server, within its deadline.

# timeout_case PARAM WANT_SHAPE PIECES...: PARAM = 1s, the server stalls.
timeout_case() {
	_tp=$1 _ts=$2
	shift 2
	script m "$@"
	fake_start m "$T/m.script"
	conf m "$fake_port" "$_tp = 1s"
	run m
	fake_stop m
	tap_is "$rc" 75 "$_tp: exit 75"
	tap_ok "$_tp: gave up after at least 1 s and within 4 s (took $elapsed s)" \
		awk -v e="$elapsed" 'BEGIN { exit !(e >= 0.9 && e < 4) }'
	tap_is "$(shape m)" "$_ts" "$_tp: transcript"
}
STALL='# stall|# eof'
timeout_case smtp_helo_timeout "# connection 1|$STALL" line:stall
timeout_case smtp_helo_timeout "# connection 1|$EHLO|$STALL" s_greet line:"expect EHLO" line:stall
timeout_case smtp_starttls_timeout "# connection 1|$EHLO|C: STARTTLS|$STALL" s_greet \
	"s_ehlo STARTTLS" line:"expect STARTTLS" line:"send 220 2.0.0 Ready" line:stall
timeout_case smtp_mail_timeout "# connection 1|$EHLO|C: MAIL FROM:<sender@client.test>|$STALL" \
	s_greet s_ehlo line:"expect MAIL" line:stall
timeout_case smtp_rcpt_timeout \
	"# connection 1|$EHLO|C: MAIL FROM:<sender@client.test>|C: RCPT TO:<rcpt@dest.test>|$STALL" \
	s_greet s_ehlo line:"expect MAIL" line:"send 250 2.1.0 Ok" line:"expect RCPT" line:stall
timeout_case smtp_data_init_timeout \
	"# connection 1|$EHLO|C: MAIL FROM:<sender@client.test>|C: RCPT TO:<rcpt@dest.test>|C: DATA|$STALL" \
	s_greet s_ehlo line:"expect MAIL" line:"send 250 2.1.0 Ok" line:"expect RCPT" \
	line:"send 250 2.1.5 Ok" line:"expect DATA" line:stall
timeout_case smtp_data_done_timeout "# connection 1|$EHLO|$MAIL|$STALL" \
	s_greet "s_ehlo PIPELINING" line:"expect MAIL" line:"send 250 2.1.0 Ok" \
	line:"expect RCPT" line:"send 250 2.1.5 Ok" line:"expect DATA" line:"send 354 go" \
	line:data line:stall
tap_ok "smtp_data_done_timeout: stderr warns the message may have been delivered" \
	stderr_has "may have been delivered"

# smtp_data_xfer_timeout: the relay stops reading in the middle of a 32 MB
# body, so the socket buffers fill and a write cannot finish.
{
	cat "$T/msg"
	head -c 33554432 /dev/zero | tr '\0' 'x' | fold -w 76
} >"$T/big"
script m s_greet s_ehlo line:"expect MAIL" line:"send 250 2.1.0 Ok" line:"expect RCPT" \
	line:"send 250 2.1.5 Ok" line:"expect DATA" line:"send 354 go" line:"delay 30000"
fake_start m "$T/m.script"
conf m "$fake_port" "smtp_data_xfer_timeout = 1s" "message_size_limit = 0"
_t0=$(date +%s.%N)
timeout 60 "$RELAYMAIL" -C "$T/m.cf" -f sender@client.test rcpt@dest.test <"$T/big" \
	>"$T/out" 2>"$T/err"
rc=$?
elapsed=$(echo "$(date +%s.%N) $_t0" | awk '{ printf "%.1f", $1 - $2 }')
fake_stop m
rm -f "$T/big"
tap_is "$rc" 75 "smtp_data_xfer_timeout: exit 75"
tap_ok "smtp_data_xfer_timeout: gave up after at least 1 s and within 4 s (took $elapsed s)" \
	awk -v e="$elapsed" 'BEGIN { exit !(e >= 0.9 && e < 4) }'
tap_ok "smtp_data_xfer_timeout: stderr says it timed out" stderr_has "timed out"

fake_start_backlog bl
conf m "$fake_port" "smtp_connect_timeout = 1s"
run m
fake_stop bl
tap_is "$rc" 75 "smtp_connect_timeout (a listener whose accept queue is full): exit 75"
tap_ok "smtp_connect_timeout: gave up within 4 s (took $elapsed s)" \
	awk -v e="$elapsed" 'BEGIN { exit !(e >= 0.9 && e < 4) }'
tap_ok "smtp_connect_timeout: stderr says the connect timed out" stderr_has "timed out"

# relaymail_deadline bounds the whole run, across relays: two stalling
# relays with the default stage timeouts (minutes) take 2 s in all.
script m line:stall
fake_start m "$T/m.script"
pport=$fake_port
fake_start m2 "$T/m.script"
conf m "$pport" "smtp_fallback_relay = [127.0.0.1]:$fake_port" "relaymail_deadline = 2s"
run m
fake_stop m
fake_stop m2
tap_is "$rc" 75 "relaymail_deadline = 2s, two stalling relays: exit 75"
tap_ok "relaymail_deadline: the run ended within 5 s (took $elapsed s)" \
	awk -v e="$elapsed" 'BEGIN { exit !(e >= 1.9 && e < 5) }'

# ---- PIPELINING: MAIL, every RCPT and DATA in one write; without it,
# one command per write.

script m s_greet "s_ehlo PIPELINING" line:"expect MAIL" line:"send 250 2.1.0 Ok" \
	line:"expect RCPT" line:"send 250 2.1.5 Ok" line:"expect RCPT" line:"send 250 2.1.5 Ok" \
	line:"expect DATA" line:"send 354 go" line:data line:"send 250 2.0.0 Ok" s_quit
fake_start m "$T/m.script"
conf m "$fake_port"
run m second@dest.test
fake_stop m
tap_is "$rc" 0 "PIPELINING, two recipients: exit 0"
tap_is "$(shape m)" "# connection 1|$EHLO|C: MAIL FROM:<sender@client.test>|C+ RCPT TO:<second@dest.test>|C+ RCPT TO:<rcpt@dest.test>|C+ DATA|<data>|C+ QUIT" \
	"PIPELINING: MAIL, both RCPTs and DATA arrived in one read"

script m s_greet s_ehlo s_txn
fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 0 "no PIPELINING: exit 0"
tap_is "$(shape m)" "# connection 1|$EHLO|$MAIL1" "no PIPELINING: one command per read"

# ---- Replies that are odd on purpose.

script m line:bytewise s_greet "s_ehlo PIPELINING STARTTLS SIZE\ 100000" s_starttls \
	"s_ehlo PIPELINING" s_txn
fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 0 "replies one byte per segment, before and after TLS: exit 0"
tap_is "$(shape m)" "$TLS_OK" "replies one byte per segment: transcript"

script m line:"send 220-fake.test ESMTP" line:"send 220-second greeting line" \
	line:"send 220 third" "s_ehlo 8BITMIME PIPELINING DSN" line:"expect MAIL" \
	line:"send 250 2.1.0 Ok" line:"expect RCPT" line:"send 250 2.1.5 Ok" line:"expect DATA" \
	line:"send 354 go" line:data line:"send 250-2.0.0 Ok" line:"send 250 2.0.0 queued as X" \
	s_quit
fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 0 "multi-line greeting, EHLO and final replies: exit 0"
tap_is "$(shape m)" "$PLAIN_OK" "multi-line replies: transcript"

script m line:'raw \x01\x02 this is no SMTP\r\n' line:eof
fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 76 "a garbage greeting: exit 76 (the relay broke the protocol)"
tap_is "$(shape m)" "# connection 1|# eof" "a garbage greeting: relaymail sends nothing"

script m s_greet "s_ehlo PIPELINING ENHANCEDSTATUSCODES" line:"expect MAIL" \
	line:'send 554 5.7.1 bad \x1b[31mred\x07 text' line:"expect RCPT" \
	line:"send 503 5.5.1 Error: need MAIL command" line:"expect DATA" \
	line:"send 503 5.5.1 Error: need RCPT command" s_quit
fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 69 "a 554 to MAIL with control characters: exit 69"
tap_ok "control characters are made safe on stderr" stderr_has "554 5.7.1 bad ?[31mred? text"
tap_is "$(tr -d '\033\007' <"$T/err" | cmp -s - "$T/err"; echo $?)" 0 \
	"no ESC or BEL byte reaches stderr"

script m s_greet "s_ehlo PIPELINING SIZE\ 100" s_quit
fake_start m "$T/m.script"
conf m "$fake_port"
run m
fake_stop m
tap_is "$rc" 69 "SIZE 100 is too small: exit 69"
tap_is "$(shape m)" "$NOT_OFFERED" "SIZE too small: no MAIL is sent"
tap_ok "SIZE too small: stderr names the limit" stderr_has "exceeds the size limit 100 of relay"

# ---- SASL mechanisms the fake server checks (the rest: tests/postfix.sh).

# mech_case MECH B64...: relaymail authenticates with MECH over STARTTLS.
mech_case() {
	script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls "s_ehlo PIPELINING AUTH\ $1" \
		line:"expect AUTH $1" line:"auth $1 user1 secret1" s_txn
	fake_start m "$T/m.script"
	rm -f "$T/m.pw"
	password m "[127.0.0.1]:$fake_port" user1 secret1
	conf m "$fake_port" "smtp_sasl_auth_enable = yes" \
		"smtp_sasl_password_maps = texthash:$T/m.pw"
	run m
	fake_stop m
	tap_is "$rc" 0 "AUTH $1: exit 0"
	tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO|$2|# auth $1 ok|$MAIL" \
		"AUTH $1: transcript"
}
mech_case PLAIN "C: AUTH PLAIN AHVzZXIxAHNlY3JldDE="
mech_case LOGIN "C: AUTH LOGIN|C: dXNlcjE=|C: c2VjcmV0MQ=="
# base64("user1 " HMAC-MD5("secret1", "<1896.697170952@fakesmtp.test>")), RFC 2195.
mech_case CRAM-MD5 "C: AUTH CRAM-MD5|C: dXNlcjEgNDk4YjkyZWFlODg3NjUwM2U1MjQxZjk0N2Y3NzdjNzk="

# ---- smtp_sasl_mechanism_filter is a Postfix match list: pattern files
# and tables are read when the list is opened, and one that cannot be is
# a configuration error naming the parameter, its line and the table.

# filter_case WHAT FILTER MECH AUTH-LINES: the relay offers CRAM-MD5 PLAIN
# LOGIN over STARTTLS; relaymail authenticates with MECH.
filter_case() {
	script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls \
		"s_ehlo PIPELINING AUTH\ CRAM-MD5\ PLAIN\ LOGIN" line:"expect AUTH $3" \
		line:"auth $3 user1 secret1" s_txn
	fake_start m "$T/m.script"
	rm -f "$T/m.pw"
	password m "[127.0.0.1]:$fake_port" user1 secret1
	conf m "$fake_port" "smtp_sasl_auth_enable = yes" \
		"smtp_sasl_password_maps = texthash:$T/m.pw" "smtp_sasl_mechanism_filter = $2"
	run m
	fake_stop m
	tap_is "$rc" 0 "filter $1: exit 0"
	tap_is "$(shape m)" "# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO|$4|# auth $3 ok|$MAIL" \
		"filter $1: AUTH $3"
}
printf '# CRAM-MD5 is not wanted here\ncram-md5\n  plain\n' >"$T/mechs.list"
filter_case "with a negated pattern file" "!$T/mechs.list, static:all" LOGIN \
	"C: AUTH LOGIN|C: dXNlcjE=|C: c2VjcmV0MQ=="
printf 'PLAIN any value\n' >"$T/mechs.tab"
filter_case "with a table" "texthash:$T/mechs.tab" PLAIN "C: AUTH PLAIN AHVzZXIxAHNlY3JldDE="

script m s_greet "s_ehlo PIPELINING STARTTLS" s_starttls \
	"s_ehlo PIPELINING AUTH\ CRAM-MD5\ PLAIN" s_quit
fake_start m "$T/m.script"
rm -f "$T/m.pw"
password m "[127.0.0.1]:$fake_port" user1 secret1
conf m "$fake_port" "smtp_sasl_auth_enable = yes" "smtp_sasl_password_maps = texthash:$T/m.pw" \
	"smtp_sasl_mechanism_filter = plain, regexp:$T/no-such-table"
run m
fake_stop m
tap_is "$rc" 78 "filter with a table that does not open: exit 78"
tap_ok "filter with a table that does not open: stderr names parameter, line and table" \
	stderr_has "smtp_sasl_mechanism_filter ($T/m.cf, line 7): cannot open $T/no-such-table"
tap_ok "filter with a table that does not open: no AUTH sent" \
	sh -c '! grep -q "AUTH" "$1"' - "$T/m.tr"

tap_done

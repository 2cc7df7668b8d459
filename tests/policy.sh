#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The relay policy, differential, with Postfix as the oracle
# (tests/lib/differential.sh): smtp_tls_policy_maps by next hop, TLS
# levels, protocols and ciphers, soft_bounce, smtp_sasl_auth_soft_bounce,
# smtp_skip_5xx_greeting, smtp_discard_ehlo_keywords and the EHLO/HELO
# switches. Each case's main.cf lines go (A) into a private Postfix,
# which takes the message through its own sendmail, pickup, cleanup and
# smtp(8), and (B) into relaymail's sendmail.conf. Both sides talk to
# relays of the test relay (tests/lib/relay.sh) that behave alike but
# listen on ports of their own, one per side, so that what each relay
# saw (connections, EHLO or HELO, STARTTLS with the protocol and cipher,
# AUTH, the commands, from its log) is compared, and so is the outcome:
# Postfix's delivery status (sent; deferred, and still in its queue;
# bounced) against relaymail's exit status (0; 75; another failure) and
# the dead letter. A deliberate difference is pinned: what each side
# does is stated, and doc/sendmail.conf.5.in says why.
# shellcheck disable=SC2086 # $NOTLS, $AUTH and the like are lists of words
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"

# Names like smtp.isp.test must reach the relays: the test runs in a
# mount namespace of its own, with an /etc/hosts of its own bound over
# the real one for itself and the daemons it starts. Without one, the
# cases that need it are skipped.
# POLICY_NAMESPACE=1 only keeps the test from doing so twice: the hosts
# file is bound only when the test's mount namespace is not its parent's
# (unshare runs it in place, without a fork).
if [ -z "${POLICY_NAMESPACE:-}" ] && [ "${RELAYMAIL_TEST_POSTFIX:-auto}" != no ] &&
	[ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m --propagation private true 2>/dev/null; then
	POLICY_NAMESPACE=1 exec unshare -m --propagation private sh "$0" "$@"
fi

DIFF_NAME=policy
. "$top_srcdir/tests/lib/differential.sh"

# Seconds for every oracle to reach its verdict.
: "${POLICY_TIMEOUT:=60}"

HOSTS=no
_ns=$(readlink "/proc/$$/ns/mnt" 2>/dev/null)
if [ -n "${POLICY_NAMESPACE:-}" ] && [ -n "$_ns" ] &&
	[ "$_ns" != "$(readlink "/proc/$PPID/ns/mnt" 2>/dev/null)" ]; then
	{
		cat /etc/hosts
		echo "127.0.0.1 smtp.isp.test"
	} >"$W/hosts" && mount --bind "$W/hosts" /etc/hosts && HOSTS=yes
fi

# --- How a case is written (beyond tests/lib/differential.sh). ---------------
# relay NAME [-o name=value...]
#	A relay of the case: an smtpd of the test relay, on a port of its
#	own for each side; %NAME% in the lines and tables is that port, and
#	%FP% the SHA-256 fingerprint of its certificate. It offers STARTTLS
#	with the test CA's certificate for localhost and 127.0.0.1, and
#	takes mail from anyone, unless the options say otherwise.
# side_table FILE
#	A table (its text on stdin) at %T%/FILE, one for each side, with the
#	ports of that side.
# outcome SENT|DEFERRED|BOUNCED
#	What Postfix does, which relaymail must do too (0, 75, another
#	permanent failure) unless differs says otherwise.
# differs OUTCOME REASON
#	A deliberate difference: relaymail's outcome (or exit status) pinned.
# view_differs REASON
#	What the relays saw differs on purpose: the views must differ, and
#	are shown; the outcomes are still compared.
# tapped NAME
#	Relay NAME is reached through tests/lib/smtptap.pl, which records
#	how each client wrote its commands before any TLS (one a write, or
#	pipelined), for the view.
# client_notes REGEX [none]
#	The lines of each side's own mail log (Postfix's smtp(8),
#	relaymail's smtp records) that match REGEX are compared too; there
#	must be some, unless "none" says there must not.
# hosts
#	The case needs the name smtp.isp.test.
relay() {
	echo "$1" >>"$C/relays"
	: >"$C/relay.$1"
	_name=$1
	shift
	for _o in "$@"; do
		[ "$_o" = -o ] || printf '%s\n' "$_o" >>"$C/relay.$_name"
	done
}
side_table() {
	mkdir -p "$C/tmpl"
	cat >"$C/tmpl/$1"
}
outcome() {
	echo "$1" >"$C/outcome"
}
differs() {
	echo "$1" >"$C/differs"
	printf '%s\n' "$2" >"$C/differs-why"
}
view_differs() {
	printf '%s\n' "$1" >"$C/view-differs"
}
hosts() {
	: >"$C/hosts"
}
tapped() {
	: >"$C/tap.$1"
}
client_notes() {
	printf '%s\n' "$1" >"$C/notes"
	[ "${2:-}" = none ] && : >"$C/notes-none"
	return 0
}

# Both sides: the test CA; IPv4 and names from /etc/hosts (no DNS here).
shared_lines() {
	cat <<-EOF
		myhostname = host.example.com
		mydomain = example.com
		alias_maps =
		inet_protocols = ipv4
		smtp_dns_support_level = disabled
		smtp_tls_CAfile = $RELAY_CA
	EOF
}
# Postfix's bounces (to the sender's domain, client.test) are dropped, so
# that only the message itself reaches the relays.
oracle_route() {
	echo "transport_maps = inline:{ client.test=discard: }"
}
# The relays come from each case's own lines; relaymail's mail log is the
# library's, $W/r/NAME.maillog.
relaymail_route() {
	:
}
# sub NAME SIDE: a sed script for the ports of SIDE and its table folder.
sub() {
	printf 's|%%T%%|%s|g\n' "$W/c/$1/$2"
	printf 's|%%FP%%|%s|g\n' "$FP"
	while read -r _r; do
		printf 's|%%%s%%|%s|g\n' "$_r" "$(cat "$W/c/$1/port.$_r.$2")"
	done <"$W/c/$1/relays"
}
case_lines() {
	sed -f "$W/c/$1/sub.$2" "$W/c/$1/lines"
}

# --- The cases. --------------------------------------------------------------
# The message goes from sender@client.test to rcpt@dest.test; "-o" options
# are those of smtpd on the relay.
std_case() { # NAME DESC: case_begin, with the usual message
	case_begin "$1" "$2"
	submit -f sender@client.test rcpt@dest.test
	headers <<-'EOF'
		From: Sender <sender@client.test>
		To: rcpt@dest.test
	EOF
}
NOTLS="-o smtpd_tls_security_level=none"

# --- smtp_tls_policy_maps: which entry applies to which next hop. ---

std_case pm-bracket-port "policy maps: [host]:port is looked up as written"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    may
EOF
outcome SENT

std_case pm-bracket-noport "policy maps: an entry for [host] does not apply to [host]:port"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]    may
127.0.0.1      may
EOF
outcome SENT

std_case pm-bracket-name "policy maps: an entry for the bare name does not apply to [name]:port"
relay r
lines <<'EOF'
relayhost = [localhost]:%r%
smtp_tls_security_level = may
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
localhost    none
EOF
outcome SENT

std_case pm-bare-host "policy maps: a bare relayhost (no MX lookup) is looked up by its name"
relay r
lines <<'EOF'
relayhost = localhost
smtp_tcp_port = %r%
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
localhost    may
EOF
outcome SENT

std_case pm-host-port "policy maps: name:port is looked up as written, and only so"
hosts
relay r
lines <<'EOF'
relayhost = smtp.isp.test:%r%
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
smtp.isp.test:%r%    may
.isp.test            none
EOF
outcome SENT

std_case pm-host-port-miss "policy maps: no parent domain for name:port"
hosts
relay r
lines <<'EOF'
relayhost = smtp.isp.test:%r%
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
smtp.isp.test    may
.isp.test        may
EOF
outcome SENT

std_case pm-parent "policy maps: a bare name, then .parent domains"
hosts
relay r
lines <<'EOF'
relayhost = smtp.isp.test
smtp_tcp_port = %r%
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
.isp.test    may
.test        none
EOF
outcome SENT

std_case pm-parent-nodot "policy maps: a parent domain without its dot does not match"
hosts
relay r
lines <<'EOF'
relayhost = smtp.isp.test
smtp_tcp_port = %r%
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
isp.test    may
test        may
EOF
outcome SENT

std_case pm-regexp "policy maps: a regexp table sees the next hop as written"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_tls_policy_maps = regexp:%T%/policy
EOF
side_table policy <<'EOF'
/^127\.0\.0\.1/              encrypt
/^\[127\.0\.0\.1\]:%r%$/     may
EOF
outcome SENT

std_case pm-inline "policy maps: inline, several tables, the first that has the key"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = may
smtp_tls_policy_maps = inline:{ {[localhost]:%r% = encrypt} }, texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    none
EOF
outcome SENT

# --- Levels. ---

std_case lv-encrypt-nostarttls "encrypt from the table, a relay without STARTTLS: deferred"
relay r $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = may
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    encrypt
EOF
outcome DEFERRED

std_case lv-none-entry "none from the table overrides encrypt in main.cf"
relay r $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = encrypt
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    none
EOF
outcome SENT

std_case lv-verify "verify from the table, a certificate of the CA for the name"
relay r
lines <<'EOF'
relayhost = [localhost]:%r%
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[localhost]:%r%    verify
EOF
outcome SENT

std_case lv-verify-match "verify with match= naming something else: deferred"
relay r
lines <<'EOF'
relayhost = [localhost]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[localhost]:%r%    verify match=mail.example.org:.example.org
EOF
outcome DEFERRED

std_case lv-secure-match "secure with match= listing the name among others"
relay r
lines <<'EOF'
relayhost = [localhost]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[localhost]:%r%    secure match=mail.example.org:localhost
EOF
outcome SENT

std_case lv-verify-otherca "verify, a certificate of another CA: deferred"
relay r -o smtpd_tls_cert_file=%OTHER_CERT%
lines <<'EOF'
relayhost = [localhost]:%r%
smtp_tls_security_level = verify
EOF
outcome DEFERRED

std_case lv-secure-default "secure, the default match (nexthop, dot-nexthop) for [name]:port"
relay r
lines <<'EOF'
relayhost = [localhost]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[localhost]:%r%    secure
EOF
outcome SENT

std_case lv-verify-literal "verify for an address literal: the certificate names the address"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = verify
EOF
outcome SENT

std_case lv-fingerprint "fingerprint match= of the relay's certificate"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    fingerprint match=%FP%
EOF
outcome SENT

std_case lv-fingerprint-other "fingerprint match= of another certificate: deferred"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    fingerprint match=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF
EOF
outcome DEFERRED

std_case lv-none-attributes "none in the table: its attributes are ignored"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = encrypt
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    none protocols=TLSv1.3
EOF
outcome SENT

std_case lv-bad-attribute "an entry with an unknown attribute cannot be used"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    encrypt nosuch=value
EOF
outcome DEFERRED
differs 78 "an entry that cannot be used is a configuration error (78), not a deferral"

std_case lv-legacy-verify "smtp_enforce_tls = yes: verify, the name of [name]:port"
relay r
lines <<'EOF'
relayhost = [localhost]:%r%
smtp_enforce_tls = yes
EOF
outcome SENT

std_case lv-dane "dane without DNSSEC is may (with a warning)"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    dane
EOF
outcome SENT

std_case lv-dane-only "dane-only without DNSSEC cannot be used"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    dane-only
EOF
outcome DEFERRED
differs 78 "an entry that cannot be used is a configuration error (78), not a deferral"

std_case lv-legacy-enforce "smtp_enforce_tls = yes, no peer name: encrypt; no STARTTLS: deferred"
relay r $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_enforce_tls = yes
smtp_tls_enforce_peername = no
EOF
outcome DEFERRED

std_case lv-legacy-use "smtp_use_tls = yes: may"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_use_tls = yes
EOF
outcome SENT

std_case lv-default "no level at all: Postfix sends in plaintext, relaymail verifies TLS"
relay r
lines <<'EOF'
relayhost = [localhost]:%r%
EOF
outcome SENT
view_differs "relaymail's default is STARTTLS with the certificate verified (DESIGN: TLS by default)"

# --- Protocols and ciphers. ---
# A relay that speaks TLS 1.2 only, with one cipher suite.
TLS12="-o smtpd_tls_protocols=!SSLv2,!SSLv3,!TLSv1,!TLSv1.1,!TLSv1.3 -o smtpd_tls_ciphers=high -o tls_high_cipherlist=ECDHE-RSA-AES128-GCM-SHA256"

std_case tls-protocols-entry "protocols= of the entry: !TLSv1.3 gives TLS 1.2"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    encrypt protocols=!SSLv2:!SSLv3:!TLSv1.3
EOF
outcome SENT

std_case tls-protocols-min "protocols=>=TLSv1.3 against a TLS 1.2 relay: deferred"
relay r $TLS12
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    encrypt protocols=>=TLSv1.3
EOF
outcome DEFERRED

std_case tls-mandatory-protocols "smtp_tls_mandatory_protocols = TLSv1.2 at encrypt"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = encrypt
smtp_tls_mandatory_protocols = <=TLSv1.2
EOF
outcome SENT

std_case tls-entry-mandatory "an encrypt entry uses smtp_tls_mandatory_protocols, not smtp_tls_protocols"
relay r $TLS12
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_protocols = >=TLSv1.2
smtp_tls_mandatory_protocols = >=TLSv1.3
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    encrypt
EOF
outcome DEFERRED

std_case tls-exclude-entry "exclude= of the entry removes the relay's only cipher: deferred"
relay r $TLS12
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    encrypt exclude=AES128
EOF
outcome DEFERRED

std_case tls-mandatory-exclude "smtp_tls_mandatory_exclude_ciphers at encrypt: deferred"
relay r $TLS12
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = encrypt
smtp_tls_mandatory_exclude_ciphers = AES128
EOF
outcome DEFERRED

std_case tls-exclude-other "smtp_tls_exclude_ciphers naming other ciphers: the relay's still works"
relay r $TLS12
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = encrypt
smtp_tls_exclude_ciphers = AES256, CHACHA20, CAMELLIA
EOF
outcome SENT

std_case tls-may-handshake "may, no cipher in common: Postfix defers a new message, relaymail retries in plaintext"
relay r $TLS12
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = may
smtp_tls_exclude_ciphers = AES128
EOF
outcome DEFERRED
differs SENT "at may, relaymail retries a failed handshake in plaintext at once; Postfix only for a message that has waited in its queue"
view_differs "relaymail's second connection, in plaintext"

std_case tls-ciphers-high "ciphers=high in the entry, smtp_tls_mandatory_ciphers = high"
relay r $TLS12
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_mandatory_ciphers = high
smtp_tls_policy_maps = texthash:%T%/policy
EOF
side_table policy <<'EOF'
[127.0.0.1]:%r%    encrypt ciphers=high
EOF
outcome SENT

# --- soft_bounce. ---
# smtpd_delay_reject = no: the refusal comes at the command it is about.
REJ_MAIL="-o smtpd_delay_reject=no -o smtpd_sender_restrictions=reject"
REJ_RCPT="-o smtpd_recipient_restrictions=reject"
REJ_DATA="-o smtpd_end_of_data_restrictions=reject"

std_case sb-mail-no "a 5xx to MAIL: bounced"
relay r $NOTLS $REJ_MAIL
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
EOF
outcome BOUNCED

std_case sb-mail-yes "soft_bounce = yes: a 5xx to MAIL is deferred"
relay r $NOTLS $REJ_MAIL
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
soft_bounce = yes
EOF
outcome DEFERRED

std_case sb-rcpt-no "a 5xx to RCPT: bounced"
relay r $NOTLS $REJ_RCPT
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
EOF
outcome BOUNCED

std_case sb-rcpt-yes "soft_bounce = yes: a 5xx to RCPT is deferred"
relay r $NOTLS $REJ_RCPT
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
soft_bounce = yes
EOF
outcome DEFERRED

std_case sb-data-no "a 5xx at the end of DATA: bounced"
relay r $NOTLS $REJ_DATA
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
EOF
outcome BOUNCED

std_case sb-data-yes "soft_bounce = yes: a 5xx at the end of DATA is deferred"
relay r $NOTLS $REJ_DATA
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
soft_bounce = yes
EOF
outcome DEFERRED

std_case sb-rcpt-fallback "soft_bounce = yes: after a 5xx to RCPT, the fallback relay"
relay r $NOTLS $REJ_RCPT
relay f $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_fallback_relay = [127.0.0.1]:%f%
smtp_tls_security_level = none
soft_bounce = yes
EOF
outcome SENT

# --- smtp_sasl_auth_soft_bounce. ---
AUTH="-o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
sasl_lines() { # PASSWORD
	cat <<-EOF
		relayhost = [127.0.0.1]:%r%
		smtp_tls_security_level = encrypt
		smtp_sasl_auth_enable = yes
		smtp_sasl_password_maps = inline:{ [127.0.0.1]:%r%=user@isp.test:$1 }
		smtp_sasl_security_options = noanonymous
		smtp_sasl_tls_security_options = noanonymous
	EOF
}

std_case auth-ok "AUTH with the right password over TLS"
relay r $AUTH
sasl_lines pass-user1 | lines
outcome SENT

std_case auth-535-soft "a 535 with smtp_sasl_auth_soft_bounce = yes: deferred"
relay r $AUTH
{
	sasl_lines wrong
	echo "smtp_sasl_auth_soft_bounce = yes"
} | lines
outcome DEFERRED

std_case auth-535-hard "a 535 with smtp_sasl_auth_soft_bounce = no: bounced"
relay r $AUTH
{
	sasl_lines wrong
	echo "smtp_sasl_auth_soft_bounce = no"
} | lines
outcome BOUNCED

std_case auth-535-default "a 535, smtp_sasl_auth_soft_bounce not set"
relay r $AUTH
sasl_lines wrong | lines
outcome DEFERRED
differs 77 "relaymail's smtp_sasl_auth_soft_bounce defaults to no: a wrong password is 77"

std_case auth-535-fallback "a 535 with smtp_sasl_auth_soft_bounce = yes: the fallback relay"
relay r $AUTH
relay f
{
	sasl_lines wrong
	echo "smtp_fallback_relay = [127.0.0.1]:%f%"
	echo "smtp_sasl_auth_soft_bounce = yes"
} | lines
outcome SENT

std_case auth-535-soft-bounce "a 535, smtp_sasl_auth_soft_bounce = no but soft_bounce = yes: deferred"
relay r $AUTH
{
	sasl_lines wrong
	echo "smtp_sasl_auth_soft_bounce = no"
	echo "soft_bounce = yes"
} | lines
outcome DEFERRED

# --- smtp_skip_5xx_greeting. ---
GREET554="-o smtpd_delay_reject=no -o smtpd_client_restrictions=reject"

std_case greet-skip "a 554 greeting is passed over for the fallback relay"
relay r $NOTLS $GREET554
relay f $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_fallback_relay = [127.0.0.1]:%f%
smtp_tls_security_level = none
EOF
outcome SENT

std_case greet-noskip "smtp_skip_5xx_greeting = no: a 554 greeting bounces, no fallback"
relay r $NOTLS $GREET554
relay f $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_fallback_relay = [127.0.0.1]:%f%
smtp_tls_security_level = none
smtp_skip_5xx_greeting = no
EOF
outcome BOUNCED

std_case greet-noskip-soft "smtp_skip_5xx_greeting = no, soft_bounce = yes: the fallback relay"
relay r $NOTLS $GREET554
relay f $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_fallback_relay = [127.0.0.1]:%f%
smtp_tls_security_level = none
smtp_skip_5xx_greeting = no
soft_bounce = yes
EOF
outcome SENT

# --- smtp_discard_ehlo_keywords. ---

std_case discard-starttls "discarding starttls at may: plaintext"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = may
smtp_discard_ehlo_keywords = starttls, silent-discard
EOF
outcome SENT
client_notes "^discarding EHLO keywords" none

std_case discard-starttls-encrypt "discarding starttls at encrypt: deferred"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = encrypt
smtp_discard_ehlo_keywords = starttls
EOF
outcome DEFERRED

std_case pipelining "the relay offers PIPELINING: MAIL, RCPT and DATA in one write"
relay r
tapped r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
EOF
outcome SENT

std_case discard-pipelining "discarding pipelining, size, dsn: one command a write"
relay r
tapped r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_discard_ehlo_keywords = pipelining, size, dsn
EOF
outcome SENT
client_notes "^discarding EHLO keywords"

std_case discard-postfix-words "discarding keywords relaymail never uses: vrfy, etrn, verp"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_discard_ehlo_keywords = vrfy, etrn, verp
EOF
outcome SENT
client_notes "^discarding EHLO keywords"

std_case discard-unknown "an unknown word in smtp_discard_ehlo_keywords"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_discard_ehlo_keywords = pipelining, pipelineing
EOF
outcome SENT
differs 78 "an unknown keyword (a typo) is a configuration error; Postfix ignores it"
view_differs "relaymail does not send with a configuration error"

std_case discard-auth "discarding auth where the relay needs it"
relay r $AUTH
{
	sasl_lines pass-user1
	echo "smtp_discard_ehlo_keywords = auth"
} | lines
outcome BOUNCED
differs DEFERRED "credentials exist but the relay (as seen) offers no AUTH: relaymail does not send unauthenticated, and tries again later"
view_differs "relaymail quits after EHLO; Postfix goes on without AUTH and is refused"

# --- EHLO and HELO. ---

std_case helo-never "smtp_never_send_ehlo = yes: HELO"
relay r
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = may
smtp_never_send_ehlo = yes
EOF
outcome SENT

std_case helo-always-no "smtp_always_send_ehlo = no and a greeting without ESMTP: HELO"
relay r $NOTLS "-o" "{ smtpd_banner = relay.test ready }"
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_always_send_ehlo = no
EOF
outcome SENT

std_case ehlo-always-no "smtp_always_send_ehlo = no and a greeting with ESMTP: EHLO"
relay r $NOTLS
lines <<'EOF'
relayhost = [127.0.0.1]:%r%
smtp_tls_security_level = none
smtp_always_send_ehlo = no
EOF
outcome SENT

# --- Run. --------------------------------------------------------------------

# relays_master: the relays of every case, for RELAY_EXTRA_MASTER; their
# ports into c/NAME/port.RELAY.SIDE.
relays_master() {
	_n=0
	for _c in $(cat "$W/cases"); do
		[ -f "$W/c/$_c/relays" ] && _n=$((_n + 2 * $(wc -l <"$W/c/$_c/relays")))
		for _t in "$W/c/$_c"/tap.*; do
			[ -f "$_t" ] && _n=$((_n + 2))
		done
	done
	# shellcheck disable=SC2046 # one port a word
	set -- $(relay__freeport "$_n")
	[ "$#" = "$_n" ] || return 1
	for _c in $(cat "$W/cases"); do
		[ -f "$W/c/$_c/relays" ] || continue
		while read -r _r; do
			for _s in A B; do
				echo "$1" >"$W/c/$_c/port.$_r.$_s"
				# A tapped relay: the tap on the case's port, smtpd behind.
				if [ -f "$W/c/$_c/tap.$_r" ]; then
					echo "$1:$2" >>"$W/tap.pairs"
					shift
				fi
				echo "127.0.0.1:$1 inet n - n - - smtpd"
				echo "  -o syslog_name=policy/$_c/$_r/$_s"
				echo "  -o smtpd_tls_security_level=may"
				echo "  -o smtpd_sasl_auth_enable=no"
				echo "  -o smtpd_relay_restrictions=permit_mynetworks,reject"
				sed "s|^|  -o |; s|%OTHER_CERT%|$W/sink/tls/other-server.pem|" \
					"$W/c/$_c/relay.$_r"
				shift
			done
		done <"$W/c/$_c/relays"
	done
}

# view NAME SIDE: what the relays of one side saw, from the relay's log,
# relay by relay: connections, TLS, AUTH, the command counts. Two
# details are left out on purpose. The key exchange of a TLS 1.2 suite:
# at may and encrypt, Postfix's client also offers anonymous suites
# (ADH-...), which the relay then prefers, and relaymail never does
# (sendmail.conf(5), smtp_tls_ciphers). And RSET: after a refused
# transaction Postfix tests the connection with RSET before keeping it
# for its next delivery; relaymail has no next delivery, and just quits.
view() {
	while read -r _r; do
		sed -n "s/^.* policy\/$1\/$_r\/$2\/smtpd\[[0-9]*\]: //p" "$RELAY_MAILLOG" |
			sed -n -e 's/^connect from .*/connect/p' \
				-e 's/^.*TLS connection established from [^ ]*: \(TLSv[0-9.]*\) with cipher \([^ ]*\).*/TLS \1 \2/p' \
				-e 's/^[0-9A-F]*: client=[^,]*, sasl_method=[^,]*, sasl_username=\(.*\)/AUTH as \1/p' \
				-e 's/^lost connection after \([A-Z]*\).*/lost connection after \1/p' \
				-e 's/^SSL_accept error.*/TLS handshake failed/p' \
				-e 's/^disconnect from [^ ]* /disconnect: /p' |
			sed -e 's/^\(TLS TLSv1\.2 \)ADH-/\1(kx)-/' -e 's/^\(TLS TLSv1\.2 \)ECDHE-RSA-/\1(kx)-/' \
				-e 's/^\(disconnect:.*\) rset=1/\1/' -e 's/^\(disconnect:.*\) commands=.*/\1/' \
				-e "s/^/$_r: /"
		if [ -f "$W/c/$1/tap.$_r" ]; then
			tap_writes "$W/tap/$(cat "$W/c/$1/port.$_r.$2").tr" | sed "s/^/$_r: /"
		fi
	done <"$W/c/$1/relays"
}

# tap_writes FILE: from a tap's record, each write of SMTP commands as
# its verbs joined by "+" (message data and TLS records left out). QUIT
# is left out too: Postfix sends it in the write of the final dot (RFC
# 2920 allows it), relaymail once the dot has its reply, which it
# reports; the relay's log counts the QUIT of both.
tap_writes() {
	awk '
	function verb(l,   v) {
		v = toupper(l)
		sub(/[ :].*/, "", v)
		return v ~ /^(EHLO|HELO|MAIL|RCPT|DATA|BDAT|RSET|STARTTLS|AUTH|NOOP)$/ ? v : ""
	}
	function flush() {
		if (w != "")
			print "writes " w
		w = ""
	}
	/^# connection/ { flush(); print "tap: connection"; skip = 0; next }
	/^C: / { flush(); v = verb(substr($0, 4)); skip = (v == ""); w = v; next }
	/^C\+ / { if (!skip && (v = verb(substr($0, 4))) != "") w = w "+" v; next }
	END { flush() }' "$1" 2>/dev/null
}

# postfix_outcome NAME: SENT, DEFERRED (and still in the deferred queue),
# BOUNCED, or what is missing.
postfix_outcome() {
	_st=$(sed -n 's/^.* to=<rcpt@dest\.test>,.* status=\([A-Za-z]*\).*/\1/p' \
		"$W/o/$1/maillog" | tail -n 1)
	case $_st in
	sent) echo SENT ;;
	bounced) echo BOUNCED ;;
	deferred | SOFTBOUNCE)
		if postqueue -c "$W/o/$1/postfix" -j 2>/dev/null | grep -q '"queue_name": *"deferred"'; then
			echo DEFERRED
		else
			echo "deferred in the log but not in the queue"
		fi
		;;
	'') echo "no verdict" ;;
	*) echo "status=$_st" ;;
	esac
}

# relaymail_outcome NAME: SENT (0), DEFERRED (75), BOUNCED (a permanent
# failure: 67 recipient, 68 no such host, 69 refused, 77 authentication)
# or the exit status; a failure must have kept the message in the dead
# letter, a success not.
relaymail_outcome() {
	_rc=$(cat "$W/got/$1.B.rc")
	_kept=no
	grep -q "^Message-ID: <$1\.B@canonical\.test>" "$W/r/$1.dead" 2>/dev/null && _kept=yes
	case $_rc/$_kept in
	0/no) echo SENT ;;
	75/yes) echo DEFERRED ;;
	67/yes | 68/yes | 69/yes | 77/yes) echo BOUNCED ;;
	0/yes) echo "0 but kept in the dead letter" ;;
	*/yes) echo "$_rc" ;;
	*) echo "$_rc but not kept in the dead letter" ;;
	esac
}

# verdicts NAME: the TAP lines of one case.
verdicts() {
	_desc=$(cat "$W/c/$1/desc")
	if [ -f "$W/c/$1/hosts" ] && [ "$HOSTS" != yes ]; then
		tap_skip "$1: $_desc" "no mount namespace for a private /etc/hosts"
		return
	fi
	_want=$(cat "$W/c/$1/outcome")
	_pf=$(postfix_outcome "$1")
	_rm=$(relaymail_outcome "$1")
	_rmwant=$_want
	[ -f "$W/c/$1/differs" ] && _rmwant=$(cat "$W/c/$1/differs")
	_why="relaymail's stderr: $(head -n 3 "$W/got/$1.B.err")"
	_rc=$(cat "$W/got/$1.B.rc")
	# A pinned exit status stands for itself, when it is a failure kept.
	[ "$_rmwant" = "$_rc" ] && [ "$_rm" = BOUNCED ] && _rm=$_rc
	if [ -f "$W/c/$1/differs" ]; then
		tap_is "$_pf/$_rm" "$_want/$_rmwant" \
			"$1: $_desc: Postfix $_want, relaymail $_rmwant on purpose ($(cat "$W/c/$1/differs-why"))" ||
			tap_diag "$_why" "Postfix's log:" "$(grep -E 'status=|warning' "$W/o/$1/maillog" | tail -n 3)"
	else
		tap_is "$_pf/$_rm" "$_want/$_want" "$1: $_desc: both $_want" ||
			tap_diag "$_why" "Postfix's log:" "$(grep -E 'status=|warning' "$W/o/$1/maillog" | tail -n 3)"
	fi
	view "$1" A >"$W/got/$1.A.view"
	view "$1" B >"$W/got/$1.B.view"
	if [ -f "$W/c/$1/view-differs" ]; then
		! cmp -s "$W/got/$1.A.view" "$W/got/$1.B.view"
		tap__result $? "$1: the relays saw different sessions, on purpose ($(cat "$W/c/$1/view-differs"))"
		tap_diag "Postfix:" "$(cat "$W/got/$1.A.view")" "relaymail:" "$(cat "$W/got/$1.B.view")"
	elif cmp -s "$W/got/$1.A.view" "$W/got/$1.B.view"; then
		tap__result 0 "$1: the relays saw the same sessions"
	else
		tap__result 1 "$1: the relays saw the same sessions"
		tap_diag "$(cd "$W/got" && diff -U 100 "$1.A.view" "$1.B.view")"
	fi
	[ -f "$W/c/$1/notes" ] || return 0
	notes "$1" A >"$W/got/$1.A.notes"
	notes "$1" B >"$W/got/$1.B.notes"
	if [ -f "$W/c/$1/notes-none" ]; then
		! [ -s "$W/got/$1.A.notes" ] && ! [ -s "$W/got/$1.B.notes" ]
		tap__result $? "$1: neither mail log has a line matching $(cat "$W/c/$1/notes")"
	else
		[ -s "$W/got/$1.A.notes" ] && cmp -s "$W/got/$1.A.notes" "$W/got/$1.B.notes"
		tap__result $? "$1: the same mail log lines matching $(cat "$W/c/$1/notes")"
	fi || tap_diag "$(cd "$W/got" && diff -U 100 "$1.A.notes" "$1.B.notes")"
}

# notes NAME SIDE: the client's own log lines of the case's kind.
notes() {
	if [ "$2" = A ]; then
		sed -n 's/^.* oracle-[^/]*\/smtp\[[0-9]*\]: //p' "$W/o/$1/maillog"
	else
		sed -n 's/^.* [^ ]*\/smtp\[[0-9]*\]: //p' "$W/r/$1.maillog" 2>/dev/null
	fi | grep -E "$(cat "$W/c/$1/notes")" | sort
}

# settled: status 0 when every oracle has its verdict and every relay
# connection has ended.
settled() {
	for _c in $(cat "$W/cases"); do
		[ -f "$W/o/$_c/maillog" ] || return 1
		grep -q ' to=<rcpt@dest\.test>,.* status=' "$W/o/$_c/maillog" || return 1
	done
	[ "$(grep -c ' policy/.*/smtpd\[[0-9]*\]: connect from' "$RELAY_MAILLOG")" = \
		"$(grep -c ' policy/.*/smtpd\[[0-9]*\]: disconnect from' "$RELAY_MAILLOG")" ]
}

policy_run() {
	# The relay's certificates are made by relay_start: RELAY_CA and the
	# others are known only then, so the case files are written after.
	_ports=$W/relays.master
	relays_master >"$_ports" || tap_bail "cannot find free ports"
	RELAY_EXTRA_MASTER=$_ports relay_start "$W/sink" || tap_bail "the test relay did not start"
	. "$W/sink/relay.env"
	if [ -s "$W/tap.pairs" ]; then
		mkdir -p "$W/tap"
		# shellcheck disable=SC2046 # one pair a word
		perl "$top_srcdir/tests/lib/smtptap.pl" "$W/tap" $(cat "$W/tap.pairs") &
		TAP_PID=$!
		_i=0
		until [ -f "$W/tap/ready" ]; do
			_i=$((_i + 1))
			[ "$_i" -gt 100 ] && tap_bail "tests/lib/smtptap.pl did not start"
			sleep 0.05
		done
	fi
	# The SHA-256 fingerprint of the relay's certificate, for %FP%.
	FP=$(certtool --fingerprint --hash=sha256 --infile "$RELAY_SERVER_CERT" 2>/dev/null)
	[ -n "$FP" ] || tap_bail "certtool --fingerprint failed"

	pids=
	for name in $(cat "$W/cases"); do
		if [ -f "$W/c/$name/hosts" ] && [ "$HOSTS" != yes ]; then
			continue
		fi
		for s in A B; do
			sub "$name" "$s" >"$W/c/$name/sub.$s"
			mkdir -p "$W/c/$name/$s"
			for t in "$W/c/$name"/tmpl/*; do
				[ -f "$t" ] && sed -f "$W/c/$name/sub.$s" "$t" >"$W/c/$name/$s/${t##*/}"
			done
		done
		oracle_conf "$name" && relaymail_conf "$name" && chmod 0600 "$W/r/$name.cf" ||
			tap_bail "cannot write the configuration of case $name"
		echo "$name" >>"$W/run"
		oracle_start "$name" 2>"$W/o/$name/start.err" &
		pids="$pids $!"
	done
	failed=0
	for pid in $pids; do
		wait "$pid" || failed=1
	done
	if [ "$failed" = 1 ]; then
		cat "$W"/o/*/start.err >&2
		tap_bail "an oracle Postfix did not start"
	fi
	cp "$W/run" "$W/cases"

	pids=
	for name in $(cat "$W/cases"); do
		send "$name" A
		send "$name" B &
		pids="$pids $!"
	done
	for pid in $pids; do
		wait "$pid"
	done
	_end=$(($(date +%s) + POLICY_TIMEOUT))
	until settled; do
		if [ "$(date +%s)" -ge "$_end" ]; then
			tap_diag "not every verdict after ${POLICY_TIMEOUT}s"
			break
		fi
		sleep 0.2
	done
	for name in $(cat "$W/cases.all"); do
		verdicts "$name"
	done
	tap_done
}

TAP_PID=
trap '[ -n "$TAP_PID" ] && kill "$TAP_PID" 2>/dev/null; cleanup' EXIT
cp "$W/cases" "$W/cases.all"
policy_run

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# debug_peer_list against the real relay: a relay that matches it (by its
# name, by its address, by a network holding the address) gets its
# attempt's SMTP dialogue in the mail log, as Postfix's verbose smtp
# client writes it ("> host[addr]:port: COMMAND", "< ...: REPLY"), with
# AUTH masked and the password nowhere; a relay that does not match, and
# a failed relay before a matching one, get none; a -bs session's second
# message over the reused connection is logged too; -v is not needed and
# stderr stays quiet. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"

client_start debugpeer
sub=$RELAY_SUBMISSION_PORT
plain=$RELAY_PLAIN_PORT
down=$(relay__freeport 1) || tap_bail "no free port"

# conf NAME RELAYHOST [LINE...]: AUTH over TLS (unverified: the relay is
# named localhost here) to RELAYHOST, the mail log in NAME.log.
conf() {
	_cn=$1 _rh=$2
	shift 2
	(umask 077 && printf '%s %s:%s\n' "$_rh" "$RELAY_USER1" "$RELAY_PASS1" >"$T/$_cn.pw")
	{
		echo "relayhost = $_rh"
		echo "myhostname = client.test"
		echo "inet_protocols = ipv4"
		echo "smtp_sasl_auth_enable = yes"
		echo "smtp_sasl_password_maps = texthash:$T/$_cn.pw"
		echo "smtp_tls_security_level = encrypt"
		echo "dead_letter_file = $T/dead.letter"
		echo "maillog_file = $T/$_cn.log"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_cn.cf"
}

# dialogue NAME: the dialogue records of NAME's mail log, from the
# direction on.
dialogue() {
	sed -n 's/^.* relaymail\/smtp\[[0-9]*\]: \([<>] .*\)$/\1/p' "$T/$1.log" 2>/dev/null
}

# secret_free NAME: neither the password nor AUTH PLAIN's base64 of it is
# in NAME's mail log or on stderr.
secret_free() {
	_b64=$(printf '\0%s\0%s' "$RELAY_USER1" "$RELAY_PASS1" | base64 | tr -d '\n')
	! grep -q -e "$RELAY_PASS1" -e "$_b64" "$T/$1.log" "$T/err"
}

# --- By name. -------------------------------------------------------------
conf name "[localhost]:$sub" "debug_peer_list = other.example, localhost" \
	"smtp_sasl_mechanism_filter = plain"
message "$T/m1" "by name"
send name -f "$RELAY_USER1" r1@dest.test <"$T/m1"
diag_failure
tap_is "$rc" 0 "by name: sent"
d=$(dialogue name)
r="localhost[127.0.0.1]:$sub"
printf '%s\n' "$d" | sed "s/^\([<>]\) [^ ]*: /\1 /" >"$T/name.dia"
tap_ok "by name: every record names the relay as host[addr]:port" \
	sh -c '! printf "%s\n" "$1" | grep -v -F -e "< $2: " -e "> $2: "' - "$d" "$r"
tap_ok "by name: the greeting, as Postfix logs a reply" grep -q '^< 220 ' "$T/name.dia"
tap_ok "by name: EHLO, as Postfix logs a command" grep -qx '> EHLO client.test' "$T/name.dia"
tap_ok "by name: STARTTLS, then the dialogue inside TLS: AUTH, MAIL, RCPT, DATA, the end with QUIT" \
	sh -c 'tr "\n" "|" <"$1" |
		grep -q "> STARTTLS|< 220 .*> EHLO client.test|.*> AUTH .*< 235 .*> MAIL FROM:<$2>[^|]*|> RCPT TO:<r1@dest.test>|> DATA|.*< 354 .*> \.|> QUIT|< 250 "' \
	- "$T/name.dia" "$RELAY_USER1"
tap_ok "by name: AUTH is masked" grep -qx '> AUTH PLAIN <secret>' "$T/name.dia"
tap_ok "by name: the password is nowhere in the log" secret_free name
tap_ok "by name: no dialogue on stderr without -v" sh -c '! grep -q -e "^>>>" -e "^<<<" "$1"' - "$T/err"
take 1 >/dev/null

# --- By address, by network, with -v too. --------------------------------
conf addr "[127.0.0.1]:$sub" "debug_peer_list = 127.0.0.1"
message "$T/m2" "by address"
send addr -v -f "$RELAY_USER1" r2@dest.test <"$T/m2"
tap_is "$rc" 0 "by address: sent"
tap_ok "by address: the dialogue is logged" \
	sh -c 'printf "%s\n" "$1" | grep -qx "> 127.0.0.1\[127.0.0.1\]:$2: EHLO client.test"' - "$(dialogue addr)" "$sub"
tap_ok "by address: with -v, the dialogue on stderr as well" grep -q '^>>> EHLO client.test$' "$T/err"
tap_ok "by address: the password is nowhere" secret_free addr
take 1 >/dev/null

conf net "[127.0.0.1]:$sub" "debug_peer_list = !10.0.0.0/8, 127.0.0.0/8"
message "$T/m3" "by network"
send net -f "$RELAY_USER1" r3@dest.test <"$T/m3"
tap_is "$rc" 0 "by network: sent"
tap_ok "by network: the dialogue is logged" \
	sh -c 'printf "%s\n" "$1" | grep -q "^> 127.0.0.1\[127.0.0.1\]:$2: MAIL FROM:"' - "$(dialogue net)" "$sub"
tap_ok "by network: the password is nowhere" secret_free net
take 1 >/dev/null

# --- No match. ------------------------------------------------------------
conf none "[127.0.0.1]:$sub" "debug_peer_list = 10.0.0.0/8, [::1], other.example, !127.0.0.1, 127.0.0.0/8"
message "$T/m4" "no match"
send none -f "$RELAY_USER1" r4@dest.test <"$T/m4"
tap_is "$rc" 0 "no match: sent"
tap_ok "no match: the delivery is logged" grep -q 'status=sent' "$T/none.log"
tap_is "$(dialogue none)" "" "no match (a negated address before its network): no dialogue"
take 1 >/dev/null

# --- Only the attempt that matches: the plaintext relay, which offers no
# TLS, fails first. ---------------------------------------------------------
conf fail "[127.0.0.1]:$plain" "smtp_fallback_relay = [localhost]:$sub" \
	"debug_peer_list = localhost"
(umask 077 && printf '[localhost]:%s %s:%s\n' "$sub" "$RELAY_USER1" "$RELAY_PASS1" >>"$T/fail.pw")
message "$T/m5" "failover"
send fail -f "$RELAY_USER1" r5@dest.test <"$T/m5"
diag_failure
tap_is "$rc" 0 "failover: sent by the fallback relay"
tap_ok "failover: the fallback's dialogue is logged" \
	sh -c 'printf "%s\n" "$1" | grep -q "^> localhost\[127.0.0.1\]:$2: EHLO "' - "$(dialogue fail)" "$sub"
tap_ok "failover: the first relay's is not" \
	sh -c '! printf "%s\n" "$1" | grep -q ":$2: "' - "$(dialogue fail)" "$plain"
tap_ok "failover: the first relay did fail (its record)" \
	grep -q 'TLS is required, but was not offered by host 127\.0\.0\.1\[127\.0\.0\.1\]' "$T/fail.log"
take 1 >/dev/null

# --- -bs, two messages over one connection: the second, on the reused
# connection, is logged too. -------------------------------------------------
conf bs "[127.0.0.1]:$sub" "debug_peer_list = 127.0.0.0/8"
{
	printf 'EHLO client.test\r\n'
	for i in 1 2; do
		printf 'MAIL FROM:<%s>\r\nRCPT TO:<bs%s@dest.test>\r\nDATA\r\n' "$RELAY_USER1" "$i"
		printf 'From: <%s>\r\nSubject: bs %s\r\n\r\nBody.\r\n.\r\n' "$RELAY_USER1" "$i"
	done
	printf 'QUIT\r\n'
} | timeout 60 "$RELAYMAIL" -bs -C "$T/bs.cf" >"$T/bs.out" 2>"$T/err"
tap_is "$(grep -c '^250 2.0.0 ' "$T/bs.out")" 2 "-bs: both messages accepted"
tap_is "$(dialogue bs | grep -c ': EHLO client.test$')" 2 \
	"-bs: one connection (EHLO before and after STARTTLS, once)"
tap_ok "-bs: the second message's MAIL, over the reused connection, is logged" \
	sh -c 'printf "%s\n" "$1" | grep -q ": RCPT TO:<bs2@dest.test>"' - "$(dialogue bs)"
tap_ok "-bs: the password is nowhere" secret_free bs
take 2 >/dev/null

# --- Bad values: a configuration error before any connection. ------------
conf bad "[127.0.0.1]:$down" "debug_peer_list = 127.0.0.1/8"
send bad -f "$RELAY_USER1" r6@dest.test <"$T/m1"
tap_is "$rc" 78 "a network with host bits: exit 78"
tap_ok "... naming debug_peer_list and the pattern" \
	grep -q 'debug_peer_list (.*): "127.0.0.1/8" is not a network' "$T/err"

tap_done

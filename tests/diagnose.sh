#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The classic mistakes of a relay setup, each against the real Postfix +
# Dovecot relay (tests/lib/relay.sh): an ordinary send fails with the
# relay's words and one hint naming the parameter to change, and
# `relaymail -bv -v` walks the route to RCPT and RSET, reporting each
# relay with the same hint, sending nothing. Gated by
# RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

scratch=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-diagnose.XXXXXX") ||
	tap_bail "mktemp failed"
cleanup() {
	relay_stop "$scratch"
	if [ "${RELAY_KEEP:-0}" = 1 ]; then
		echo "# kept $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

relay_start "$scratch" || tap_bail "the test relay did not start"
. "$scratch/relay.env"

T=$scratch/client
mkdir -p "$T" && chmod 0700 "$T" || tap_bail "cannot create $T"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG
H=$RELAY_HOST
SUB=$RELAY_SUBMISSION_PORT
# A port where nothing listens: free a moment ago, on loopback.
CLOSED=$(relay__freeport 1)

# conf NAME RELAYHOST KEY [LINE...]: $T/NAME.cf relaying to RELAYHOST with
# user1's password under KEY in $T/NAME.pw (0600), TLS verified by the
# test CA; later lines override earlier ones.
conf() {
	_n=$1 _r=$2 _k=$3
	shift 3
	(umask 077 && printf '%s %s:%s\n' "$_k" "$RELAY_USER1" "$RELAY_PASS1" >"$T/$_n.pw")
	{
		echo "relayhost = $_r"
		echo "myhostname = client.test"
		echo "smtp_sasl_auth_enable = yes"
		echo "smtp_sasl_password_maps = texthash:$T/$_n.pw"
		echo "smtp_tls_CAfile = $RELAY_CA"
		echo "dead_letter_file = $T/dead.letter"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
}

# send NAME [ARGS...]: an ordinary send of a small message to
# rcpt@dest.test; $rc, stderr in $T/err.
send() {
	_n=$1
	shift
	printf 'Subject: diagnose\n\nbody\n' |
		timeout 60 "$RELAYMAIL" -C "$T/$_n.cf" "$@" rcpt@dest.test >"$T/out" 2>"$T/err"
	rc=$?
}

# probe NAME [ARGS...]: relaymail -bv -v; $rc, stdout in $T/out.
probe() {
	_n=$1
	shift
	timeout 60 "$RELAYMAIL" -C "$T/$_n.cf" -bv -v "$@" rcpt@dest.test >"$T/out" 2>"$T/err"
	rc=$?
}

# has FILE TEXT: FILE holds TEXT (a fixed string).
has() {
	grep -qF -- "$2" "$1" && return 0
	tap_diag "$1 lacks: $2" "$(cat "$1")"
	return 1
}

# hinted FILE PREFIX TEXT: a line of FILE starting with PREFIX holds TEXT.
hinted() {
	grep "^$2" "$1" | grep -qF -- "$3" && return 0
	tap_diag "$1 has no '$2' line with: $3" "$(cat "$1")"
	return 1
}

# check_case NAME STATUS HINT DESC: the send exits STATUS with one hint
# line holding HINT (its stderr stays in $T/send.err), and -bv -v
# reports relay 1 failed with the same hint.
check_case() {
	send "$1" ${args:-}
	cp "$T/err" "$T/send.err"
	tap_is "$rc" "$2" "$4: exit status"
	tap_ok "$4: a hint names what to change" hinted "$T/err" "relaymail: hint: " "$3"
	tap_is "$(grep -c '^relaymail: hint:' "$T/err")" 1 "$4: one hint"
	probe "$1" ${args:-}
	tap_ok "$4: -bv -v fails" test "$rc" != 0
	tap_ok "$4: -bv -v says relay 1 failed" hinted "$T/out" "relay 1: " ": failed: "
	tap_ok "$4: -bv -v gives the hint" hinted "$T/out" "relay 1: hint: " "$3"
}

# The sender is not the login: Postfix's reject_sender_login_mismatch
# refuses each RCPT for the sender.
conf sender "[$H]:$SUB" "[$H]:$SUB"
check_case sender 69 "rewrite the sender with sender_canonical_maps, or pass it with -f" \
	"sender not the login"
tap_ok "sender not the login: reported as the sender refused" \
	has "$T/send.err" "refused the envelope sender <root@client.test>: 553 5.7.1"
conf sender2 "[$H]:$SUB" "[$H]:$SUB" "sender_canonical_maps = static:nobody@isp.test"
check_case sender2 69 "make sender_canonical_maps ($T/sender2.cf, line 7) give the address" \
	"sender_canonical_maps gives another address"

args="-f $RELAY_USER1"

# No entry for this relay: relayhost without brackets, the key with them.
conf key "$H:$SUB" "[$H]:$SUB"
check_case key 69 "has one for \"[$H]:$SUB\"; write the key exactly as relayhost ($T/key.cf, line 1)" \
	"password key written another way than relayhost"
tap_ok "no entry: the keys tried are listed" has "$T/send.err" "(keys tried: $H, $H:$SUB)"
conf nokey "[$H]:$SUB" "[elsewhere.test]:587"
check_case nokey 69 "no password was sent: smtp_sasl_password_maps ($T/nokey.cf, line 4) has no entry for [$H]:$SUB" \
	"no password entry at all"

# A certificate from another CA than smtp_tls_CAfile.
conf ca "[$H]:$SUB" "[$H]:$SUB" "smtp_tls_CAfile = $RELAY_OTHER_CA"
check_case ca 75 "which is not in smtp_tls_CAfile $RELAY_OTHER_CA ($T/ca.cf, line 7)" \
	"certificate from another CA"

# TLS turned off where the relay offers AUTH only after STARTTLS.
conf notls "[$H]:$SUB" "[$H]:$SUB" "smtp_tls_security_level = none"
check_case notls 75 "smtp_tls_security_level = none ($T/notls.cf, line 7) turns off" \
	"TLS off, AUTH only after STARTTLS"

# No mechanism in common ("No worthy mechs").
conf mech "[$H]:$SUB" "[$H]:$SUB" "smtp_sasl_mechanism_filter = gssapi"
check_case mech 77 "allow one of the relay's mechanisms (PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256) in smtp_sasl_mechanism_filter ($T/mech.cf, line 7)" \
	"no mechanism in common"

# The SMTPS port without wrapper mode (the greeting never comes; a short
# smtp_helo_timeout keeps the test quick), and wrapper mode on STARTTLS.
conf smtps "[$H]:$RELAY_SMTPS_PORT" "[$H]:$RELAY_SMTPS_PORT" "smtp_helo_timeout = 3s"
check_case smtps 75 "expects TLS at once (SMTPS, usually port 465), set smtp_tls_wrappermode = yes" \
	"SMTPS port without wrapper mode"
conf wrap "[$H]:$SUB" "[$H]:$SUB" "smtp_tls_wrappermode = yes" \
	"smtp_tls_security_level = verify"
check_case wrap 75 "speaks plain SMTP first (STARTTLS, usually port 587), set smtp_tls_wrappermode = no ($T/wrap.cf, line 7)" \
	"wrapper mode on a STARTTLS port"

# smtp_tls_policy_maps: an entry for this relay overrides main.cf's level.
conf pol "[$H]:$SUB" "[$H]:$SUB" "smtp_tls_CAfile = $RELAY_OTHER_CA" \
	"smtp_tls_security_level = verify" \
	"smtp_tls_policy_maps = inline:{ {[$H]:$SUB = encrypt protocols=>=TLSv1.2} }"
send pol -f "$RELAY_USER1"
tap_is "$rc" 0 "smtp_tls_policy_maps: encrypt for this relay, whatever the CA file"
probe pol -f "$RELAY_USER1"
tap_ok "smtp_tls_policy_maps: -bv names the table" has "$T/out" "tls: encrypt by smtp_tls_policy_maps"
conf polnone "[$H]:$SUB" "[$H]:$SUB" \
	"smtp_tls_policy_maps = inline:{ {[$H]:$SUB = none} }"
check_case polnone 75 "which the smtp_tls_policy_maps ($T/polnone.cf, line 7) entry for [$H]:$SUB turns off" \
	"smtp_tls_policy_maps turns TLS off where AUTH needs it"

# Nothing listening.
conf closed "[$H]:$CLOSED" "[$H]:$CLOSED"
check_case closed 75 "nothing listens on port $CLOSED of $H; check relayhost ($T/closed.cf, line 1)" \
	"nothing listening"

# A working route: -bv -v walks it to RSET and sends nothing; a fallback
# that fails is reported too, and fails the diagnosis.
conf good "[$H]:$SUB" "[$H]:$SUB"
sleep 1
before=$(relay_count "$scratch")
probe good -f "$RELAY_USER1"
tap_is "$rc" 0 "working route: -bv -v exits 0"
tap_ok "working route: relay 1 ok" has "$T/out" "relay 1: [$H]:$SUB: ok"
tap_ok "working route: RCPT then RSET, no DATA" \
	sh -c "grep -q '^>>> RCPT TO:<rcpt@dest.test>' '$T/err' && grep -q '^>>> RSET' '$T/err' && ! grep -q '^>>> DATA' '$T/err'"
tap_ok "working route: the certificate is shown" has "$T/err" "certificate: subject CN=localhost"
conf fb "[$H]:$SUB" "[$H]:$SUB" "smtp_fallback_relay = [$H]:$CLOSED"
probe fb -f "$RELAY_USER1"
tap_is "$rc" 75 "a failing fallback fails the diagnosis"
tap_ok "fallback: relay 1 ok" has "$T/out" "relay 1: [$H]:$SUB: ok"
tap_ok "fallback: relay 2 failed, with its hint" has "$T/out" \
	"relay 2: hint: nothing listens on port $CLOSED of $H; check smtp_fallback_relay"
sleep 1
tap_is "$(relay_count "$scratch")" "$before" "no diagnosis delivered anything"

# A successful send is silent.
send good -f "$RELAY_USER1"
tap_is "$rc" 0 "a working send exits 0"
tap_is "$(cat "$T/err")" "" "a working send prints nothing"

# Wrong password: the key that matched is named. Last: after a refused
# password Dovecot makes this client wait a little longer each time.
args="-f $RELAY_USER1"
conf pw "[$H]:$SUB" "[$H]:$SUB"
sed -i "s/:$RELAY_PASS1\$/:wrong/" "$T/pw.pw"
check_case pw 77 "the relay refused the password for $RELAY_USER1 from the smtp_sasl_password_maps entry \"[$H]:$SUB\"" \
	"wrong password"

# Quiet when all is well: the warning about credentials over unverified
# TLS (encrypt) goes to the mail log, and to stderr only under -v.
conf enc "[$H]:$SUB" "[$H]:$SUB" "smtp_tls_security_level = encrypt" \
	"maillog_file = $T/enc.log"
send enc -f "$RELAY_USER1"
tap_is "$rc" 0 "encrypt with a password: sent"
tap_is "$(cat "$T/err")" "" "encrypt with a password: nothing on stderr"
tap_ok "encrypt with a password: the warning is in the mail log" \
	grep -q "warning: credentials for .* are sent over a TLS session whose certificate was not verified" "$T/enc.log"
send enc -v -f "$RELAY_USER1"
tap_ok "encrypt with a password, -v: the warning on stderr" \
	grep -q "credentials for .* are sent over a TLS session whose certificate was not verified" "$T/err"

# -bv without a recipient says how to call it.
"$RELAYMAIL" -C "$T/good.cf" -bv >/dev/null 2>"$T/err"
tap_is "$?" 64 "-bv without recipients: usage"
tap_ok "-bv without recipients: the advice works" has "$T/err" "relaymail -bv you@example.org"

tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# non_smtpd_milters with the real thing: OpenDKIM, started from files in a
# scratch folder with a key made by opendkim-genkey, signs what relaymail
# sends (over inet: and over a unix: socket) and what a private Postfix
# sends with the same non_smtpd_milters line, both to the sink of
# tests/lib/relay.sh. At the sink every copy must carry a DKIM-Signature
# that OpenDKIM itself verifies (its test mode, with the public key from
# a file: no DNS), and relaymail's and Postfix's signatures must cover
# the same header fields with the same body hash, for a small message and
# for a 2 MB one. A copy changed after signing must fail the check, so
# the check can fail. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no (yes
# also insists on OpenDKIM); RELAY_KEEP=1 keeps the scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FREEPORT=$top_builddir/tests/freeport

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/oracle.sh"

relay_gate
for c in opendkim opendkim-genkey; do
	if ! command -v "$c" >/dev/null 2>&1; then
		[ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ] &&
			tap_bail "RELAYMAIL_TEST_POSTFIX=yes but $c is not installed (apt-get install opendkim opendkim-tools)"
		tap_skip_all "$c is not installed (Debian: opendkim, opendkim-tools)"
	fi
done
PF_SENDMAIL=$(postconf -d -h sendmail_path 2>/dev/null) && [ -x "$PF_SENDMAIL" ] ||
	tap_bail "Postfix's sendmail (postconf -d sendmail_path) not found"

W=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-dkim.XXXXXX") || tap_bail "mktemp failed"
chmod 0755 "$W" || tap_bail "cannot open $W"
dkim_pids=
cleanup() {
	for _p in $dkim_pids; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	relay_stop "$W/oracle"
	relay_stop "$W/sink"
	if [ "${RELAY_KEEP:-0}" = 1 ]; then
		echo "# kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$W/dkim" "$W/home" "$W/got" || tap_bail "cannot create folders in $W"
HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

relay_start "$W/sink" || tap_bail "the sink relay did not start"
. "$W/sink/relay.env"

# --- OpenDKIM: a key, a signer on a port and one on a socket, a verifier.
opendkim-genkey -D "$W/dkim" -d example.com -s test >"$W/dkim/genkey.log" 2>&1 ||
	tap_bail "opendkim-genkey failed"
chmod 0600 "$W/dkim/test.private"
# The TXT record of test.txt as TestPublicKeys wants it: "name data".
printf 'test._domainkey.example.com %s\n' \
	"$(tr -d '\n\t' <"$W/dkim/test.txt" | sed 's/^[^(]*( *//; s/ *).*$//; s/" *"//g; s/"//g')" \
	>"$W/dkim/keys"
DKIM_PORT=$("$FREEPORT") || tap_bail "no free port"
# signer NAME SOCKET: an OpenDKIM that signs mail from example.com coming
# from 127.0.0.1 (its default InternalHosts). The scratch folder is under
# a world-writable /tmp, hence RequireSafeKeys false.
signer() {
	cat >"$W/dkim/$1.conf" <<-EOF
		Syslog no
		Socket $2
		Domain example.com
		Selector test
		KeyFile $W/dkim/test.private
		RequireSafeKeys false
		Mode s
		Canonicalization relaxed/simple
		UMask 000
	EOF
	opendkim -f -x "$W/dkim/$1.conf" >"$W/dkim/$1.log" 2>&1 &
	dkim_pids="$dkim_pids $!"
}
signer inet "inet:$DKIM_PORT@127.0.0.1"
signer unix "local:$W/dkim/sock"
cat >"$W/dkim/verify.conf" <<EOF
Syslog no
Mode v
TestPublicKeys $W/dkim/keys
RequireSafeKeys false
EOF
_i=0
until perl -MIO::Socket::INET -e 'IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	PeerPort => $ARGV[0]) or exit 1' "$DKIM_PORT" && [ -S "$W/dkim/sock" ]; do
	_i=$((_i + 1))
	[ "$_i" -gt 100 ] && tap_bail "opendkim did not start: $(cat "$W/dkim/"*.log)"
	sleep 0.1
done

# verify FILE: OpenDKIM's verdict on the signature in FILE.
verify() {
	opendkim -x "$W/dkim/verify.conf" -t "$1" 2>&1 | grep -q 'verification (.*) succeeded'
}

# --- The private Postfix: sendmail, pickup, cleanup with the milter, smtp.
O=$W/oracle
oracle_up "$O" <<EOF || tap_bail "the Postfix oracle did not start"
myhostname = host.example.com
mydomain = example.com
non_smtpd_milters = inet:127.0.0.1:$DKIM_PORT
milter_default_action = tempfail
milter_protocol = 6
EOF

# relaymail's sendmail.conf: NAME MILTER.
conf() {
	cat >"$W/$1.cf" <<-EOF
		relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT
		myhostname = host.example.com
		mydomain = example.com
		alias_maps =
		dead_letter_file = $W/$1.dead
		non_smtpd_milters = $2
		milter_default_action = tempfail
		milter_protocol = 6
	EOF
}

# message ID [BODY-LINES]: a message from example.com with its own Date
# and Message-ID, so that neither side adds one.
message() {
	printf 'From: Sender <sender@example.com>\nTo: <rcpt@dest.test>\n'
	printf 'Subject: dkim %s\nDate: Mon, 01 Jan 2024 12:00:00 +0000\n' "$1"
	printf 'Message-ID: <%s@example.com>\n\n' "$1"
	awk -v n="${2:-1}" 'BEGIN { for (i = 0; i < n; i++) printf "Body line %d of the signed message.\n", i }'
}

# fetch ID: the sink's copy of message ID into got/ID.
fetch() {
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] || continue
		if sed -n '/^$/q; p' "$_f" | grep -q "^Message-ID: <$1@example.com>"; then
			mv "$_f" "$W/got/$1"
			return 0
		fi
	done
	return 1
}

# arrive ID...: waits (40 s at most) until every ID is at the sink.
arrive() {
	_end=$(($(date +%s) + 40))
	for _id in "$@"; do
		until fetch "$_id"; do
			[ "$(date +%s)" -ge "$_end" ] && return 1
			oracle_flush "$O"
			sleep 0.2
		done
	done
}

# sig ID TAG: the value of tag TAG of the DKIM-Signature of got/ID.
sig() {
	awk '/^$/ { exit } /^[^ \t]/ { on = tolower($0) ~ /^dkim-signature:/ } on { printf "%s", $0 }' \
		"$W/got/$1" | tr -d ' \t' | tr ';' '\n' | sed -n "s/^$2=//p"
}

conf inet "inet:127.0.0.1:$DKIM_PORT"
conf unix "unix:$W/dkim/sock"
message r-small 1 >"$W/r-small.msg"
message r-unix 1 >"$W/r-unix.msg"
message r-big 40000 >"$W/r-big.msg"
message p-small 1 >"$W/p-small.msg"
message p-big 40000 >"$W/p-big.msg"

for m in small big; do
	timeout 60 "$RELAYMAIL" -C "$W/inet.cf" -f sender@example.com rcpt@dest.test \
		<"$W/r-$m.msg" 2>"$W/r-$m.err"
	tap_is "$?" 0 "relaymail with OpenDKIM over inet: the $m message is sent"
	"$PF_SENDMAIL" -C "$O/postfix" -f sender@example.com rcpt@dest.test <"$W/p-$m.msg" ||
		tap_diag "Postfix's sendmail failed"
done
timeout 60 "$RELAYMAIL" -C "$W/unix.cf" -f sender@example.com rcpt@dest.test \
	<"$W/r-unix.msg" 2>"$W/r-unix.err"
tap_is "$?" 0 "relaymail with OpenDKIM over a unix: socket: sent"

if arrive r-small r-unix r-big p-small p-big; then
	tap_ok "every message arrived at the sink" true
else
	tap_ok "every message arrived at the sink" false
	tap_diag "$(tail -n 20 "$O/maillog" 2>/dev/null)"
fi
for id in r-small r-unix r-big p-small p-big; do
	tap_ok "$id: DKIM-Signature with d=example.com, s=test" \
		sh -c "[ '$(sig "$id" d)' = example.com ] && [ '$(sig "$id" s)' = test ]"
	tap_ok "$id: OpenDKIM verifies the signature at the sink" verify "$W/got/$id"
done
for m in small big; do
	tap_is "$(sig "r-$m" h)" "$(sig "p-$m" h)" \
		"$m: relaymail's and Postfix's signatures cover the same header fields"
	tap_is "$(sig "r-$m" bh)" "$(sig "p-$m" bh)" \
		"$m: relaymail's and Postfix's signatures have the same body hash"
done
# first_field ID: the first header field of got/ID that is not the sink's
# or Postfix's trace.
first_field() {
	sed -n '/^$/q; p' "$W/got/$1" | grep -v '^[ 	]' |
		grep -v -i '^received:\|^return-path:\|^delivered-to:\|^x-original-to:' |
		head -n 1 | sed 's/:.*//'
}
tap_is "$(first_field r-small)" DKIM-Signature \
	"relaymail: the signature goes before the fields it signs"
tap_is "$(first_field p-small)" DKIM-Signature "Postfix: the same"
sed 's/^Body line 0 of/Body line 0 of a changed/' "$W/got/r-small" >"$W/got/changed"
tap_ok "a copy changed after signing fails the same check" sh -c "! opendkim -x '$W/dkim/verify.conf' -t '$W/got/changed' 2>&1 | grep -q succeeded"

# OpenDKIM gone: milter_default_action decides.
for p in $dkim_pids; do
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
dkim_pids=
message r-down 1 >"$W/r-down.msg"
timeout 60 "$RELAYMAIL" -C "$W/inet.cf" -f sender@example.com rcpt@dest.test \
	<"$W/r-down.msg" 2>"$W/r-down.err"
tap_is "$?" 75 "OpenDKIM stopped, milter_default_action = tempfail: not sent, try again (75)"
tap_ok "... and the message is kept" grep -q '^Subject: dkim r-down' "$W/inet.dead"

tap_done

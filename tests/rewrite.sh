#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Address rewriting end to end against the real Postfix relay
# (tests/lib/relay.sh), whose submission port accepts only the login as
# envelope sender: the OCN guide case (sender_canonical_maps = regexp:
# with /^.*$/ login, with and without the header classes), the sender-
# dependent relay, cron's argv with an alias for root, and luser_relay
# for unknown local names. Gated by
# RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
: "${RELAY_MAIL_TIMEOUT:=10}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

scratch=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-rewrite.XXXXXX") ||
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
trap 'exit 141' PIPE
trap 'exit 143' TERM

relay_start "$scratch" || tap_bail "the test relay did not start"
. "$scratch/relay.env"

T=$scratch/client
mkdir -p "$T/got" && chmod 0700 "$T" || tap_bail "cannot create $T"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

(umask 077 && printf '[%s]:%s %s:%s\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"$RELAY_USER1" "$RELAY_PASS1" >"$T/passwd")
printf '/^.*$/ %s\n' "$RELAY_USER1" >"$T/sender_maps"
printf 'root: cron-admin@dest.test\n' >"$T/aliases"

# conf NAME [LINE...]: $T/NAME.cf for the submission port with AUTH.
conf() {
	_n=$1
	shift
	{
		echo "relayhost = [$RELAY_HOST]:$RELAY_SUBMISSION_PORT"
		echo "myhostname = client.test"
		echo "smtp_sasl_auth_enable = yes"
		echo "smtp_sasl_password_maps = texthash:$T/passwd"
		echo "smtp_tls_security_level = verify"
		echo "smtp_tls_CAfile = $RELAY_CA"
		echo "dead_letter_file = $T/dead.letter"
		echo "alias_maps = hash:$T/aliases"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
}

# send CONF ARGS... < MESSAGE: sets $rc.
send() {
	_c=$1
	shift
	timeout 120 "$RELAYMAIL" -C "$T/$_c.cf" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 0 ] || tap_diag "relaymail $* exited $rc: $(head -n 5 "$T/err")"
}

# take COUNT: the sink moved into a fresh folder, whose name is printed.
take() {
	_d=$(mktemp -d "$T/got/XXXXXX") || return 1
	relay_wait_mail "$scratch" "$1" "$RELAY_MAIL_TIMEOUT"
	_st=$?
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] && mv "$_f" "$_d/"
	done
	echo "$_d"
	return "$_st"
}

count() {
	set -- "$1"/*
	[ -f "$1" ] && echo $# || echo 0
}

# field NAME DIR: the first NAME header of each message in DIR, sorted.
field() {
	for _f in "$2"/*; do
		[ -f "$_f" ] || continue
		sed -n "s/^$1: //p" "$_f" | head -n 1
	done | sort | tr '\n' ' ' | sed 's/ $//'
}

msg() {
	{
		echo "From: Home User <user@home.example>"
		echo "To: <friend@dest.test>"
		echo "Subject: $2"
		echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
		echo "Message-ID: <rewrite-$2.$$@client.test>"
		echo ""
		echo "Body."
	} >"$1"
}

# --- The OCN case. -----------------------------------------------------------
conf plain
msg "$T/m1" plain
send plain -f user@home.example friend@dest.test <"$T/m1"
tap_is "$rc" 69 "no map: the relay refuses the home address (exit 69)"
relay_flush "$scratch" >/dev/null 2>&1
d=$(take 0)
tap_is "$(count "$d")" 0 "no map: nothing delivered"

conf mapped "sender_canonical_maps = regexp:$T/sender_maps"
msg "$T/m2" mapped
send mapped -f user@home.example friend@dest.test <"$T/m2"
tap_is "$rc" 0 "sender_canonical_maps: delivered (exit 0)"
d=$(take 1)
tap_is "$(field Return-Path "$d")" "<$RELAY_USER1>" \
	"sender_canonical_maps: envelope sender is the login"
tap_is "$(field From "$d")" "Home User <$RELAY_USER1>" \
	"default classes: the From header is rewritten, the name kept"
tap_is "$(field To "$d")" "<friend@dest.test>" "default classes: To is left alone"

conf envonly "sender_canonical_maps = regexp:$T/sender_maps" \
	"sender_canonical_classes = envelope_sender"
msg "$T/m3" envonly
send envonly -f user@home.example friend@dest.test <"$T/m3"
tap_is "$rc" 0 "envelope_sender only: delivered (exit 0)"
d=$(take 1)
tap_is "$(field Return-Path "$d")" "<$RELAY_USER1>" \
	"envelope_sender only: envelope sender is the login"
tap_is "$(field From "$d")" "Home User <user@home.example>" \
	"envelope_sender only: the From header is untouched"

# --- The relay chosen by sender. ----------------------------------------------
conf bysender "relayhost = [$RELAY_HOST]:$(relay__freeport 1)" \
	"sender_dependent_relayhost_maps = inline:{ {$RELAY_USER1 = [$RELAY_HOST]:$RELAY_SUBMISSION_PORT} }" \
	"smtp_sasl_password_maps = inline:{ {$RELAY_USER1 = $RELAY_USER1:$RELAY_PASS1} }" \
	"smtp_sender_dependent_authentication = yes"
# The password is in the file itself, so the file is a secret's (0640).
chmod 0640 "$T/bysender.cf"
msg "$T/m4" bysender
send bysender -f "$RELAY_USER1" friend@dest.test <"$T/m4"
tap_is "$rc" 0 "sender_dependent_relayhost_maps and sender-dependent AUTH: delivered"
d=$(take 1)
tap_is "$(count "$d")" 1 "sender-dependent relay: one message arrived"

# --- cron: -FCronDaemon -i -B8BITMIME -oem root, root aliased. --------------
conf cron "sender_canonical_maps = regexp:$T/sender_maps"
{
	echo "From: root (Cron Daemon)"
	echo "To: root"
	echo "Subject: Cron <root@client> run-parts /etc/cron.hourly"
	echo ""
	echo "cron output"
} >"$T/m5"
send cron -FCronDaemon -i -B8BITMIME -oem root <"$T/m5"
tap_is "$rc" 0 "cron: delivered (exit 0)"
d=$(take 1)
tap_is "$(field Delivered-To "$d")" cron-admin@dest.test "cron: root went to its alias"
tap_is "$(field Return-Path "$d")" "<$RELAY_USER1>" "cron: sender mapped to the login"
tap_is "$(field From "$d")" "$RELAY_USER1 (Cron Daemon)" \
	"cron: From rewritten, comment kept"
tap_is "$(field To "$d")" "root@client.test" "cron: To qualified, not aliased"

# --- luser_relay: local(8)'s $names per unknown local recipient. -------------
conf luser "sender_canonical_maps = regexp:$T/sender_maps" "recipient_delimiter = +" \
	'luser_relay = ${extension?{$user-$extension}:{$user}}@dest.test'
send luser -bv Lost.Soul+Tag root nosuch-luser </dev/null
tap_is "$rc/$(grep '^recipient:' "$T/out" | tr '\n' ' ')$(cat "$T/err")" \
	"0/recipient: <lost.soul-tag@dest.test> recipient: <cron-admin@dest.test> recipient: <nosuch-luser@dest.test> " \
	"luser_relay -bv: \$user and \$extension per recipient, root still its alias"
conf luser2 "sender_canonical_maps = regexp:$T/sender_maps" "recipient_delimiter = +" \
	'luser_relay = root+$user'
send luser2 -bv nosuch-luser </dev/null
tap_is "$rc/$(grep '^recipient:' "$T/out")" "0/recipient: <cron-admin@dest.test>" \
	"luser_relay -bv: the result goes through the aliases"
msg "$T/m6" luser
send luser Lost.Soul+Tag <"$T/m6"
tap_is "$rc" 0 "luser_relay: delivered (exit 0)"
d=$(take 1)
tap_is "$(field Delivered-To "$d")" lost.soul-tag@dest.test \
	"luser_relay: the unknown name arrived at its luser_relay address"

# --- newaliases. --------------------------------------------------------------
"$RELAYMAIL" -C "$T/cron.cf" -bi >"$T/out" 2>"$T/err"
tap_is "$?" 0 "-bi: a good alias file"
printf 'root: a@dest.test\nbroken line\n' >"$T/aliases"
"$RELAYMAIL" -C "$T/cron.cf" -bi >"$T/out" 2>"$T/err"
tap_is "$?" 78 "-bi: a bad alias file is exit 78"
tap_is "$(grep -v ": warning: " "$T/err")" \
	"relaymail: alias_maps ($T/cron.cf, line 8): $T/aliases, line 2: need name:value pair" \
	"-bi: the error names file and line"

tap_done

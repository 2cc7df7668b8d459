# SPDX-License-Identifier: GPL-3.0-or-later
# Client side of the shell tests that run relaymail against the test relay
# (tests/lib/relay.sh): a scratch folder, configuration files, running
# relaymail, and reading what reached the sink. Source after tap.sh and
# relay.sh; call client_start NAME first and nothing is left behind.

: "${RELAY_MAIL_TIMEOUT:=10}"

# client_start NAME: gate on the relay, start it in a scratch folder, set
# $scratch, $T (the client's side) and a private HOME; traps clean up.
client_start() {
	relay_gate
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-$1.XXXXXX") ||
		tap_bail "mktemp failed"
	trap client__cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
	relay_start "$scratch" || tap_bail "the test relay did not start"
	. "$scratch/relay.env"
	T=$scratch/client
	mkdir -p "$T/got" && chmod 0700 "$T" || tap_bail "cannot create $T"
	# relaymail must not touch the real home (dead letter, config search).
	HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
	export HOME XDG_CONFIG_HOME XDG_STATE_HOME
	unset RELAYMAIL_CONFIG NAME
	if [ ! -x "$RELAYMAIL" ]; then
		tap_diag "no relaymail binary at $RELAYMAIL: every check below fails"
	fi
}

client__cleanup() {
	relay_stop "$scratch"
	if [ "${RELAY_KEEP:-0}" = 1 ]; then
		echo "# kept $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}

# conf_submission NAME [LINE...]: $T/NAME.cf for the STARTTLS submission
# port with AUTH as user1 (password in $T/NAME.pw, 0600), TLS verified.
conf_submission() {
	_cn=$1
	shift
	(umask 077 && printf '[%s]:%s %s:%s\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
		"$RELAY_USER1" "$RELAY_PASS1" >"$T/$_cn.pw")
	{
		echo "relayhost = [$RELAY_HOST]:$RELAY_SUBMISSION_PORT"
		echo "myhostname = client.test"
		echo "smtp_sasl_auth_enable = yes"
		echo "smtp_sasl_password_maps = texthash:$T/$_cn.pw"
		echo "smtp_tls_security_level = verify"
		echo "smtp_tls_CAfile = $RELAY_CA"
		echo "dead_letter_file = $T/dead.letter"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_cn.cf"
}

# conf_plain NAME [LINE...]: $T/NAME.cf for the test-only plain port: no
# TLS, no AUTH, any sender (a null sender too); myorigin = dest.test.
conf_plain() {
	_cn=$1
	shift
	{
		echo "relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT"
		echo "myhostname = client.test"
		echo "myorigin = dest.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/dead.letter"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_cn.cf"
}

# send CONF ARGS... < MESSAGE: runs relaymail -C $T/CONF.cf ARGS, sets
# $rc, keeps its output in $T/out and $T/err.
send() {
	_c=$1
	shift
	timeout 300 "$RELAYMAIL" -C "$T/$_c.cf" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# take COUNT: waits for COUNT messages, moves all of the sink into a fresh
# folder and prints its name; status 1 when fewer arrived in time.
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

# nothing_arrives: waits a little (after a flush) and prints the number of
# messages that reached the sink anyway.
nothing_arrives() {
	relay_flush "$scratch" >/dev/null 2>&1
	sleep "${1:-1}"
	count "$(take 0)"
}

# count DIR: the number of messages in DIR.
count() {
	set -- "$1"/*
	[ -f "$1" ] && echo $# || echo 0
}

# field NAME DIR: the first value of header NAME in each message of DIR,
# sorted, on one line.
field() {
	for _f in "$2"/*; do
		[ -f "$_f" ] || continue
		sed -n "/^\$/q; s/^$1: //p" "$_f" | head -n 1
	done | sort | tr '\n' ' ' | sed 's/ $//'
}

# has_header NAME DIR: status 0 when some message in DIR has header NAME.
has_header() {
	for _f in "$2"/*; do
		[ -f "$_f" ] || continue
		sed -n '/^$/q; p' "$_f" | grep -qi "^$1:" && return 0
	done
	return 1
}

# body FILE: the body of FILE (after the first empty line).
body() {
	sed '1,/^$/d' "$1"
}

# as_sent FILE: FILE without the header lines the relay prepended.
as_sent() {
	awk 'top && /^(Return-Path|X-Original-To|Delivered-To|Received):/ {
			skip = 1
			next
		}
		top && skip && /^[ \t]/ { next }
		{ top = 0; print }' top=1 "$1"
}

# same_as_sent MESSAGE DIR: DIR holds one message, byte-exact MESSAGE.
same_as_sent() {
	[ "$(count "$2")" = 1 ] || return 1
	as_sent "$2"/* >"$T/delivered"
	cmp "$1" "$T/delivered" >/dev/null && return 0
	tap_diag "delivered message differs from what was sent:"
	tap_diag "$(diff "$1" "$T/delivered" | head -n 20)"
	return 1
}

# message FILE SUBJECT [HEADER...]: a message with From (user1), To, Date,
# Message-ID and the headers given; SUBJECT may be "".
n_msg=0
message() {
	n_msg=$((n_msg + 1))
	_mf=$1 _ms=$2
	shift 2
	{
		echo "From: Test User <$RELAY_USER1>"
		echo "To: <rcpt$n_msg@dest.test>"
		[ -n "$_ms" ] && echo "Subject: $_ms"
		echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
		echo "Message-ID: <test-$n_msg.$$@client.test>"
		for _l in "$@"; do echo "$_l"; done
		echo ""
		echo "Body of test message $n_msg."
	} >"$_mf"
}

# diag_failure: relaymail's stderr as TAP comments when rc is not 0.
diag_failure() {
	[ "$rc" = 0 ] && return 0
	tap_diag "relaymail exited $rc; stderr:" "$(head -n 20 "$T/err")"
}

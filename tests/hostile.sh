#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile callers and relays against tests/fakesmtp, without Postfix:
# junk in RELAYMAIL_* variables (exit 78 naming the variable, no
# connection, the message kept), -C /etc/shadow, SMTP smuggling shapes in
# the message (every lone dot a caller sneaks in is stuffed: the relay
# sees one transaction), and replies that are over-long or never end.
# Hostile -f, -F, recipients and -X are in tests/cli.sh (real relay).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

command -v certtool >/dev/null 2>&1 || tap_skip_all "certtool (gnutls-bin) is not installed"
[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-hostile.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
trap 'fake_stop_all; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
chmod 0755 "$T"
cp "$RELAYMAIL" "$T/relaymail" || tap_bail "cannot copy $RELAYMAIL"
RM=$T/relaymail
mkdir -m 1777 "$T/tmp"
HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state TMPDIR=$T/tmp
export HOME XDG_CONFIG_HOME XDG_STATE_HOME TMPDIR
unset RELAYMAIL_CONFIG
fake_certs || tap_bail "certtool failed"
cr=$(printf '\r')
nl='
'

conf() { # NAME PORT LINE...
	_n=$1 _p=$2
	shift 2
	{
		echo "relayhost = [127.0.0.1]:$_p"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/dead.letter"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
}

stderr_has() {
	grep -qF -- "$1" "$T/err" && return 0
	tap_diag "stderr: $(cat "$T/err")"
	return 1
}

# ---- Junk in RELAYMAIL_* variables: 78, one line naming the variable,
# nothing sent, the message kept.
printf '%s\n' "send 220 fake.test ESMTP" eof >"$T/idle.script"
fake_start idle "$T/idle.script"
conf env "$fake_port"
junk() { # DESC WANT VAR=VALUE
	printf 'Subject: env %s\n\nbody\n' "$1" |
		env "$3" "$RM" -C "$T/env.cf" -f s@client.test r@dest.test >/dev/null 2>"$T/err"
	_rc=$?
	tap_is "$_rc" 78 "$1: exit 78"
	tap_ok "$1: stderr names the variable" stderr_has "$2"
	tap_ok "$1: the message kept" grep -q "^Subject: env $1\$" "$T/dead.letter"
}
junk "CRLF and a command in RELAYMAIL_SMTP_HELO_NAME" \
	"(environment variable RELAYMAIL_SMTP_HELO_NAME)" \
	"RELAYMAIL_SMTP_HELO_NAME=x${cr}${nl}MAIL FROM:<evil@x>"
junk "CRLF in RELAYMAIL_MYHOSTNAME" "(environment variable RELAYMAIL_MYHOSTNAME)" \
	"RELAYMAIL_MYHOSTNAME=h.test${cr}${nl}RCPT TO:<evil@x>"
junk "CRLF in RELAYMAIL_MYORIGIN" "(environment variable RELAYMAIL_MYORIGIN)" \
	"RELAYMAIL_MYORIGIN=o.test${cr}${nl}RCPT TO:<evil@x>"
junk "garbage in RELAYMAIL_RELAYHOST" "relayhost (environment variable RELAYMAIL_RELAYHOST)" \
	"RELAYMAIL_RELAYHOST=[127.0.0.1]:1x"
junk "a word for RELAYMAIL_SMTP_TLS_SECURITY_LEVEL" \
	"environment variable RELAYMAIL_SMTP_TLS_SECURITY_LEVEL" \
	"RELAYMAIL_SMTP_TLS_SECURITY_LEVEL=junk"
junk "a huge RELAYMAIL_RELAYMAIL_DEADLINE" \
	"(environment variable RELAYMAIL_RELAYMAIL_DEADLINE)" \
	"RELAYMAIL_RELAYMAIL_DEADLINE=99999999999999999999999"
junk "a non-boolean RELAYMAIL_SMTP_SASL_AUTH_ENABLE" \
	"(environment variable RELAYMAIL_SMTP_SASL_AUTH_ENABLE)" \
	"RELAYMAIL_SMTP_SASL_AUTH_ENABLE=perhaps"
fake_stop idle
tap_is "$(grep -c '^C' "$FAKE_DIR/idle.tr" 2>/dev/null)" 0 "junk in the environment: nothing sent"

# ---- -C /etc/shadow: not readable by a caller who is not root; read by
# root as a bad configuration whose lines are never quoted.
if [ -r /etc/shadow ] && [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	printf 'Subject: shadow\n\nbody\n' |
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
			env RELAYMAIL_DEAD_LETTER_FILE="$T/tmp/nobody.dead" \
			"$RM" -C /etc/shadow r@dest.test >/dev/null 2>"$T/err"
	tap_is "$?" 78 "-C /etc/shadow as nobody: exit 78"
	tap_ok "-C /etc/shadow as nobody: cannot open it" \
		stderr_has "cannot open /etc/shadow: Permission denied"
	"$RM" -bv -C /etc/shadow r@dest.test </dev/null >/dev/null 2>"$T/err"
	tap_ok "-C /etc/shadow as root: refused" stderr_has "/etc/shadow, line 1: a line must read"
	root_line=$(head -n 1 /etc/shadow)
	tap_ok "-C /etc/shadow as root: no line of it quoted" \
		sh -c '! grep -qF -- "$1" "$2"' - "${root_line%%:*}:" "$T/err"
else
	tap_skip "-C /etc/shadow" "not root, no setpriv or no /etc/shadow"
fi

# ---- SMTP smuggling shapes (bare LF, bare CR around a dot): whatever the
# caller writes, the relay sees one transaction whose data holds them.
smuggle() { # DESC MESSAGE-PRINTF
	cat >"$T/sm.script" <<'EOF'
send 220 fake.test ESMTP
expect EHLO
send 250 fake.test
expect MAIL FROM:<s@client.test>
send 250 ok
expect RCPT TO:<r@dest.test>
send 250 ok
expect DATA
send 354 go on
data
send 250 queued
expect QUIT
send 221 bye
EOF
	fake_start sm "$T/sm.script"
	conf sm "$fake_port"
	# shellcheck disable=SC2059
	printf "$2" | "$RM" -i -C "$T/sm.cf" -f s@client.test r@dest.test 2>"$T/err"
	_rc=$?
	tap_is "$_rc" 0 "smuggling $1: exit 0"
	tap_is "$(fake_status sm)" 0 "smuggling $1: the relay saw one whole transaction"
	fake_stop sm
	tap_is "$(grep -c '^C.* MAIL FROM' "$FAKE_DIR/sm.tr")" 2 \
		"smuggling $1: the smuggled MAIL FROM is message data"
	tap_ok "smuggling $1: the dot arrives stuffed" grep -q '^C[:+] \.\.$' "$FAKE_DIR/sm.tr"
}
evil='MAIL FROM:<evil@x>\nRCPT TO:<victim@y>\nDATA\n'
smuggle "LF.LF" "Subject: a\n\nbody\n.\n$evil"
smuggle "CRLF.LF" "Subject: a\r\n\r\nbody\r\n.\n$evil"
smuggle "LF.CRLF" "Subject: a\n\nbody\n.\r\n$evil"
smuggle "CR.CR" "Subject: a\r\rbody\r.\r$evil"
smuggle "CRLF.CR" "Subject: a\r\n\r\nbody\r\n.\r$evil"

# ---- Replies that are over-long or never end: the relay broke the
# protocol (76), at once, and the message is kept.
reply_case() { # DESC SCRIPT-LINES...
	_d=$1
	shift
	printf '%s\n' "$@" >"$T/r.script"
	fake_start r "$T/r.script"
	conf r "$fake_port" "smtp_helo_timeout = 10s"
	_t0=$(date +%s)
	printf 'Subject: reply %s\n\nbody\n' "$_d" |
		timeout 60 "$RM" -C "$T/r.cf" -f s@client.test r@dest.test 2>"$T/err"
	_rc=$?
	_t1=$(date +%s)
	fake_stop r
	tap_is "$_rc" 76 "$_d: exit 76"
	tap_ok "$_d: ended at once (took $((_t1 - _t0)) s)" [ $((_t1 - _t0)) -le 5 ]
	tap_ok "$_d: the message kept" grep -q "^Subject: reply $_d\$" "$T/dead.letter"
}
long=$(awk 'BEGIN { while (n++ < 3000) printf "x" }')
reply_case "a greeting line of 3000 bytes" "raw 220 $long" stall
tap_ok "a greeting line of 3000 bytes: stderr says so" \
	stderr_has "the relay sent a reply line that is too long"
many=
i=0
while [ $i -lt 300 ]; do
	many="$many250-line $i\\r\\n"
	i=$((i + 1))
done
reply_case "an EHLO reply of 300 lines that goes on" "send 220 fake.test ESMTP" "expect EHLO" \
	"raw $many" stall

# A greeting that trickles in, one byte every 0.3 s, never ending a line:
# each byte restarts no clock that matters, relaymail_deadline ends it.
{
	echo "raw 220 fake"
	i=0
	while [ $i -lt 40 ]; do
		printf '%s\n' "delay 300" "raw x"
		i=$((i + 1))
	done
} >"$T/trickle.script"
fake_start trickle "$T/trickle.script"
conf trickle "$fake_port" "relaymail_deadline = 2s"
t0=$(date +%s)
printf 'Subject: trickle\n\nbody\n' |
	timeout 60 "$RM" -C "$T/trickle.cf" -f s@client.test r@dest.test 2>"$T/err"
rc=$?
t1=$(date +%s)
fake_stop trickle
tap_is "$rc" 75 "a greeting that trickles without end: exit 75"
tap_ok "a greeting that trickles without end: ended by relaymail_deadline (took $((t1 - t0)) s)" \
	[ $((t1 - t0)) -le 4 ]
tap_ok "a greeting that trickles without end: the message kept" \
	grep -q '^Subject: trickle$' "$T/dead.letter"

tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# XOAUTH2 and OAUTHBEARER end to end against tests/fakesmtp, which checks
# the user and the bearer token it is given: the token comes from
# smtp_sasl_oauth_token_command and never shows in relaymail's -v output
# or stderr; a token command that fails or hangs is named, with the exit
# status of DESIGN.md; a refused token's error JSON reaches stderr.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

command -v certtool >/dev/null 2>&1 || tap_skip_all "certtool (gnutls-bin) is not installed"
command -v base64 >/dev/null 2>&1 || tap_skip_all "base64 (coreutils) is not installed"
[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-oauth.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
cleanup() {
	fake_stop_all
	if [ "${FAKE_KEEP:-0}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fake_certs || tap_bail "certtool failed: $(tail -n 3 "$T/tls/certtool.log")"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

printf '%s\n' 'From: <sender@client.test>' 'To: <rcpt@dest.test>' 'Subject: oauth' '' \
	'Body.' >"$T/msg"

# The token the command prints, built from RELAYMAIL_SASL_USER so the test
# also shows the user reached the command.
TOKEN=ya29.tok-user1_Zq9
cat >"$T/token.sh" <<'EOF'
#!/bin/sh
printf 'ya29.tok-%s_Zq9\n' "$RELAYMAIL_SASL_USER"
EOF
printf '#!/bin/sh\necho "token service unreachable" >&2\nexit 3\n' >"$T/fails.sh"
printf '#!/bin/sh\nexec sleep 30\n' >"$T/hangs.sh"
chmod 755 "$T/token.sh" "$T/fails.sh" "$T/hangs.sh"

# script MECH SECRET TAIL: STARTTLS, then AUTH MECH answered by the fake
# (235 when it is given user1 and SECRET), then TAIL: "txn" or "quit".
script() {
	{
		printf '%s\n' "send 220 fake.test ESMTP" "expect EHLO" "send 250-fake.test" \
			"send 250 STARTTLS" "expect STARTTLS" "send 220 2.0.0 Ready" tls \
			"expect EHLO" "send 250-fake.test" "send 250 AUTH $1"
		[ -n "$2" ] && printf '%s\n' "expect AUTH $1" "auth $1 user1 $2"
		[ "$3" = txn ] && printf '%s\n' "expect MAIL FROM:" "send 250 2.1.0 Ok" \
			"expect RCPT TO:" "send 250 2.1.5 Ok" "expect DATA" "send 354 Go ahead" \
			data "send 250 2.0.0 Ok: queued"
		printf '%s\n' "expect QUIT" "send 221 2.0.0 Bye"
	} >"$T/m.script"
}

# conf COMMAND [LINE...]: relaying to the fake with the token command.
conf() {
	_cmd=$1
	shift
	{
		echo "relayhost = [127.0.0.1]:$fake_port"
		echo "myhostname = client.test"
		echo "smtp_tls_CAfile = $T/tls/ca.pem"
		echo "dead_letter_file = $T/dead.letter"
		echo "smtp_sasl_auth_enable = yes"
		echo "smtp_sasl_password_maps = texthash:$T/pw"
		echo "smtp_sasl_oauth_token_command = $_cmd"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/m.cf"
	(umask 077 && printf '[127.0.0.1]:%s user1:unused\n' "$fake_port" >"$T/pw")
}

# run: relaymail -v with the message; rc, elapsed (seconds), $T/err.
run() {
	_t0=$(date +%s)
	timeout 60 "$RELAYMAIL" -v -C "$T/m.cf" -f sender@client.test rcpt@dest.test \
		<"$T/msg" >"$T/out" 2>"$T/err"
	rc=$?
	elapsed=$(($(date +%s) - _t0))
}

# shape: the transcript on one line, "|" between lines, data as <data>.
shape() {
	awk 'd { if ($0 == "C: ." || $0 == "C+ .") { print "<data>"; d = 0 }; next }
		$0 == "# data" { d = 1; next }
		{ print }' "$T/m.tr" 2>/dev/null | paste -sd '|'
}

# lacks TEXT: stderr does not hold TEXT.
lacks() {
	! grep -qF -- "$1" "$T/err" && return 0
	tap_diag "stderr holds '$1':" "$(cat "$T/err")"
	return 1
}

# has TEXT: stderr holds TEXT.
has() {
	grep -qF -- "$1" "$T/err" && return 0
	tap_diag "stderr lacks '$1':" "$(cat "$T/err")"
	return 1
}

# printable: stderr holds no byte but printable ASCII, tab and newline.
printable() {
	[ -z "$(LC_ALL=C tr -d '\t\n\040-\176' <"$T/err")" ]
}

EHLO='C: EHLO client.test'
START="# connection 1|$EHLO|C: STARTTLS|# tls|$EHLO"
# No PIPELINING offered: one command per write.
MAIL='C: MAIL FROM:<sender@client.test>|C: RCPT TO:<rcpt@dest.test>|C: DATA|<data>|C: QUIT'
# b64 FORMAT: base64 of printf FORMAT (for its \001 escapes; no %).
# shellcheck disable=SC2059
b64() { printf "$1" | base64 | tr -d '\n'; }

# ---- A token from the command, accepted.

# ok_case MECH: the fake wants user1 and the token.
ok_case() {
	script "$1" "$TOKEN" txn
	fake_start m "$T/m.script"
	# The initial response, \001 separating its fields (RFC 7628 §3.1;
	# OAUTHBEARER names the host and port too).
	case $1 in
	XOAUTH2) _ir=$(b64 "user=user1\001auth=Bearer $TOKEN\001\001") ;;
	OAUTHBEARER)
		_ir="n,a=user1,\001host=127.0.0.1\001port=$fake_port"
		_ir=$(b64 "$_ir\001auth=Bearer $TOKEN\001\001")
		;;
	esac
	conf "$T/token.sh"
	run
	fake_stop m
	tap_is "$rc" 0 "$1: exit 0"
	tap_is "$(cat "$T/m.status" 2>/dev/null)" 0 "$1: the fake ran its script to the end"
	tap_is "$(shape)" "$START|C: AUTH $1 $_ir|# auth $1 ok|$MAIL" \
		"$1: the token went as the initial response and matched"
	tap_ok "$1: -v shows the AUTH command, masked" has ">>> AUTH $1 <secret>"
	tap_ok "$1: the token is not on stderr" lacks "$TOKEN"
	tap_ok "$1: the initial response is not on stderr" lacks "$_ir"
	tap_ok "$1: nor is its start" lacks "$(printf '%s' "$_ir" | cut -c1-16)"
}
ok_case XOAUTH2
ok_case OAUTHBEARER

# ---- A token command that fails: named, and no AUTH is sent.

script XOAUTH2 "" quit
fake_start m "$T/m.script"
conf "$T/fails.sh"
run
fake_stop m
tap_is "$rc" 77 "failing token command: exit 77 (authentication could not happen)"
tap_ok "failing token command: the parameter is named" \
	has "smtp_sasl_oauth_token_command failed with exit status 3"
tap_ok "failing token command: its own stderr passes through" has "token service unreachable"
tap_is "$(shape)" "$START|C: QUIT" "failing token command: no AUTH, QUIT"
tap_ok "failing token command: the message is kept" test -s "$T/dead.letter"

script XOAUTH2 "" quit
fake_start m "$T/m.script"
conf "$T/hangs.sh" "smtp_sasl_oauth_token_timeout = 1s"
run
fake_stop m
tap_is "$rc" 75 "token command past smtp_sasl_oauth_token_timeout: exit 75 (try later)"
tap_ok "hanging token command: the parameter is named" \
	has "smtp_sasl_oauth_token_command did not finish in time and was stopped"
tap_ok "hanging token command: stopped within its timeout" test "$elapsed" -lt 10
tap_is "$(shape)" "$START|C: QUIT" "hanging token command: no AUTH, QUIT"

script XOAUTH2 "" quit
fake_start m "$T/m.script"
conf "$T/nonexistent-command"
run
fake_stop m
tap_is "$rc" 78 "token command that does not exist: exit 78"
tap_ok "missing token command: the parameter is named" \
	has "cannot run smtp_sasl_oauth_token_command"

# ---- A refused token: 334 with the error JSON, then 535.

JSON='{"status":"401","schemes":"bearer","scope":"https://mail.example/"}'
for mech in XOAUTH2 OAUTHBEARER; do
	script "$mech" "another-token" quit
	fake_start m "$T/m.script"
	conf "$T/token.sh"
	run
	fake_stop m
	case $mech in
	XOAUTH2) _dummy='C: ' ;;
	OAUTHBEARER) _dummy="C: $(b64 '\001')" ;;
	esac
	tap_is "$rc" 77 "$mech refused: exit 77"
	tap_is "$(shape | sed 's/AUTH [A-Z0-9]* [^|]*/AUTH/')" \
		"$START|C: AUTH|# auth $mech failed|$_dummy|C: QUIT" \
		"$mech refused: the error challenge is answered as RFC 7628 §3.2.3 says"
	tap_ok "$mech refused: the relay's error JSON is on stderr" \
		has "(the relay's OAuth error: $JSON)"
	tap_ok "$mech refused: the 535 is on stderr" \
		has "535 5.7.8 Authentication credentials invalid"
	tap_ok "$mech refused: stderr is printable" printable
	tap_ok "$mech refused: the token is not on stderr" lacks "$TOKEN"
done

tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# One context, one intake (issue 9), against tests/fakesmtp:
# - the command line and -bs hand the relay the same bytes for the same
#   message and configuration: over-long lines (past the default
#   smtp_line_length_limit, a header line folded and the body re-encoded
#   as quoted-printable; kept at 0), a bare CR, a NUL, 8-bit text, dot
#   lines;
# - a send without pcre: tables does not load libpcre2-8, one with such a
#   table does (LD_DEBUG=files);
# - a -bs session of several transactions opens each table file once
#   (strace counts the opens).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

command -v certtool >/dev/null 2>&1 || tap_skip_all "certtool (gnutls-bin) is not installed"
command -v perl >/dev/null 2>&1 || tap_skip_all "perl is not installed"
[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"
FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-context.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
trap 'fake_stop_all; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fake_certs || tap_bail "certtool failed: $(tail -n 3 "$T/tls/certtool.log")"
HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

# s_accept: one connection that takes one message, no TLS.
s_accept() {
	printf '%s\n' "connection" "send 220 fake.test ESMTP fakesmtp" "expect EHLO" \
		"send 250-fake.test" "send 250-8BITMIME" "send 250 PIPELINING" \
		"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
		"expect DATA" "send 354 End data with <CR><LF>.<CR><LF>" data \
		"send 250 2.0.0 Ok: queued" "expect QUIT" "send 221 2.0.0 Bye"
}

# conn N: what connection N of the relay transcript received, without the
# segment marks ("C: " / "C+ ") that depend on how reads fell.
conn() {
	awk -v n="$1" '/^# connection / { c = $3; next } c == n' "$T/relay.tr" | sed 's/^C[:+] //'
}

# The message: every kind of byte intake has a rule for.
long=$(printf '%01500d' 0 | tr 0 x)
{
	printf 'From: Sender <sender@client.test>\n'
	printf 'To: <rcpt@dest.test>\n'
	printf 'Subject: Gr\303\274\303\237e, one intake\n'
	printf 'Date: Mon, 01 Jan 2024 12:00:00 +0000\n'
	printf 'Message-ID: <context@client.test>\n'
	printf 'X-Long: %s\n' "$long"
	printf '\n'
	printf 'a long line: %s\n' "$long"
	printf 'a bare CR\rin the middle\n'
	printf 'a NUL \000 here\n'
	printf '8-bit: caf\351 and \342\202\254\n'
	printf '.a line that starts with a dot\n'
	printf '.\n'
	printf 'after the lone dot\n'
} >"$T/msg"
# The same text as -bs DATA: CRLF line ends, dots stuffed.
session() { # FILE: the -bs dialogue that sends FILE
	printf 'EHLO client.test\r\nMAIL FROM:<sender@client.test>\r\n'
	printf 'RCPT TO:<rcpt@dest.test>\r\nDATA\r\n'
	perl -pe 's/^\./../; s/\n/\r\n/' "$1"
	printf '.\r\nQUIT\r\n'
}
session "$T/msg" >"$T/msg.session"

for i in 1 2 3 4; do s_accept; done >"$T/relay.script"
FAKE_TIMEOUT=60 fake_start relay "$T/relay.script"

n=0
for limit in default 0; do
	{
		echo "relayhost = [127.0.0.1]:$fake_port"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/dead.letter"
		[ "$limit" = 0 ] && echo "smtp_line_length_limit = 0"
	} >"$T/$limit.cf"
	timeout 30 "$RELAYMAIL" -C "$T/$limit.cf" -i -f sender@client.test rcpt@dest.test \
		<"$T/msg" >"$T/out" 2>"$T/err"
	tap_is "$?" 0 "limit $limit: the command line sends" || tap_diag "$(cat "$T/err")"
	n=$((n + 1))
	cmdline=$n
	timeout 30 "$RELAYMAIL" -C "$T/$limit.cf" -bs <"$T/msg.session" >"$T/out" 2>"$T/err"
	tap_is "$?" 0 "limit $limit: -bs sends" || tap_diag "$(cat "$T/err")"
	tap_ok "limit $limit: -bs answers 250 to the dot" grep -q '^250 2.0.0 ' "$T/out"
	n=$((n + 1))
	conn "$cmdline" >"$T/cmdline.$limit"
	conn "$n" >"$T/bs.$limit"
	if cmp -s "$T/cmdline.$limit" "$T/bs.$limit"; then
		tap__result 0 "limit $limit: the relay got the same envelope and bytes from both"
	else
		tap__result 1 "limit $limit: the relay got the same envelope and bytes from both"
		tap_diag "$(diff "$T/cmdline.$limit" "$T/bs.$limit" | head -n 20)"
	fi
done
# What both sent is what intake's rules say.
tap_ok "a bare CR became a line end" grep -qx 'a bare CR' "$T/bs.default"
tap_ok "a NUL became a space" grep -qx 'a NUL   here' "$T/bs.default"
tap_ok "8-bit bytes are kept (limit 0: not re-encoded)" \
	grep -qx '8-bit: caf\\xe9 and \\xe2\\x82\\xac' "$T/bs.0"
tap_ok "default limit: 8-bit bytes encoded" grep -qx '8-bit: caf=E9 and =E2=82=AC' "$T/bs.default"
tap_ok "the dot lines arrive stuffed" grep -qx '\.\.a line that starts with a dot' "$T/bs.default"
tap_is "$(grep -c "^a long line: x*\$" "$T/bs.0")" 1 "limit 0: the long line is kept whole"
tap_is "$(awk 'length > 1000' "$T/bs.default" | wc -l)" 0 \
	"default limit: no line over 998 octets"
tap_ok "default limit: the long header line goes on after a fold" grep -q '^ x' "$T/bs.default"
tap_ok "default limit: the body is re-encoded as quoted-printable" \
	sh -c 'grep -qx "Content-Transfer-Encoding: quoted-printable" "$1" &&
		grep -qx "a long line: x*=" "$1"' - "$T/bs.default"
fake_stop relay

# ---- Libraries a run loads (issue 12). -------------------------------------
# libpcre2-8 and libgsasl are loaded with dlopen, only when a pcre: table
# or a mechanism of GNU SASL needs them: a plain send maps neither, one
# with a pcre: table maps libpcre2-8. The dynamic loader says what it
# maps (LD_DEBUG=files); libgnutls, which relaymail links, shows that it
# did.
s_accept >"$T/libs.script"
s_accept >>"$T/libs.script"
FAKE_TIMEOUT=60 fake_start libs "$T/libs.script"
printf '/^(.*)@client\\.test$/ ${1}@isp.test\n' >"$T/sender.pcre"
for run in plain pcre; do
	label="plain send"
	[ "$run" = pcre ] && label="send with a pcre: table"
	{
		echo "relayhost = [127.0.0.1]:$fake_port"
		echo "myhostname = client.test"
		echo "smtp_tls_security_level = none"
		echo "dead_letter_file = $T/dead.letter"
		[ "$run" = pcre ] && echo "sender_canonical_maps = pcre:$T/sender.pcre"
	} >"$T/libs-$run.cf"
	timeout 30 env LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld-$run" "$RELAYMAIL" -C "$T/libs-$run.cf" \
		-i -f sender@client.test rcpt@dest.test <"$T/msg" >"$T/out" 2>"$T/err"
	tap_is "$?" 0 "$label: exit 0" || tap_diag "$(cat "$T/err")"
	cat "$T/ld-$run".* >"$T/ld-$run" 2>/dev/null
	tap_ok "$label: the loader's trace shows libgnutls" grep -q 'file=libgnutls' "$T/ld-$run"
done
tap_ok "plain send: libpcre2-8 is not loaded" sh -c '! grep -q "file=libpcre2" "$1"' - "$T/ld-plain"
tap_ok "plain send: libgsasl is not loaded" sh -c '! grep -q "file=libgsasl" "$1"' - "$T/ld-plain"
tap_ok "send with a pcre: table: libpcre2-8 is loaded" grep -q 'file=libpcre2-8' "$T/ld-pcre"
tap_is "$(grep -c 'MAIL FROM:<sender@isp.test>' "$T/libs.tr")" 1 \
	"send with a pcre: table: the sender is rewritten through it"
fake_stop libs

# ---- Each table file is opened once per -bs session. -----------------------
if ! command -v strace >/dev/null 2>&1; then
	tap_skip "-bs opens each table file once" "strace is not installed"
	tap_done
fi
tx=5
{
	for i in $(seq "$tx"); do
		printf '%s\n' "connection" "send 220 fake.test ESMTP fakesmtp" "expect EHLO" \
			"send 250-fake.test" "send 250 STARTTLS" "expect STARTTLS" \
			"send 220 2.0.0 Ready to start TLS" tls "expect EHLO" "send 250-fake.test" \
			"send 250 AUTH PLAIN" "expect AUTH PLAIN" "auth PLAIN user1 secret1" \
			"expect MAIL FROM:" "send 250 2.1.0 Ok" "expect RCPT TO:" "send 250 2.1.5 Ok" \
			"expect DATA" "send 354 go on" data "send 250 2.0.0 Ok: queued" \
			"expect QUIT" "send 221 2.0.0 Bye"
	done
} >"$T/auth.script"
FAKE_TIMEOUT=60 fake_start auth "$T/auth.script"
(umask 077 && echo "[127.0.0.1]:$fake_port user1:secret1" >"$T/passwd")
printf '/^(.*)@client\\.test$/ ${1}@isp.test\n' >"$T/canonical"
printf 'nobody@nowhere.test unused@nowhere.test\n' >"$T/recipients"
printf 'root: rcpt@dest.test\n' >"$T/aliases"
printf 'nowhere.test smtp:[192.0.2.1]:25\n' >"$T/transport"
printf '/^nobody@/ [192.0.2.1]:25\n' >"$T/senders"
tables="passwd canonical recipients aliases transport senders"
{
	echo "relayhost = [127.0.0.1]:$fake_port"
	echo "myhostname = client.test"
	echo "smtp_tls_CAfile = $T/tls/ca.pem"
	echo "smtp_sasl_auth_enable = yes"
	echo "smtp_sasl_password_maps = texthash:$T/passwd"
	echo "sender_canonical_maps = regexp:$T/canonical"
	echo "recipient_canonical_maps = texthash:$T/recipients"
	echo "alias_maps = hash:$T/aliases"
	echo "transport_maps = texthash:$T/transport"
	echo "sender_dependent_relayhost_maps = regexp:$T/senders"
	echo "dead_letter_file = $T/dead.letter"
} >"$T/tables.cf"
{
	printf 'EHLO client.test\r\n'
	for i in $(seq "$tx"); do
		printf 'MAIL FROM:<sender@client.test>\r\nRCPT TO:<root>\r\nDATA\r\n'
		printf 'Subject: transaction %s\r\n\r\nBody.\r\n.\r\n' "$i"
	done
	printf 'QUIT\r\n'
} >"$T/tables.session"
# LeakSanitizer cannot work under ptrace; the other runs check for leaks.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	timeout 60 strace -f -qq -e trace=open,openat -o "$T/strace" \
	"$RELAYMAIL" -C "$T/tables.cf" -bs <"$T/tables.session" >"$T/out" 2>"$T/err"
tap_is "$?" 0 "-bs with six tables: the session ends well" || tap_diag "$(cat "$T/err")"
tap_is "$(grep -c '^250 2.0.0 ' "$T/out")" "$tx" "-bs with six tables: $tx messages relayed"
tap_is "$(grep -c 'MAIL FROM:<sender@isp.test>' "$T/auth.tr")" "$tx" \
	"-bs with six tables: every transaction rewritten through sender_canonical_maps"
for t in $tables; do
	tap_is "$(grep -c "\"$T/$t\"" "$T/strace")" 1 "-bs over $tx transactions opens $t once"
done
tap_done

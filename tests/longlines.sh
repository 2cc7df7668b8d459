#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Lines over smtp_line_length_limit against the real Postfix relay: a
# 3,000-octet HTML line from PHP's mail() arrives quoted-printable and
# decodes, at the sink, to exactly the line that was sent; so does the
# long text/html part of a multipart/alternative sent through -bs, whose
# base64 part arrives untouched; SIZE= is the size of what arrived; what
# cannot be re-encoded (a DKIM-signed message, a header line) is folded
# with a warning. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no; needs
# python3 (its email module decodes at the sink) and php-cli.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
: "${PHP:=php}"
: "${PYTHON:=python3}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"

relay_gate
why=""
if ! command -v "$PYTHON" >/dev/null 2>&1; then
	why="python3 not found (Debian: apt-get install python3)"
elif ! command -v "$PHP" >/dev/null 2>&1; then
	why="php not found (Debian: apt-get install php-cli)"
fi
if [ -n "$why" ]; then
	[ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ] && tap_bail "$why"
	tap_skip_all "$why"
fi

client_start longlines
conf_submission sub

# part FILE TYPE cte|body: the Content-Transfer-Encoding of the first
# part of type TYPE in FILE, or its content decoded (python's email
# module, nothing of ours); status 1 when there is no such part.
cat >"$T/part.py" <<'PY'
import email, sys
from email import policy
with open(sys.argv[1], "rb") as f:
    m = email.message_from_binary_file(f, policy=policy.compat32)
for p in m.walk():
    if p.get_content_type() == sys.argv[2] and not p.is_multipart():
        if sys.argv[3] == "cte":
            print(p.get("Content-Transfer-Encoding", ""))
        else:
            sys.stdout.buffer.write(p.get_payload(decode=True))
        sys.exit(0)
sys.exit(1)
PY
part() {
	"$PYTHON" "$T/part.py" "$@"
}

# longest FILE: the length of its longest line.
longest() {
	awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }' "$1"
}

# The HTML of a PHP application: one 3,000-octet line, with a link cut
# at 998 in the old days, "=", UTF-8, trailing blanks; then a line that
# puts a "." at the start of an encoded line (dot-stuffed on the wire).
awk 'BEGIN {
	s = "<p>"
	while (length(s) < 2990)
		s = s "<a href=\"https://shop.example/item?id=" n++ "&amp;x=1\">caf\303\251 " n "</a> "
	printf "%s  \n", substr(s, 1, 2990)
	for (i = 0; i < 75; i++)
		printf "a"
	printf ".x\n</p>\n"
}' >"$T/html"
tap_is "$(head -n 1 "$T/html" | wc -c | tr -d ' ')" 2993 "the HTML line is over 2,990 octets"

# --- PHP mail(): text/html with a 3,000-octet line. -----------------------
timeout 120 "$PHP" -d "sendmail_path=$RELAYMAIL -v -C $T/sub.cf -t -i" -r '
	$ok = mail("php@dest.test", "long HTML line", file_get_contents($argv[2]),
		"MIME-Version: 1.0\r\nContent-type: text/html; charset=UTF-8\r\n" .
		"From: Shop <" . $argv[1] . ">", "-f" . $argv[1]);
	exit($ok ? 0 : 1);' "$RELAY_USER1" "$T/html" >"$T/out" 2>"$T/err"
rc=$?
diag_failure
tap_is "$rc" 0 "PHP mail() with a 3,000-octet HTML line: sent"
d=$(take 1)
f=$(ls "$d"/* 2>/dev/null | head -n 1)
tap_is "$(part "$f" text/html cte)" quoted-printable \
	"it arrives as quoted-printable"
tap_is "$(sed -n '/^$/q; /^Content-type:/Ip' "$f" | tr -d '\r')" \
	"Content-type: text/html; charset=UTF-8" "its Content-Type is the one PHP wrote"
tap_ok "no line of it is over 76 octets" sh -c '[ "$(sed "1,/^\$/d" "$1" | 
	awk "{ if (length(\$0) > n) n = length(\$0) } END { print n + 0 }")" -le 76 ]' - "$f"
tap_ok "an encoded line starts with \".\" (after a soft break): dot-stuffed on the wire, intact" \
	grep -qx '\.x' "$f"
part "$f" text/html body >"$T/got.html"
# PHP ends the body with one more newline of its own.
{ cat "$T/html" && echo; } >"$T/want.html"
tap_ok "decoded at the sink, it is exactly the HTML that was sent" \
	cmp -s "$T/want.html" "$T/got.html"
tap_ok "no URL is cut by a blank (\"h ttps\", as folding did)" \
	sh -c '! grep -q "h ttps\|\" ttps" "$1"' - "$T/got.html"
as_sent "$f" >"$T/arrived"
size=$(($(wc -c <"$T/arrived") + $(wc -l <"$T/arrived")))
tap_ok "SIZE= is the size of what arrived ($size octets with CRLF)" \
	grep -q "^>>> MAIL FROM:.* SIZE=$size\\b" "$T/err"

# --- -bs: multipart/alternative with a long text/html part and a base64 --
# part; the same intake, so the same result.
b64=$(head -c 3000 /dev/urandom | base64 -w 76)
{
	echo "From: Test User <$RELAY_USER1>"
	echo "To: <bs@dest.test>"
	echo "Subject: multipart with a long line"
	echo "MIME-Version: 1.0"
	echo 'Content-Type: multipart/mixed; boundary="==outer"'
	echo ""
	echo "This is a multi-part message in MIME format."
	echo "--==outer"
	echo 'Content-Type: multipart/alternative; boundary="==alt"'
	echo ""
	echo "--==alt"
	echo "Content-Type: text/plain; charset=utf-8"
	echo "Content-Transfer-Encoding: 8bit"
	echo ""
	echo "Short text."
	echo "--==alt"
	echo "Content-Type: text/html; charset=utf-8"
	echo "Content-Transfer-Encoding: 8bit"
	echo ""
	cat "$T/html"
	echo "--==alt--"
	echo "--==outer"
	echo "Content-Type: application/octet-stream"
	echo "Content-Transfer-Encoding: base64"
	echo 'Content-Disposition: attachment; filename="data.bin"'
	echo ""
	echo "$b64"
	echo "--==outer--"
} >"$T/multi"
{
	printf 'EHLO client.test\r\n'
	printf 'MAIL FROM:<%s>\r\n' "$RELAY_USER1"
	printf 'RCPT TO:<bs@dest.test>\r\n'
	printf 'DATA\r\n'
	sed 's/^\./../; s/$/\r/' "$T/multi"
	printf '.\r\nQUIT\r\n'
} >"$T/dialogue"
timeout 120 "$RELAYMAIL" -bs -C "$T/sub.cf" <"$T/dialogue" >"$T/out" 2>"$T/err"
rc=$?
diag_failure
tap_ok "-bs: the message is accepted (250 after DATA)" \
	sh -c 'grep -q "^250 2.0.0 Ok: queued" "$1"' - "$T/out"
d=$(take 1)
f=$(ls "$d"/* 2>/dev/null | head -n 1)
tap_is "$(part "$f" text/html cte)/$(part "$f" text/plain cte)" quoted-printable/8bit \
	"-bs: the long text/html part is quoted-printable, the short text/plain part untouched"
part "$f" text/html body >"$T/got.html"
# The line end before a boundary belongs to the boundary (RFC 2046 §5.1.1).
head -c -1 "$T/html" >"$T/want.html"
tap_ok "-bs: the text/html part decodes to exactly the HTML that was sent" \
	cmp -s "$T/want.html" "$T/got.html"
sed -n '/^Content-Disposition: attachment/,/^--==outer--/p' "$f" | sed '1,2d; $d' >"$T/got.b64"
tap_ok "-bs: the base64 part arrives byte for byte as it was" \
	sh -c 'printf "%s\n" "$1" | cmp -s - "$2"' - "$b64" "$T/got.b64"
tap_is "$(sed -n '/^$/q; /^Content-Transfer-Encoding/p' "$f")" "" \
	"-bs: the top-level header is not touched"

# --- What cannot be re-encoded is folded, with a warning that says why. --
message "$T/dkim" "DKIM-signed" "DKIM-Signature: v=1; a=rsa-sha256; d=client.test; s=x; b=AAAA"
head -n 1 "$T/html" >>"$T/dkim"
send sub -f "$RELAY_USER1" dkim@dest.test <"$T/dkim"
diag_failure
d=$(take 1)
f=$(ls "$d"/* 2>/dev/null | head -n 1)
tap_is "$(body "$f" | sed 1d | awk '{ printf "%d ", length($0) }')" "998 998 998 " \
	"DKIM-signed: the line is folded at 998 with CRLF SPACE, not re-encoded"
tap_ok "DKIM-signed: the warning says why" grep -q "warning:.*DKIM signature" "$T/err"
tap_ok "DKIM-signed: no Content-Transfer-Encoding added" \
	sh -c '! sed -n "/^\$/q; p" "$1" | grep -qi "^Content-Transfer-Encoding"' - "$f"

message "$T/hdr" "" "Subject: $(printf 'word%.0s ' $(seq 1 300))"
send sub -f "$RELAY_USER1" hdr@dest.test <"$T/hdr"
diag_failure
d=$(take 1)
f=$(ls "$d"/* 2>/dev/null | head -n 1)
tap_ok "a 1,500-octet Subject arrives folded, every line within 998" \
	sh -c '[ "$(sed -n "/^\$/q; p" "$1" | awk "{ if (length(\$0) > n) n = length(\$0) } END { print n }")" -le 998 ]' - "$f"
tap_ok "a folded header line: a warning" grep -q "warning: a header line longer than 998" "$T/err"

tap_done

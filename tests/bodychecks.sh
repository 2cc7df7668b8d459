#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The checks past the primary header, differential, with Postfix as the
# oracle (tests/lib/differential.sh): body_checks, mime_header_checks,
# nested_header_checks, body_checks_size_limit, their smtp_ forms,
# line_length_limit and sendmail_fix_line_endings. Each case's main.cf lines go into a private
# Postfix that takes the message through its own sendmail, pickup,
# cleanup and SMTP client to the sink, and into relaymail's
# sendmail.conf. Compared: the outcome (delivered with the whole message,
# header and body; nothing; or the REJECT reason, which Postfix bounces
# and relaymail refuses with exit 65, keeping the message) and, for the
# cases that log, the mail log records of the actions. A deliberate
# difference is pinned: the case says what relaymail does instead.
# Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the
# scratch folder.
DIFF_NAME=bodychecks DIFF_DOMAIN=bodychecks.test DIFF_SHOW=show_message
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib/differential.sh"

# --- How a case is written, beyond the library's. ----------------------------
# body (the body on stdin; default "Body of NAME."); raw (the whole
# message on stdin, bytes as they are, %ID% for the Message-ID's value).
body() {
	cat >"$C/body"
}
raw() {
	cat >"$C/raw"
}

# --- The cases. --------------------------------------------------------------

case_begin replace "body_checks (regexp): REPLACE a line, with \$1"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^password: (.*)$/      REPLACE password: [removed, was ${1} long]
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
Hello,
password: hunter2
bye
EOF

case_begin ignore-pcre "body_checks (pcre): IGNORE, case-insensitive by default"
lines <<'EOF'
body_checks = pcre:%C%/checks
EOF
table checks <<'EOF'
/^-- ?$/                IGNORE
/^sent from my/         IGNORE
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
Text.
--
Sent from my phone
Sent from my phone, twice
EOF

case_begin prepend "body_checks: PREPEND puts any text as a line before"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^Chapter/              PREPEND ----- a line, not a header field -----
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
Intro.
Chapter 1
Text.
Chapter 2
EOF

case_begin warn "WARN, INFO and STRIP: mail log records in cleanup's form"
logs
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^click here/           WARN phishing words
/^unsubscribe/          INFO
/^tracking/             STRIP
EOF
submit -f joe@example.com amy@example.org bob@example.net
body <<'EOF'
Dear user,
click here now
unsubscribe
tracking pixel
end
EOF

case_begin first "the first match decides: DUNNO and OK keep the line"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^keep/                 DUNNO
/^fine/                 OK
/^(keep|fine|gone)/     REPLACE replaced
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
keep this
fine too
gone now
EOF

case_begin unknown "an unknown action: warned about, the line kept"
warns
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^odd/                  SHOUT loudly
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
odd line
EOF

case_begin reject "REJECT: refused with the reason, the message kept"
logs
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^wire the money/       REJECT no fraud here
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
Dear friend,
wire the money today
EOF

case_begin reject-code "REJECT with its own 5.x.x code, in a part of a multipart"
lines <<'EOF'
body_checks = pcre:%C%/checks
EOF
table checks <<'EOF'
/^TVqQAAMAAAAEAAAA/     REJECT 5.7.0 executable attachment
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
--b1
Content-Type: text/plain

See attached.
--b1
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
--b1--
EOF

case_begin discard "DISCARD: nothing is sent, and that is a success"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^lottery winner/       DISCARD
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
You are a lottery winner
EOF

case_begin hold "HOLD: Postfix's hold queue; relaymail keeps it in the dead letter file"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^review me/            HOLD
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
review me please
EOF
differs "no hold queue: exit 75 and the message in the dead letter file" <<'EOF'
not sent (exit 75)
EOF
postfix_gives "nothing arrived"

case_begin filter "FILTER: Postfix hands the message to the content filter; relaymail has none"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^scan me/              FILTER error:filtered by the content filter
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
EOF
body <<'EOF'
scan me
EOF
{
	printf 'delivered\nReturn-Path: <joe@example.com>\nX-Original-To: amy@example.org\n'
	printf 'Delivered-To: amy@example.org\nFrom: joe@example.com\n'
	printf 'Subject: bodychecks case filter\nDate: (not compared)\nMessage-ID: (not compared)\n'
	printf '(body)\nscan me\n'
} | differs "no queue: a warning, and the message goes as it is"
postfix_gives "refused: 5.0.0 filtered by the content filter"

case_begin redirect "REDIRECT and BCC from the body: the envelope changes"
logs
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^legal hold/           BCC archive@example.net
/^route to carl/        REDIRECT carl@example.net
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
legal hold
route to carl
EOF

case_begin parts "body_checks see every line past the header but the empty ones (never looked up)"
logs
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^$/                    WARN blank
/^--b1/                 WARN boundary
/^inside/               REPLACE inside (checked)
/^after/                REPLACE after (checked)
/^before/               REPLACE before (checked)
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"
EOF
body <<'EOF'
before the parts
--b1
Content-Type: text/plain

inside one
--b1
Content-Type: text/html

inside <b>two</b>
--b1--
after the parts
EOF

case_begin size-limit "body_checks_size_limit: only the start of each body segment"
lines <<'EOF'
body_checks = regexp:%C%/checks
body_checks_size_limit = 60
EOF
table checks <<'EOF'
/^check (.*)/           REPLACE checked $1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
check preamble 1
--b1
Content-Type: text/plain

check a1 (offset 1)
check a2 (offset 21)
check a3 (offset 41)
check a4 (offset 61)
--b1
Content-Type: text/plain

check b1 (a new segment)
check b2
check b3
check b4
--b1--
check epilogue
EOF

case_begin size-bare "body_checks_size_limit: a part without header fields, or with text for a header"
lines <<'EOF'
body_checks = regexp:%C%/checks
body_checks_size_limit = 30
EOF
table checks <<'EOF'
/^check(.*)/            REPLACE ok$1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
check 0001
check 0002
check 0003
check 0004
--b1

check 0005
check 0006
check 0007
check 0008
--b1
not a field
check 0009
check 0010
check 0011
--b1--
check 0012
check 0013
check 0014
check 0015
EOF

case_begin size-zero "body_checks_size_limit = 0: every line"
lines <<'EOF'
body_checks = regexp:%C%/checks
body_checks_size_limit = 0
EOF
table checks <<'EOF'
/^line (.*)/            REPLACE seen $1
EOF
submit -f joe@example.com amy@example.org
{
	_i=0
	while [ $_i -lt 30 ]; do
		echo "line $_i of a body longer than the default limit would allow...."
		_i=$((_i + 1))
	done
	_i=0
	while [ $_i -lt 800 ]; do
		echo "filler $_i ......................................................."
		_i=$((_i + 1))
	done
	echo "line last"
} | body

case_begin long-line "a line past 2048 octets is looked up in pieces of 2048"
lines <<'EOF'
body_checks = regexp:%C%/checks
smtp_line_length_limit = 0
EOF
table checks <<'EOF'
/^x+$/                  REPLACE [x]
/^y+$/                  REPLACE [y]
EOF
submit -f joe@example.com amy@example.org
{
	awk 'BEGIN { s = ""; for (i = 0; i < 3000; i++) s = s "x"; print s;
		s = ""; for (i = 0; i < 2048; i++) s = s "y"; print s }'
	echo end
} | body

# nchars N C: a line of N times C.
nchars() {
	awk -v n="$1" -v c="$2" 'BEGIN { s = ""; for (i = 0; i < n; i++) s = s c; print s }'
}
# zline N: a line of N z's.
zline() {
	nchars "$1" z
}
# abline A B: a line of A a's then B b's.
abline() {
	awk -v a="$1" -v b="$2" 'BEGIN { s = ""; for (i = 0; i < a; i++) s = s "a";
		for (i = 0; i < b; i++) s = s "b"; print s }'
}
case_begin line-limit-512 "line_length_limit = 512 (Postfix's least): pieces of 512; a header field longer is looked up whole"
lines <<'EOF'
body_checks = regexp:%C%/checks
header_checks = regexp:%C%/hchecks
smtp_line_length_limit = 0
line_length_limit = 512
EOF
table checks <<'EOF'
/^a+$/                  REPLACE [a]
/^b+$/                  REPLACE [b]
/^a+b+$/                REPLACE [ab]
/^c+$/                  REPLACE [c]
EOF
table hchecks <<'EOF'
/^X-Long: h+END$/       REPLACE X-Long: looked up whole
EOF
submit -f joe@example.com amy@example.org
{
	echo "From: joe@example.com"
	echo "X-Long: $(nchars 1500 h)END"
} | headers
{
	abline 1100 100
	abline 400 100
	nchars 512 c
	nchars 513 c
	echo end
} | body

case_begin line-limit-4096 "line_length_limit = 4096: pieces of 4096, a line of 3000 looked up whole"
lines <<'EOF'
body_checks = pcre:%C%/checks
smtp_line_length_limit = 0
line_length_limit = 4096
EOF
table checks <<'EOF'
/^a+$/                  REPLACE [a]
/^b+$/                  REPLACE [b]
/^a+b+$/                REPLACE [ab]
EOF
submit -f joe@example.com amy@example.org
{
	abline 5000 0
	abline 4096 904
	abline 3000 100
	echo end
} | body

case_begin long-reencoded "a line past smtp_line_length_limit: Postfix looks up the line, relaymail its quoted-printable form"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^z+$/                  REPLACE short
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
EOF
{
	zline 1200
	echo end
} | body
{
	printf 'delivered\nReturn-Path: <joe@example.com>\nX-Original-To: amy@example.org\n'
	printf 'Delivered-To: amy@example.org\nFrom: joe@example.com\n'
	printf 'Subject: bodychecks case long-reencoded\n'
	printf 'Date: (not compared)\nMessage-ID: (not compared)\nMIME-Version: 1.0\n'
	printf 'Content-Type: text/plain; charset=us-ascii\n'
	printf 'Content-Transfer-Encoding: quoted-printable\n(body)\n'
	_i=0
	while [ $_i -lt 15 ]; do
		echo "$(zline 75)="
		_i=$((_i + 1))
	done
	printf 'short\nend\n'
} | differs "the text part is re-encoded before the checks, so the rule hits its last line"
postfix_gives "short"

case_begin replace-long "a REPLACE result past 998 octets is broken with CRLF SPACE, as the SMTP client does"
lines <<'EOF'
body_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^(a+)$/                REPLACE $1$1
EOF
submit -f joe@example.com amy@example.org
{
	nchars 550 a
	echo "end"
} | body

case_begin replace-long-field "a part header REPLACE past 998 octets is folded before a blank, as header_checks folds"
lines <<'EOF'
mime_header_checks = regexp:%C%/mime
EOF
table mime <<'EOF'
/^X-Id: (.*)$/          REPLACE X-Id: $1$1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
{
	echo "--b1"
	echo "X-Id: $(nchars 600 i)"
	echo ""
	echo "text"
	echo "--b1--"
} | body
{
	printf 'delivered\nReturn-Path: <joe@example.com>\nX-Original-To: amy@example.org\n'
	printf 'Delivered-To: amy@example.org\nFrom: joe@example.com\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\n'
	printf 'Subject: bodychecks case replace-long-field\nDate: (not compared)\n'
	printf 'Message-ID: (not compared)\n(body)\n--b1\nX-Id:\n'
	printf ' %s\n %s\n(empty line)\ntext\n--b1--\n' "$(nchars 997 i)" "$(nchars 203 i)"
} | differs "as relaymail folds every long field; Postfix's SMTP client cuts at 998 octets, in a word"
postfix_gives " $(nchars 208 i)"

case_begin mime "mime_header_checks: the header fields of every part"
lines <<'EOF'
mime_header_checks = regexp:%C%/mime
EOF
table mime <<'EOF'
/^Content-Type: application\/x-msdownload/  REPLACE Content-Type: application/octet-stream
/^Content-Description:/                      IGNORE
/^X-Part-Note: (.*)/                         PREPEND X-Note-Seen: $1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
--b1
Content-Type: text/plain
Content-Description: the text
X-Part-Note: first

Text.
--b1
Content-Type: application/x-msdownload
Content-Transfer-Encoding: base64

AAAA
--b1--
EOF

case_begin mime-reject "mime_header_checks: REJECT on a part's Content-Type name"
logs
lines <<'EOF'
mime_header_checks = pcre:%C%/mime
EOF
table mime <<'EOF'
/^Content-(Type|Disposition):.*name\s*=\s*"?[^"]*\.(exe|scr)"?/  REJECT 5.7.1 no executables
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
--b1
Content-Type: text/plain

Text.
--b1
Content-Type: application/octet-stream;
	name="game.exe"

AAAA
--b1--
EOF

case_begin mime-default "mime_header_checks defaults to \$header_checks: part headers too"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^Content-Type: text\/html/  REPLACE Content-Type: text/plain; note=was-html
/^X-Mailer:/                 IGNORE
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
X-Mailer: test
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"
EOF
body <<'EOF'
--b1
Content-Type: text/html
X-Mailer: in a part

<p>hi</p>
--b1--
EOF

case_begin mime-primary "the primary header's MIME fields go to mime_header_checks, not header_checks"
lines <<'EOF'
header_checks = regexp:%C%/checks
mime_header_checks = regexp:%C%/mime
EOF
table checks <<'EOF'
/^Content-Type:/        REPLACE X-Wrong: header_checks saw Content-Type
/^MIME-Version:/        REPLACE X-Wrong: header_checks saw MIME-Version
/^X-Other:/             REPLACE X-Other: header_checks
EOF
table mime <<'EOF'
/^Content-Type: (.*)/   REPLACE Content-Type: $1; mime=checked
/^X-Other:/             REPLACE X-Other: mime_header_checks
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: text/plain
X-Other: yes
EOF

case_begin mime-empty "mime_header_checks empty: MIME fields are not checked at all"
lines <<'EOF'
header_checks = regexp:%C%/checks
mime_header_checks =
EOF
table checks <<'EOF'
/^Content-/             REPLACE X-Wrong: checked
/^X-Other:/             REPLACE X-Other: checked
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
X-Other: yes
EOF
body <<'EOF'
--b1
Content-Type: text/plain

x
--b1--
EOF

case_begin nested "nested_header_checks: an attached message's header; its MIME fields to mime_header_checks"
logs
lines <<'EOF'
nested_header_checks = regexp:%C%/nested
mime_header_checks = regexp:%C%/mime
EOF
table nested <<'EOF'
/^Subject: (.*)/        REPLACE Subject: [forwarded] $1
/^Received:/            IGNORE
/^Content-Type:/        REPLACE X-Wrong: nested saw Content-Type
EOF
table mime <<'EOF'
/^Content-Type: text\/plain$/  WARN plain part
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
--b1
Content-Type: text/plain

See the message below.
--b1
Content-Type: message/rfc822

Received: from elsewhere
Subject: the original
From: Ann <ann@example.net>
Content-Type: text/plain

Subject: not a header, the body of the inner message
--b1--
EOF

case_begin nested-default "nested_header_checks defaults to \$header_checks; a message/rfc822 body"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Spam-Flag:/         IGNORE
/^Subject: (.*)/        REPLACE Subject: checked $1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
X-Spam-Flag: no
MIME-Version: 1.0
Content-Type: message/rfc822
EOF
body <<'EOF'
X-Spam-Flag: YES
Subject: inner

inner body
EOF

case_begin nested-digest "multipart/digest: a part without Content-Type is a message/rfc822"
lines <<'EOF'
nested_header_checks = regexp:%C%/nested
body_checks = regexp:%C%/body
EOF
table nested <<'EOF'
/^Subject: (.*)/        REPLACE Subject: digest item $1
EOF
table body <<'EOF'
/^Subject: (.*)/        REPLACE body line $1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/digest; boundary="d1"
EOF
body <<'EOF'
--d1

Subject: one

first
--d1

Subject: two

second
--d1--
EOF

case_begin smtp-body "smtp_body_checks: REPLACE, IGNORE, PREPEND as the mail leaves"
lines <<'EOF'
smtp_body_checks = regexp:%C%/smtp
EOF
table smtp <<'EOF'
/^internal: (.*)/       REPLACE external: $1
/^debug/                IGNORE
/^signature/            PREPEND --
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
internal: host9
debug data
signature follows
EOF

case_begin smtp-reject "smtp_body_checks: REJECT is not an action there, the mail goes"
lines <<'EOF'
smtp_body_checks = regexp:%C%/smtp
EOF
table smtp <<'EOF'
/^bad/                  REJECT no
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
bad line
EOF

case_begin smtp-order "body_checks in cleanup, then smtp_body_checks on what it left"
lines <<'EOF'
body_checks = regexp:%C%/checks
smtp_body_checks = regexp:%C%/smtp
EOF
table checks <<'EOF'
/^stage one$/           REPLACE stage two
EOF
table smtp <<'EOF'
/^stage two$/           REPLACE stage three
/^stage one$/           REPLACE wrong
EOF
submit -f joe@example.com amy@example.org
body <<'EOF'
stage one
EOF

case_begin smtp-mime "smtp_mime_header_checks (default empty): smtp_header_checks never sees a MIME field"
lines <<'EOF'
smtp_header_checks = regexp:%C%/smtp
smtp_mime_header_checks = regexp:%C%/smtpmime
EOF
table smtp <<'EOF'
/^Content-Type:/        REPLACE X-Wrong: smtp_header_checks saw it
/^X-Out:/               REPLACE X-Out: smtp_header_checks
EOF
table smtpmime <<'EOF'
/^Content-Type: text\/plain/   REPLACE Content-Type: text/plain; smtp=mime
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
X-Out: yes
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
--b1
Content-Type: text/plain
X-Out: in a part

x
--b1--
EOF

case_begin smtp-mime-unset "smtp_header_checks alone: the primary Content-Type is left alone"
lines <<'EOF'
smtp_header_checks = regexp:%C%/smtp
EOF
table smtp <<'EOF'
/^Content-Type:/        REPLACE X-Wrong: checked
/^MIME-Version:/        IGNORE
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
EOF

case_begin smtp-nested "smtp_nested_header_checks: an attached message's header on the way out"
lines <<'EOF'
smtp_nested_header_checks = pcre:%C%/smtp
EOF
table smtp <<'EOF'
/^From: .*@internal\.example/   REPLACE From: someone@example.com
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"
EOF
body <<'EOF'
--b1
Content-Type: message/rfc822

From: boss@internal.example
Subject: inner

From: boss@internal.example
--b1--
EOF

case_begin eol-always "sendmail_fix_line_endings = always (default): CRs before LF dropped"
submit -f joe@example.com amy@example.org
printf 'From: joe@example.com\r\nTo: amy@example.org\nSubject: crlf\r\r\nDate: Mon, 01 Jan 2024 12:00:00 +0000\r\nMessage-ID: <%%ID%%>\r\n\r\nline one\r\nline two\nline three\r\r\n' |
	raw

case_begin eol-never "sendmail_fix_line_endings = never: a CR before LF is text (a blank)"
lines <<'EOF'
sendmail_fix_line_endings = never
EOF
submit -f joe@example.com amy@example.org
printf 'From: joe@example.com\nTo: amy@example.org\nSubject: never\nDate: Mon, 01 Jan 2024 12:00:00 +0000\nMessage-ID: <%%ID%%>\n\nline one\r\nline two\nline three\r\r\n.\r\nafter the dot\n' |
	raw

case_begin eol-strict-crlf "sendmail_fix_line_endings = strict: a first line in CRLF, all CRs dropped"
lines <<'EOF'
sendmail_fix_line_endings = strict
EOF
submit -f joe@example.com amy@example.org
printf 'From: joe@example.com\r\nTo: amy@example.org\nSubject: strict\r\nDate: Mon, 01 Jan 2024 12:00:00 +0000\nMessage-ID: <%%ID%%>\r\n\r\nbare lf\nline two\r\n' |
	raw

case_begin eol-strict-lf "sendmail_fix_line_endings = strict: a first line in LF, later CRs kept"
lines <<'EOF'
sendmail_fix_line_endings = strict
EOF
submit -f joe@example.com amy@example.org
printf 'From: joe@example.com\nTo: amy@example.org\r\nSubject: strict lf\nDate: Mon, 01 Jan 2024 12:00:00 +0000\nMessage-ID: <%%ID%%>\n\nline one\r\nline two\n' |
	raw

case_begin eol-strict-from "sendmail_fix_line_endings = strict: a leading From_ line is the first line"
lines <<'EOF'
sendmail_fix_line_endings = strict
EOF
submit -f joe@example.com amy@example.org
printf 'From joe@example.com Mon Jan  1 12:00:00 2024\r\nFrom: joe@example.com\nTo: amy@example.org\nSubject: strict from\nDate: Mon, 01 Jan 2024 12:00:00 +0000\nMessage-ID: <%%ID%%>\n\nline one\r\nline two\n' |
	raw

case_begin eol-bare-cr "a carriage return inside a line ends it in relaymail; Postfix's cleanup makes it a blank"
submit -f joe@example.com amy@example.org
printf 'From: joe@example.com\nTo: amy@example.org\nSubject: bare cr\nDate: Mon, 01 Jan 2024 12:00:00 +0000\nMessage-ID: <%%ID%%>\n\none\rtwo\n' |
	raw
{
	printf 'delivered\nReturn-Path: <joe@example.com>\nX-Original-To: amy@example.org\n'
	printf 'Delivered-To: amy@example.org\nFrom: joe@example.com\nTo: amy@example.org\n'
	printf 'Subject: bare cr\nDate: (not compared)\nMessage-ID: (not compared)\n(body)\n'
	printf 'one\ntwo\n'
} | differs "no lone CR reaches the relay, where it could be read as part of a line end"
postfix_gives "one two"

case_begin eol-never-checks "never with body_checks: the CR is in the line looked up"
lines <<'EOF'
sendmail_fix_line_endings = never
body_checks = pcre:%C%/checks
EOF
table checks <<'EOF'
/^ends in cr\r$/        REPLACE matched with the CR
/^ends in cr $/         REPLACE matched with a blank
/^ends in cr$/          REPLACE matched without
EOF
submit -f joe@example.com amy@example.org
printf 'From: joe@example.com\nTo: amy@example.org\nSubject: never checks\nDate: Mon, 01 Jan 2024 12:00:00 +0000\nMessage-ID: <%%ID%%>\n\nends in cr\r\n' |
	raw

# --- How a case is sent and compared. ----------------------------------------

# message NAME PATH: the case's raw bytes, or its header, a Subject, Date
# and Message-ID of its own, and its body.
message() {
	if [ -f "$W/c/$1/raw" ]; then
		sed "s/%ID%/$1.$2@bodychecks.test/" "$W/c/$1/raw"
		return
	fi
	cat "$W/c/$1/headers"
	echo "Subject: bodychecks case $1"
	echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
	echo "Message-ID: <$1.$2@bodychecks.test>"
	echo ""
	if [ -f "$W/c/$1/body" ]; then cat "$W/c/$1/body"; else echo "Body of $1."; fi
}

# --- Run. --------------------------------------------------------------------
differential_send
for name in $(cat "$W/cases"); do
	compare_outcome "$name"
done

# A REJECT is a permanent failure of the message, and nothing is lost:
# it is kept in the dead letter file as it came, the line the check hit
# included.
grep -q '^wire the money today$' "$W/r/reject.dead" 2>/dev/null
tap__result $? "reject: the message is kept in the dead letter file, unchanged"
tap_is "$(cat "$W/got/reject.B.rc")" 65 "reject: relaymail exits 65 (EX_DATAERR)"
grep -q '^relaymail: warning: body_checks: the action FILTER error:filtered by the content filter is not supported by relaymail (no queue); the line is kept$' \
	"$W/got/filter.B.err"
tap__result $? "filter: relaymail warns that FILTER is not supported"

# -bs: the REJECT of a body line is the reply to the final dot, as for a
# header (tests/headers.sh): relaymail knows at once and says so, where
# Postfix's sendmail -bs queues the message and bounces it later.
printf 'EHLO client.test\r\nMAIL FROM:<joe@example.com>\r\nRCPT TO:<amy@example.org>\r\nDATA\r\nFrom: joe@example.com\r\nSubject: -bs\r\n\r\nwire the money today\r\n.\r\nQUIT\r\n' |
	timeout 60 "$RELAYMAIL" -C "$W/r/reject.cf" -bs 2>"$W/got/bs.err" |
	tr -d '\r' | sed -n '/^354/{n;p;}' >"$W/got/bs.B"
tap_is "$(cat "$W/got/bs.B")" \
	"550 5.7.1 no fraud here (message kept in the dead letter file)" \
	"-bs: a body REJECT is a 550 with the reason, the message kept (deliberately)"

# -bs reads SMTP's own line ends: sendmail_fix_line_endings = never is
# for the standard input only.
printf 'EHLO client.test\r\nMAIL FROM:<joe@example.com>\r\nRCPT TO:<amy@example.org>\r\nDATA\r\nFrom: joe@example.com\r\nSubject: -bs\r\nMessage-ID: <bs-eol@bodychecks.test>\r\n\r\nline one\r\n.\r\nQUIT\r\n' |
	timeout 60 "$RELAYMAIL" -C "$W/r/eol-never.cf" -bs >"$W/got/bs-eol.out" 2>&1
wait_quiet "$CANON_TIMEOUT"
_f=$(grep -l '^Message-ID: <bs-eol@bodychecks.test>$' "$RELAY_SINK"/* 2>/dev/null | head -n 1)
tap_is "$([ -n "$_f" ] && sed -n '/^$/,$p' "$_f" | sed -n 2p)" "line one" \
	"-bs: the CRLF of SMTP ends the line, whatever sendmail_fix_line_endings says"

tap_done

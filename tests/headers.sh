#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Header checks and cleanup's header settings, differential, with Postfix
# as the oracle: header_checks, smtp_header_checks, message_drop_headers,
# undisclosed_recipients_header, header_from_format and
# always_add_missing_headers. Each case's main.cf lines go (A) into a
# private Postfix of its own, which takes the message through its own
# sendmail, pickup, cleanup and SMTP client to the sink of
# tests/lib/relay.sh, and (B) into relaymail's sendmail.conf, relaying to
# the same sink. Compared: what arrived (every header field but the trace
# and time ones, byte for byte), the outcome (delivered, nothing, or the
# REJECT reason: Postfix bounces the message to its sender, relaymail
# exits 65 and says why: the reason must be the same) and, for the cases
# that log, the mail log records of the actions. A deliberate difference
# is pinned: the case says what relaymail does instead. The harness is
# tests/lib/differential.sh. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no;
# RELAY_KEEP=1 keeps the scratch folder.
: "${CANON_TIMEOUT:=${HEADERS_TIMEOUT:-40}}"
DIFF_NAME=headers DIFF_DOMAIN=headers.test
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib/differential.sh"

# --- How a case is written, beyond the library's. ----------------------------
# nodate: the message has no Date of its own (a Subject and Message-ID
# follow the case's fields all the same).
nodate() {
	: >"$C/nodate"
}

# --- The cases. --------------------------------------------------------------

case_begin control "no settings: the default message_drop_headers"
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
Bcc: hidden@example.net
Return-Path: <bounces@example.com>
Content-Length: 42
X-Mailer: test 1.0
EOF

case_begin replace "header_checks (regexp): REPLACE with \$1"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Mailer: (.*)$/      REPLACE X-Old-Mailer: was $1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Mailer: test 1.0
EOF

case_begin ignore-pcre "header_checks (pcre): IGNORE, case-insensitive by default"
lines <<'EOF'
header_checks = pcre:%C%/checks
EOF
table checks <<'EOF'
/^x-mailer:/            IGNORE
/^X-Spam-[a-z]+:/       IGNORE
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
X-Mailer: test 1.0
To: amy@example.org
X-Spam-Score: 12
X-Spam-Flag: YES
EOF

case_begin prepend "header_checks: PREPEND goes right before the field"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^To:/                  PREPEND X-Checked: to seen
/^Subject:/             PREPEND X-Subject-Seen: yes
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
EOF

case_begin prepend-verbatim "a PREPEND field goes out as it is: not rewritten, dropped or counted"
nodate
lines <<'EOF'
header_checks = regexp:%C%/checks
canonical_maps = inline:{ {joe@old.example = joe@new.example} }
EOF
table checks <<'EOF'
/^To:/                  PREPEND Bcc: joe@old.example
/^Subject:/             PREPEND Reply-To: joe@old.example
/^X-Date:/              PREPEND Date: Tue, 02 Jan 2024 12:00:00 +0000
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@old.example>
To: amy@example.org
X-Date: yes
EOF

case_begin folded "a folded field is one logical line, its folding kept"
lines <<'EOF'
header_checks = pcre:%C%/checks
EOF
table checks <<'EOF'
/^X-Long: first\s+second$/      REPLACE X-Long: joined
/^X-Other: first second/        IGNORE
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Long: first
	second
X-Other: first
 second
EOF

case_begin replace-fold "a REPLACE result with a folded field's \$1: the folding kept"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Long: (.*)/         REPLACE X-Copy: $1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Long: first
  second
EOF

# words FROM TO: " wordFROM ... wordTO-1".
words() {
	_i=$1
	while [ "$_i" -lt "$2" ]; do
		printf ' word%d' "$_i"
		_i=$((_i + 1))
	done
}
case_begin replace-long "a REPLACE result past 998 octets is folded"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Words: (.*)/        REPLACE X-Words: [SUSPECTED SPAM, PLEASE CHECK] $1
EOF
submit -f joe@example.com amy@example.org
printf 'From: Joe <joe@example.com>\nTo: amy@example.org\nX-Words:%s\n' "$(words 100 222)" |
	headers
{
	printf 'delivered\nReturn-Path: <joe@example.com>\nX-Original-To: amy@example.org\n'
	printf 'Delivered-To: amy@example.org\nFrom: Joe <joe@example.com>\nTo: amy@example.org\n'
	printf 'X-Words: [SUSPECTED SPAM, PLEASE CHECK]%s\\n%s\n' "$(words 100 219)" \
		"$(words 219 222)"
	printf 'Subject: headers case replace-long\nDate: (not compared)\n'
	printf 'Message-ID: (not compared)\n'
} | differs "before a blank, as relaymail folds every long field; Postfix's SMTP client cuts at 998 octets, in a word"
postfix_gives "X-Words: [SUSPECTED SPAM, PLEASE CHECK]$(words 100 219) word21\\n 9 word220 word221"

case_begin warn "WARN and INFO: mail log records, the message unchanged"
logs
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Mailer:/            WARN old mailer
/^To:/                  INFO
EOF
submit -f joe@example.com amy@example.org bob@example.net
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org, bob@example.net
X-Mailer: test 1.0
EOF

case_begin reject "REJECT with text: refused with that reason"
logs
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Mailer: spam/       REJECT no spam cannons here
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Mailer: spam cannon
EOF

case_begin reject-plain "REJECT without text, and with its own 5.x.x code"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Mailer: spam/       REJECT
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Mailer: spam cannon
EOF

case_begin discard "DISCARD: nothing is sent, and that is a success"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^Subject: .*discard/   DISCARD
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
EOF

case_begin latin1 "a field that is not UTF-8 is matched as its bytes, as Postfix does"
lines <<'EOF'
header_checks = pcre:%C%/checks
EOF
table checks <<'EOF'
/^X-Name:/              REPLACE X-Name: matched
/^X-Other:/             REPLACE X-Other: matched
EOF
submit -f joe@example.com amy@example.org
printf 'From: Joe <joe@example.com>\nTo: amy@example.org\nX-Name: Ren\351\nX-Other: plain\n' |
	headers

case_begin redirect "REDIRECT: every recipient replaced by the target, as it is"
logs
lines <<'EOF'
header_checks = regexp:%C%/checks
recipient_canonical_maps = inline:{ {carl@example.net = wrong@example.net} }
EOF
table checks <<'EOF'
/^X-Route: (.*)/        REDIRECT carl@example.net
EOF
submit -f joe@example.com amy@example.org bob@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org, bob@example.org
X-Route: elsewhere
EOF

case_begin bcc "BCC: a recipient added, through recipient_canonical_maps"
logs
lines <<'EOF'
header_checks = regexp:%C%/checks
recipient_canonical_maps = inline:{ {copy@example.net = archive@example.net} }
EOF
table checks <<'EOF'
/^X-Archive: yes/       BCC copy@example.net
/^X-Also: yes/          BCC other@example.net
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Archive: yes
X-Also: yes
EOF

case_begin hold "HOLD: Postfix's hold queue; relaymail keeps it in the dead letter file"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^Subject:/             HOLD
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
EOF
differs "no hold queue: exit 75 and the message in the dead letter file" <<'EOF'
not sent (exit 75)
EOF
postfix_gives "nothing arrived"

case_begin replace-bcc "a REPLACE result is dropped by message_drop_headers, like the original"
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Copy: (.*)/         REPLACE Bcc: $1
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Copy: hidden@example.net
EOF

case_begin replace-canon "a REPLACE result is rewritten by canonical_maps"
lines <<'EOF'
header_checks = regexp:%C%/checks
canonical_maps = inline:{ {joe@old.example = joe@new.example} }
EOF
table checks <<'EOF'
/^From: .*/             REPLACE From: Joe <joe@old.example>
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
EOF

case_begin ignore-date "IGNORE of Date and From: cleanup adds them again"
nodate
lines <<'EOF'
header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^Date:/                IGNORE
/^From:/                IGNORE
EOF
submit -f joe@example.com -F "Joe Q. Public" amy@example.org
headers <<'EOF'
From: Someone <someone@example.com>
To: amy@example.org
EOF

case_begin drop-list "message_drop_headers: the names listed, in any case, only those"
lines <<'EOF'
message_drop_headers = X-MAILER, organization
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
Bcc: hidden@example.net
X-Mailer: test 1.0
Organization: Example
Return-Path: <bounces@example.com>
EOF

case_begin drop-none "message_drop_headers empty: Bcc and Content-Length stay"
lines <<'EOF'
message_drop_headers =
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
Bcc: hidden@example.net
Content-Length: 42
EOF

case_begin undisclosed "undisclosed_recipients_header: added when no To or Cc"
lines <<'EOF'
undisclosed_recipients_header = To: undisclosed-recipients:;
EOF
submit -f joe@example.com -t
headers <<'EOF'
From: Joe <joe@example.com>
Bcc: amy@example.org
EOF

case_begin undisclosed-cc "undisclosed_recipients_header: a Cc is enough"
lines <<'EOF'
undisclosed_recipients_header = To: undisclosed-recipients:;
EOF
submit -f joe@example.com -t
headers <<'EOF'
From: Joe <joe@example.com>
Cc: amy@example.org
EOF

case_begin undisclosed-off "undisclosed_recipients_header empty (default): nothing added"
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
EOF

case_begin from-obsolete "header_from_format = obsolete: addr (Full Name)"
lines <<'EOF'
header_from_format = obsolete
EOF
submit -f joe@example.com -F "Joe (Q) Public" amy@example.org
headers <<'EOF'
To: amy@example.org
EOF

case_begin from-obsolete-odd "header_from_format = obsolete: unbalanced ( ) and a final \\"
lines <<'EOF'
header_from_format = obsolete
EOF
submit -f joe@example.com -F 'Joe) (Q \(x\) Public\' amy@example.org
headers <<'EOF'
To: amy@example.org
EOF
differs "as Postfix does since 3.10; 3.7 put the name in unchanged, ending the comment in \\)" <<'EOF'
delivered
Return-Path: <joe@example.com>
X-Original-To: amy@example.org
Delivered-To: amy@example.org
To: amy@example.org
Subject: headers case from-obsolete-odd
Date: (not compared)
Message-ID: (not compared)
From: joe@example.com (Joe (Q \(x\) Public))
EOF
postfix_gives 'From: joe@example.com (Joe) (Q \(x\) Public\)'

case_begin from-standard "header_from_format = standard: \"Full Name\" <addr>"
lines <<'EOF'
header_from_format = standard
EOF
submit -f joe@example.com -F "Joe Q. Public" amy@example.org
headers <<'EOF'
To: amy@example.org
EOF

case_begin always-add "always_add_missing_headers = yes: the same for a local submission"
nodate
lines <<'EOF'
always_add_missing_headers = yes
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
To: amy@example.org
EOF

case_begin smtp-edit "smtp_header_checks: REPLACE, IGNORE, PREPEND after cleanup"
lines <<'EOF'
smtp_header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^From: (.*)/           REPLACE From: Relay of $1
/^X-Internal:/          IGNORE
/^To:/                  PREPEND X-Outbound: yes
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Internal: 10.0.0.1
EOF

case_begin smtp-warn "smtp_header_checks: WARN and STRIP records in the SMTP client's form"
logs
lines <<'EOF'
smtp_header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Mailer:/            WARN outgoing mailer
/^X-Internal:/          STRIP internal
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Mailer: test 1.0
X-Internal: 10.0.0.1
EOF

case_begin smtp-reject "smtp_header_checks: REJECT is not an action there, the mail goes"
lines <<'EOF'
smtp_header_checks = regexp:%C%/checks
EOF
table checks <<'EOF'
/^X-Mailer:/            REJECT no
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Mailer: test 1.0
EOF

case_begin both "header_checks, then cleanup, then smtp_header_checks, in that order"
lines <<'EOF'
header_checks = regexp:%C%/checks
smtp_header_checks = regexp:%C%/smtp
EOF
table checks <<'EOF'
/^X-Stage: one$/        REPLACE X-Stage: two
EOF
table smtp <<'EOF'
/^X-Stage: two$/        REPLACE X-Stage: three
/^X-Stage: one$/        REPLACE X-Stage: wrong
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org
X-Stage: one
EOF

# --- How a case is sent and compared. ----------------------------------------

# message NAME PATH: the case's header, a Subject, Date and Message-ID of
# its own, then a body.
message() {
	cat "$W/c/$1/headers"
	echo "Subject: headers case $1"
	[ -f "$W/c/$1/nodate" ] || echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
	echo "Message-ID: <$1.$2@headers.test>"
	echo ""
	echo "Body of $1."
}

# --- Run. --------------------------------------------------------------------
differential_send
for name in $(cat "$W/cases"); do
	compare_outcome "$name"
done

# -bs: a REJECT is the reply to the final dot. Deliberately not what
# Postfix's sendmail -bs does: its stand-alone smtpd queues the message
# ("250 2.0.0 Ok: queued") and pickup's cleanup bounces it later, as in
# the reject case above; relaymail knows at once, so it says so, with the
# 550 and reason Postfix's smtpd gives when its cleanup rejects.
bs_session() {
	printf 'EHLO client.test\r\nMAIL FROM:<joe@example.com>\r\n'
	printf 'RCPT TO:<amy@example.org>\r\nDATA\r\nFrom: joe@example.com\r\n'
	printf 'X-Mailer: spam cannon\r\nSubject: -bs\r\n\r\nx\r\n.\r\nQUIT\r\n'
}
bs_session | timeout 60 "$RELAYMAIL" -C "$W/r/reject.cf" -bs 2>"$W/got/bs.err" |
	tr -d '\r' | sed -n '/^354/{n;p;}' >"$W/got/bs.B"
tap_is "$(cat "$W/got/bs.B")" \
	"550 5.7.1 no spam cannons here (message kept in the dead letter file)" \
	"-bs: REJECT is a 550 with the reason, the message kept (deliberately)"
bs_session | sed 's/^Subject: -bs/Subject: discard/' |
	timeout 60 "$RELAYMAIL" -C "$W/r/discard.cf" -bs 2>"$W/got/bs.err" |
	tr -d '\r' | sed -n '/^354/{n;p;}' >"$W/got/bs.discard"
# relaymail relays synchronously: had it sent, the sink would hold it now.
_sent=none
if busy || [ -n "$(find "$RELAY_SINK" -type f | head -n 1)" ]; then _sent=some; fi
tap_is "$(cat "$W/got/bs.discard") ($_sent sent)" "250 2.0.0 Ok: discarded (none sent)" \
	"-bs: DISCARD is a 250, and nothing is sent"

tap_done

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
# is pinned: the case says what relaymail does instead. Gated by
# RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the scratch
# folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
# Seconds for every message of every case to arrive.
: "${HEADERS_TIMEOUT:=40}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

W=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-headers.XXXXXX") || tap_bail "mktemp failed"
chmod 0755 "$W" || tap_bail "cannot open $W"
cleanup() {
	for _o in "$W"/o/*; do
		[ -d "$_o" ] && relay_stop "$_o"
	done
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
trap 'exit 141' PIPE
trap 'exit 143' TERM

PF_SENDMAIL=$(postconf -d -h sendmail_path 2>/dev/null) && [ -x "$PF_SENDMAIL" ] ||
	tap_bail "Postfix's sendmail (postconf -d sendmail_path) not found"

mkdir -p "$W/c" "$W/o" "$W/r" "$W/got" "$W/home" && chmod 0755 "$W/c" ||
	tap_bail "cannot create folders in $W"
HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG NAME

# --- How a case is written. --------------------------------------------------
# case_begin NAME DESCRIPTION; lines (main.cf text on stdin, %C% for the
# case folder); table FILE (its text on stdin); submit (the sendmail
# arguments); headers (the message's own fields on stdin; a Subject,
# Date and Message-ID follow unless the case says nodate or noid);
# logs (the records of the actions are compared too); differs REASON
# (a deliberate difference: relaymail's outcome is expected on stdin,
# in the form of the outcome function below) with postfix_gives LINE.
case_begin() {
	C=$W/c/$1
	mkdir "$C" || tap_bail "case $1 defined twice"
	printf '%s\n' "$2" >"$C/desc"
	printf '%s\n' "$1" >>"$W/cases"
	: >"$C/lines"
	: >"$C/args"
	: >"$C/headers"
}
lines() {
	sed "s|%C%|$C|g" >>"$C/lines"
}
table() {
	cat >"$C/$1"
}
submit() {
	printf '%s\n' "$@" >"$C/args"
}
headers() {
	cat >"$C/headers"
}
logs() {
	: >"$C/logs"
}
nodate() {
	: >"$C/nodate"
}
differs() {
	printf '%s\n' "$1" >"$C/differs"
	cat >"$C/expected"
}
# postfix_gives LINE: with differs, a line Postfix's outcome must hold,
# so the difference pinned is the one there is.
postfix_gives() {
	printf '%s\n' "$1" >"$C/postfix-line"
}

shared_lines() {
	cat <<-EOF
		myhostname = host.example.com
		mydomain = example.com
		alias_maps =
	EOF
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

# --- The oracles. ------------------------------------------------------------

# oracle_conf NAME: the private Postfix of case NAME, laid out as
# relay_start lays out its instance, so that relay_stop stops it.
oracle_conf() {
	_o=$W/o/$1
	mkdir -p "$_o/postfix" "$_o/queue" "$_o/data" &&
		chown postfix "$_o/data" && chmod 0700 "$_o/data" &&
		chmod 0755 "$_o" "$_o/queue" || return 1
	{
		cat <<-EOF
			compatibility_level = 3.6
			queue_directory = $_o/queue
			data_directory = $_o/data
			maillog_file_prefixes = $_o
			maillog_file = $_o/maillog
			syslog_name = oracle-$1
			inet_interfaces = 127.0.0.1
			inet_protocols = ipv4
			alias_database =
			biff = no
			transport_maps = static:smtp:[$RELAY_HOST]:$RELAY_PLAIN_PORT
			smtp_tls_security_level = none
		EOF
		shared_lines
		cat "$W/c/$1/lines"
	} >"$_o/postfix/main.cf"
	cat >"$_o/postfix/master.cf" <<-EOF
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		flush     unix  n       -       n       1000?   0       flush
		smtp      unix  -       -       n       -       -       smtp
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		showq     unix  n       -       n       -       -       showq
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	touch -t 200001010000 "$_o/postfix"/* "$_o/postfix" "$W/c/$1"/*
}

oracle_start() {
	_o=$W/o/$1
	if ! postfix -c "$_o/postfix" start >"$_o/start.log" 2>&1; then
		echo "headers: the oracle of case $1 did not start:" >&2
		cat "$_o/start.log" >&2
		return 1
	fi
}

relaymail_conf() {
	{
		echo "relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT"
		echo "dead_letter_file = $W/r/$1.dead"
		echo "maillog_file = $W/r/$1.maillog"
		shared_lines
		cat "$W/c/$1/lines"
	} >"$W/r/$1.cf"
}

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

send() {
	_n=$1 _p=$2
	set --
	while IFS= read -r _a; do
		set -- "$@" "$_a"
	done <"$W/c/$_n/args"
	_g=$W/got/$_n.$_p
	message "$_n" "$_p" >"$_g.msg"
	if [ "$_p" = A ]; then
		"$PF_SENDMAIL" -C "$W/o/$_n/postfix" "$@" <"$_g.msg" >"$_g.out" 2>"$_g.err"
	else
		timeout 60 "$RELAYMAIL" -C "$W/r/$_n.cf" "$@" <"$_g.msg" >"$_g.out" 2>"$_g.err"
	fi
	echo $? >"$_g.rc"
}

busy() {
	for _q in "$W"/o/*/queue "$W/sink/queue"; do
		for _d in maildrop incoming active deferred; do
			[ -d "$_q/$_d" ] || continue
			[ -n "$(find "$_q/$_d" -type f | head -n 1)" ] && return 0
		done
	done
	return 1
}

wait_quiet() {
	_end=$(($(date +%s) + $1))
	_flush=$(($(date +%s) + 3))
	while busy; do
		_now=$(date +%s)
		[ "$_now" -ge "$_end" ] && return 1
		if [ "$_now" -ge "$_flush" ]; then
			for _o in "$W"/o/* "$W/sink"; do
				postqueue -c "$_o/postfix" -f >/dev/null 2>&1
			done
			_flush=$((_now + 3))
		fi
		sleep 0.1
	done
	return 0
}

# sort_sink: each delivered file into got/NAME.PATH/ by its Message-ID; a
# bounce (its own Message-ID, ours in the returned header) into
# got/NAME.PATH.bounce/.
sort_sink() {
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] || continue
		_id=$(sed -n '/^$/q; s/^Message-ID: <\([^@]*\)@headers\.test>$/\1/p' "$_f")
		if [ -z "$_id" ]; then
			_id=$(sed -n 's/^Message-ID: <\([^@]*\)@headers\.test>$/\1/p' "$_f" | head -n 1)
			_id=${_id:+$_id.bounce}
		fi
		case $_id in
		*.A | *.B | *.A.bounce | *.B.bounce) _d=$W/got/$_id ;;
		*) _d=$W/got/other ;;
		esac
		mkdir -p "$_d" && mv "$_f" "$_d/"
	done
}

# norm FILE: its header, Received dropped, time and ID values masked.
norm() {
	awk '
	function flush() {
		if (field != "")
			print field
		field = ""
	}
	/^$/ { exit }
	/^[ \t]/ { if (keep) field = field "\\n" $0; next }
	{
		flush()
		name = tolower(substr($0, 1, index($0, ":") - 1))
		keep = name != "received"
		if (name == "date" || name == "message-id" || name == "resent-date" ||
		    name == "resent-message-id")
			field = substr($0, 1, index($0, ":")) " (not compared)"
		else if (keep)
			field = $0
	}
	END { flush() }' "$1"
}

# outcome NAME PATH: what one side did. "delivered" and the header of
# each message that arrived; "refused: REASON" for a REJECT (Postfix's
# bounce, relaymail's exit 65 and its stderr); "nothing arrived" (a
# success without mail); "not sent (exit N)" for anything else.
outcome() {
	_rc=$(cat "$W/got/$1.$2.rc" 2>/dev/null)
	if [ -d "$W/got/$1.$2.bounce" ]; then
		_b=$(ls "$W/got/$1.$2.bounce"/* | head -n 1)
		printf 'refused: %s %s\n' "$(sed -n 's/^Status: //p' "$_b" | head -n 1)" \
			"$(sed -n 's/^Diagnostic-Code: X-Postfix; //p' "$_b" | head -n 1)"
	elif [ "$2" = B ] && [ "$_rc" = 65 ]; then
		printf 'refused: '
		sed -n 's/^relaymail: the message was rejected by header_checks: //p' \
			"$W/got/$1.B.err" | head -n 1
	elif [ "$_rc" != 0 ]; then
		echo "not sent (exit $_rc)"
	elif [ -d "$W/got/$1.$2" ]; then
		echo "delivered"
		# One message a line to sort them, the fields back on lines.
		for _f in "$W/got/$1.$2"/*; do
			norm "$_f" | tr '\n' '\037'
			echo
		done | sort | tr '\037' '\n' | sed '/^$/d'
	else
		echo "nothing arrived"
	fi
}

# records NAME PATH: the mail log records of the header actions, queue
# IDs and process names left out.
records() {
	if [ "$2" = A ]; then _l=$W/o/$1/maillog; else _l=$W/r/$1.maillog; fi
	sed -n 's/^.*\/\(cleanup\|smtp\)\[[0-9]*\]: [0-9A-F]*: \(\(warning\|info\|reject\|strip\|replace\|prepend\|discard\|hold\|redirect\|bcc\): header .*\)$/\1: \2/p' \
		"$_l" 2>/dev/null
}

compare() {
	_c=$W/got/cmp/$1
	_desc=$(cat "$W/c/$1/desc")
	mkdir -p "$_c"
	outcome "$1" A >"$_c/postfix"
	outcome "$1" B >"$_c/relaymail"
	if [ -f "$W/c/$1/differs" ]; then
		cmp -s "$W/c/$1/expected" "$_c/relaymail" &&
			grep -qxF -f "$W/c/$1/postfix-line" "$_c/postfix"
		_same=$?
		tap__result $_same "$1: $_desc (deliberately: $(cat "$W/c/$1/differs"))"
		[ "$_same" = 0 ] ||
			tap_diag "Postfix: $(cat "$_c/postfix")" \
				"$(cd "$_c" && diff -U 100 "$W/c/$1/expected" relaymail)"
	else
		cmp -s "$_c/postfix" "$_c/relaymail"
		_same=$?
		if [ "$_same" = 0 ] && grep -q '^nothing arrived$' "$_c/postfix"; then
			# Nothing to compare but the status: make sure the case ran.
			[ -s "$W/got/$1.A.rc" ] || _same=1
		fi
		tap__result $_same "$1: $_desc"
		[ "$_same" = 0 ] ||
			tap_diag "$(cd "$_c" && diff -U 100 postfix relaymail)" \
				"relaymail's stderr: $(head -n 5 "$W/got/$1.B.err")"
	fi
	[ -f "$W/c/$1/logs" ] || return 0
	records "$1" A >"$_c/postfix.log"
	records "$1" B >"$_c/relaymail.log"
	if [ -s "$_c/postfix.log" ] && cmp -s "$_c/postfix.log" "$_c/relaymail.log"; then
		tap__result 0 "$1: the same mail log records"
	else
		tap__result 1 "$1: the same mail log records"
		tap_diag "$(cd "$_c" && diff -U 100 postfix.log relaymail.log)"
	fi
}

# --- Run. --------------------------------------------------------------------
relay_start "$W/sink" || tap_bail "the sink relay did not start"
. "$W/sink/relay.env"

pids=
for name in $(cat "$W/cases"); do
	oracle_conf "$name" && relaymail_conf "$name" ||
		tap_bail "cannot write the configuration of case $name"
	oracle_start "$name" 2>"$W/o/$name/start.err" &
	pids="$pids $!"
done
failed=0
for pid in $pids; do
	wait "$pid" || failed=1
done
if [ "$failed" = 1 ]; then
	cat "$W"/o/*/start.err >&2
	tap_bail "an oracle Postfix did not start"
fi

for name in $(cat "$W/cases"); do
	send "$name" A
	send "$name" B
done
wait_quiet "$HEADERS_TIMEOUT" ||
	tap_diag "mail still on its way after ${HEADERS_TIMEOUT}s"
sort_sink
if [ -d "$W/got/other" ]; then
	tap_diag "unexpected mail in the sink:" "$(grep -h -m 3 -E '^(Subject|From|To):' \
		"$W/got/other"/* | head -n 12)"
fi

for name in $(cat "$W/cases"); do
	compare "$name"
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

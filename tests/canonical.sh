#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Address rewriting, differential, with Postfix as the oracle. Each case's
# main.cf lines go (A) into a private Postfix of its own, which takes the
# message through its own sendmail (pickup and cleanup apply the canonical
# maps) and forwards it untouched, and (B) into relaymail's sendmail.conf.
# Both deliver to the plain port of the sink of tests/lib/relay.sh, which
# rewrites nothing; what arrives must be the same: Return-Path, one
# X-Original-To and Delivered-To per recipient, and every header field but
# the trace and time ones. Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no;
# RELAY_KEEP=1 keeps the scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
# Seconds for every message of every case to arrive.
: "${CANON_TIMEOUT:=40}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

W=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-canonical.XXXXXX") || tap_bail "mktemp failed"
# The oracles' daemons read the case tables below W.
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

# Postfix's own sendmail, not whatever "sendmail" PATH finds first.
PF_SENDMAIL=$(postconf -d -h sendmail_path 2>/dev/null) && [ -x "$PF_SENDMAIL" ] ||
	tap_bail "Postfix's sendmail (postconf -d sendmail_path) not found"

mkdir -p "$W/c" "$W/o" "$W/r" "$W/got" "$W/home" && chmod 0755 "$W/c" ||
	tap_bail "cannot create folders in $W"
HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

# --- How a case is written. --------------------------------------------------
# case_begin NAME DESCRIPTION, then lines (main.cf text on stdin, %C% for
# the case folder), table FILE (its text on stdin), submit (the sendmail
# arguments), headers (the message's own header fields on stdin) and
# optionally todo REASON (a known difference), todo_bytes REASON (a known
# difference in layout only), blanks REASON (a deliberate difference in
# blanks only: the bytes are compared without them) or warns (the
# warnings of Postfix's cleanup and of relaymail are compared too).
case_begin() {
	C=$W/c/$1
	mkdir "$C" || tap_bail "case $1 defined twice"
	printf '%s\n' "$2" >"$C/desc"
	printf '%s\n' "$1" >>"$W/cases"
	: >"$C/lines"
	: >"$C/args"
}
lines() {
	sed "s|%C%|$C|g" >>"$C/lines"
}
table() {
	cat >"$C/$1"
}
submit() {
	[ $# = 0 ] || printf '%s\n' "$@" >"$C/args"
}
headers() {
	cat >"$C/headers"
}
todo() {
	printf '%s\n' "$1" >"$C/todo"
}
todo_bytes() {
	printf '%s\n' "$1" >"$C/todo-bytes"
}
blanks() {
	printf '%s\n' "$1" >"$C/blanks"
}
warns() {
	: >"$C/warns"
}

# Lines both sides get, before the case's own (the last setting wins).
shared_lines() {
	cat <<-EOF
		myhostname = host.example.com
		mydomain = example.com
		alias_maps =
	EOF
}

# --- The cases. --------------------------------------------------------------
# Addresses in myorigin/mydestination are local: by default myorigin is
# host.example.com and mydestination host.example.com,
# localhost.example.com, localhost.

case_begin control "no maps: the harness itself"
submit -f joe@example.com amy@example.org bob@example.net
headers <<'EOF'
From: Joe <joe@example.com>
To: amy@example.org, Bob <bob@example.net>
EOF

case_begin snd-texthash "sender_canonical_maps (texthash): envelope sender and sender fields"
lines <<'EOF'
sender_canonical_maps = texthash:%C%/sender
EOF
table sender <<'EOF'
joe@example.com     Joe.User@example.org
@home.example       @isp.example
EOF
submit -f joe@example.com amy@home.example joe@example.com
headers <<'EOF'
From: Joe <joe@example.com>
Reply-To: joe@home.example (Joe at home)
To: amy@home.example
Cc: "Joe" <joe@example.com>
EOF

case_begin rcpt-inline "recipient_canonical_maps (inline): envelope recipients and recipient fields"
lines <<'EOF'
recipient_canonical_maps = inline:{ {amy@home.example = amy@work.example},
    {@old.example = @new.example} }
EOF
submit -f bob@old.example amy@home.example bob@old.example
headers <<'EOF'
From: Bob <bob@old.example>
Reply-To: amy@home.example
To: amy@home.example, Bob <bob@old.example>
Cc: carl@old.example (Carl)
EOF

case_begin both-regexp "canonical_maps (regexp file): senders and recipients, an @domain result"
lines <<'EOF'
canonical_maps = regexp:%C%/canon
EOF
table canon <<'EOF'
/^(.+)@host\.example\.com$/             ${1}@example.com
/^([^@]+)@([a-z]+)\.corp\.example$/     ${1}.${2}@corp.example
/@legacy\.example$/                     @modern.example
EOF
submit -f joe@host.example.com sue@sales.corp.example lee+x@legacy.example
headers <<'EOF'
From: joe@host.example.com
Sender: Joe <joe@host.example.com>
To: Sue <sue@sales.corp.example>
Cc: max@it.corp.example, joe@host.example.com
EOF

case_begin pcre "pcre file and inline pcre in main.cf (\$\$ escapes, the i flag toggles)"
lines <<'EOF'
sender_canonical_maps = pcre:%C%/sender
recipient_canonical_maps = pcre:{ {/^(.*)@old\.example$$/ $${1}@new.example},
    {/^(.*)@Case\.Example$$/i $${1}@matched.example} }
EOF
table sender <<'EOF'
/^(.+)@(?:home|office)\.example$/       $1@isp.example
/^"([a-z]+) ([a-z]+)"@example\.net$/    $1.$2@example.net
EOF
submit -f joe@Home.Example amy@OLD.example bea@Case.Example cid@case.example
headers <<'EOF'
From: "joe"@office.example
Reply-To: "ann lee"@example.net
To: amy@OLD.example, bea@Case.Example, cid@case.example
EOF

case_begin classes-env "classes envelope_sender, envelope_recipient: header fields stay"
lines <<'EOF'
sender_canonical_maps = inline:{ joe@home.example=joe@isp.example }
recipient_canonical_maps = inline:{ amy@old.example=amy@new.example }
sender_canonical_classes = envelope_sender
recipient_canonical_classes = envelope_recipient
EOF
submit -f joe@home.example amy@old.example
headers <<'EOF'
From: joe@home.example
To: amy@old.example
EOF

case_begin classes-hdr "classes header_sender, header_recipient: the envelope stays"
lines <<'EOF'
sender_canonical_maps = inline:{ joe@home.example=joe@isp.example }
recipient_canonical_maps = inline:{ amy@old.example=amy@new.example }
sender_canonical_classes = header_sender
recipient_canonical_classes = header_recipient
EOF
submit -f joe@home.example amy@old.example
headers <<'EOF'
From: joe@home.example
To: amy@old.example
EOF

case_begin classes-hdr-t "classes header_* with -t: recipients taken from the header"
lines <<'EOF'
sender_canonical_maps = inline:{ joe@home.example=joe@isp.example }
recipient_canonical_maps = inline:{ amy@old.example=amy@new.example }
sender_canonical_classes = header_sender
recipient_canonical_classes = header_recipient
EOF
submit -t -f joe@home.example
headers <<'EOF'
From: joe@home.example
To: amy@old.example
Cc: ben@old.example
Bcc: amy@old.example, cat@old.example
EOF

case_begin classes-canon "canonical_classes = envelope_recipient, header_sender"
lines <<'EOF'
canonical_maps = inline:{ @home.example=@isp.example }
canonical_classes = envelope_recipient, header_sender
EOF
submit -f pat@home.example amy@home.example
headers <<'EOF'
From: pat@home.example
Reply-To: pat@home.example
To: amy@home.example
EOF

case_begin ext-plus "recipient_delimiter +: full key, key without extension, bare user, @domain"
lines <<'EOF'
myorigin = localdomain
mydestination = localhost.localdomain
recipient_delimiter = +
canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
joe@localdomain          Joe.User@example.com
joe                      joe-bare@example.com
root                     admin@example.com
@localhost.localdomain   @example.com
jane+news@example.org    news-jane@example.org
jane@example.org         Jane.Doe@example.org
@old.example             @new.example
kim@example.org          @other.example
EOF
submit -f joe+x@localdomain joe@localhost.localdomain jane+news@example.org \
	jane+other@example.org bob+q@old.example fred+z@localhost.localdomain \
	root+y@localdomain kim+x@example.org joe@elsewhere.example
headers <<'EOF'
From: Joe <joe+x@localdomain>
To: jane+news@example.org, jane+other@example.org, bob+q@old.example
Cc: fred+z@localhost.localdomain, root+y@localdomain, kim+x@example.org
EOF

case_begin ext-multi "recipient_delimiter +- : the first delimiter splits; names never split"
lines <<'EOF'
recipient_delimiter = +-
recipient_canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
a@example.org           A@example.net
b@example.org           B@example.net
owner@example.org       wrong-owner@example.net
list@example.org        wrong-list@example.net
mailer@example.org      wrong-mailer@example.net
postmaster@example.org  pm@example.net
@example.org            @example.com
EOF
submit -f b-x@example.org a-b+c@example.org b+c-d@example.org owner-list@example.org \
	list-request@example.org postmaster+x@example.org postmaster@example.org \
	+foo@example.org mailer-daemon@example.org
headers <<'EOF'
To: a-b+c@example.org, b+c-d@example.org, owner-list@example.org
Cc: list-request@example.org, postmaster+x@example.org, +foo@example.org
EOF

case_begin local-origin "bare local part keys for \$myorigin and mydestination domains"
lines <<'EOF'
myorigin = example.com
mydestination = $myhostname, localhost
canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
joe                 joe.user@example.net
root                admin@example.net
sue@example.com     Sue@example.net
EOF
submit -f root joe@example.com joe@host.example.com joe@elsewhere.example root@localhost \
	sue@example.com
headers <<'EOF'
From: root (Root)
To: joe@example.com, joe@elsewhere.example
Cc: root@localhost, sue
EOF

case_begin local-ext "bare user+ext and user keys in a local domain, with extensions"
lines <<'EOF'
mydestination = lists.example, localhost.$mydomain
recipient_delimiter = +
recipient_canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
sue+news                news@example.net
sue                     sue@example.net
tom@lists.example       tom@example.net
tom                     wrong@example.net
@localhost.example.com  @example.com
EOF
submit -f sue@lists.example sue+news@lists.example sue+misc@lists.example tom+x@lists.example \
	sue+news@elsewhere.example pat@localhost.example.com
headers <<'EOF'
To: sue+news@lists.example, sue+misc@lists.example
Cc: tom+x@lists.example, sue+news@elsewhere.example, pat+y@localhost.example.com
EOF

# An address literal of the host is a local domain. The oracles listen on
# 127.0.0.1 (inet_interfaces), relaymail has the default, every address
# of the host: both count [127.0.0.1].
case_begin ip-literal "address literals: @[ip] keys; [127.0.0.1] is local (inet_interfaces)"
# canonical_maps moves what is left at [127.0.0.1], which the sink could
# not deliver (it is local there).
lines <<'EOF'
recipient_canonical_maps = texthash:%C%/canon
canonical_maps = inline:{ {@[127.0.0.1] = @ip-literal.example} }
EOF
table canon <<'EOF'
joe                 joe@example.net
@[192.0.2.1]        @example.org
EOF
submit -f sue@example.com 'joe@[127.0.0.1]' 'amy@[192.0.2.1]'
headers <<'EOF'
To: joe@[127.0.0.1], amy@[192.0.2.1]
EOF

# loopback-only: 127.0.0.1 and ::1 when the host has them, so the same
# on both sides whatever this host is; [192.0.2.1] is local only through
# proxy_interfaces. The sink counts only [127.0.0.1] as its own.
case_begin ip-literal-v6 "address literals: loopback-only, IPv6 forms, proxy_interfaces"
lines <<'EOF'
inet_protocols = all
inet_interfaces = loopback-only
proxy_interfaces = 192.0.2.1
recipient_canonical_maps = texthash:%C%/canon
canonical_maps = inline:{ {@[127.0.0.1] = @ip-literal.example} }
EOF
table canon <<'EOF'
joe                 joe@example.net
amy                 amy@example.org
bob                 bob@example.net
tom                 wrong@example.net
EOF
submit -f sue@example.com 'joe@[IPv6:::1]' 'amy@[192.0.2.1]' 'bob@[ipv6:0:0:0:0:0:0:0:1]' \
	'tom@[IPv6:2001:db8::1]' 'sue@[127.0.0.1]'
headers <<'EOF'
To: joe@[IPv6:::1], amy@[192.0.2.1], tom@[IPv6:2001:db8::1]
Cc: bob@[IPv6:0::1], tom@[::1]
EOF

case_begin argv-forms "sender and recipients as sendmail's arguments: angle brackets, names, lists"
lines <<'EOF'
canonical_maps = inline:{ {@a.example = @b.example} }
EOF
submit -f '<joe@a.example>' 'Amy <amy@a.example>' 'bob@a.example, carl@a.example' \
	'<dan@a.example>'
headers <<'EOF'
From: joe@a.example
To: amy@a.example
EOF

case_begin domain-key "@domain keys and results; a full address wins over @domain"
lines <<'EOF'
recipient_delimiter = +
canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
@old.example        @new.example
vip@old.example     boss@example.net
@host.example.com   @example.com
EOF
submit -f someone+tag@host.example.com vip@old.example vip+x@old.example dan+q@old.example \
	DAN@OLD.EXAMPLE
headers <<'EOF'
From: someone+tag@host.example.com
To: vip@old.example, Vip <vip+x@old.example>
Cc: dan+q@old.example
EOF

case_begin null-regexp "the null sender is looked up as \"\": /.+/ rewrites it"
lines <<'EOF'
sender_canonical_maps = regexp:{ {/.+/ me@example.com} }
EOF
submit -f '<>' amy@example.org
headers <<'EOF'
From: Mail Delivery System <MAILER-DAEMON@host.example.com>
Reply-To: <>
To: amy@example.org
EOF

case_begin null-static "the null sender and static: with -f ''"
lines <<'EOF'
sender_canonical_maps = static:relay@example.com
EOF
submit -f '' amy@example.org
headers <<'EOF'
From: somebody@example.org
To: amy@example.org
EOF

case_begin null-keep "the null sender: /^\$/ never matches, a texthash key \"\" does"
lines <<'EOF'
sender_canonical_maps = regexp:{ {/^$$/ wrong@example.com} }
canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
""                  bounces@example.com
EOF
submit -f '<>' amy@example.org
headers <<'EOF'
To: amy@example.org
EOF

case_begin mailer-daemon "MAILER-DAEMON@\$myorigin becomes the null sender before the maps"
lines <<'EOF'
sender_canonical_maps = inline:{ {@host.example.com = @example.com} }
EOF
submit -f MAILER-DAEMON amy@example.org
headers <<'EOF'
From: MAILER-DAEMON
To: amy@example.org
EOF

case_begin chain "rounds: @domain then the full address; sender map then canonical_maps"
lines <<'EOF'
recipient_delimiter = +
sender_canonical_maps = inline:{ {a@example.org = b@example.org} }
canonical_maps = inline:{ @host.example.com=@example.com,
    bob@example.com=Robert.Smith@example.com, b@example.org=c@example.org }
EOF
submit -f a@example.org bob@host.example.com bob+tag@host.example.com
headers <<'EOF'
From: a@example.org
To: bob@host.example.com, bob+tag@host.example.com
EOF

case_begin loop "a two-address loop stops after 10 rounds; a multi-valued result"
warns
lines <<'EOF'
canonical_maps = inline:{ a@x.example=b@x.example, b@x.example=a@x.example,
    {multi@x.example = one@x.example, two@x.example} }
EOF
submit -f a@x.example b@x.example multi@x.example
headers <<'EOF'
From: a@x.example
To: b@x.example, multi@x.example
EOF

case_begin loop3-t "a three-address loop with -t: the header is mapped, then the envelope"
warns
lines <<'EOF'
canonical_maps = inline:{ a@y.example=b@y.example, b@y.example=c@y.example,
    c@y.example=a@y.example }
EOF
submit -t -f a@y.example
headers <<'EOF'
From: a@y.example
To: a@y.example
EOF

case_begin unqualified "unqualified addresses get @\$myorigin; bang path and percent hack"
lines <<'EOF'
myorigin = example.net
recipient_canonical_maps = inline:{ alice@example.net=alice@home.example }
EOF
submit -f joe alice bob@example.org carl%else.example 'site!dave'
headers <<'EOF'
From: joe
To: alice, carl%else.example
Cc: site!dave, "Eve" <eve>
EOF

case_begin unqual-dot "append_dot_mydomain = yes"
lines <<'EOF'
append_dot_mydomain = yes
recipient_canonical_maps = inline:{ eve@mail.example.com=eve@example.org }
EOF
submit -f joe@host eve@mail frank
headers <<'EOF'
From: joe@host
To: eve@mail, frank
EOF

case_begin append-no "append_at_myorigin = no"
lines <<'EOF'
append_at_myorigin = no
sender_canonical_maps = inline:{ joe=joe@example.org }
EOF
submit -f joe alice@example.org
headers <<'EOF'
From: joe
To: alice@example.org, bert
EOF

case_begin hdr-classes "which header fields are sender and which recipient fields"
lines <<'EOF'
sender_canonical_maps = inline:{ {@a.example = @s.example} }
recipient_canonical_maps = inline:{ {@a.example = @r.example} }
EOF
submit -f env@a.example rcpt@a.example
headers <<'EOF'
From: from@a.example
Sender: sender@a.example
Reply-To: reply-to@a.example
Errors-To: errors-to@a.example
Return-Receipt-To: return-receipt-to@a.example
Disposition-Notification-To: dnt@a.example
Mail-Followup-To: mft@a.example
Resent-From: resent-from@a.example
Resent-Sender: resent-sender@a.example
Resent-Date: Tue, 02 Jan 2024 12:00:00 +0000
Resent-Message-ID: <resent.hdr-classes@canonical.test>
To: to@a.example
Cc: cc@a.example
Bcc: bcc@a.example
Apparently-To: apparently-to@a.example
Resent-To: resent-to@a.example
Resent-Cc: resent-cc@a.example
Resent-Bcc: resent-bcc@a.example
Resent-Reply-To: resent-reply-to@a.example
X-Address: x-address@a.example
In-Reply-To: <in-reply-to@a.example>
EOF

case_begin hdr-t-resent "-t with Resent- fields: the Resent- recipients"
lines <<'EOF'
recipient_canonical_maps = inline:{ {@a.example = @r.example} }
EOF
submit -t -f joe@example.com
headers <<'EOF'
From: joe@example.com
To: to@a.example
Cc: cc@a.example
Resent-From: joe@example.com
Resent-Date: Tue, 02 Jan 2024 12:00:00 +0000
Resent-Message-ID: <resent.hdr-t-resent@canonical.test>
Resent-To: rto@a.example
Resent-Cc: rcc@a.example
Resent-Bcc: rbcc@a.example
EOF

case_begin hdr-syntax "header syntax: names, comments, quotes, groups, folding"
lines <<'EOF'
canonical_maps = inline:{ {@a.example = @b.example} }
EOF
submit -f jane@a.example amy@a.example
headers <<'EOF'
From: "Doe, Jane" <jane@a.example>
To: Amy <amy@a.example>, bob@a.example (Bob B.), "c d"@a.example,
 friends: dan@a.example, eve@other.example;, undisclosed-recipients:;
Cc: a-rather-long-local-part-number-one@a.example, a-rather-long-local-part-number-two@a.example, third@a.example
Reply-To: <plain@a.example>
Sender: unchanged@other.example
Mail-Followup-To: folded@other.example,
	unchanged@other.example
EOF

case_begin hdr-format "header layout: spacing, comments, routes, encoded words, quoted < and ("
lines <<'EOF'
canonical_maps = inline:{ {@a.example = @b.example} }
EOF
submit -f jane@a.example amy@a.example
headers <<'EOF'
From: Jane <jane@a.example>
reply-to: Amy   <amy@a.example>  (home) (2)
To: "Smith, Amy" <amy@a.example> (work), <bob@a.example>,
  carl@a.example (Carl) (C.), empty: ;
Cc: Dan <@route.example:dan@a.example>, "a..b"@a.example, root
Sender: "Smith <s>" <sam@a.example>
Errors-To: erin@a.example (see <here>)
Return-Receipt-To: (before) rr@a.example (after), =?UTF-8?Q?J=C3=B6rg?= <jorg@a.example>
Mail-Followup-To: dot@a.example., UPPER@A.EXAMPLE
Disposition-Notification-To: "x (y)"@a.example, Zoe (z) <zoe@a.example>
EOF

case_begin hdr-phrase "display names in a regenerated field: dots, runs of spaces"
blanks "deliberate: Postfix writes the field anew from its tokens, so John Q. Public becomes John Q.Public and a run of spaces one; relaymail keeps a display name as written"
lines <<'EOF'
canonical_maps = inline:{ {@a.example = @b.example} }
EOF
submit -f jane@a.example amy@a.example
headers <<'EOF'
From: John Q. Public <jane@a.example>
To: Amy   van   Dam <amy@a.example>
EOF

case_begin resent-added "Resent- fields without Resent-From, Resent-Date, Resent-Message-ID"
lines <<'EOF'
sender_canonical_maps = inline:{ {@a.example = @s.example} }
EOF
submit -f jane@a.example amy@example.org
headers <<'EOF'
From: jane@a.example
To: amy@example.org
Resent-To: amy@example.org
EOF

case_begin multi-table "a map list: each key in every table before the next key"
lines <<'EOF'
sender_canonical_maps = texthash:%C%/fixed, regexp:%C%/pattern
EOF
table fixed <<'EOF'
@example.com        catchall@example.net
ann@example.org     ann@fixed.example
EOF
table pattern <<'EOF'
/^joe@example\.com$/    joe@pattern.example
/^ann@example\.org$/    ann@pattern.example
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
Reply-To: ann@example.org
Sender: zed@example.com
EOF

case_begin quote-case "quoted local parts and case folding"
lines <<'EOF'
canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
"a b"@example.net   ab@example.net
fred@example.com    Fred@example.net
case@example.com    CASE@example.com
EOF
submit -f '"fred"@example.com' '"a b"@example.net' FRED@EXAMPLE.COM case@example.com
headers <<'EOF'
From: "fred"@example.com
To: "a b"@example.net, case@example.com
EOF

case_begin propagate-off "propagate_unmatched_extensions without canonical"
lines <<'EOF'
recipient_delimiter = +
propagate_unmatched_extensions = virtual
canonical_maps = texthash:%C%/canon
EOF
table canon <<'EOF'
jane@example.org    Jane.Doe@example.org
@old.example        @new.example
kim@example.org     @other.example
EOF
submit -f jane+x@example.org jane+y@example.org bob+q@old.example kim+z@example.org
headers <<'EOF'
To: jane+y@example.org, bob+q@old.example, kim+z@example.org
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
			# Oracle of case $1 (tests/canonical.sh): local submission only,
			# everything, local domains included, forwarded to the sink.
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
	# No inet service at all: sendmail, pickup, cleanup, qmgr, smtp.
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
	# Files younger than a second make Postfix read them twice, slowly.
	touch -t 200001010000 "$_o/postfix"/* "$_o/postfix" "$W/c/$1"/*
}

# oracle_start NAME: starts it; postfix start returns once master is up.
oracle_start() {
	_o=$W/o/$1
	if ! postfix -c "$_o/postfix" start >"$_o/start.log" 2>&1; then
		echo "canonical: the oracle of case $1 did not start:" >&2
		# Postfix writes fatal errors to stderr only when it is a tty.
		if command -v script >/dev/null 2>&1; then
			script -qec "postfix -c '$_o/postfix' check" /dev/null >&2
		fi
		cat "$_o/start.log" >&2
		return 1
	fi
}

# relaymail_conf NAME: the same lines for relaymail, relaying to the sink.
relaymail_conf() {
	{
		echo "relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT"
		echo "dead_letter_file = $W/r/$1.dead"
		shared_lines
		cat "$W/c/$1/lines"
	} >"$W/r/$1.cf"
}

# message NAME PATH: the case's header, then a Subject, Date and
# Message-ID of its own (so neither side adds one), then a body.
message() {
	cat "$W/c/$1/headers"
	echo "Subject: canonical case $1"
	echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
	echo "Message-ID: <$1.$2@canonical.test>"
	echo ""
	echo "Body of $1."
}

# send NAME PATH: submits the message of case NAME, through Postfix (A) or
# relaymail (B); the exit status goes to got/NAME.PATH.rc.
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
		# -v: the table warnings, which a send that works keeps to the
		# mail log, are on stderr too, to be compared with cleanup's.
		timeout 60 "$RELAYMAIL" -v -C "$W/r/$_n.cf" "$@" <"$_g.msg" >"$_g.out" 2>"$_g.err"
	fi
	echo $? >"$_g.rc"
}

# busy: status 0 while a message is on its way in any instance.
busy() {
	for _q in "$W"/o/*/queue "$W/sink/queue"; do
		for _d in maildrop incoming active deferred; do
			[ -d "$_q/$_d" ] || continue
			[ -n "$(find "$_q/$_d" -type f | head -n 1)" ] && return 0
		done
	done
	return 1
}

# wait_quiet SECONDS: until nothing is on its way; deferred mail is
# retried every few seconds. Status 1 on timeout.
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

# sort_sink: each delivered file into got/NAME.PATH/ by its Message-ID;
# anything else (a bounce) into got/other/.
sort_sink() {
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] || continue
		_id=$(sed -n '/^$/q; s/^Message-ID: <\([^@]*\)@canonical\.test>$/\1/p' "$_f")
		case $_id in
		*.A | *.B) _d=$W/got/$_id ;;
		*) _d=$W/got/other ;;
		esac
		mkdir -p "$_d" && mv "$_f" "$_d/"
	done
}

# norm MODE FILE: its header as one line, fields joined by \037, Received
# dropped, the values of the time and ID fields masked. MODE bytes keeps
# each field as it arrived, folding included; MODE tokens unfolds it,
# lowercases its name and drops the white space outside quoted strings:
# the addresses, names and comments without their layout.
norm() {
	awk -v mode="$1" '
	function squeeze(f,   i, c, name, v, r, q, e) {
		i = index(f, ":")
		name = tolower(substr(f, 1, i - 1))
		v = substr(f, i + 1)
		r = ""
		q = e = 0
		for (i = 1; i <= length(v); i++) {
			c = substr(v, i, 1)
			if (e)
				e = 0
			else if (q && c == "\\")
				e = 1
			else if (c == "\"")
				q = !q
			else if (!q && (c == " " || c == "\t"))
				continue
			r = r c
		}
		sub(/[ \t]+$/, "", name)
		return name ":" r
	}
	function flush() {
		if (field != "")
			out = (out == "" ? "" : out "\037") \
			    (mode == "tokens" && !masked ? squeeze(field) : field)
		field = ""
	}
	/^$/ { exit }
	/^[ \t]/ {
		if (keep)
			field = field (mode == "bytes" ? "\037" : "") $0
		next
	}
	{
		flush()
		name = tolower(substr($0, 1, index($0, ":") - 1))
		sub(/[ \t]+$/, "", name)
		keep = name != "received"
		masked = name == "date" || name == "message-id" || name == "resent-date" ||
		    name == "resent-message-id"
		if (masked) {
			keep = 0
			field = substr($0, 1, index($0, ":")) " (not compared)"
		} else if (keep) {
			field = $0
		}
	}
	END { flush(); print out }' "$2"
}

# result NAME PATH MODE: what arrived for one side, a message a line,
# sorted.
result() {
	_rc=$(cat "$W/got/$1.$2.rc" 2>/dev/null)
	if [ "$_rc" = 0 ]; then echo "submitted"; else echo "submission failed (exit $_rc)"; fi
	for _f in "$W/got/$1.$2"/*; do
		[ -f "$_f" ] && norm "$3" "$_f"
	done | sort
}

# warnings NAME PATH: the rewriting warnings of one side, sorted. The
# wording differs on purpose: Postfix's queue ID and its claim "message
# not accepted" (cleanup_map11 accepts it all the same) are left out, and
# so is relaymail's naming of the address it went on with.
warnings() {
	if [ "$2" = A ]; then
		sed -n 's/^.*\/cleanup\[[0-9]*\]: warning: \([0-9A-F]*: \)\{0,1\}//p' \
			"$W/o/$1/maillog" | sed 's/ -- message not accepted, try again later$//'
	else
		sed -n 's/^relaymail: warning: //p' "$W/got/$1.B.err" |
			sed 's/; using the first address, .*$//'
	fi | sort
}

# verdict NAME DESC TODOFILE SAME DETAILS...: one TAP line; TODO when the
# case has TODOFILE.
verdict() {
	_todo=
	[ -f "$W/c/$1/$3" ] && _todo=" # TODO $(cat "$W/c/$1/$3")"
	_tap_n=$((_tap_n + 1))
	if [ "$4" = 0 ]; then
		printf 'ok %d - %s: %s%s\n' "$_tap_n" "$1" "$2" "$_todo"
		return 0
	fi
	printf 'not ok %d - %s: %s%s\n' "$_tap_n" "$1" "$2" "$_todo"
	[ -n "$_todo" ] || _tap_failed=$((_tap_failed + 1))
	shift 4
	tap_diag "$@"
	return 1
}

# compare NAME: the TAP lines of one case: the same envelope and the same
# addresses, names and comments in the same fields; then the same bytes
# (failing, under the same TODO, when the first failed); then, for cases
# that warn, the same warnings.
compare() {
	_c=$W/got/cmp/$1
	_desc=$(cat "$W/c/$1/desc")
	mkdir -p "$_c"
	for _m in tokens bytes; do
		result "$1" A "$_m" | tr '\037' '\n' >"$_c/postfix.$_m"
		result "$1" B "$_m" | tr '\037' '\n' >"$_c/relaymail.$_m"
	done
	if ! [ -d "$W/got/$1.A" ]; then
		verdict "$1" "$_desc" todo 1 "nothing arrived from Postfix; its maillog ends:" \
			"$(tail -n 5 "$W/o/$1/maillog")"
		verdict "$1" "byte for byte" todo 1 "(nothing to compare)"
	elif ! cmp -s "$_c/postfix.tokens" "$_c/relaymail.tokens"; then
		verdict "$1" "$_desc" todo 1 "$(cd "$_c" && diff -U 1000 postfix.bytes relaymail.bytes)" \
			"relaymail's stderr: $(head -n 5 "$W/got/$1.B.err")"
		verdict "$1" "byte for byte" todo 1 "(the addresses differ already)"
	elif [ -f "$W/c/$1/blanks" ]; then
		verdict "$1" "$_desc" todo 0
		tr -d ' \t' <"$_c/postfix.bytes" >"$_c/postfix.noblanks"
		tr -d ' \t' <"$_c/relaymail.bytes" >"$_c/relaymail.noblanks"
		cmp -s "$_c/postfix.noblanks" "$_c/relaymail.noblanks"
		verdict "$1" "byte for byte but blanks ($(cat "$W/c/$1/blanks"))" todo-bytes $? \
			"$(cd "$_c" && diff -U 1000 postfix.bytes relaymail.bytes)"
	else
		verdict "$1" "$_desc" todo 0
		cmp -s "$_c/postfix.bytes" "$_c/relaymail.bytes"
		verdict "$1" "byte for byte" todo-bytes $? \
			"$(cd "$_c" && diff -U 1000 postfix.bytes relaymail.bytes)"
	fi
	[ -f "$W/c/$1/warns" ] || return 0
	warnings "$1" A >"$_c/postfix.warn"
	warnings "$1" B >"$_c/relaymail.warn"
	if cmp -s "$_c/postfix.warn" "$_c/relaymail.warn" && [ -s "$_c/postfix.warn" ]; then
		tap__result 0 "$1: the same warnings"
	else
		tap__result 1 "$1: the same warnings"
		tap_diag "$(cd "$_c" && diff -U 100 postfix.warn relaymail.warn)"
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
wait_quiet "$CANON_TIMEOUT" ||
	tap_diag "mail still on its way after ${CANON_TIMEOUT}s"
sort_sink
if [ -d "$W/got/other" ]; then
	tap_diag "unexpected mail in the sink:" "$(grep -h -m 3 -E '^(Subject|From|To):' \
		"$W/got/other"/* | head -n 12)"
fi

for name in $(cat "$W/cases"); do
	compare "$name"
done

tap_done

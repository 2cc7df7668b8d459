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
DIFF_NAME=canonical
. "$top_srcdir/tests/lib/differential.sh"

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

differential_run

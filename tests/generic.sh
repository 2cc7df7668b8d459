#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The rest of Postfix's client-side rewriting, differential, with Postfix
# as the oracle (tests/lib/differential.sh): smtp_generic_maps (applied by
# the oracle's smtp(8) as the mail leaves), masquerade_domains with its
# exceptions and classes, and the automatic copies of always_bcc,
# sender_bcc_maps and recipient_bcc_maps, alone and with the canonical
# maps and aliases. What arrives at the sink must be the same: Return-Path,
# one X-Original-To and Delivered-To per recipient (so each archive copy
# is seen), and every header field but the trace and time ones.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
DIFF_NAME=generic
. "$top_srcdir/tests/lib/differential.sh"

# --- The cases. --------------------------------------------------------------
# myorigin and mydestination as in tests/canonical.sh: host.example.com
# is local, and so are localhost.example.com and localhost.

# --- smtp_generic_maps. ---

case_begin gen-basic "generic: envelope sender, recipients and header addresses, after qualifying"
lines <<'EOF'
smtp_generic_maps = texthash:%C%/generic
EOF
table generic <<'EOF'
joe@host.example.com    joe.public@isp.example
@host.example.com       account@isp.example
EOF
submit -f joe amy@example.org root
headers <<'EOF'
From: Joe <joe>
To: amy@example.org, Root <root>
Cc: sue@host.example.com (Sue)
EOF

case_begin gen-keys "generic: user@domain, user (local domain), @domain; the extension is not carried"
lines <<'EOF'
recipient_delimiter = +
smtp_generic_maps = texthash:%C%/generic
EOF
table generic <<'EOF'
joe@host.example.com    joe@isp.example
sue                     sue@isp.example
@localhost              nobody@isp.example
kim@example.org         @other.example
EOF
submit -f joe+list@host.example.com sue+x@host.example.com tom@localhost kim+y@example.org \
	sue@elsewhere.example
headers <<'EOF'
From: joe+list@host.example.com
To: sue+x@host.example.com, tom@localhost
Cc: kim+y@example.org, sue@elsewhere.example
EOF

case_begin gen-propagate "generic: propagate_unmatched_extensions = canonical, generic"
lines <<'EOF'
recipient_delimiter = +
propagate_unmatched_extensions = canonical, generic
smtp_generic_maps = texthash:%C%/generic
EOF
table generic <<'EOF'
joe@host.example.com    joe@isp.example
sue                     sue@isp.example
EOF
submit -f joe+list@host.example.com sue+x@host.example.com
headers <<'EOF'
From: joe+list@host.example.com
To: sue+x@host.example.com
EOF

case_begin gen-after-canon "generic after sender_canonical_maps and recipient_canonical_maps"
lines <<'EOF'
sender_canonical_maps = inline:{ {joe@home.example = joe@host.example.com} }
recipient_canonical_maps = inline:{ {amy@old.example = amy@host.example.com} }
smtp_generic_maps = inline:{ {joe@host.example.com = joe@isp.example},
    {amy@host.example.com = amy@isp.example}, {joe@home.example = wrong@isp.example} }
EOF
submit -f joe@home.example amy@old.example
headers <<'EOF'
From: joe@home.example
To: amy@old.example
EOF

case_begin gen-once "generic: one lookup, no rounds (canonical maps would go on)"
lines <<'EOF'
smtp_generic_maps = inline:{ a@x.example=b@x.example, b@x.example=c@x.example }
EOF
submit -f a@x.example b@x.example
headers <<'EOF'
From: a@x.example
To: b@x.example
EOF

case_begin gen-regexp "generic: a regexp table sees whole addresses only"
lines <<'EOF'
smtp_generic_maps = regexp:%C%/generic
EOF
table generic <<'EOF'
/^root$/                            wrong@isp.example
/^(.+)@host\.example\.com$/         ${1}.host@isp.example
EOF
submit -f root amy@example.org bob@host.example.com
headers <<'EOF'
From: root
To: amy@example.org, bob@host.example.com
EOF

case_begin gen-null "generic: the null sender stays null; header addresses are looked up"
lines <<'EOF'
smtp_generic_maps = static:relay@isp.example
EOF
submit -f '<>' amy@example.org
headers <<'EOF'
From: Postmaster <postmaster@host.example.com>
To: amy@example.org
EOF

case_begin gen-null-from "generic: the From field added for the null sender (MAILER-DAEMON)"
lines <<'EOF'
smtp_generic_maps = regexp:{ {/^MAILER-DAEMON$$/ postmaster@isp.example},
    {/@host\.example\.com$$/ box@isp.example} }
EOF
submit -f '<>' -F 'Mail System' amy@example.org
headers <<'EOF'
To: amy@example.org
Reply-To: MAILER-DAEMON
EOF

case_begin gen-bare "generic: a bare result gets @\$myorigin; a list result gives its first address"
lines <<'EOF'
myorigin = example.net
smtp_generic_maps = inline:{ {joe@example.net = joe.user},
    {amy@example.org = amy@isp.example, amy2@isp.example} }
EOF
submit -f joe amy@example.org
headers <<'EOF'
From: joe
To: amy@example.org
EOF

case_begin gen-headers "generic in header fields: names, comments, groups, folding, other fields"
lines <<'EOF'
smtp_generic_maps = inline:{ {@host.example.com = @isp.example} }
EOF
submit -f jane@host.example.com amy@example.org
headers <<'EOF'
From: "Doe, Jane" <jane@host.example.com>
Reply-To: jane@host.example.com (Jane)
To: Amy <amy@example.org>, friends: dan@host.example.com, eve@other.example;
Cc: a-rather-long-local-part-number-one@host.example.com, a-rather-long-local-part-number-two@host.example.com, third@host.example.com
X-Address: x@host.example.com
Sender: unchanged@other.example
EOF

case_begin gen-same "generic: a field with a match is written anew even when the address stays"
lines <<'EOF'
smtp_generic_maps = inline:{ {amy@example.org = amy@example.org} }
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
To: Amy   <amy@example.org>  (home),
	bob@example.org
Cc: carl@example.org,
	dan@example.org
EOF

case_begin gen-t "generic with -t: header recipients, Bcc dropped, envelope mapped"
lines <<'EOF'
smtp_generic_maps = inline:{ {@host.example.com = @isp.example} }
EOF
submit -t -f joe@host.example.com
headers <<'EOF'
From: joe@host.example.com
To: amy@host.example.com
Bcc: bob@host.example.com
EOF

case_begin gen-quoted "generic: quoted local parts and case"
lines <<'EOF'
smtp_generic_maps = texthash:%C%/generic
EOF
table generic <<'EOF'
"a b"@host.example.com     ab@isp.example
fred@host.example.com      Fred@isp.example
EOF
submit -f FRED@HOST.EXAMPLE.COM '"a b"@host.example.com'
headers <<'EOF'
From: FRED@Host.Example.Com
To: "a b"@host.example.com
EOF

# --- masquerade_domains, masquerade_exceptions, masquerade_classes. ---

case_begin masq-basic "masquerade: default classes: envelope sender and header fields, not envelope recipients"
lines <<'EOF'
masquerade_domains = $mydomain
EOF
submit -f joe@host.example.com amy@mail.example.com bob@example.com
headers <<'EOF'
From: joe@host.example.com
Reply-To: joe@a.b.example.com
To: amy@mail.example.com, bob@example.com
Cc: carl@example.org, dan@notexample.com
EOF

case_begin masq-order "masquerade: the first listed parent wins; a listed domain stays"
lines <<'EOF'
masquerade_domains = foo.example.com, example.com
EOF
submit -f a@x.foo.example.com b@y.example.com
headers <<'EOF'
From: a@x.foo.example.com
To: b@y.example.com, c@foo.example.com, d@x.y.example.com
EOF

case_begin masq-not "masquerade: !domain keeps it and its subdomains"
lines <<'EOF'
masquerade_domains = !foo.example.com example.com
EOF
submit -f a@x.foo.example.com b@y.example.com
headers <<'EOF'
From: a@x.foo.example.com
Sender: c@foo.example.com
To: b@y.example.com, d@x.bar.example.com
EOF

case_begin masq-except "masquerade_exceptions: names never masqueraded, the whole local part"
lines <<'EOF'
recipient_delimiter = +
masquerade_domains = example.com
masquerade_exceptions = root, mailer-daemon
EOF
submit -f root@host.example.com amy@example.org
headers <<'EOF'
From: root@host.example.com
Reply-To: Root+x@host.example.com
To: ROOT@mail.example.com, joe@mail.example.com
EOF

case_begin masq-except-table "masquerade_exceptions: a table and a negation"
lines <<'EOF'
masquerade_domains = example.com
masquerade_exceptions = !joe, texthash:%C%/except
EOF
table except <<'EOF'
joe     x
sue     x
EOF
submit -f sue@host.example.com amy@example.org
headers <<'EOF'
From: sue@host.example.com
To: joe@host.example.com, tom@host.example.com
EOF

case_begin masq-except-file "masquerade_exceptions: a /file/name pattern, a negation inside"
lines <<'EOF'
masquerade_domains = example.com
masquerade_exceptions = %C%/except
EOF
table except <<'EOF'
# comments and continuation lines as in main.cf
!joe, root
  joe, sue
EOF
submit -f sue@host.example.com amy@example.org
headers <<'EOF'
From: sue@host.example.com
To: joe@host.example.com, root@host.example.com, tom@host.example.com
EOF

case_begin masq-daemon "masquerade: MAILER-DAEMON@\$myorigin is null before masquerading"
lines <<'EOF'
masquerade_domains = example.com
EOF
submit -f MAILER-DAEMON@host.example.com amy@example.org
headers <<'EOF'
From: MAILER-DAEMON@host.example.com
To: amy@example.org
EOF

case_begin masq-classes-all "masquerade_classes with envelope_recipient"
lines <<'EOF'
masquerade_domains = example.com
masquerade_classes = envelope_sender, envelope_recipient, header_sender, header_recipient
EOF
submit -f joe@host.example.com amy@mail.example.com
headers <<'EOF'
From: joe@host.example.com
To: amy@mail.example.com
EOF

case_begin masq-classes-rcpt "masquerade_classes = envelope_recipient, header_sender only"
lines <<'EOF'
masquerade_domains = example.com
masquerade_classes = envelope_recipient, header_sender
EOF
submit -f joe@host.example.com amy@mail.example.com
headers <<'EOF'
From: joe@host.example.com
To: amy@mail.example.com
EOF

case_begin masq-case "masquerade: case of the domains; the parent as listed, folded"
lines <<'EOF'
masquerade_domains = Example.COM
EOF
submit -f Joe@SUB.EXAMPLE.com amy@example.org
headers <<'EOF'
From: Joe@SUB.EXAMPLE.com
To: amy@example.org, Bea@EXAMPLE.COM
EOF

case_begin masq-canon "masquerade after the canonical maps; a canonical result is masqueraded"
lines <<'EOF'
masquerade_domains = example.com
sender_canonical_maps = inline:{ {joe@home.example = joe@mail.example.com} }
canonical_maps = inline:{ {@old.example = @x.example.com} }
EOF
submit -f joe@home.example amy@old.example
headers <<'EOF'
From: joe@home.example
To: amy@old.example
Cc: bob@host.example.com
EOF

case_begin masq-generic "generic sees the masqueraded address"
lines <<'EOF'
masquerade_domains = example.com
smtp_generic_maps = inline:{ {joe@example.com = joe@isp.example},
    {joe@host.example.com = wrong@isp.example} }
EOF
submit -f joe@host.example.com amy@example.org
headers <<'EOF'
From: joe@host.example.com
To: amy@example.org
EOF

# --- always_bcc, sender_bcc_maps, recipient_bcc_maps. ---

case_begin bcc-always "always_bcc: one more envelope recipient, no header field"
lines <<'EOF'
always_bcc = archive@example.net
EOF
submit -f joe@example.com amy@example.org bob@example.org
headers <<'EOF'
From: joe@example.com
To: amy@example.org
EOF

case_begin bcc-always-canon "always_bcc unqualified: @\$myorigin, then the recipient canonical maps"
lines <<'EOF'
always_bcc = archive
recipient_canonical_maps = inline:{ {archive@host.example.com = archive@example.net} }
sender_canonical_maps = inline:{ {archive@host.example.com = wrong@example.net} }
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
To: amy@example.org
EOF

case_begin bcc-sender "sender_bcc_maps: keyed by the sender after its canonical maps"
lines <<'EOF'
recipient_delimiter = +
sender_canonical_maps = inline:{ {joe@home.example = joe@example.com} }
sender_bcc_maps = texthash:%C%/sbcc
EOF
table sbcc <<'EOF'
joe@example.com     joe-copy@example.net
@example.org        org-archive@example.net
joe@home.example    wrong@example.net
EOF
submit -f joe+x@home.example amy@example.org
headers <<'EOF'
From: joe+x@home.example
To: amy@example.org
EOF

case_begin bcc-sender-local "sender_bcc_maps: the bare user key for a local sender; @domain"
lines <<'EOF'
sender_bcc_maps = texthash:%C%/sbcc
EOF
table sbcc <<'EOF'
joe                 joe-copy@example.net
@example.org        wrong@example.net
EOF
submit -f joe amy@example.org
headers <<'EOF'
From: joe
To: amy@example.org
EOF

case_begin bcc-rcpt "recipient_bcc_maps: each recipient's key order, no extension carried"
lines <<'EOF'
recipient_delimiter = +
propagate_unmatched_extensions = canonical, generic
recipient_bcc_maps = texthash:%C%/rbcc
EOF
table rbcc <<'EOF'
amy@example.org     amy-copy@example.net
sue                 sue-copy@example.net
@example.com        com-archive@example.net
EOF
submit -f joe@example.com amy+x@example.org sue@host.example.com bob@example.com cy@example.net
headers <<'EOF'
From: joe@example.com
To: amy+x@example.org, sue@host.example.com, bob@example.com, cy@example.net
EOF

case_begin bcc-rcpt-canon "recipient_bcc_maps keyed after recipient_canonical_maps; the copy rewritten too"
lines <<'EOF'
recipient_canonical_maps = inline:{ {amy@old.example = amy@new.example},
    {amy-copy@old.example = amy-copy@new.example} }
recipient_bcc_maps = inline:{ {amy@new.example = amy-copy@old.example},
    {amy@old.example = wrong@old.example} }
EOF
submit -f joe@example.com amy@old.example
headers <<'EOF'
From: joe@example.com
To: amy@old.example
EOF

case_begin bcc-masq "BCC keys and copies after masquerading (classes with envelope_recipient)"
lines <<'EOF'
masquerade_domains = example.com
masquerade_classes = envelope_sender, envelope_recipient
sender_bcc_maps = inline:{ {joe@example.com = archive@sub.example.com} }
recipient_bcc_maps = inline:{ {amy@example.com = amy-copy@x.example.com} }
EOF
submit -f joe@host.example.com amy@mail.example.com
headers <<'EOF'
From: joe@host.example.com
To: amy@mail.example.com
EOF

case_begin bcc-null "the null sender gets no sender_bcc_maps copy; recipients still do"
lines <<'EOF'
sender_bcc_maps = static:wrong@example.net
recipient_bcc_maps = inline:{ {amy@example.org = amy-copy@example.net} }
EOF
submit -f '<>' amy@example.org
headers <<'EOF'
From: MAILER-DAEMON@host.example.com
To: amy@example.org
EOF

case_begin bcc-t-dup "-t recipients get their copies; the same copy twice is one recipient"
lines <<'EOF'
always_bcc = archive@example.net
sender_bcc_maps = inline:{ {joe@example.com = archive@example.net} }
recipient_bcc_maps = inline:{ {@example.org = org-copy@example.net} }
EOF
submit -t -f joe@example.com
headers <<'EOF'
From: joe@example.com
To: amy@example.org
Cc: bob@example.org
Bcc: cat@example.com
EOF

case_begin bcc-is-rcpt "a copy to an address that is a recipient already"
once "deliberate: each address is one recipient; Postfix keeps the copy apart, NOTIFY=NEVER, and sends both"
lines <<'EOF'
always_bcc = amy@example.org
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
To: amy@example.org
EOF

case_begin bcc-generic "a copy's address goes through smtp_generic_maps on the wire"
lines <<'EOF'
always_bcc = archive
smtp_generic_maps = inline:{ {archive@host.example.com = archive@isp.example},
    {joe@host.example.com = joe@isp.example} }
EOF
submit -f joe amy@example.org
headers <<'EOF'
From: joe
To: amy@example.org
EOF

# --- With aliases: the oracle delivers host.example.com with local(8). ---

case_begin alias-bcc "an aliased recipient: its copy is keyed by the name, before the alias"
forwarded "local(8) of the oracle"
lines <<'EOF'
alias_maps = inline:{ {root = admin@example.org} }
recipient_bcc_maps = inline:{ {root@host.example.com = root-copy@example.net},
    {admin@example.org = wrong@example.net} }
EOF
oracle_lines <<'EOF'
transport_maps = inline:{ {host.example.com = local:}, {* = %SINK%} }
EOF
submit -f joe@example.com root amy@example.org
headers <<'EOF'
From: joe@example.com
To: root, amy@example.org
EOF

case_begin alias-masq-generic "an alias target is masqueraded and mapped by generic; canonical on both"
forwarded "local(8) of the oracle"
lines <<'EOF'
alias_maps = inline:{ {root = ops@sub.example.com, Admin <admin@old.example>} }
masquerade_domains = example.com
masquerade_classes = envelope_sender, envelope_recipient, header_sender, header_recipient
recipient_canonical_maps = inline:{ {admin@old.example = admin@new.example} }
smtp_generic_maps = inline:{ {ops@example.com = ops@isp.example} }
EOF
oracle_lines <<'EOF'
transport_maps = inline:{ {host.example.com = local:}, {* = %SINK%} }
EOF
submit -f joe@host.example.com root
headers <<'EOF'
From: joe@host.example.com
To: root
EOF

case_begin alias-always "always_bcc to a local name with an alias"
forwarded "local(8) of the oracle"
lines <<'EOF'
always_bcc = archive
alias_maps = inline:{ {archive = store@example.net} }
EOF
oracle_lines <<'EOF'
transport_maps = inline:{ {host.example.com = local:}, {* = %SINK%} }
EOF
submit -f joe@example.com amy@example.org
headers <<'EOF'
From: joe@example.com
To: amy@example.org
EOF

differential_run

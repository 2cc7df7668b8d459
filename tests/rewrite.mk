# SPDX-License-Identifier: GPL-3.0-or-later
# Address rewriting and tables, against Postfix: the differential test
# of --query/--expand with postmap/postconf, the end-to-end rewriting
# test through the private relay (tests/lib/relay.sh), and the
# differential tests of canonical rewriting (Postfix's cleanup) and of
# generic maps, masquerading and automatic BCC (cleanup and smtp(8)),
# both on tests/lib/differential.sh; and smtp_generic_maps on the wire
# against tests/fakesmtp (relay choice, mail log, -bs, --resend).
TESTS += tests/postmap.sh tests/rewrite.sh tests/canonical.sh tests/generic.sh tests/wire.sh
EXTRA_DIST += tests/postmap.sh tests/rewrite.sh tests/canonical.sh tests/generic.sh tests/wire.sh \
	tests/lib/differential.sh

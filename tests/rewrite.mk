# SPDX-License-Identifier: GPL-3.0-or-later
# Address rewriting and tables, against Postfix: the differential test
# of --query/--expand with postmap/postconf, the end-to-end rewriting
# test through the private relay (tests/lib/relay.sh), and the
# differential test of canonical rewriting with Postfix's cleanup.
TESTS += tests/postmap.sh tests/rewrite.sh tests/canonical.sh
EXTRA_DIST += tests/postmap.sh tests/rewrite.sh tests/canonical.sh

# SPDX-License-Identifier: GPL-3.0-or-later
# Address rewriting and tables, against Postfix: the differential test
# of --query/--expand with postmap/postconf, and the end-to-end rewriting
# test through the private relay (tests/lib/relay.sh).
TESTS += tests/postmap.sh tests/rewrite.sh
EXTRA_DIST += tests/postmap.sh tests/rewrite.sh

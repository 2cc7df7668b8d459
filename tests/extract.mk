# SPDX-License-Identifier: GPL-3.0-or-later
# Recipients from broken headers with -t, differential with Postfix's own
# sendmail (a private instance, forwarding to the test relay's sink).
TESTS += tests/extract.sh
EXTRA_DIST += tests/extract.sh
# Alias expansion, differential with Postfix's local(8): its nesting limit,
# doubling chains, duplicates.
TESTS += tests/aliases.sh
EXTRA_DIST += tests/aliases.sh

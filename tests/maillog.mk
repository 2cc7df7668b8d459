# SPDX-License-Identifier: GPL-3.0-or-later
# The mail log (issue 10): Postfix's records for each message, checked
# against the real relay and the fake one, read back by pflogsumm, and
# written by 20 processes at once.

TESTS += tests/maillog.sh
EXTRA_DIST += tests/maillog.sh

# debug_peer_list: the dialogue with a matching relay in the mail log.
TESTS += tests/debugpeer.sh
EXTRA_DIST += tests/debugpeer.sh

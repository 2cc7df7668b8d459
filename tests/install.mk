# SPDX-License-Identifier: GPL-3.0-or-later
# make install and make uninstall into a scratch DESTDIR: relaymail's own
# sendmail, mailq and newaliases links are replaced, another mail system's
# never (build-aux/install-links.sh); the example configuration lands where
# the man pages say.
TESTS += tests/install.sh
EXTRA_DIST += tests/install.sh

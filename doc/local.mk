# doc: manual pages.
# SPDX-License-Identifier: GPL-3.0-or-later
# The pages are written as doc/*.in and made in the build tree, with the
# installation paths and the version filled in, so that a VPATH build and
# "make distcheck" work and "make clean" removes them.

man_MANS = doc/relaymail.8 doc/sendmail.conf.5
EXTRA_DIST += doc/relaymail.8.in doc/sendmail.conf.5.in
CLEANFILES += $(man_MANS)

# @name[@] keeps configure from substituting these in this file.
doc_edit = sed \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@VERSION[@]|$(VERSION)|g'

doc/relaymail.8: $(srcdir)/doc/relaymail.8.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && rm -f $@ $@.tmp && \
	$(doc_edit) $(srcdir)/doc/relaymail.8.in > $@.tmp && mv $@.tmp $@

doc/sendmail.conf.5: $(srcdir)/doc/sendmail.conf.5.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && rm -f $@ $@.tmp && \
	$(doc_edit) $(srcdir)/doc/sendmail.conf.5.in > $@.tmp && mv $@.tmp $@

# The pages stay clean under "mandoc -Tlint -Wwarning".
TESTS += tests/manlint.sh
EXTRA_DIST += tests/manlint.sh

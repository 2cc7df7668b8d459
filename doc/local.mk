# doc: manual pages, the example configuration and the guides.
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
	-e 's|@docdir[@]|$(docdir)|g' \
	-e 's|@VERSION[@]|$(VERSION)|g'

doc/relaymail.8: $(srcdir)/doc/relaymail.8.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && rm -f $@ $@.tmp && \
	$(doc_edit) $(srcdir)/doc/relaymail.8.in > $@.tmp && mv $@.tmp $@

doc/sendmail.conf.5: $(srcdir)/doc/sendmail.conf.5.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && rm -f $@ $@.tmp && \
	$(doc_edit) $(srcdir)/doc/sendmail.conf.5.in > $@.tmp && mv $@.tmp $@

# The example configuration goes where the FILES sections of both pages
# say, $(docdir), with the configuration folder of this build in place of
# the default /usr/local/etc that the copy in the source tree names.
doc_DATA = doc/sendmail.conf.example
CLEANFILES += doc/sendmail.conf.example
doc/sendmail.conf.example: $(srcdir)/sendmail.conf.example Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && rm -f $@ $@.tmp && \
	sed 's|/usr/local/etc/relaymail/|$(sysconfdir)/relaymail/|g' \
	  $(srcdir)/sendmail.conf.example > $@.tmp && mv $@.tmp $@

# The guide in Japanese for relaying through an ISP, and the README.
dist_doc_DATA = README doc/guide.ja.md

# The pages stay clean under "mandoc -Tlint -Wwarning".
TESTS += tests/manlint.sh
EXTRA_DIST += tests/manlint.sh

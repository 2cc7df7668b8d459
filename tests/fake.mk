# SPDX-License-Identifier: GPL-3.0-or-later
# The scriptable fake SMTP server (tests/fakesmtp.c, with GnuTLS) and the
# relay transport tests that drive relaymail against it.
check_PROGRAMS += tests/fakesmtp
tests_fakesmtp_SOURCES = tests/fakesmtp.c tests/fake/fakeio.c tests/fake/fakeio.h \
	tests/fake/fakesasl.c tests/fake/fakesasl.h tests/fake/fakescript.c \
	tests/fake/fakescript.h
tests_fakesmtp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_fakesmtp_LDADD = $(GNUTLS_LIBS)

TESTS += tests/transport.sh
EXTRA_DIST += tests/transport.sh tests/lib/fake.sh

# Settings read once at start, and one intake for both front doors (issue
# 9), against the fake server too.
TESTS += tests/settings.sh tests/context.sh
EXTRA_DIST += tests/settings.sh tests/context.sh

# Warnings about the configuration: quiet on a send that works, shown
# under -v and -bv and before a failure, always in the mail log.
TESTS += tests/confwarn.sh
EXTRA_DIST += tests/confwarn.sh

# Nothing lost (issue 10): where a message is kept, and --resend.
TESTS += tests/deadletter.sh
EXTRA_DIST += tests/deadletter.sh

# SIGTERM, SIGINT and SIGHUP end an attempt, intake or -bs cleanly, and
# SIGPIPE never kills (issue 10), against the fake server too.
TESTS += tests/signals.sh
EXTRA_DIST += tests/signals.sh

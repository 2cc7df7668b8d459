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

# Nothing lost (issue 10): where a message is kept, and --resend.
TESTS += tests/deadletter.sh
EXTRA_DIST += tests/deadletter.sh

# SIGTERM, SIGINT and SIGHUP end an attempt, intake or -bs cleanly, and
# SIGPIPE never kills (issue 10), against the fake server too.
TESTS += tests/signals.sh
EXTRA_DIST += tests/signals.sh

# Connection reuse in -bs: RSET between messages, a relay that drops the
# idle connection, the reuse limits; many recipients and 452 "too many
# recipients".
TESTS += tests/reuse.sh tests/rcptlimit.sh
EXTRA_DIST += tests/reuse.sh tests/rcptlimit.sh
# soft_bounce, smtp_sasl_auth_soft_bounce, smtp_skip_5xx_greeting and
# smtp_discard_ehlo_keywords (issue 14), against the fake server.
TESTS += tests/answers.sh
EXTRA_DIST += tests/answers.sh

# Secrets: who may read a password file, a password in sendmail.conf, a
# hostile SCRAM iteration count, a process that is not dumpable.
TESTS += tests/secrets.sh
EXTRA_DIST += tests/secrets.sh

# Hostile callers and relays: junk in RELAYMAIL_* variables, -C
# /etc/shadow, SMTP smuggling shapes, over-long and never-ending replies.
TESTS += tests/hostile.sh
EXTRA_DIST += tests/hostile.sh

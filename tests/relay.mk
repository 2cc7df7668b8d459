# SPDX-License-Identifier: GPL-3.0-or-later
# The private Postfix + Dovecot test relay (tests/lib/relay.sh), the shell
# TAP helpers, the integration test and the README demo.
check_PROGRAMS += tests/freeport
tests_freeport_SOURCES = tests/freeport.c
tests_freeport_LDADD =

TESTS += tests/postfix.sh
EXTRA_DIST += tests/lib/relay.sh tests/lib/tap.sh tests/postfix.sh \
	tests/demo.sh tests/lib/valgrind.sh tests/lib/valgrind.supp

# Load and faults against the real relay (issue 10): 1,000 messages from
# 50 invocations at once, the relay stopped and started in the middle,
# read errors and a full disk.
TESTS += tests/load.sh
EXTRA_DIST += tests/load.sh

# The benchmark's timer (tests/bench.sh; CI runs it with --smoke).
check_PROGRAMS += tests/runstat
tests_runstat_SOURCES = tests/runstat.c
tests_runstat_LDADD =

# Connection reuse in -bs and many recipients against the real relay.
TESTS += tests/perf-relay.sh
EXTRA_DIST += tests/perf-relay.sh
# smtp_sasl_auth_cache_name: a refused password is not offered again.
TESTS += tests/authcache.sh
EXTRA_DIST += tests/authcache.sh
# Hints on every failure and the live diagnosis (-bv -v), each classic
# mistake against the real relay (issue 11).
TESTS += tests/diagnose.sh
EXTRA_DIST += tests/diagnose.sh

# The reports of tests/lib/valgrind.sh (.ci/run).
clean-local:
	rm -rf valgrind-logs

# The relay policy against Postfix (issue 14): smtp_tls_policy_maps by
# next hop, TLS levels, protocols and ciphers, soft_bounce,
# smtp_sasl_auth_soft_bounce, smtp_skip_5xx_greeting,
# smtp_discard_ehlo_keywords and EHLO/HELO, the same main.cf lines through
# a private Postfix and through relaymail, relays of the test relay.
TESTS += tests/policy.sh
EXTRA_DIST += tests/policy.sh tests/lib/smtptap.pl

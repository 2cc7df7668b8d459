# Tests: unit programs (TAP through tests/unit/tap.c), the layer check and
# the shell tests under tests/.
check_LIBRARIES = tests/unit/libtap.a
tests_unit_libtap_a_SOURCES = tests/unit/tap.c tests/unit/tap.h
TEST_LDADD = tests/unit/libtap.a $(LDADD)
tests_unit_test_base_LDADD = $(TEST_LDADD)

TESTS += tests/layers.sh
EXTRA_DIST += tests/layers.sh tests/bench.sh tests/coverage.sh

include tests/relay.mk
include tests/rewrite.mk
include tests/fake.mk
include tests/cli.mk
include tests/bs.mk
include tests/utf8.mk
include tests/oauth.mk

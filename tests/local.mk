# Tests: the TAP helpers of the unit programs (each layer's local.mk lists
# its own in unit_tests), the layer and house-rule checks, and the shell
# tests under tests/.
check_LIBRARIES = tests/unit/libtap.a
tests_unit_libtap_a_SOURCES = tests/unit/tap.c tests/unit/tap.h

TESTS += tests/layers.sh tests/tidy.sh
EXTRA_DIST += tests/layers.sh tests/tidy.sh tests/bench.sh tests/coverage.sh

include tests/relay.mk
include tests/rewrite.mk
include tests/headers.mk
include tests/bodychecks.mk
include tests/extract.mk
include tests/fake.mk
include tests/cli.mk
include tests/bs.mk
include tests/utf8.mk
include tests/oauth.mk
include tests/maillog.mk
include tests/install.mk
include tests/milter.mk

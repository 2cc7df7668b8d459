# auth layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/auth/oauth.c src/auth/oauth.h \
	src/auth/sasl.c src/auth/sasl.h \
	src/auth/sasl_policy.c src/auth/sasl_policy.h \
	src/auth/tokencmd.c src/auth/tokencmd.h

check_PROGRAMS += tests/unit/test-sasl
TESTS += tests/unit/test-sasl
tests_unit_test_sasl_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test-tokencmd
TESTS += tests/unit/test-tokencmd
tests_unit_test_tokencmd_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test-oauth
TESTS += tests/unit/test-oauth
tests_unit_test_oauth_LDADD = $(TEST_LDADD)

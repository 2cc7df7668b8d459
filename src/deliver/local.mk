# deliver layer: the failover walk over the smtp engine, net and auth.
librelaymail_a_SOURCES += \
	src/deliver/attempt.c src/deliver/attempt.h \
	src/deliver/deliver.c src/deliver/deliver.h \
	src/deliver/locality.c src/deliver/locality.h \
	src/deliver/policy.c src/deliver/policy.h \
	src/deliver/route.c src/deliver/route_lookup.c src/deliver/route.h

check_PROGRAMS += tests/unit/test-route
TESTS += tests/unit/test-route
tests_unit_test_route_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test-policy
TESTS += tests/unit/test-policy
tests_unit_test_policy_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test-route-lookup
TESTS += tests/unit/test-route-lookup
tests_unit_test_route_lookup_LDADD = $(TEST_LDADD)

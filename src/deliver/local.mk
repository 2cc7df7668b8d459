# deliver layer: the failover walk over the smtp engine, net and auth.
librelaymail_a_SOURCES += \
	src/deliver/attempt.c src/deliver/attempt_auth.c src/deliver/attempt.h \
	src/deliver/attempt_impl.h \
	src/deliver/authcache.c src/deliver/authcache.h \
	src/deliver/deliver.c src/deliver/deliver.h \
	src/deliver/hint.c src/deliver/hint.h \
	src/deliver/locality.c src/deliver/locality.h \
	src/deliver/milter.c src/deliver/milter_conf.c src/deliver/milter_reply.c \
	src/deliver/milter.h src/deliver/milter_impl.h \
	src/deliver/policy.c src/deliver/policy_tls.c src/deliver/policy_ciphers.c \
	src/deliver/policy.h \
	src/deliver/reuse.c src/deliver/reuse.h \
	src/deliver/route.c src/deliver/route_lookup.c src/deliver/route.h \
	src/deliver/status.c src/deliver/status.h

# Unit tests of this layer (TAP; they link libtap and the library).
unit_tests += tests/unit/test-route tests/unit/test-policy \
	tests/unit/test-route-lookup tests/unit/test-authcache

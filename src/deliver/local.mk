# deliver layer: the failover walk over the smtp engine, net and auth.
librelaymail_a_SOURCES += \
	src/deliver/attempt.c src/deliver/attempt.h \
	src/deliver/deliver.c src/deliver/deliver.h \
	src/deliver/policy.c src/deliver/policy.h \
	src/deliver/route.c src/deliver/route.h

# smtp layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/smtp/reply.c src/smtp/reply.h \
	src/smtp/caps.c src/smtp/caps.h

check_PROGRAMS += tests/unit/test-reply tests/unit/test-caps
TESTS += tests/unit/test-reply tests/unit/test-caps
tests_unit_test_reply_LDADD = $(TEST_LDADD)
tests_unit_test_caps_LDADD = $(TEST_LDADD)

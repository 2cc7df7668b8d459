# app layer: modes, the exit-status table, main.
librelaymail_a_SOURCES += \
	src/app/cli.c src/app/cli.h \
	src/app/deadletter.c src/app/deadletter.h \
	src/app/envelope.c src/app/envelope.h \
	src/app/exitcode.c src/app/exitcode.h \
	src/app/query.c src/app/query.h \
	src/app/submit.c src/app/submit.h

check_PROGRAMS += tests/unit/test-cli
TESTS += tests/unit/test-cli
tests_unit_test_cli_LDADD = $(TEST_LDADD)

# conf layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/conf/config.c src/conf/config.h src/conf/config_impl.h \
	src/conf/config_get.c \
	src/conf/expand.c src/conf/expand.h \
	src/conf/lines.c src/conf/lines.h \
	src/conf/list.c src/conf/list.h \
	src/conf/params.c src/conf/params.h \
	src/conf/textfile.c src/conf/textfile.h

check_PROGRAMS += tests/unit/test-config
TESTS += tests/unit/test-config
tests_unit_test_config_LDADD = $(TEST_LDADD)

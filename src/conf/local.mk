# conf layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/conf/config.c src/conf/config.h src/conf/config_impl.h \
	src/conf/config_get.c src/conf/config_slots.c src/conf/config_check.c src/conf/config_check.h \
	src/conf/expand.c src/conf/expand.h \
	src/conf/lines.c src/conf/lines.h \
	src/conf/list.c src/conf/list.h \
	src/conf/params.c src/conf/params.h \
	src/conf/textfile.c src/conf/textfile.h

librelaymail_a_SOURCES += \
	src/conf/casefold.c src/conf/casefold.h \
	src/conf/kvmap.c src/conf/kvmap.h \
	src/conf/matchlist.c src/conf/matchlist.h \
	src/conf/table.c src/conf/table.h src/conf/table_impl.h \
	src/conf/table_text.c \
	src/conf/table_pattern.c src/conf/table_pattern.h \
	src/conf/table_regexp.c
if HAVE_PCRE2
librelaymail_a_SOURCES += src/conf/table_pcre.c src/conf/pcre_lib.c src/conf/pcre_lib.h
else
librelaymail_a_SOURCES += src/conf/table_nopcre.c
endif

EXTRA_DIST += src/conf/table_pcre.c src/conf/pcre_lib.c src/conf/pcre_lib.h \
	src/conf/table_nopcre.c tests/unit/capture.h

# The allocation-failure test: every allocation the tables make fails in
# turn, through the wrappers the linker's --wrap puts in front of malloc
# and friends (configure checks it; without it, a TAP skip says why).
# The harness's PCRE2 wrappers call the library itself: the torture
# programs link it (relaymail loads it).
if HAVE_LD_WRAP
unit_tests += tests/unit/test-torture
tests_unit_test_torture_SOURCES = tests/unit/test-torture.c \
	tests/unit/torture.c tests/unit/torture.h
tests_unit_test_torture_LDFLAGS = $(TORTURE_WRAP)
tests_unit_test_torture_LDADD = $(LDADD) $(PCRE2_LIBS)
else
TESTS += tests/torture-skip.sh
endif
EXTRA_DIST += tests/torture-skip.sh

# Unit tests of this layer (TAP; they link libtap and the library).
unit_tests += tests/unit/test-config tests/unit/test-table tests/unit/test-secret \
	tests/unit/test-regexp tests/unit/test-pcre tests/unit/test-matchlist

# test-nopcre: pcre: and regexp: tables on a host without libpcre2-8.
if HAVE_PCRE2
unit_tests += tests/unit/test-nopcre
tests_unit_test_nopcre_SOURCES = tests/unit/test-nopcre.c src/conf/pcre_lib.c
tests_unit_test_nopcre_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPCRE2_LOAD_NAME='"/nonexistent/relaymail-test/libpcre2-8.so.0"'
endif
EXTRA_DIST += tests/unit/test-nopcre.c

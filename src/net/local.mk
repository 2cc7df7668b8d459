# net layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/net/certtext.c src/net/certtext.h \
	src/net/conn.c src/net/conn.h \
	src/net/dns.c src/net/dns.h \
	src/net/mx.c src/net/mx.h \
	src/net/ownaddr.c src/net/ownaddr.h \
	src/net/resolve.c \
	src/net/tls.c src/net/tls.h

check_PROGRAMS += tests/unit/test-conn
TESTS += tests/unit/test-conn
tests_unit_test_conn_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test-tls
TESTS += tests/unit/test-tls
tests_unit_test_tls_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test-dns
TESTS += tests/unit/test-dns
tests_unit_test_dns_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test-ownaddr
TESTS += tests/unit/test-ownaddr
tests_unit_test_ownaddr_LDADD = $(TEST_LDADD)

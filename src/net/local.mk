# net layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/net/certtext.c src/net/certtext.h \
	src/net/conn.c src/net/conn.h \
	src/net/dns.c src/net/dns.h \
	src/net/mx.c src/net/mx.h \
	src/net/ownaddr.c src/net/ownaddr.h \
	src/net/resolve.c \
	src/net/tls.c src/net/tls.h src/net/tls_impl.h \
	src/net/tls_io.c src/net/tls_io.h \
	src/net/tls_verify.c

# The TLS tests make their certificates with GnuTLS.
tests_unit_test_tls_SOURCES = tests/unit/test-tls.c tests/unit/pki.c tests/unit/pki.h

# test-dns compares the MX parser with the resolver library's own.
tests_unit_test_dns_SOURCES = tests/unit/test-dns.c tests/unit/dns_ref.c tests/unit/dns_ref.h
tests_unit_test_dns_LDADD = $(LDADD) $(RESOLV_REF_LIBS)

# Unit tests of this layer (TAP; they link libtap and the library).
unit_tests += tests/unit/test-conn tests/unit/test-tls tests/unit/test-tls_io tests/unit/test-dns \
	tests/unit/test-ownaddr

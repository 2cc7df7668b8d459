# auth layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/auth/gsasl_lib.c src/auth/gsasl_lib.h \
	src/auth/oauth.c src/auth/oauth.h \
	src/auth/sasl.c src/auth/sasl.h \
	src/auth/sasl_policy.c src/auth/sasl_policy.h \
	src/auth/tokencmd.c src/auth/tokencmd.h

# Unit tests of this layer (TAP; they link libtap and the library).
unit_tests += tests/unit/test-sasl tests/unit/test-tokencmd \
	tests/unit/test-oauth
# test-sasl runs libgsasl's own server against the client.
tests_unit_test_sasl_LDADD = $(LDADD) $(GSASL_LIBS)
# test-nogsasl: the SASL client on a host without libgsasl.
unit_tests += tests/unit/test-nogsasl
tests_unit_test_nogsasl_SOURCES = tests/unit/test-nogsasl.c src/auth/gsasl_lib.c
tests_unit_test_nogsasl_CPPFLAGS = $(AM_CPPFLAGS) \
	-DGSASL_LOAD_NAME='"libgsasl-missing.so.0"'

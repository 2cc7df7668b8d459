# app layer: modes, the exit-status table, main.
librelaymail_a_SOURCES += \
	src/app/cli.c src/app/cli.h \
	src/app/context.c src/app/context.h \
	src/app/deadletter.c src/app/deadletter.h \
	src/app/envelope.c src/app/envelope.h \
	src/app/envelope_checks.c src/app/envelope_headers.c src/app/envelope_impl.h \
	src/app/envelope_milter.c \
	src/app/exitcode.c src/app/exitcode.h \
	src/app/msglog.c src/app/msglog.h \
	src/app/query.c src/app/query.h \
	src/app/resend.c src/app/resend.h \
	src/app/smtpd.c src/app/smtpd.h \
	src/app/submit.c src/app/submit.h \
	src/app/submitacl.c src/app/submitacl.h \
	src/app/verify.c src/app/verify.h \
	src/app/wire.c src/app/wire.h

# Unit tests of this layer (TAP; they link libtap and the library).
unit_tests += tests/unit/test-cli tests/unit/test-envelope tests/unit/test-msglog \
	tests/unit/test-verify

# The allocation-failure test of this layer (as tests/unit/test-torture-mail
# in src/mail/local.mk; without the linker's --wrap, tests/torture-skip.sh
# stands in for it).
if HAVE_LD_WRAP
unit_tests += tests/unit/test-torture-app
tests_unit_test_torture_app_SOURCES = tests/unit/test-torture-app.c \
	tests/unit/torture.c tests/unit/torture.h
tests_unit_test_torture_app_LDFLAGS = $(TORTURE_WRAP)
tests_unit_test_torture_app_LDADD = $(LDADD) $(PCRE2_LIBS)
endif

# mail layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/mail/addrfind.c src/mail/addrfind.h \
	src/mail/address.c src/mail/address.h \
	src/mail/alias.c src/mail/alias_expand.c src/mail/alias.h \
	src/mail/bcc.c src/mail/bcc.h \
	src/mail/body_checks.c src/mail/body_checks.h \
	src/mail/checks.c src/mail/checks_impl.h \
	src/mail/encword.c src/mail/encword.h \
	src/mail/header.c src/mail/header.h \
	src/mail/header_checks.c src/mail/header_checks.h \
	src/mail/header_fix.c src/mail/header_fix.h \
	src/mail/idn.c src/mail/idn.h \
	src/mail/message.c src/mail/message.h src/mail/message_impl.h \
	src/mail/milter_checks.c src/mail/milter_checks.h \
	src/mail/milter_edit.c src/mail/milter_edit.h \
	src/mail/intake.c src/mail/intake_read.c src/mail/intake.h \
	src/mail/fold.c src/mail/fold.h \
	src/mail/generic.c src/mail/generic.h \
	src/mail/masquerade.c src/mail/masquerade.h \
	src/mail/mime.c src/mail/mime.h \
	src/mail/qp.c src/mail/qp.h \
	src/mail/reencode.c src/mail/reencode.h \
	src/mail/rewrite.c src/mail/rewrite_header.c src/mail/rewrite.h \
	src/mail/spool.c src/mail/spool.h

# Unit tests of this layer (TAP; they link libtap and the library).
unit_tests += tests/unit/test-address tests/unit/test-message \
	tests/unit/test-idn tests/unit/test-rewrite tests/unit/test-alias \
	tests/unit/test-encword tests/unit/test-generic tests/unit/test-qp \
	tests/unit/test-mime tests/unit/test-headercheck tests/unit/test-bodycheck

# The allocation-failure test of this layer (as tests/unit/test-torture in
# src/conf/local.mk; without the linker's --wrap, tests/torture-skip.sh
# stands in for both).
if HAVE_LD_WRAP
unit_tests += tests/unit/test-torture-mail
tests_unit_test_torture_mail_SOURCES = tests/unit/test-torture-mail.c \
	tests/unit/torture.c tests/unit/torture.h
tests_unit_test_torture_mail_LDFLAGS = $(TORTURE_WRAP)
tests_unit_test_torture_mail_LDADD = $(LDADD) $(PCRE2_LIBS)
endif

# smtp layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/smtp/reply.c src/smtp/reply.h \
	src/smtp/caps.c src/smtp/caps.h \
	src/smtp/bodyenc.c src/smtp/bodyenc.h \
	src/smtp/command.c src/smtp/command.h \
	src/smtp/session.c src/smtp/session.h src/smtp/session_impl.h \
	src/smtp/session_auth.c src/smtp/session_mail.c \
	src/smtp/server.c src/smtp/server.h

check_PROGRAMS += tests/unit/test-reply tests/unit/test-caps
TESTS += tests/unit/test-reply tests/unit/test-caps
tests_unit_test_reply_LDADD = $(TEST_LDADD)
tests_unit_test_caps_LDADD = $(TEST_LDADD)

# The session tests share a scripted relay.
check_PROGRAMS += tests/unit/test-session tests/unit/test-session-mail
TESTS += tests/unit/test-session tests/unit/test-session-mail
tests_unit_test_session_SOURCES = tests/unit/test-session.c \
	tests/unit/scripted.c tests/unit/scripted.h
tests_unit_test_session_LDADD = $(TEST_LDADD)
tests_unit_test_session_mail_SOURCES = tests/unit/test-session-mail.c \
	tests/unit/scripted.c tests/unit/scripted.h
tests_unit_test_session_mail_LDADD = $(TEST_LDADD)

# The server side of -bs: command parser, DATA decoder, reply lines.
check_PROGRAMS += tests/unit/test-server
TESTS += tests/unit/test-server
tests_unit_test_server_LDADD = $(TEST_LDADD)

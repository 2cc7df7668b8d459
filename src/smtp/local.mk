# smtp layer: sources and unit tests.
librelaymail_a_SOURCES += \
	src/smtp/reply.c src/smtp/reply.h \
	src/smtp/caps.c src/smtp/caps.h \
	src/smtp/bodyenc.c src/smtp/bodyenc.h \
	src/smtp/command.c src/smtp/command.h \
	src/smtp/session.c src/smtp/session.h src/smtp/session_impl.h \
	src/smtp/session_auth.c src/smtp/session_mail.c src/smtp/session_rcpt.c \
	src/smtp/session_reuse.c \
	src/smtp/server.c src/smtp/server.h \
	src/smtp/milter_proto.c src/smtp/milter_proto.h

# The session tests share a scripted relay.
tests_unit_test_session_SOURCES = tests/unit/test-session.c \
	tests/unit/scripted.c tests/unit/scripted.h
tests_unit_test_session_mail_SOURCES = tests/unit/test-session-mail.c \
	tests/unit/scripted.c tests/unit/scripted.h
tests_unit_test_session_rcpt_SOURCES = tests/unit/test-session-rcpt.c \
	tests/unit/scripted.c tests/unit/scripted.h
tests_unit_test_session_reuse_SOURCES = tests/unit/test-session-reuse.c \
	tests/unit/scripted.c tests/unit/scripted.h

# Unit tests of this layer (TAP; they link libtap and the library);
# test-server is the server side of -bs; test-milter covers the milter
# packets and, with them, the edits of mail/milter_edit.
unit_tests += tests/unit/test-reply tests/unit/test-caps \
	tests/unit/test-session tests/unit/test-session-mail \
	tests/unit/test-session-reuse tests/unit/test-session-rcpt tests/unit/test-server \
	tests/unit/test-milter

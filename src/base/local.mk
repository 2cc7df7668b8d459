# base: libc only.
librelaymail_a_SOURCES += \
	src/base/base64.c src/base/base64.h \
	src/base/buf.c src/base/buf.h \
	src/base/deadline.c src/base/deadline.h \
	src/base/dynlib.c src/base/dynlib.h \
	src/base/error.c src/base/error.h \
	src/base/i18n.h \
	src/base/log.c src/base/log.h \
	src/base/maillog.c src/base/maillog.h \
	src/base/stop.c src/base/stop.h \
	src/base/str.c src/base/str.h

# Unit tests of this layer (TAP; they link libtap and the library).
unit_tests += tests/unit/test-base tests/unit/test-maillog tests/unit/test-stop

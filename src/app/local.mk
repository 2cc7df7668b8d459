# app layer: modes, the exit-status table, main.
librelaymail_a_SOURCES += \
	src/app/cli.c src/app/cli.h \
	src/app/envelope.c src/app/envelope.h \
	src/app/exitcode.c src/app/exitcode.h

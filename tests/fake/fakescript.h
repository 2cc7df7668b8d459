/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fake SMTP server's script: lines read into steps, one section per
 * connection (the language is described at the top of tests/fakesmtp.c).
 * Errors in a script end the server with status 3. */
#ifndef RELAYMAIL_TESTS_FAKESCRIPT_H
#define RELAYMAIL_TESTS_FAKESCRIPT_H

#include <stdbool.h>
#include <stddef.h>

enum op {
	OP_SEND,
	OP_RAW,
	OP_FLUSH,
	OP_BYTEWISE,
	OP_EXPECT,
	OP_DATA,
	OP_AUTH,
	OP_TLS,
	OP_BADTLS,
	OP_DELAY,
	OP_STALL,
	OP_EOF,
	OP_CLOSE,
	OP_CONNECTION
};

struct step {
	enum op op;
	char *arg; /* unescaped; for send, with CRLF */
	size_t len;
	long num; /* delay */
	char *mech, *user, *secret;
};

struct script {
	struct step *v;
	size_t n;
	size_t sections;
};

/* Print "fakesmtp: ..." on stderr and exit 3. */
void fakescript_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fakescript_load(const char *path, struct script *sc);
void fakescript_free(struct script *sc);

#endif

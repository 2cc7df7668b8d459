/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server side of SMTP for -bs, without I/O: command lines into a verb
 * and its argument, MAIL FROM and RCPT TO paths with their ESMTP
 * parameters, the DATA stream (end of data, dot-unstuffing) and the reply
 * lines we send. Everything is parsed from (pointer, length) with hard
 * caps; a refusal comes with the reply line to send, which is protocol
 * text and never translated. */
#ifndef RELAYMAIL_SMTP_SERVER_H
#define RELAYMAIL_SMTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define SERVER_LINE_MAX 2048 /* command line octets without the line end */
#define SERVER_PATH_MAX 256  /* RFC 5321 §4.5.3.1.3, brackets included */
#define SERVER_REPLY_MAX 512 /* RFC 5321 §4.5.3.1.5, CRLF included */
#define SERVER_ENVID_MAX 100 /* RFC 3461 §4.4, decoded characters */

enum server_verb {
	SERVER_HELO,
	SERVER_EHLO,
	SERVER_MAIL,
	SERVER_RCPT,
	SERVER_DATA,
	SERVER_RSET,
	SERVER_NOOP,
	SERVER_QUIT,
	SERVER_VRFY,
	SERVER_HELP,
};

/* A command line, pointing into the caller's line. */
struct server_command {
	enum server_verb verb;
	const char *arg; /* after the verb, blanks around removed; "" when none */
	size_t arg_len;
};

/* MAIL FROM or RCPT TO: the address between the angle brackets, without
 * a source route (RFC 5321 §4.1.2 says to ignore it), and the parameters
 * we know. Pointers go into the caller's line. */
struct server_path {
	const char *addr; /* "" for the null sender */
	size_t addr_len;
	bool has_size;
	unsigned long size; /* SIZE= (RFC 1870), ULONG_MAX when larger */
	bool smtputf8;	    /* SMTPUTF8 (RFC 6531) */
	int body;	    /* BODY= (RFC 6152): 0 absent, 7 for 7BIT, 8 for 8BITMIME */
	const char *ret;    /* RET= as "FULL" or "HDRS", else NULL */
	const char *envid;  /* ENVID= xtext as given (RFC 3461), else NULL */
	size_t envid_len;
	char notify[32]; /* NOTIFY= upper-cased, "" when absent */
};

/* Parse one command line given without its line end. 0, or -1 with the
 * reply to send in reply: overlong line, control character, unknown or
 * unimplemented verb, an argument missing or one where none belongs. */
int server_command_parse(const char *line, size_t len, struct server_command *cmd, char *reply,
			 size_t size);
/* The argument of MAIL ("FROM:<addr> params") or RCPT ("TO:<addr>
 * params"); a blank after the colon and a path without brackets are
 * accepted. 0, or -1 with the 501/555 reply in reply. The address itself
 * is checked only for its length and brackets; the caller validates it. */
int server_mail_parse(const char *arg, size_t len, struct server_path *p, char *reply, size_t size);
int server_rcpt_parse(const char *arg, size_t len, struct server_path *p, char *reply, size_t size);

/* The DATA stream: a line holding only "." ends it (CRLF or LF line ends),
 * and one leading dot is removed from any other line (RFC 5321 §4.5.2). */
struct server_data {
	bool mid_line; /* not at the start of a line */
	bool done;     /* the end-of-data line was seen */
};
/* Take what can be decided from p[0..n): returns the number of bytes
 * consumed, of which the first *keep are message text; 0 when more input
 * is needed before anything can be decided (or when done). */
size_t server_data_step(struct server_data *d, const char *p, size_t n, size_t *keep);

/* The EHLO reply, every line ending in CRLF; size_max 0 announces SIZE
 * without a limit. -1 when out cannot grow. */
int server_ehlo_reply(struct buf *out, const char *host, unsigned long size_max);
/* A reply line carrying another server's reply: "CODE ENH TEXT" where
 * ENH is the enhanced code of relay_reply when it has one of the same
 * class as code, else enh; TEXT is prefix followed by relay_reply without
 * its codes, then suffix. Any byte outside printable ASCII becomes '?',
 * and the line is cut to fit SERVER_REPLY_MAX with its CRLF. */
void server_reply_relay(char *out, size_t size, int code, const char *enh, const char *prefix,
			const char *relay_reply, const char *suffix);

#endif

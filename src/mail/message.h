/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Message intake and spool. All of the input is read before any
 * connection: line ends become CRLF, a leading "From " line is dropped, the
 * lone-dot rule applies unless -i, the header is parsed into fields that
 * can be read, removed and added, and the body is kept in memory up to a
 * bound, then in an unlinked temporary file, so memory stays flat. NUL
 * bytes become spaces; header lines longer than smtp_line_length_limit are
 * folded (before a blank when there is one, else CRLF SPACE), and a body
 * part with such lines is re-encoded as quoted-printable or, when it
 * cannot be, folded (mail/reencode.h). The stored form is what goes on
 * the wire before dot-stuffing. */
#ifndef RELAYMAIL_MAIL_MESSAGE_H
#define RELAYMAIL_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"
#include "mail/address.h"

struct message;

/* sendmail_fix_line_endings: what CRs right before an LF are. */
enum message_eol {
	MESSAGE_EOL_ALWAYS, /* part of the line end, dropped */
	MESSAGE_EOL_STRICT, /* as in the first line: dropped when it ends in CR */
	MESSAGE_EOL_NEVER,  /* text: each a blank, as Postfix's cleanup makes a
			     * stray CR (cleanup_replace_stray_cr_lf) */
};

struct message_opts {
	bool dot_ends;	    /* a line holding only "." ends the input (no -i) */
	size_t mem_max;	    /* body bytes kept in memory before spilling (0: 1 MiB) */
	size_t header_max;  /* header_size_limit: header text beyond is dropped */
	size_t size_max;    /* message_size_limit; 0 = unlimited (ERROR_DATA past it) */
	size_t line_max;    /* smtp_line_length_limit: longer lines are folded
			     * or re-encoded (0: 998; MESSAGE_LINE_UNLIMITED:
			     * kept as they are) */
	const char *tmpdir; /* for the spill file; NULL: $TMPDIR, else /tmp */
	enum message_eol fix_eol;
};

#define MESSAGE_LINE_UNLIMITED SIZE_MAX

/* Read the whole message from fd. ERROR_IO on read errors, ERROR_DATA
 * when it is unusable (e.g. too big). A stop signal while waiting for
 * input (base/stop.h) ends the read: then the part read so far comes
 * back, marked incomplete (message_incomplete), with err set to the stop
 * (ERROR_TEMP); NULL with that error when not a byte had come. A stop
 * after the lone dot is no stop here: the message is whole. */
struct message *message_read(int fd, const struct message_opts *o, struct error *err);
/* The same from memory (tests, -bs). */
struct message *message_from_mem(const char *p, size_t len, const struct message_opts *o,
				 struct error *err);
void message_free(struct message *m);

/* Header fields, in order. name is without the colon; value is the raw
 * text after the colon, folding kept, without the final CRLF. */
size_t message_header_count(const struct message *m);
const char *message_header_name(const struct message *m, size_t i);
const char *message_header_value(const struct message *m, size_t i);
/* First field with that name (case-insensitive), or NULL. */
const char *message_header_find(const struct message *m, const char *name);
/* Remove every field with that name; returns how many went. */
size_t message_header_remove(struct message *m, const char *name);
/* Append (or with prepend, insert at the top) "Name: value". */
int message_header_add(struct message *m, const char *name, const char *value, bool prepend);
/* Replace the value of field i: it becomes "Name: value" (the name as it
 * was), in the same place; every other field stays byte for byte. -1
 * (errno EINVAL or ENOMEM) leaves the field as it was. */
int message_header_set(struct message *m, size_t i, const char *value);

/* true when field i was put in by a header_checks PREPEND: it goes out
 * as it is (see header_fix.h). */
bool message_header_verbatim(const struct message *m, size_t i);

/* Recipients for -t (reference/postfix.md §1.4): To, Cc, Bcc, or only the
 * Resent-To/Cc/Bcc ones when any Resent- header exists. Appended to out. */
int message_header_recipients(const struct message *m, struct addrlist *out, struct error *err);
/* true when the header or body holds bytes >= 0x80. */
bool message_is_8bit(const struct message *m);
/* true when some header holds bytes >= 0x80 (SMTPUTF8 may be needed). */
bool message_header_is_utf8(const struct message *m);
/* Size in octets of the CRLF form (header + blank line + body). */
size_t message_size(const struct message *m);
/* When the message began to arrive, as the caller's clock tells it (the
 * mail log's delays count from there); 0 until set. */
void message_set_arrival(struct message *m, int64_t ms);
int64_t message_arrival(const struct message *m);
/* true when message_read was stopped before the end of the input: the
 * message is only its first part, never to be sent as it is. */
bool message_incomplete(const struct message *m);

/* Reading the final form back: header fields as they are now, the blank
 * line, then the body. */
struct message_cursor {
	size_t header_index;
	size_t phase; /* internal */
	off_t offset;
	char chunk[65536];
};
void message_rewind(const struct message *m, struct message_cursor *c);
/* Next piece of the message in *p (valid until the next call): >0 bytes,
 * 0 at the end, -1 with ERROR_IO. */
ssize_t message_next(const struct message *m, struct message_cursor *c, const char **p,
		     struct error *err);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Header fields of a message, kept in order as raw text: "Name:value" with
 * folding as CRLF-joined lines, so a field goes back on the wire exactly as
 * it came in. Internal to the mail layer; message.h is the public face. */
#ifndef RELAYMAIL_MAIL_HEADER_H
#define RELAYMAIL_MAIL_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "mail/address.h"

#define HEADER_NAME_MAX 997 /* a name and its colon fit a 998-byte line */

struct header_field {
	char *raw;	  /* "Name:value", no final CRLF, NUL-terminated */
	size_t len;	  /* strlen(raw) */
	char *name;	  /* the field name alone */
	size_t value_off; /* raw + value_off is the text after the colon */
	bool verbatim;	  /* put in by a header_checks PREPEND: Postfix's cleanup
			   * writes such a field out as it is, never rewritten,
			   * dropped or counted as present */
};

struct header {
	struct header_field *v;
	size_t n, cap;
};

enum header_line {
	HEADER_LINE_MORE,     /* cannot tell yet: give more of the line */
	HEADER_LINE_FIELD,    /* "name:" (obsolete "name WSP :" too) */
	HEADER_LINE_NOT_FIELD /* not a header field line */
};

/* Classify the start of a line (len bytes so far; at_eol when that is the
 * whole line). A line starting with WSP is HEADER_LINE_NOT_FIELD here; the
 * caller treats it as a continuation when a field is open. */
enum header_line header_classify(const char *p, size_t len, bool at_eol);

void header_fini(struct header *h);
/* Take ownership of raw (len bytes, a line HEADER_LINE_FIELD accepted,
 * folding as CRLF) and append it. -1 (errno ENOMEM) leaves raw to the caller. */
int header_append_raw(struct header *h, char *raw, size_t len);
/* Build "Name: value" and insert it at position at (0..n). -1 with errno
 * EINVAL for a bad name or a value with CR/LF that is not folding. */
int header_insert(struct header *h, size_t at, const char *name, const char *value);
/* Replace the value of field i in place: it becomes "Name: value" with the
 * name spelled as before; the other fields are not touched. -1 with errno
 * EINVAL (i out of range, a value as header_insert refuses) or ENOMEM,
 * the field unchanged. */
int header_set(struct header *h, size_t i, const char *value);
/* Index of the first field named name (ASCII case-insensitive), or -1. */
long header_find(const struct header *h, const char *name);
size_t header_remove(struct header *h, const char *name);
/* Octets of the stored form: each field plus CRLF (no blank line). */
size_t header_size(const struct header *h);
bool header_is_8bit(const struct header *h);
/* -t recipients (reference/postfix.md §1.4 item 5), appended to out. */
int header_recipients(const struct header *h, struct addrlist *out, struct error *err);

#endif

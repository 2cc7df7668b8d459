/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The MIME structure of a body, walked one line at a time (RFC 2045,
 * RFC 2046 §5.1): which part a line belongs to, and whether it is part of
 * a part's header, a boundary, the content of a part, or text of a
 * multipart outside its parts (preamble, epilogue). Only what decides
 * how a part may be re-encoded is kept: its kind, its
 * Content-Transfer-Encoding, whether it has a Content-Type, and whether
 * it lies inside signed content; with descend, message/rfc822 content
 * is walked as a message of its own. No I/O; a zeroed walk after
 * mime_walk_init is ready for mime_walk_start. Internal to the mail
 * layer. */
#ifndef RELAYMAIL_MAIL_MIME_H
#define RELAYMAIL_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define MIME_DEPTH_MAX 32     /* nested multiparts followed; deeper is opaque */
#define MIME_BOUNDARY_MAX 200 /* RFC 2046 allows 70; a longer one is refused */
#define MIME_CTE_NAME_MAX 31  /* of an encoding's name kept for messages */

enum mime_kind {
	MIME_DISCRETE,	/* text, application, image...: lines of content */
	MIME_MULTIPART, /* parts between boundaries */
	MIME_MESSAGE,	/* message/rfc822 and other message/ types: never touched */
	MIME_OPAQUE,	/* a multipart without a usable boundary, or too deep */
};

enum mime_enc {
	MIME_ENC_NONE, /* no Content-Transfer-Encoding: 7bit */
	MIME_ENC_7BIT,
	MIME_ENC_8BIT,
	MIME_ENC_BINARY,
	MIME_ENC_QP,
	MIME_ENC_BASE64,
	MIME_ENC_OTHER, /* x-uuencode and such */
};

struct mime_part {
	enum mime_kind kind;
	enum mime_enc enc;
	bool has_type;	 /* a Content-Type field was there */
	bool is_signed;	 /* inside multipart/signed (RFC 1847) */
	bool bad_header; /* the header ended without its blank line */
	bool digest;	 /* multipart/digest: parts default to message/rfc822 */
	bool signs;	 /* multipart/signed: its parts are signed content */
	bool nests;	 /* message/rfc822 or message/global: a message follows
			  * its header (the default in a multipart/digest) */
	size_t boundary_len;
	char boundary[MIME_BOUNDARY_MAX + 1];
	char cte[MIME_CTE_NAME_MAX + 1]; /* the encoding as named, lower case, cut */
};

enum mime_role {
	MIME_HEADER,	 /* a line of the header of the current part */
	MIME_HEADER_END, /* the blank line after it: mime_walk.cur is complete */
	MIME_DELIMITER,	 /* a boundary line, "--b" or "--b--" */
	MIME_BODY,	 /* content of the current part (not a multipart) */
	MIME_OTHER,	 /* preamble or epilogue of a multipart */
};

struct mime_level {
	size_t len;
	char boundary[MIME_BOUNDARY_MAX + 1];
	bool digest, is_signed;
};

struct mime_walk {
	size_t part;	      /* the current part: 0 is the message itself */
	struct mime_part cur; /* what its header said (so far) */
	bool descend;	      /* set before mime_walk_start: a message/rfc822 part
			       * is walked into, its header is a nested one
			       * (RFC 2046 §5.2.1), as Postfix's MIME parser does */
	bool nested;	      /* the header being read is such a nested header */
	bool cte_line;	      /* this header line belongs to Content-Transfer-Encoding */
	bool in_header;
	bool in_parts; /* BODY, not OTHER, until the next boundary */
	enum { FIELD_NONE, FIELD_TYPE, FIELD_CTE } field;
	struct buf value; /* the Content-Type or -Transfer-Encoding being read */
	size_t depth;
	struct mime_level level[MIME_DEPTH_MAX];
};

void mime_walk_init(struct mime_walk *w);
void mime_walk_fini(struct mime_walk *w);
/* Part 0, from the message's own header: the values of its Content-Type
 * and Content-Transfer-Encoding fields, NULL when absent. */
void mime_walk_start(struct mime_walk *w, const char *type, const char *cte);
/* The next line of the body, without its CRLF: n octets at p, the whole
 * line when whole, else only its start (a longer line is never a
 * boundary, and a field is read from its start). Returns its role; the
 * part it belongs to is w->part, described by w->cur. */
enum mime_role mime_walk_line(struct mime_walk *w, const char *p, size_t n, bool whole);

/* Parse a Content-Type value into p (kind, boundary, digest, has_type);
 * exposed for the tests. */
void mime_parse_type(struct mime_part *p, const char *v, size_t n);
/* The encoding named by a Content-Transfer-Encoding value; its name,
 * lower case and cut to MIME_CTE_NAME_MAX octets, into name when not
 * NULL. */
enum mime_enc mime_parse_cte(const char *v, size_t n, char name[MIME_CTE_NAME_MAX + 1]);

#endif

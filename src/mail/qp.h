/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A streaming quoted-printable encoder (RFC 2045 §6.7) for text whose
 * lines end in CRLF: each line end stays a hard line break, an encoded
 * line is at most 76 octets, soft breaks ("=" CRLF) go where needed. No
 * I/O: the encoded text is appended to a buffer. Internal to the mail
 * layer. */
#ifndef RELAYMAIL_MAIL_QP_H
#define RELAYMAIL_MAIL_QP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define QP_LINE_MAX 76 /* RFC 2045 §6.7 rule 5 */

/* A zeroed struct is an encoder at the start of a line. */
struct qp {
	size_t col;	    /* octets on the current encoded line */
	unsigned char held; /* the last octet, not yet written */
	bool holding;	    /* held is valid */
};

/* The next n octets of a line (never CR or LF: the line end comes through
 * qp_eol). -1 when out may not grow (ENOMEM). */
int qp_data(struct qp *q, const char *p, size_t n, struct buf *out);
/* The end of the line: CRLF, the encoder back at the start of a line. */
int qp_eol(struct qp *q, struct buf *out);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The message as a milter sees it and edits it (Postfix's cleanup_milter
 * semantics): header fields split into name and value with folding as
 * LF, the body in its stored CRLF form; header fields added, inserted,
 * changed or deleted by position, and the body replaced by a new spool.
 * The driver is deliver/milter.h; this is the mail layer's side of it. */
#ifndef RELAYMAIL_MAIL_MILTER_EDIT_H
#define RELAYMAIL_MAIL_MILTER_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/error.h"
#include "mail/message.h"

/* Field i as a HEADER packet carries it: name, NUL, value, NUL, appended
 * to out; the value with its folding as LF, and without the one space
 * after the colon unless leadspc (SMFIP_HDR_LEADSPC). -1 when out of
 * memory. */
int milter_edit_header_out(const struct message *m, size_t i, bool leadspc, struct buf *out);

/* The stored body from offset off, at most cap octets at *p (into dst
 * when it is on disk): >0, 0 at the end, -1 with ERROR_IO. */
ssize_t milter_edit_body_read(const struct message *m, off_t off, char *dst, size_t cap,
			      const char **p, struct error *err);

/* SMFIR_ADDHEADER: "name:" space value at the end of the header.
 * SMFIR_INSHEADER: the same before field at (0-based), at the end when
 * there are fewer fields. SMFIR_CHGHEADER: the index'th field (1-based, 0
 * as 1) named name, any case, gets this value, or goes when value is "";
 * when there is no such field, a value is added at the end. -1 with
 * ERROR_PROTOCOL for a name that is no field name or a value that would
 * start a new line (a newline not followed by a blank), ERROR_INTERNAL
 * when out of memory; the header is then unchanged. */
int milter_edit_add(struct message *m, const char *name, const char *space, const char *value,
		    struct error *err);
int milter_edit_insert(struct message *m, size_t at, const char *name, const char *space,
		       const char *value, struct error *err);
int milter_edit_change(struct message *m, uint32_t index, const char *name, const char *space,
		       const char *value, struct error *err);
/* Field at (0-based, < the number of fields) made "name:" space value;
 * errors as milter_edit_change's. */
int milter_edit_set(struct message *m, size_t at, const char *name, const char *space,
		    const char *value, struct error *err);
/* The position of the field SMFIR_CHGHEADER index and name would change,
 * or -1 when there is none. */
long milter_edit_find(const struct message *m, uint32_t index, const char *name);

/* SMFIR_REPLBODY: a new body, fed in pieces, bare LF made CRLF; it
 * replaces the message's body only at milter_edit_body_finish. max: the
 * largest body (message_size_limit; 0: none), past it ERROR_DATA. */
struct milter_body;
struct milter_body *milter_edit_body_new(const struct message *m, size_t max, struct error *err);
int milter_edit_body_add(struct milter_body *b, const char *p, size_t n, struct error *err);
/* Put the new body in m (a last line without its CRLF gets one) and free
 * b; on failure m keeps its body. */
int milter_edit_body_finish(struct milter_body *b, struct message *m, struct error *err);
void milter_edit_body_free(struct milter_body *b); /* NULL is harmless */

#endif

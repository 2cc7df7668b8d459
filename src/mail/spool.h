/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The body store of a message: bytes appended in memory up to a bound, then
 * moved to an unlinked temporary file written in large blocks, so memory
 * stays flat for any size. Internal to the mail layer. */
#ifndef RELAYMAIL_MAIL_SPOOL_H
#define RELAYMAIL_MAIL_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/error.h"

struct spool {
	struct buf mem;	    /* the body, or once spilled the write buffer */
	int fd;		    /* -1 while the body is in memory */
	size_t size;	    /* body octets appended so far */
	size_t mem_max;	    /* spill when the body would grow past this */
	const char *tmpdir; /* borrowed; used only while appending */
	bool is_8bit;
};

void spool_init(struct spool *s, size_t mem_max, const char *tmpdir);
/* Release memory and close the file; harmless on a zeroed or fini'd spool. */
void spool_fini(struct spool *s);
/* Append n bytes. ERROR_IO when the temporary file cannot be made or
 * written, ERROR_INTERNAL when out of memory. */
int spool_append(struct spool *s, const void *p, size_t n, struct error *err);
/* Write out what is buffered; call once after the last append. */
int spool_finish(struct spool *s, struct error *err);
/* The body from offset off: >0 bytes at *p (pointing into the spool, or
 * into dst, of cap bytes, for a file), 0 at the end, -1 with ERROR_IO. */
ssize_t spool_read(const struct spool *s, off_t off, char *dst, size_t cap, const char **p,
		   struct error *err);
/* true when the body is in a file rather than in memory. */
bool spool_on_disk(const struct spool *s);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Byte buffers with a hard maximum size. A zeroed struct buf is a valid
 * empty buffer without a limit; buf_init sets one. data is always
 * NUL-terminated when non-NULL (the NUL is not counted in len). */
#ifndef RELAYMAIL_BASE_BUF_H
#define RELAYMAIL_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;  /* 0 = no limit */
	bool secret; /* growing or freeing overwrites the old bytes first, so
		      * no copy of a secret is left in freed memory */
};

void buf_init(struct buf *b, size_t max);
/* Release the memory (overwritten first when secret); the buffer is
 * empty and keeps its maximum. */
void buf_fini(struct buf *b);
/* Like buf_fini, but overwrite the contents first (secrets). */
void buf_wipe(struct buf *b);
/* Make room for n more bytes. -1 with errno ENOMEM or EMSGSIZE (past max). */
int buf_reserve(struct buf *b, size_t n);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop n bytes from the front. */
void buf_consume(struct buf *b, size_t n);
void buf_reset(struct buf *b);
/* Hand over the contents as a malloc'd NUL-terminated string (never NULL
 * for an empty buffer unless out of memory); the buffer becomes empty. */
char *buf_steal(struct buf *b);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The socket under a TLS session: what GnuTLS reads comes from a buffer
 * filled by one recv of up to 16 KB (GnuTLS asks for a record's 5-byte
 * header, then its body: two system calls a record otherwise), and what
 * it writes is held until it must go: before the next read from the
 * socket, or at a flush. A handshake's ChangeCipherSpec and Finished and
 * the EHLO after them then leave in one segment instead of three. Never
 * blocks: every call uses MSG_DONTWAIT, and a full buffer is EAGAIN. */
#ifndef RELAYMAIL_NET_TLS_IO_H
#define RELAYMAIL_NET_TLS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "base/deadline.h"

struct tls_io {
	int fd;
	unsigned char *in; /* read ahead: in[in_at, in_end) not yet taken */
	size_t in_at, in_end;
	unsigned char *out; /* held: out[out_at, out_end) not yet sent */
	size_t out_at, out_end;
};

/* 0, or -1 (errno ENOMEM) when the buffers cannot be had. */
int tls_io_init(struct tls_io *io, int fd);
void tls_io_fini(struct tls_io *io);

/* As recv with MSG_DONTWAIT, from the read-ahead first; whatever is held
 * goes out before the socket is read. */
ssize_t tls_io_pull(struct tls_io *io, void *p, size_t n);
/* As sendmsg with MSG_DONTWAIT: the bytes are held (all of them, or -1
 * with EAGAIN when the buffer is full and the socket takes nothing). */
ssize_t tls_io_push(struct tls_io *io, const struct iovec *iov, int iovcnt);
/* Send what is held: 0 all sent, 1 some remains (the socket is full), -1
 * a send failed (errno). */
int tls_io_flush(struct tls_io *io);
/* Bytes read ahead and not yet taken: a pull returns them without
 * waiting. */
size_t tls_io_buffered(const struct tls_io *io);
/* Bytes held and not yet sent. */
size_t tls_io_held(const struct tls_io *io);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The buffered socket under a TLS session (tls_io.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/tls_io.h"

/* One read takes a full TLS record (16 KB of data, and its header and
 * tag); what is held may grow to two records before it must be sent. */
#define TLS_IO_IN_SIZE (16384 + 512)
#define TLS_IO_OUT_SIZE (2 * (16384 + 512))

int tls_io_init(struct tls_io *io, int fd)
{
	memset(io, 0, sizeof(*io));
	io->fd = fd;
	io->in = malloc(TLS_IO_IN_SIZE);
	io->out = malloc(TLS_IO_OUT_SIZE);
	if (io->in == NULL || io->out == NULL) {
		tls_io_fini(io);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void tls_io_fini(struct tls_io *io)
{
	free(io->in);
	free(io->out);
	io->in = io->out = NULL;
	io->in_at = io->in_end = io->out_at = io->out_end = 0;
}

size_t tls_io_buffered(const struct tls_io *io)
{
	return io->in_end - io->in_at;
}

size_t tls_io_held(const struct tls_io *io)
{
	return io->out_end - io->out_at;
}

int tls_io_flush(struct tls_io *io)
{
	while (io->out_at < io->out_end) {
		ssize_t r = send(io->fd, io->out + io->out_at, io->out_end - io->out_at,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r > 0) {
			io->out_at += (size_t)r;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 1;
		} else if (r == 0 || errno != EINTR) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
	}
	io->out_at = io->out_end = 0;
	return 0;
}

static size_t take(struct tls_io *io, void *p, size_t n)
{
	size_t have = io->in_end - io->in_at;

	if (n > have)
		n = have;
	memcpy(p, io->in + io->in_at, n);
	io->in_at += n;
	return n;
}

ssize_t tls_io_pull(struct tls_io *io, void *p, size_t n)
{
	ssize_t r;

	if (n == 0)
		return 0;
	if (io->in_at < io->in_end)
		return (ssize_t)take(io, p, n);
	/* The peer may be waiting for what is held before it answers. A full
	 * socket is no reason not to read: poll waits for both. */
	if (tls_io_flush(io) < 0)
		return -1;
	if (n >= TLS_IO_IN_SIZE)
		return recv(io->fd, p, n, MSG_DONTWAIT);
	r = recv(io->fd, io->in, TLS_IO_IN_SIZE, MSG_DONTWAIT);
	if (r <= 0)
		return r;
	io->in_at = 0;
	io->in_end = (size_t)r;
	return (ssize_t)take(io, p, n);
}

ssize_t tls_io_push(struct tls_io *io, const struct iovec *iov, int iovcnt)
{
	size_t total = 0;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total > TLS_IO_OUT_SIZE - io->out_end) {
		if (tls_io_flush(io) < 0)
			return -1;
		/* What is still held moves to the front. */
		if (io->out_at > 0) {
			memmove(io->out, io->out + io->out_at, tls_io_held(io));
			io->out_end -= io->out_at;
			io->out_at = 0;
		}
		if (total > TLS_IO_OUT_SIZE - tls_io_held(io)) {
			struct msghdr mh = { .msg_iov = (struct iovec *)iov,
					     .msg_iovlen = (size_t)iovcnt };

			/* Larger than the buffer: straight out, after what
			 * was held before it. */
			if (tls_io_held(io) == 0)
				return sendmsg(io->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
			errno = EAGAIN;
			return -1;
		}
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		memcpy(io->out + io->out_end, iov[i].iov_base, iov[i].iov_len);
		io->out_end += iov[i].iov_len;
	}
	return (ssize_t)total;
}

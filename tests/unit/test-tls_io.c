/* SPDX-License-Identifier: GPL-3.0-or-later */
/* net/tls_io, the socket under a TLS session, on a Unix socket pair:
 * reads are served from what one recv brought, writes are held until a
 * read or a flush, a full socket is EAGAIN and never a block, and no byte
 * is lost or reordered on the way. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/tls_io.h"
#include "tap.h"

static void pair(int sv[2], int sndbuf)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		exit(99);
	}
	if (sndbuf > 0) {
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	}
}

/* What the peer has, without waiting; -1 when nothing. */
static ssize_t peer_take(int fd, char *p, size_t n)
{
	return recv(fd, p, n, MSG_DONTWAIT);
}

static ssize_t push_str(struct tls_io *io, const char *a, const char *b)
{
	struct iovec iov[2] = { { (void *)a, strlen(a) },
				{ (void *)b, b != NULL ? strlen(b) : 0 } };

	return tls_io_push(io, iov, b != NULL ? 2 : 1);
}

static void test_reads(void)
{
	struct tls_io io;
	char buf[64] = "";
	int sv[2];

	pair(sv, 0);
	if (tls_io_init(&io, sv[0]) < 0)
		exit(99);
	errno = 0;
	ok(tls_io_pull(&io, buf, 5) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
	   "nothing sent: EAGAIN, no wait");
	if (write(sv[1], "header-and-the-body", 19) != 19)
		exit(99);
	is_int(tls_io_pull(&io, buf, 6), 6, "a record's header first");
	is_mem(buf, 6, "header", 6, "... its bytes");
	is_int((long long)tls_io_buffered(&io), 13, "the rest was read with it, and waits");
	close(sv[1]);
	is_int(tls_io_pull(&io, buf, sizeof(buf)), 13, "then the body, from the buffer");
	is_mem(buf, 13, "-and-the-body", 13, "... in order");
	is_int(tls_io_pull(&io, buf, sizeof(buf)), 0, "the peer's close: end of file");
	tls_io_fini(&io);
	close(sv[0]);
}

static void test_held_writes(void)
{
	struct tls_io io;
	char buf[64] = "";
	int sv[2];

	pair(sv, 0);
	if (tls_io_init(&io, sv[0]) < 0)
		exit(99);
	is_int(push_str(&io, "Finished", NULL), 8, "a write is taken whole");
	is_int(push_str(&io, "EHLO ", "client"), 11, "... two pieces too");
	is_int((long long)tls_io_held(&io), 19, "both held");
	ok(peer_take(sv[1], buf, sizeof(buf)) < 0, "the peer has nothing yet");
	errno = 0;
	ok(tls_io_pull(&io, buf, 5) == -1 && errno == EAGAIN,
	   "a read from the socket sends what is held first (then EAGAIN)");
	memset(buf, 0, sizeof(buf));
	is_int(peer_take(sv[1], buf, sizeof(buf)), 19, "the peer has it all, in one read");
	is_str(buf, "FinishedEHLO client", "... in order");
	is_int(push_str(&io, "QUIT", NULL), 4, "held again");
	is_int(tls_io_flush(&io), 0, "a flush sends it");
	is_int(peer_take(sv[1], buf, sizeof(buf)), 4, "... the peer has it");
	is_int(tls_io_flush(&io), 0, "nothing held: a flush does nothing");
	close(sv[1]);
	push_str(&io, "lost", NULL);
	is_int(tls_io_flush(&io), -1, "a peer that is gone: the flush fails");
	ok(errno == EPIPE || errno == ECONNRESET, "... with the reason, no SIGPIPE (%s)",
	   strerror(errno));
	tls_io_fini(&io);
	close(sv[0]);
}

/* A peer that does not read: pushes are taken until the buffer and the
 * socket are full, then EAGAIN; once it reads, every byte arrives once,
 * in order. */
static void test_full_socket(void)
{
	static char record[16384 + 100], got[1 << 16];
	size_t pushed = 0, received = 0, bad = 0;
	struct tls_io io;
	int sv[2], again = 0, flushed = 1;
	ssize_t r;

	for (size_t i = 0; i < sizeof(record); i++)
		record[i] = (char)('a' + i % 26);
	pair(sv, 4096);
	if (tls_io_init(&io, sv[0]) < 0)
		exit(99);
	for (int i = 0; i < 200 && !again; i++) {
		struct iovec iov = { record, sizeof(record) };

		r = tls_io_push(&io, &iov, 1);
		if (r < 0 && errno == EAGAIN)
			again = 1;
		else if (r == (ssize_t)sizeof(record))
			pushed += (size_t)r;
		else
			break;
	}
	ok(again, "a peer that does not read: EAGAIN after %zu bytes, no block", pushed);
	ok(tls_io_held(&io) <= 2 * (16384 + 512), "at most two records held (%zu)",
	   tls_io_held(&io));
	is_int(tls_io_flush(&io), 1, "a flush leaves the rest held");
	for (int spins = 0; spins < 100000 && (flushed != 0 || received < pushed); spins++) {
		r = peer_take(sv[1], got, sizeof(got));
		for (ssize_t k = 0; k < r; k++)
			bad += got[k] != (char)('a' + (received + (size_t)k) % sizeof(record) % 26);
		received += r > 0 ? (size_t)r : 0;
		flushed = tls_io_flush(&io);
		if (flushed < 0)
			break;
	}
	is_int((long long)received, (long long)pushed, "once the peer reads, every byte arrives");
	is_int((long long)bad, 0, "... once and in order");
	tls_io_fini(&io);
	close(sv[0]);
	close(sv[1]);
}

/* More than the buffer holds, with nothing held: straight to the
 * socket, as much as it takes. */
static void test_large_write(void)
{
	static char big[200000];
	struct tls_io io;
	struct iovec iov = { big, sizeof(big) };
	int sv[2];
	ssize_t r;

	memset(big, 'x', sizeof(big));
	pair(sv, 0);
	if (tls_io_init(&io, sv[0]) < 0)
		exit(99);
	r = tls_io_push(&io, &iov, 1);
	ok(r > 0 && r <= (ssize_t)sizeof(big) && tls_io_held(&io) == 0,
	   "a write larger than the buffer goes out directly (%zd bytes taken, none held)", r);
	tls_io_fini(&io);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	test_reads();
	test_held_writes();
	test_full_socket();
	test_large_write();
	return tap_done();
}

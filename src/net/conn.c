/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A byte stream with deadlines: a non-blocking TCP socket (or a pair of
 * descriptors handed to us), read and written through poll() so that no
 * call waits past its deadline, and through the TLS layer once one is
 * attached. Sends never raise SIGPIPE. Every wait ends on a stop
 * (base/stop.h) unless the connection was told to outlive one. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/error.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/stop.h"
#include "net/conn.h"
#include "net/tls.h"

struct conn {
	int rfd;
	int wfd;
	bool rsock, wsock;   /* sockets: recv/send with MSG_DONTWAIT */
	bool rblock, wblock; /* blocking non-sockets: poll before every call */
	bool tcp;	     /* made by conn_connect: a TCP socket */
	int family;	     /* of the peer's address, for conn_connect */
	bool outlive_stop;   /* conn_outlive_stop: waits end at the deadline only */
	struct tls *tls;
	char peer[sizeof(((struct net_addr *)0)->host) + 80];
};

static struct conn *conn_alloc(void)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (c != NULL) {
		c->rfd = -1;
		c->wfd = -1;
	}
	return c;
}

/* 1 when fd is ready, 0 when the deadline passed, -1 when poll failed or
 * (errno EINTR) a stop was asked. */
static int wait_fd(const struct conn *c, int fd, short events, struct deadline dl)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	if (!c->outlive_stop)
		return stop_poll(&pfd, 1, dl);
	for (;;) {
		int r = poll(&pfd, 1, deadline_poll_ms(dl));

		if (r >= 0 || errno != EINTR)
			return r;
	}
}

static int wait_io(const struct conn *c, bool writing, struct deadline dl, struct error *err)
{
	int r = wait_fd(c, writing ? c->wfd : c->rfd, writing ? POLLOUT : POLLIN, dl);

	if (r > 0)
		return 0;
	if (r < 0 && errno == EINTR)
		stop_error(err);
	else if (r < 0)
		error_set_errno(err, ERROR_OS, errno, _("cannot wait for %s"), c->peer);
	else if (writing)
		error_set(err, ERROR_TEMP, _("timed out writing to %s"), c->peer);
	else
		error_set(err, ERROR_TEMP, _("timed out reading from %s"), c->peer);
	return -1;
}

static void format_peer(struct conn *c, const struct net_addr *addr, unsigned port)
{
	snprintf(c->peer, sizeof(c->peer), "%s[%s]:%u", addr->host, addr->text, port);
}

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

/* The bind address for the destination's family, if any. */
static const struct net_addr *bind_for(const struct net_bind *b, int family)
{
	if (b == NULL)
		return NULL;
	if (family == AF_INET && b->has_v4)
		return &b->v4;
	if (family == AF_INET6 && b->has_v6)
		return &b->v6;
	return NULL;
}

/* Postfix's rule: an address that cannot be bound (not local, say) is
 * reported and the connection goes out without it, unless enforced. */
static int bind_local(struct conn *c, const struct net_bind *b, struct error *err)
{
	const struct net_addr *local = bind_for(b, c->family);
	struct sockaddr_storage ss;

	if (local == NULL || local->len > sizeof(ss))
		return 0;
	ss = local->ss;
	set_port(&ss, 0);
	if (bind(c->rfd, (struct sockaddr *)&ss, local->len) == 0)
		return 0;
	if (b->enforce) {
		error_set_errno(err, ERROR_TEMP, errno,
				_("cannot bind to local address %s to connect to %s"), local->text,
				c->peer);
		return -1;
	}
	log_notice(_("cannot bind to local address %s to connect to %s: %s; connecting from "
		     "the default address"),
		   local->text, c->peer, strerror(errno));
	return 0;
}

static int connect_wait(struct conn *c, const struct sockaddr_storage *ss, socklen_t len,
			struct deadline dl, struct error *err)
{
	int soerr = 0;
	socklen_t slen = sizeof(soerr);
	int r;

	if (connect(c->rfd, (const struct sockaddr *)ss, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR) {
		error_set_errno(err, ERROR_TEMP, errno, _("connect to %s"), c->peer);
		return -1;
	}
	r = wait_fd(c, c->rfd, POLLOUT, dl);
	if (r == 0) {
		error_set(err, ERROR_TEMP, _("connect to %s timed out"), c->peer);
		return -1;
	}
	if (r < 0 && errno == EINTR) {
		stop_error(err);
		error_prefix(err, _("connect to %s"), c->peer);
		return -1;
	}
	if (r < 0 || getsockopt(c->rfd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0)
		soerr = errno;
	if (soerr != 0) {
		error_set_errno(err, ERROR_TEMP, soerr, _("connect to %s"), c->peer);
		return -1;
	}
	return 0;
}

struct conn *conn_connect(const struct net_addr *addr, unsigned port, const struct net_bind *bind,
			  struct deadline dl, struct error *err)
{
	struct sockaddr_storage ss;
	struct conn *c;
	int one = 1;

	if (addr->len > sizeof(ss) || port == 0 || port > 65535) {
		error_set(err, ERROR_INTERNAL, _("invalid address to connect to"));
		return NULL;
	}
	if ((c = conn_alloc()) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	format_peer(c, addr, port);
	ss = addr->ss;
	set_port(&ss, port);
	c->rfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->rfd < 0) {
		error_set_errno(err, ERROR_OS, errno, _("cannot create a socket for %s"), c->peer);
		conn_free(c);
		return NULL;
	}
	c->wfd = c->rfd;
	c->rsock = c->wsock = c->tcp = true;
	/* Commands go out in whole groups; Nagle would only add a delayed-ACK
	 * stall between a group and the next one. */
	setsockopt(c->rfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->family = ss.ss_family;
	if (bind_local(c, bind, err) < 0 || connect_wait(c, &ss, addr->len, dl, err) < 0) {
		conn_free(c);
		return NULL;
	}
	return c;
}

struct conn *conn_connect_unix(const char *path, struct deadline dl, struct error *err)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct conn *c;

	if (strlen(path) >= sizeof(sun->sun_path)) {
		error_set(err, ERROR_CONFIG, _("the socket path %s is too long"), path);
		return NULL;
	}
	if ((c = conn_alloc()) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", path);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	c->rfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->rfd < 0) {
		error_set_errno(err, ERROR_OS, errno, _("cannot create a socket for %s"), c->peer);
		conn_free(c);
		return NULL;
	}
	c->wfd = c->rfd;
	c->rsock = c->wsock = true;
	c->family = AF_UNIX;
	if (connect_wait(c, &ss, (socklen_t)sizeof(*sun), dl, err) < 0) {
		conn_free(c);
		return NULL;
	}
	return c;
}

static void describe_fd(int fd, bool *sock, bool *blocking)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	*sock = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	*blocking = !*sock && (fl < 0 || (fl & O_NONBLOCK) == 0);
}

struct conn *conn_from_fds(int rfd, int wfd)
{
	struct conn *c = conn_alloc();

	if (c == NULL)
		return NULL;
	c->rfd = rfd;
	c->wfd = wfd;
	describe_fd(rfd, &c->rsock, &c->rblock);
	describe_fd(wfd, &c->wsock, &c->wblock);
	snprintf(c->peer, sizeof(c->peer), "fd %d/%d", rfd, wfd);
	return c;
}

void conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	tls_free(c->tls);
	if (c->rfd >= 0)
		close(c->rfd);
	if (c->wfd >= 0 && c->wfd != c->rfd)
		close(c->wfd);
	free(c);
}

/* Before every wait for a reply: the ACK for what the relay sends next
 * goes out as soon as we have read it, not up to 40 ms later. A TLS 1.3
 * relay sends its session tickets unasked right after the handshake, and
 * with Nagle on its side (Postfix's smtpd has it) its reply to our EHLO
 * waits for the ACK of the ticket; Linux's delayed ACK then stalls the
 * run. The kernel turns quick ACKs off again on its own once we send, so
 * this is asked before each read, at the cost of one system call. */
static void ack_promptly(const struct conn *c)
{
#ifdef TCP_QUICKACK
	int one = 1;

	if (c->tcp)
		setsockopt(c->rfd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)c;
#endif
}

ssize_t conn_read(struct conn *c, void *p, size_t n, struct deadline dl, struct error *err)
{
	bool must_wait = c->rblock;

	ack_promptly(c);
	if (c->tls != NULL)
		return tls_read(c->tls, p, n, dl, err);
	if (n == 0)
		return 0;
	for (;;) {
		ssize_t r;

		if (must_wait && wait_io(c, false, dl, err) < 0)
			return -1;
		r = c->rsock ? recv(c->rfd, p, n, MSG_DONTWAIT) : read(c->rfd, p, n);
		if (r >= 0)
			return r;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			must_wait = true;
		else if (errno != EINTR)
			break;
	}
	error_set_errno(err, ERROR_TEMP, errno, _("cannot read from %s"), c->peer);
	return -1;
}

int conn_write(struct conn *c, const void *p, size_t n, struct deadline dl, struct error *err)
{
	const char *s = p;
	bool must_wait = c->wblock;

	if (c->tls != NULL)
		return tls_write(c->tls, p, n, dl, err);
	while (n > 0) {
		/* A blocking pipe that polled writable takes PIPE_BUF bytes
		 * without blocking; more might wait past the deadline. */
		size_t chunk = c->wblock && n > PIPE_BUF ? PIPE_BUF : n;
		ssize_t r;

		if (must_wait && wait_io(c, true, dl, err) < 0)
			return -1;
		must_wait = c->wblock;
		r = c->wsock ? send(c->wfd, s, chunk, MSG_NOSIGNAL | MSG_DONTWAIT)
			     : write(c->wfd, s, chunk);
		if (r > 0) {
			s += r;
			n -= (size_t)r;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			must_wait = true;
		} else if (r == 0 || errno != EINTR) {
			error_set_errno(err, ERROR_TEMP, r == 0 ? EIO : errno,
					_("cannot write to %s"), c->peer);
			return -1;
		}
	}
	return 0;
}

void conn_outlive_stop(struct conn *c)
{
	c->outlive_stop = true;
}

bool conn_stoppable(const struct conn *c)
{
	return !c->outlive_stop;
}

bool conn_peer_closed(const struct conn *c)
{
	struct pollfd p = { .fd = c->rfd, .events = POLLIN | POLLRDHUP };

	if (!c->rsock || poll(&p, 1, 0) != 1)
		return false;
	return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

size_t conn_pending(const struct conn *c)
{
	return c->tls != NULL ? tls_pending(c->tls) : 0;
}

int conn_fd(const struct conn *c)
{
	return c->rfd;
}

const char *conn_peer(const struct conn *c)
{
	return c->peer;
}

void conn_set_tls(struct conn *c, struct tls *t)
{
	c->tls = t;
}

struct tls *conn_tls(const struct conn *c)
{
	return c->tls;
}

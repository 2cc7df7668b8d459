/* SPDX-License-Identifier: GPL-3.0-or-later */
/* net/conn and net_resolve against loopback only: literals and localhost
 * resolve, connects succeed or are refused, reads and writes keep their
 * deadlines, a closed peer is an error and never a SIGPIPE. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/deadline.h"
#include "base/error.h"
#include "net/conn.h"
#include "capture.h"
#include "tap.h"

/* A listening socket on 127.0.0.1 and a free port chosen by the kernel. */
static int listen_any(unsigned *port, int backlog)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, backlog) < 0 || getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		perror("listen_any");
		exit(99);
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct net_addr loopback(void)
{
	struct net_addr a;
	struct error err = { 0 };

	if (net_resolve("127.0.0.1", 0, NET_ANY, NET_ANY, &a, 1, &err) != 1) {
		fprintf(stderr, "resolve 127.0.0.1: %s\n", err.text);
		exit(99);
	}
	return a;
}

static void test_resolve_literals(void)
{
	struct net_addr a[4];
	struct error err = { 0 };

	is_int(net_resolve("127.0.0.1", 25, NET_ANY, NET_ANY, a, 4, &err), 1, "IPv4 literal");
	is_str(a[0].text, "127.0.0.1", "IPv4 literal text");
	is_str(a[0].host, "127.0.0.1", "host name kept");
	ok(a[0].ss.ss_family == AF_INET && ntohs(((struct sockaddr_in *)&a[0].ss)->sin_port) == 25,
	   "IPv4 literal family and port");
	is_int(net_resolve("::1", 587, NET_ANY, NET_ANY, a, 4, &err), 1, "IPv6 literal");
	is_str(a[0].text, "::1", "IPv6 literal text without brackets");
	ok(a[0].ss.ss_family == AF_INET6 &&
	       ntohs(((struct sockaddr_in6 *)&a[0].ss)->sin6_port) == 587,
	   "IPv6 literal family and port");
	error_clear(&err);
	is_int(net_resolve("::1", 25, NET_IPV4, NET_ANY, a, 4, &err), -1,
	       "IPv6 literal refused when only IPv4 is allowed");
	is_str(error_class_name(err.cls), error_class_name(ERROR_NOHOST), "... as no such host");
	ok(strstr(err.text, "::1") != NULL, "... naming the host: %s", err.text);
	error_clear(&err);
	is_int(net_resolve("", 25, NET_ANY, NET_ANY, a, 4, &err), -1, "empty host refused");
}

static void test_resolve_localhost(void)
{
	struct net_addr a[8];
	struct error err = { 0 };
	int n = net_resolve("localhost", 25, NET_ANY, NET_IPV6, a, 8, &err);
	bool v4 = false, seen_v4_before_v6 = false;

	ok(n >= 1, "localhost resolves (%s)", n < 0 ? err.text : "ok");
	for (int i = 0; i < n; i++) {
		if (a[i].ss.ss_family == AF_INET)
			v4 = true;
		else if (v4)
			seen_v4_before_v6 = true;
	}
	ok(!seen_v4_before_v6, "prefer IPv6 puts IPv6 addresses first");
	n = net_resolve("localhost", 25, NET_IPV4, NET_ANY, a, 8, &err);
	ok(n >= 1, "localhost has an IPv4 address");
	for (int i = 0; i < n; i++)
		if (a[i].ss.ss_family != AF_INET)
			n = -2;
	ok(n >= 1, "IPv4 filter gives only IPv4 addresses");
	is_int(net_resolve("localhost", 25, NET_ANY, NET_ANY, a, 1, &err), 1, "max is honoured");
}

/* A lookup of a reserved .invalid name may hang when the resolver has no
 * network, so it runs in a child and counts as skipped if slow. */
static void test_resolve_nohost(void)
{
	int fds[2];
	pid_t pid;
	struct pollfd pfd;
	int cls = -1;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		exit(99);
	if (pid == 0) {
		struct net_addr a;
		struct error err = { 0 };

		close(fds[0]);
		cls = net_resolve("nohost.relaymail.invalid", 25, NET_ANY, NET_ANY, &a, 1, &err) < 0
			  ? (int)err.cls
			  : 0;
		if (write(fds[1], &cls, sizeof(cls)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	if (poll(&pfd, 1, 3000) == 1 && read(fds[0], &cls, sizeof(cls)) == sizeof(cls) &&
	    cls != ERROR_TEMP)
		is_str(error_class_name(cls), error_class_name(ERROR_NOHOST),
		       "a name under .invalid is no such host");
	else
		ok(true, "# SKIP the resolver cannot answer for .invalid here");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fds[0]);
}

static void test_connect(void)
{
	unsigned port;
	int lfd = listen_any(&port, 4), sfd, v = 0;
	struct net_addr a = loopback();
	struct error err = { 0 };
	struct net_bind bind = { .v4 = a, .has_v4 = true };
	struct conn *c = conn_connect(&a, port, &bind, deadline_in(2000), &err);
	socklen_t len = sizeof(v);
	char buf[64];

	ok(c != NULL, "connect to a listening port (%s)", c == NULL ? err.text : "ok");
	if (c == NULL)
		exit(1);
	ok(fcntl(conn_fd(c), F_GETFD) & FD_CLOEXEC, "socket is close-on-exec");
	ok(fcntl(conn_fd(c), F_GETFL) & O_NONBLOCK, "socket is non-blocking");
	getsockopt(conn_fd(c), IPPROTO_TCP, TCP_NODELAY, &v, &len);
	ok(v != 0, "TCP_NODELAY is set");
	snprintf(buf, sizeof(buf), "127.0.0.1[127.0.0.1]:%u", port);
	is_str(conn_peer(c), buf, "peer is named host[addr]:port");
	sfd = accept(lfd, NULL, NULL);
	ok(conn_write(c, "EHLO x\r\n", 8, deadline_in(2000), &err) == 0, "write");
	ok(read(sfd, buf, sizeof(buf)) == 8 && memcmp(buf, "EHLO x\r\n", 8) == 0,
	   "server got the bytes");
	ok(write(sfd, "250 ok\r\n", 8) == 8, "server answers");
	is_int(conn_read(c, buf, sizeof(buf), deadline_in(2000), &err), 8, "read the answer");
	is_mem(buf, 8, "250 ok\r\n", 8, "answer intact");
	is_int((long long)conn_pending(c), 0, "nothing pending without TLS");
	close(sfd);
	is_int(conn_read(c, buf, sizeof(buf), deadline_in(2000), &err), 0, "end of file");
	conn_free(c);
	close(lfd);
	conn_free(NULL);
	ok(true, "conn_free(NULL) is harmless");
}

static void test_refused(void)
{
	unsigned port;
	int lfd = listen_any(&port, 1);
	struct net_addr a = loopback();
	struct error err = { 0 };
	struct conn *c;
	char want[32];

	close(lfd);
	c = conn_connect(&a, port, NULL, deadline_in(2000), &err);
	ok(c == NULL, "connect to a closed port fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... temporarily");
	snprintf(want, sizeof(want), "[127.0.0.1]:%u", port);
	ok(strstr(err.text, "connect to ") != NULL && strstr(err.text, want) != NULL &&
	       strstr(err.text, strerror(ECONNREFUSED)) != NULL,
	   "... naming address, port and reason: %s", err.text);
	conn_free(c);
}

static void test_read_timeout(void)
{
	unsigned port;
	int lfd = listen_any(&port, 4);
	struct net_addr a = loopback();
	struct error err = { 0 };
	struct conn *c = conn_connect(&a, port, NULL, deadline_in(2000), &err);
	int64_t start = deadline_now_ms(), took;
	char buf[16];

	ok(conn_read(c, buf, sizeof(buf), deadline_in(200), &err) == -1,
	   "read from a silent server fails");
	took = deadline_now_ms() - start;
	ok(took >= 150 && took < 2000, "... after its 200 ms deadline (%lld ms)", (long long)took);
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... temporarily");
	ok(strstr(err.text, "timed out") != NULL, "... saying so: %s", err.text);
	conn_free(c);
	close(lfd);
}

/* Writing into a peer that reads nothing fills the socket buffers; the
 * deadline ends the wait. */
static void test_write_timeout(void)
{
	unsigned port;
	int lfd = listen_any(&port, 4);
	struct net_addr a = loopback();
	struct error err = { 0 };
	struct conn *c = conn_connect(&a, port, NULL, deadline_in(2000), &err);
	size_t big = 64u << 20;
	char *data = calloc(1, big);
	int64_t start = deadline_now_ms(), took;

	ok(conn_write(c, data, big, deadline_in(300), &err) == -1,
	   "write to a server that does not read fails");
	took = deadline_now_ms() - start;
	ok(took >= 250 && took < 3000, "... after its deadline (%lld ms)", (long long)took);
	ok(strstr(err.text, "timed out") != NULL, "... saying so: %s", err.text);
	free(data);
	conn_free(c);
	close(lfd);
}

/* A child reads everything and sends back the count: a write much larger
 * than the socket buffers completes whole. */
static void test_big_write(void)
{
	unsigned port;
	int lfd = listen_any(&port, 4);
	struct net_addr a = loopback();
	struct error err = { 0 };
	size_t big = 8u << 20, got = 0;
	char *data = malloc(big);
	struct conn *c;
	pid_t pid = fork();

	if (pid == 0) {
		int sfd = accept(lfd, NULL, NULL);
		char buf[65536];
		ssize_t r;

		while ((r = read(sfd, buf, sizeof(buf))) > 0)
			got += (size_t)r;
		if (write(sfd, &got, sizeof(got)) < 0)
			_exit(1);
		_exit(0);
	}
	c = conn_connect(&a, port, NULL, deadline_in(2000), &err);
	memset(data, 'x', big);
	ok(conn_write(c, data, big, deadline_in(10000), &err) == 0, "8 MB write completes");
	shutdown(conn_fd(c), SHUT_WR);
	ok(conn_read(c, &got, sizeof(got), deadline_in(10000), &err) == sizeof(got) && got == big,
	   "... and the peer got every byte");
	waitpid(pid, NULL, 0);
	free(data);
	conn_free(c);
	close(lfd);
}

static void test_peer_closed(void)
{
	unsigned port;
	int lfd = listen_any(&port, 4), sfd, r = 0;
	struct net_addr a = loopback();
	struct error err = { 0 };
	struct conn *c = conn_connect(&a, port, NULL, deadline_in(2000), &err);
	char buf[4096] = { 0 };

	sfd = accept(lfd, NULL, NULL);
	ok(!conn_peer_closed(c), "conn_peer_closed: not while the peer is there");
	if (write(sfd, "354 go\r\n", 8) != 8)
		exit(99);
	ok(!conn_peer_closed(c), "conn_peer_closed: not for data waiting");
	close(sfd);
	for (int i = 0; i < 200 && !conn_peer_closed(c); i++)
		usleep(5000);
	ok(conn_peer_closed(c), "conn_peer_closed: once the peer closed, before any write");
	/* The first write draws a reset; a later one would raise SIGPIPE
	 * without MSG_NOSIGNAL and kill this test. */
	for (int i = 0; i < 50 && r == 0; i++) {
		r = conn_write(c, buf, sizeof(buf), deadline_in(2000), &err);
		if (r == 0)
			usleep(10000);
	}
	is_int(r, -1, "writing to a closed peer fails without SIGPIPE");
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... temporarily: %s",
	       err.text);
	conn_free(c);
	close(lfd);
}

static void test_from_fds(void)
{
	int in[2], out[2];
	struct error err = { 0 };
	struct conn *c;
	char buf[16];
	int64_t start;

	if (pipe(in) < 0 || pipe(out) < 0)
		exit(99);
	c = conn_from_fds(in[0], out[1]);
	ok(!conn_peer_closed(c), "conn_peer_closed: not known for pipes, false");
	ok(conn_write(c, "220 hi\r\n", 8, deadline_in(1000), &err) == 0, "write to a pipe");
	ok(read(out[0], buf, sizeof(buf)) == 8 && memcmp(buf, "220 hi\r\n", 8) == 0, "... arrives");
	start = deadline_now_ms();
	ok(conn_read(c, buf, sizeof(buf), deadline_in(200), &err) == -1 &&
	       deadline_now_ms() - start < 2000 && strstr(err.text, "timed out") != NULL,
	   "read from a silent blocking pipe times out: %s", err.text);
	ok(write(in[1], "QUIT\r\n", 6) == 6, "feed the pipe");
	is_int(conn_read(c, buf, sizeof(buf), deadline_in(1000), &err), 6, "read from a pipe");
	close(in[1]);
	is_int(conn_read(c, buf, sizeof(buf), deadline_in(1000), &err), 0, "pipe end of file");
	conn_free(c);
	close(out[0]);
}

static void test_bind_parse(void)
{
	struct net_addr a;
	struct error err = { 0 };
	bool set = true;

	is_int(net_bind_parse("", NET_IPV4, &a, &set, &err), 0, "an empty bind address is fine");
	ok(!set, "... and binds nothing");
	is_int(net_bind_parse("127.0.0.2", NET_IPV4, &a, &set, &err), 0, "IPv4 bind address");
	ok(set && a.ss.ss_family == AF_INET, "... is set, IPv4");
	is_str(a.text, "127.0.0.2", "... 127.0.0.2");
	is_int(net_bind_parse("[127.0.0.3]", NET_IPV4, &a, &set, &err), 0, "brackets allowed");
	is_str(a.text, "127.0.0.3", "... and removed");
	is_int(net_bind_parse("[::1]", NET_IPV6, &a, &set, &err), 0, "IPv6 bind address");
	ok(set && a.ss.ss_family == AF_INET6, "... is set, IPv6");
	is_str(a.text, "::1", "... ::1");
	is_int(net_bind_parse("::1", NET_IPV4, &a, &set, &err), -1, "IPv6 for the IPv4 address");
	is_str(err.text, "\"::1\" is not an IPv4 address", "... refused: %s", err.text);
	is_str(error_class_name(err.cls), error_class_name(ERROR_CONFIG), "... as configuration");
	is_int(net_bind_parse("127.0.0.1", NET_IPV6, &a, &set, &err), -1,
	       "IPv4 for the IPv6 address");
	is_str(err.text, "\"127.0.0.1\" is not an IPv6 address", "... refused");
	is_int(net_bind_parse("localhost", NET_IPV4, &a, &set, &err), -1,
	       "a name is not a bind address");
	is_int(net_bind_parse("[]", NET_IPV4, &a, &set, &err), -1, "empty brackets refused");
	is_int(net_bind_parse("[127.0.0.1", NET_IPV4, &a, &set, &err), -1,
	       "an unclosed bracket refused");
}

/* Connect to a listener on addr with bind; the server's view of the
 * client address, or "" when the connection failed. */
static void connect_from(const struct net_addr *to, const struct net_bind *nb, char *peer,
			 size_t size, struct error *err)
{
	int family = to->ss.ss_family;
	struct sockaddr_storage ss = to->ss;
	socklen_t len = to->len;
	int lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), sfd;
	unsigned port;
	struct conn *c;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&ss, &len) < 0)
		exit(99);
	port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				       : ((struct sockaddr_in6 *)&ss)->sin6_port);
	peer[0] = '\0';
	c = conn_connect(to, port, nb, deadline_in(2000), err);
	if (c != NULL && (sfd = accept(lfd, NULL, NULL)) >= 0) {
		len = sizeof(ss);
		if (getpeername(sfd, (struct sockaddr *)&ss, &len) == 0)
			getnameinfo((struct sockaddr *)&ss, len, peer, (socklen_t)size, NULL, 0,
				    NI_NUMERICHOST);
		close(sfd);
	}
	conn_free(c);
	close(lfd);
}

static struct net_addr literal(const char *text)
{
	struct net_addr a;
	struct error err = { 0 };

	if (net_resolve(text, 0, NET_ANY, NET_ANY, &a, 1, &err) != 1)
		exit(99);
	return a;
}

static void test_bind_connect(void)
{
	struct net_addr to = loopback(), v6;
	struct net_bind b = { .has_v4 = true };
	struct error err = { 0 };
	struct capture cap;
	char peer[64], *said;
	bool set;

	b.v4 = literal("127.0.0.1");
	connect_from(&to, &b, peer, sizeof(peer), &err);
	is_str(peer, "127.0.0.1", "bound to 127.0.0.1: the server sees 127.0.0.1");
	b.v4 = literal("127.0.0.2");
	connect_from(&to, &b, peer, sizeof(peer), &err);
	is_str(peer, "127.0.0.2", "bound to 127.0.0.2: the server sees 127.0.0.2");

	b.v4 = literal("192.0.2.1"); /* TEST-NET-1: not an address of this host */
	capture_begin(&cap);
	connect_from(&to, &b, peer, sizeof(peer), &err);
	said = capture_end(&cap);
	is_str(peer, "127.0.0.1", "a bind address that is not local: connected without it");
	ok(strstr(said, "relaymail: warning: cannot bind to local address 192.0.2.1 to connect "
			"to 127.0.0.1[127.0.0.1]:") != NULL &&
	       strstr(said, "; connecting from the default address\n") != NULL,
	   "... with a warning: %s", said);
	free(said);
	b.enforce = true;
	error_clear(&err);
	connect_from(&to, &b, peer, sizeof(peer), &err);
	is_str(peer, "", "... but not when the bind address is enforced");
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... a temporary failure");
	ok(strstr(err.text, "cannot bind to local address 192.0.2.1 to connect to ") != NULL,
	   "... naming the address: %s", err.text);

	/* Each family gets its own bind address; the IPv4 one is unusable
	 * here, so it must not be tried for an IPv6 peer. */
	if (net_bind_parse("::1", NET_IPV6, &b.v6, &set, &err) < 0)
		exit(99);
	b.has_v6 = true;
	v6 = literal("::1");
	capture_begin(&cap);
	connect_from(&v6, &b, peer, sizeof(peer), &err);
	said = capture_end(&cap);
	is_str(peer, "::1", "an IPv6 peer gets the IPv6 bind address");
	is_str(said, "", "... and the IPv4 one is not tried");
	free(said);
	b.has_v4 = false;
	capture_begin(&cap);
	connect_from(&to, &b, peer, sizeof(peer), &err);
	said = capture_end(&cap);
	is_str(peer, "127.0.0.1", "an IPv4 peer without an IPv4 bind address connects");
	is_str(said, "", "... quietly");
	free(said);
}

int main(void)
{
	test_resolve_literals();
	test_resolve_localhost();
	test_resolve_nohost();
	test_connect();
	test_refused();
	test_read_timeout();
	test_write_timeout();
	test_big_write();
	test_peer_closed();
	test_from_fds();
	test_bind_parse();
	test_bind_connect();
	return tap_done();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A connection: a TCP socket, with TLS over it once tls_start() has run.
 * Every call takes an absolute deadline and gives up when it passes
 * (ERROR_TEMP "timed out"), and when a stop is asked (base/stop.h),
 * unless told otherwise. Knows nothing of mail. */
#ifndef RELAYMAIL_NET_CONN_H
#define RELAYMAIL_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "base/deadline.h"
#include "base/error.h"

struct conn;
struct tls;

/* One resolved address of a host. */
struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];	/* numeric form, IPv6 without brackets */
	char host[256]; /* the name it was resolved from; may be "" */
};

enum net_family { NET_ANY, NET_IPV4, NET_IPV6 };

/* The family an inet_protocols value names: a list of "all", "ipv4" and
 * "ipv6" (any case, commas or blanks between); NET_ANY for "all" or both.
 * -1 for an empty list or an item that is none of these. */
int net_family_parse(const char *value, enum net_family *out);

/* Resolve host (A-label form or literal) to at most max addresses, in
 * the order getaddrinfo gives, filtered by family and, with prefer set,
 * that family first. ERROR_NOHOST when the name does not exist, ERROR_TEMP
 * on a temporary failure. Returns the count (>= 1) or -1. */
int net_resolve(const char *host, unsigned port, enum net_family family, enum net_family prefer,
		struct net_addr *out, int max, struct error *err);

/* Local source addresses (smtp_bind_address, smtp_bind_address6). A
 * zeroed struct binds nothing. */
struct net_bind {
	struct net_addr v4, v6;
	bool has_v4, has_v6;
	bool enforce; /* smtp_bind_address_enforce: a failed bind fails */
};

/* Parse one bind address: an address literal of the given family
 * (NET_IPV4 or NET_IPV6), brackets allowed ("[2001:db8::1]"), an IPv6
 * scope allowed ("fe80::1%eth0"); never a name (no resolver is asked).
 * "" leaves *set false. ERROR_CONFIG naming the text and the family
 * wanted; callers prefix the parameter. */
int net_bind_parse(const char *text, enum net_family family, struct net_addr *out, bool *set,
		   struct error *err);

/* Connect with a deadline, from bind's address of the destination's
 * family when it has one (bind may be NULL). When that bind fails (the
 * address is not local), a warning names it and the connection goes out
 * from the default address, unless bind->enforce: then ERROR_TEMP.
 * ERROR_TEMP on refusal, unreachable, timeout or a stop, naming the
 * address and port. */
struct conn *conn_connect(const struct net_addr *addr, unsigned port, const struct net_bind *bind,
			  struct deadline dl, struct error *err);
/* Connect to a Unix-domain stream socket, as conn_connect (ERROR_TEMP
 * naming the path; ERROR_CONFIG for a path too long for a socket). */
struct conn *conn_connect_unix(const char *path, struct deadline dl, struct error *err);
/* Wrap an already connected descriptor (tests; -bs on stdin/stdout). */
struct conn *conn_from_fds(int rfd, int wfd);
void conn_free(struct conn *c); /* closes; conn_free(NULL) is harmless */

/* Read up to n bytes: >0, 0 at end of file, -1 with ERROR_TEMP on timeout
 * or a broken connection (TLS errors included), or when a stop was asked
 * (base/stop.h: stop_error's text, for the caller to prefix). */
ssize_t conn_read(struct conn *c, void *p, size_t n, struct deadline dl, struct error *err);
/* Write all n bytes or fail (-1), as conn_read. */
int conn_write(struct conn *c, const void *p, size_t n, struct deadline dl, struct error *err);
/* From now on the waits on c end at their deadline only, not on a stop:
 * for the last words to a client once a stop was asked (-bs's 421).
 * conn_stoppable says which way c is (for tls.c). */
void conn_outlive_stop(struct conn *c);
bool conn_stoppable(const struct conn *c);
/* Has the peer closed or reset the connection? A look without waiting:
 * what is written now will not be read. False when not known (the
 * descriptors of conn_from_fds are not sockets). */
bool conn_peer_closed(const struct conn *c);
/* Bytes already received and buffered below us (TLS records). */
size_t conn_pending(const struct conn *c);
int conn_fd(const struct conn *c);
/* "host[addr]:port" (or "[addr]:port" without a host name) for messages;
 * a description of the descriptors for conn_from_fds. */
const char *conn_peer(const struct conn *c);

/* Used by tls.c only: attach or get the TLS layer. */
void conn_set_tls(struct conn *c, struct tls *t);
struct tls *conn_tls(const struct conn *c);

#endif

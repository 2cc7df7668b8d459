/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The connection cache of one process (-bs sends many messages): after a
 * transaction the relay accepted, the connection, its TLS session and its
 * authentication stay open for the next message to the same relay, as
 * Postfix's connection cache keeps them, within
 * smtp_connection_reuse_count_limit and smtp_connection_reuse_time_limit.
 * One connection at most is kept: the one the last message went over. */
#ifndef RELAYMAIL_DELIVER_REUSE_H
#define RELAYMAIL_DELIVER_REUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "conf/config.h"
#include "net/conn.h"
#include "smtp/session.h"

#define REUSE_KEY_MAX 1024
#define REUSE_RSET_MS                                                                              \
	20000 /* Postfix's smtp_rset_timeout: a reused connection's                                \
	       * RSET, answered at once by any live relay */

struct reuse_settings {
	unsigned long count_limit; /* reuses of one connection; 0: no limit */
	long time_limit_ms;	   /* from the connect on; 0: never reused */
};

/* smtp_connection_reuse_count_limit (a whole number) and
 * smtp_connection_reuse_time_limit (a time): -1 with ERROR_CONFIG naming
 * the parameter. */
int reuse_settings_load(const struct config *cfg, struct reuse_settings *s, struct error *err);

/* One connection with its idle session (session.h, keep_open). The
 * session points at settings and relay, which live here with it. */
struct reuse_conn {
	struct conn *conn;
	struct session *s;
	struct session_settings settings;
	char relay[320];	 /* "host[addr]:port" */
	char key[REUSE_KEY_MAX]; /* what it may carry: reuse_key */
	int64_t opened_ms;	 /* monotonic, when the connection was made */
	unsigned long uses;	 /* transactions it carried */
	bool tls_verified;
	long quit_ms; /* smtp_quit_timeout, for a polite close */
};

struct reuse_cache;

/* NULL when out of memory; set must outlive the cache. */
struct reuse_cache *reuse_cache_new(const struct reuse_settings *set);
/* Close the kept connection (QUIT, at most a few seconds) and free;
 * NULL is harmless. */
void reuse_cache_free(struct reuse_cache *c);

/* The key of a connection: the destination as configured, the address,
 * the port, the TLS setting and the credentials' lookup key (another
 * sender may log in as someone else). false when it does not fit. */
bool reuse_key(char *out, size_t size, const char *dest, const char *addr, unsigned port,
	       int tls_mode, const char *cred_key);
/* The kept connection when it is for key and within the time limit, taken
 * out of the cache (the caller puts it back or closes it); NULL
 * otherwise. A connection past its time limit is closed here. */
struct reuse_conn *reuse_take(struct reuse_cache *c, const char *key);
/* May rc stay open after one more transaction (the count and time
 * limits)? Read before the transaction: it sets keep_open. */
bool reuse_may_keep(const struct reuse_cache *c, const struct reuse_conn *rc);
/* Keep rc, idle, closing the one kept before if any. */
void reuse_put(struct reuse_cache *c, struct reuse_conn *rc);
/* A new, empty entry (NULL when out of memory), and its end: QUIT first
 * when polite and the session is idle, then close and free. */
struct reuse_conn *reuse_conn_new(void);
void reuse_conn_close(struct reuse_conn *rc, bool polite);

#endif

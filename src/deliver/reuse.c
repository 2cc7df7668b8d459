/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The connection cache: one idle connection kept between the messages of
 * a -bs session, its limits as Postfix's smtp(8) applies them (the count
 * of reuses, the age since the connect), and the polite close: QUIT over
 * the idle session, with a short deadline, then the socket. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/deadline.h"
#include "base/i18n.h"
#include "base/log.h"
#include "deliver/reuse.h"
#include "net/conn.h"

#define REUSE_QUIT_MS 5000 /* at most this for the relay's 221 */

struct reuse_cache {
	const struct reuse_settings *set;
	struct reuse_conn *idle;
};

int reuse_settings_load(const struct config *cfg, struct reuse_settings *s, struct error *err)
{
	long seconds;

	memset(s, 0, sizeof(*s));
	if (config_get_ulong(cfg, "smtp_connection_reuse_count_limit", &s->count_limit, err) < 0 ||
	    config_get_time(cfg, "smtp_connection_reuse_time_limit", &seconds, err) < 0)
		return -1;
	s->time_limit_ms = seconds * 1000;
	return 0;
}

struct reuse_cache *reuse_cache_new(const struct reuse_settings *set)
{
	struct reuse_cache *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->set = set;
	return c;
}

void reuse_cache_free(struct reuse_cache *c)
{
	if (c == NULL)
		return;
	reuse_conn_close(c->idle, true);
	free(c);
}

bool reuse_key(char *out, size_t size, const char *dest, const char *addr, unsigned port,
	       int tls_mode, const char *cred_key)
{
	int n = snprintf(out, size, "%s\n%s\n%u\n%d\n%s", dest, addr, port, tls_mode,
			 cred_key != NULL ? cred_key : "");

	return n >= 0 && (size_t)n < size;
}

static bool too_old(const struct reuse_cache *c, const struct reuse_conn *rc)
{
	return deadline_now_ms() - rc->opened_ms >= c->set->time_limit_ms;
}

struct reuse_conn *reuse_take(struct reuse_cache *c, const char *key)
{
	struct reuse_conn *rc = c->idle;

	if (rc == NULL)
		return NULL;
	if (too_old(c, rc)) {
		log_verbose(_("closing the connection to %s (smtp_connection_reuse_time_limit)"),
			    rc->relay);
		c->idle = NULL;
		reuse_conn_close(rc, true);
		return NULL;
	}
	if (strcmp(rc->key, key) != 0)
		return NULL;
	c->idle = NULL;
	return rc;
}

bool reuse_may_keep(const struct reuse_cache *c, const struct reuse_conn *rc)
{
	/* uses counts the transactions before this one. The first is not a
	 * reuse, each later one is: a connection carries count_limit + 1, so
	 * it stays open after this one when uses < count_limit. */
	if (c->set->count_limit > 0 && rc->uses >= c->set->count_limit)
		return false;
	return c->set->time_limit_ms > 0 && !too_old(c, rc);
}

void reuse_put(struct reuse_cache *c, struct reuse_conn *rc)
{
	if (c->idle != NULL && c->idle != rc)
		reuse_conn_close(c->idle, true);
	c->idle = rc;
}

struct reuse_conn *reuse_conn_new(void)
{
	return calloc(1, sizeof(struct reuse_conn));
}

/* QUIT over the idle session; whatever the relay says, the socket closes. */
static void quit(struct reuse_conn *rc)
{
	long ms = rc->quit_ms > 0 && rc->quit_ms < REUSE_QUIT_MS ? rc->quit_ms : REUSE_QUIT_MS;
	struct deadline dl = deadline_in(ms);
	enum session_event ev = session_close(rc->s);
	struct error err = { 0 };
	char buf[512];

	while (ev == SESSION_WRITE || ev == SESSION_READ) {
		const char *p;
		size_t n;
		ssize_t got;

		if (ev == SESSION_WRITE) {
			session_output(rc->s, &p, &n);
			if (conn_write(rc->conn, p, n, dl, &err) < 0)
				return;
			ev = session_written(rc->s);
			continue;
		}
		if ((got = conn_read(rc->conn, buf, sizeof(buf), dl, &err)) < 0)
			return;
		ev = session_input(rc->s, buf, (size_t)got);
	}
}

void reuse_conn_close(struct reuse_conn *rc, bool polite)
{
	if (rc == NULL)
		return;
	if (polite && rc->s != NULL && rc->conn != NULL)
		quit(rc);
	session_free(rc->s);
	conn_free(rc->conn);
	free(rc);
}

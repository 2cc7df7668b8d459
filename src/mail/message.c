/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The message once read: its header fields, which the envelope step reads,
 * removes and adds, and a cursor that gives the final form back (fields,
 * blank line, body) in large pieces for the SMTP session and the dead
 * letter file. intake.c builds it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "mail/header.h"
#include "mail/message.h"
#include "mail/message_impl.h"
#include "mail/spool.h"

void message_free(struct message *m)
{
	if (m == NULL)
		return;
	header_fini(&m->hdr);
	spool_fini(&m->body);
	free(m);
}

/* ---- header access ---- */

size_t message_header_count(const struct message *m)
{
	return m->hdr.n;
}

const char *message_header_name(const struct message *m, size_t i)
{
	return i < m->hdr.n ? m->hdr.v[i].name : NULL;
}

const char *message_header_value(const struct message *m, size_t i)
{
	return i < m->hdr.n ? m->hdr.v[i].raw + m->hdr.v[i].value_off : NULL;
}

const char *message_header_find(const struct message *m, const char *name)
{
	long i = header_find(&m->hdr, name);

	return i >= 0 ? message_header_value(m, (size_t)i) : NULL;
}

size_t message_header_remove(struct message *m, const char *name)
{
	return header_remove(&m->hdr, name);
}

int message_header_add(struct message *m, const char *name, const char *value, bool prepend)
{
	return header_insert(&m->hdr, prepend ? 0 : m->hdr.n, name, value);
}

bool message_header_verbatim(const struct message *m, size_t i)
{
	return i < m->hdr.n && m->hdr.v[i].verbatim;
}

int message_header_set(struct message *m, size_t i, const char *value)
{
	return header_set(&m->hdr, i, value);
}

int message_header_recipients(const struct message *m, struct addrlist *out, struct error *err)
{
	return header_recipients(&m->hdr, out, err);
}

bool message_is_8bit(const struct message *m)
{
	return m->body.is_8bit || header_is_8bit(&m->hdr);
}

bool message_header_is_utf8(const struct message *m)
{
	return header_is_8bit(&m->hdr);
}

size_t message_size(const struct message *m)
{
	return header_size(&m->hdr) + 2 + m->body.size;
}

void message_set_arrival(struct message *m, int64_t ms)
{
	m->arrival_ms = ms;
}

int64_t message_arrival(const struct message *m)
{
	return m->arrival_ms;
}

bool message_incomplete(const struct message *m)
{
	return m->incomplete;
}

/* ---- reading the stored form back ---- */

enum cursor_phase { CURSOR_FIELDS, CURSOR_BLANK, CURSOR_BODY, CURSOR_END };

void message_rewind(const struct message *m, struct message_cursor *c)
{
	(void)m;
	c->header_index = 0;
	c->phase = CURSOR_FIELDS;
	c->offset = 0;
}

/* Copy as much of "raw CRLF" of field f from c->offset as fits at dst. */
static size_t copy_field(const struct header_field *f, struct message_cursor *c, char *dst,
			 size_t room)
{
	size_t off = (size_t)c->offset, total = f->len + 2, take, n1 = 0;

	take = total - off < room ? total - off : room;
	if (off < f->len) {
		n1 = f->len - off < take ? f->len - off : take;
		memcpy(dst, f->raw + off, n1);
	}
	if (take > n1)
		memcpy(dst + n1, &"\r\n"[off + n1 - f->len], take - n1);
	c->offset = (off_t)(off + take);
	return take;
}

static size_t fill_header(const struct message *m, struct message_cursor *c)
{
	size_t used = 0;

	while (c->phase == CURSOR_FIELDS && used < sizeof(c->chunk)) {
		if (c->header_index >= m->hdr.n) {
			c->phase = CURSOR_BLANK;
			break;
		}
		used += copy_field(&m->hdr.v[c->header_index], c, c->chunk + used,
				   sizeof(c->chunk) - used);
		if ((size_t)c->offset == m->hdr.v[c->header_index].len + 2) {
			c->header_index++;
			c->offset = 0;
		}
	}
	if (c->phase == CURSOR_BLANK && used + 2 <= sizeof(c->chunk)) {
		memcpy(c->chunk + used, "\r\n", 2);
		used += 2;
		c->phase = CURSOR_BODY;
		c->offset = 0;
	}
	return used;
}

ssize_t message_next(const struct message *m, struct message_cursor *c, const char **p,
		     struct error *err)
{
	size_t used = fill_header(m, c);
	ssize_t r;

	if (used > 0) {
		*p = c->chunk;
		return (ssize_t)used;
	}
	if (c->phase != CURSOR_BODY)
		return 0;
	r = spool_read(&m->body, c->offset, c->chunk, sizeof(c->chunk), p, err);
	if (r <= 0) {
		c->phase = r == 0 ? CURSOR_END : c->phase;
		return r;
	}
	c->offset += r;
	return r;
}

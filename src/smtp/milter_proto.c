/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Milter packets: built with their length first, and decoded with every
 * string checked for its NUL inside the packet, so that nothing a milter
 * sends is read past its end. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "smtp/milter_proto.h"

/* The events each version defines (Postfix's tables, by version). */
#define EVENTS_V2                                                                                  \
	(MILTER_P_NOCONNECT | MILTER_P_NOHELO | MILTER_P_NOMAIL | MILTER_P_NORCPT |                \
	 MILTER_P_NOBODY | MILTER_P_NOHDRS | MILTER_P_NOEOH)
#define EVENTS_V3 (EVENTS_V2 | MILTER_P_NOUNKNOWN)
#define EVENTS_V4 (EVENTS_V3 | MILTER_P_NODATA)
#define EVENTS_V6                                                                                  \
	(EVENTS_V4 | MILTER_P_SKIP | MILTER_P_RCPT_REJ | MILTER_P_NR_HDR | MILTER_P_NR_CONN |      \
	 MILTER_P_NR_HELO | MILTER_P_NR_MAIL | MILTER_P_NR_RCPT | MILTER_P_NR_DATA |               \
	 MILTER_P_NR_UNKN | MILTER_P_NR_EOH | MILTER_P_NR_BODY | MILTER_P_HDR_LEADSPC)

int milter_protocol_parse(const char *value, uint32_t *version, uint32_t *events, struct error *err)
{
	static const struct {
		const char *word;
		uint32_t version, events;
	} words[] = {
		{ "2", 2, EVENTS_V2 },
		{ "3", 3, EVENTS_V3 },
		{ "4", 4, EVENTS_V4 },
		{ "6", 6, EVENTS_V6 },
		{ "no_header_reply", 0, MILTER_P_NR_HDR },
	};
	const char *p = value;

	*version = 0;
	*events = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ", \t"), k = 0;

		if (len == 0) {
			p++;
			continue;
		}
		while (k < sizeof(words) / sizeof(words[0]) &&
		       !(strlen(words[k].word) == len && memcmp(words[k].word, p, len) == 0))
			k++;
		if (k == sizeof(words) / sizeof(words[0]) ||
		    (words[k].version != 0 && *version != 0)) {
			error_set(err, ERROR_CONFIG, _("bad milter protocol information: %.*s"),
				  (int)(len < 64 ? len : 64), p);
			return -1;
		}
		if (words[k].version != 0)
			*version = words[k].version;
		*events |= words[k].events;
		p += len;
	}
	if (*version == 0) {
		error_set(err, ERROR_CONFIG, _("no milter protocol version in \"%s\""), value);
		return -1;
	}
	return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* The packet header for len octets of data. */
static int put_head(struct buf *out, char cmd, size_t len)
{
	unsigned char head[5];

	if (len >= UINT32_MAX)
		return -1;
	put32(head, (uint32_t)len + 1);
	head[4] = (unsigned char)cmd;
	return buf_append(out, head, sizeof(head));
}

int milter_put(struct buf *out, char cmd, const void *data, size_t len)
{
	if (put_head(out, cmd, len) < 0)
		return -1;
	return len > 0 ? buf_append(out, data, len) : 0;
}

int milter_put_optneg(struct buf *out, uint32_t version, uint32_t actions, uint32_t protocol)
{
	unsigned char d[12];

	put32(d, version);
	put32(d + 4, actions);
	put32(d + 8, protocol);
	return milter_put(out, MILTER_C_OPTNEG, d, sizeof(d));
}

static int put_strings(struct buf *out, const char *const *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf_append(out, s[i], strlen(s[i]) + 1) < 0)
			return -1;
	return 0;
}

static size_t strings_len(const char *const *s, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += strlen(s[i]) + 1;
	return len;
}

int milter_put_strings(struct buf *out, char cmd, const char *const *s, size_t n)
{
	if (put_head(out, cmd, strings_len(s, n)) < 0)
		return -1;
	return put_strings(out, s, n);
}

int milter_put_macros(struct buf *out, char cmd, const char *pairs, size_t len)
{
	if (put_head(out, MILTER_C_MACRO, 1 + len) < 0 || buf_append_char(out, cmd) < 0)
		return -1;
	return len > 0 ? buf_append(out, pairs, len) : 0;
}

int milter_put_connect(struct buf *out, const char *host, char family, unsigned port,
		       const char *addr)
{
	bool known = family != 'U';
	size_t len = strlen(host) + 2 + (known ? 2 + strlen(addr) + 1 : 0);
	unsigned char p[2] = { (unsigned char)(port >> 8), (unsigned char)port };

	if (put_head(out, MILTER_C_CONNECT, len) < 0 ||
	    buf_append(out, host, strlen(host) + 1) < 0 || buf_append_char(out, family) < 0)
		return -1;
	if (!known)
		return 0;
	if (buf_append(out, p, 2) < 0)
		return -1;
	return buf_append(out, addr, strlen(addr) + 1);
}

int milter_packet_parse(const char *p, size_t n, struct milter_packet *pkt, size_t *used,
			struct error *err)
{
	uint32_t len;

	if (n < 4)
		return 0;
	len = get32(p);
	if (len == 0 || len > MILTER_PACKET_MAX) {
		error_set(err, ERROR_PROTOCOL,
			  len == 0 ? _("a packet of length 0")
				   : _("a packet of length %lu, more than the %lu allowed"),
			  (unsigned long)len, (unsigned long)MILTER_PACKET_MAX);
		return -1;
	}
	if (n - 4 < len)
		return 0;
	pkt->cmd = p[4];
	pkt->data = p + 5;
	pkt->len = len - 1;
	*used = 4 + (size_t)len;
	return 1;
}

const char *milter_reply_name(char cmd, char *out, size_t size)
{
	static const struct {
		char cmd;
		const char *name;
	} names[] = {
		{ MILTER_R_ADDRCPT, "SMFIR_ADDRCPT" },
		{ MILTER_R_DELRCPT, "SMFIR_DELRCPT" },
		{ MILTER_R_ADDRCPT_PAR, "SMFIR_ADDRCPT_PAR" },
		{ MILTER_R_SHUTDOWN, "SMFIR_SHUTDOWN" },
		{ MILTER_R_ACCEPT, "SMFIR_ACCEPT" },
		{ MILTER_R_REPLBODY, "SMFIR_REPLBODY" },
		{ MILTER_R_CONTINUE, "SMFIR_CONTINUE" },
		{ MILTER_R_DISCARD, "SMFIR_DISCARD" },
		{ MILTER_R_CHGFROM, "SMFIR_CHGFROM" },
		{ MILTER_R_CONN_FAIL, "SMFIR_CONN_FAIL" },
		{ MILTER_R_ADDHEADER, "SMFIR_ADDHEADER" },
		{ MILTER_R_INSHEADER, "SMFIR_INSHEADER" },
		{ MILTER_R_SETSYMLIST, "SMFIR_SETSYMLIST" },
		{ MILTER_R_CHGHEADER, "SMFIR_CHGHEADER" },
		{ MILTER_R_PROGRESS, "SMFIR_PROGRESS" },
		{ MILTER_R_QUARANTINE, "SMFIR_QUARANTINE" },
		{ MILTER_R_REJECT, "SMFIR_REJECT" },
		{ MILTER_R_SKIP, "SMFIR_SKIP" },
		{ MILTER_R_TEMPFAIL, "SMFIR_TEMPFAIL" },
		{ MILTER_R_REPLYCODE, "SMFIR_REPLYCODE" },
		{ MILTER_C_OPTNEG, "SMFIC_OPTNEG" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].cmd == cmd)
			return names[i].name;
	snprintf(out, size, "0x%02x", (unsigned)(unsigned char)cmd);
	return out;
}

/* The next NUL-terminated string of the packet at *off; NULL when it has
 * no NUL before the end. */
static const char *take_string(const struct milter_packet *pkt, size_t *off)
{
	const char *s = pkt->data + *off;
	const char *nul = *off < pkt->len ? memchr(s, '\0', pkt->len - *off) : NULL;

	if (nul == NULL)
		return NULL;
	*off = (size_t)(nul - pkt->data) + 1;
	return s;
}

static int bad_args(const struct milter_packet *pkt, const char *why, struct error *err)
{
	char name[24];

	error_set(err, ERROR_PROTOCOL, _("reply %s with %zu octets of data: %s"),
		  milter_reply_name(pkt->cmd, name, sizeof(name)), pkt->len, why);
	return -1;
}

int milter_optneg_decode(const struct milter_packet *pkt, struct milter_optneg *o,
			 struct error *err)
{
	size_t off = 12;

	memset(o, 0, sizeof(*o));
	if (pkt->cmd != MILTER_C_OPTNEG) {
		char name[24];

		error_set(err, ERROR_PROTOCOL, _("reply %s to the option negotiation"),
			  milter_reply_name(pkt->cmd, name, sizeof(name)));
		return -1;
	}
	if (pkt->len < 12)
		return bad_args(pkt, _("too short for version, actions and protocol"), err);
	o->version = get32(pkt->data);
	o->actions = get32(pkt->data + 4);
	o->protocol = get32(pkt->data + 8);
	while (off < pkt->len) {
		uint32_t stage;
		const char *names;

		if (pkt->len - off < 4)
			return bad_args(pkt, _("a macro list without its stage"), err);
		stage = get32(pkt->data + off);
		off += 4;
		if ((names = take_string(pkt, &off)) == NULL)
			return bad_args(pkt, _("a macro list without its final NUL"), err);
		if (stage < MILTER_STAGE_COUNT)
			o->macros[stage] = names;
	}
	return 0;
}

/* Replies that carry nothing. */
static bool no_data(char cmd)
{
	return strchr("4acdfprst", cmd) != NULL && cmd != '\0';
}

/* Header edits: [index] name NUL value NUL. */
static int decode_header(const struct milter_packet *pkt, bool indexed, struct milter_reply *r,
			 struct error *err)
{
	size_t off = indexed ? 4 : 0;

	if (indexed && pkt->len < 4)
		return bad_args(pkt, _("too short for a header index"), err);
	if (indexed)
		r->index = get32(pkt->data);
	if ((r->name = take_string(pkt, &off)) == NULL ||
	    (r->value = take_string(pkt, &off)) == NULL)
		return bad_args(pkt, _("a header name or value without its NUL"), err);
	if (off != pkt->len)
		return bad_args(pkt, _("data after the header value"), err);
	return 0;
}

/* Envelope edits: address NUL [args NUL]. */
static int decode_address(const struct milter_packet *pkt, bool args, struct milter_reply *r,
			  struct error *err)
{
	size_t off = 0;

	r->value = "";
	if ((r->name = take_string(pkt, &off)) == NULL)
		return bad_args(pkt, _("an address without its NUL"), err);
	if (args && off < pkt->len && (r->value = take_string(pkt, &off)) == NULL)
		return bad_args(pkt, _("ESMTP arguments without their NUL"), err);
	if (off != pkt->len)
		return bad_args(pkt, _("data after the address"), err);
	return 0;
}

int milter_reply_decode(const struct milter_packet *pkt, struct milter_reply *r, struct error *err)
{
	char name[24];

	memset(r, 0, sizeof(*r));
	r->cmd = pkt->cmd;
	if (no_data(pkt->cmd))
		return pkt->len == 0 ? 0 : bad_args(pkt, _("this reply carries no data"), err);
	switch (pkt->cmd) {
	case MILTER_R_ADDHEADER:
		return decode_header(pkt, false, r, err);
	case MILTER_R_CHGHEADER:
	case MILTER_R_INSHEADER:
		return decode_header(pkt, true, r, err);
	case MILTER_R_ADDRCPT:
	case MILTER_R_DELRCPT:
		return decode_address(pkt, false, r, err);
	case MILTER_R_ADDRCPT_PAR:
	case MILTER_R_CHGFROM:
		return decode_address(pkt, true, r, err);
	case MILTER_R_REPLBODY:
	case MILTER_R_QUARANTINE:
	case MILTER_R_REPLYCODE:
		r->data = pkt->data;
		r->len = pkt->len;
		return 0;
	default:
		error_set(err, ERROR_PROTOCOL, _("unknown reply %s with %zu octets of data"),
			  milter_reply_name(pkt->cmd, name, sizeof(name)), pkt->len);
		return -1;
	}
}

bool milter_smtp_reply_ok(const char *p, size_t len)
{
	const char *end = p + len;

	if (len > 0 && end[-1] == '\0')
		end--;
	if (memchr(p, '\0', (size_t)(end - p)) != NULL || p == end)
		return false;
	while (p < end) {
		const char *eol = p;
		bool last;

		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		last = eol == end;
		if (eol - p < 4 || (p[0] != '4' && p[0] != '5') || p[1] < '0' || p[1] > '9' ||
		    p[2] < '0' || p[2] > '9' || p[3] != (last ? ' ' : '-'))
			return false;
		/* An enhanced code must have the class of the reply code. */
		if (eol - p > 4 && p[4] >= '0' && p[4] <= '9' && p[4] != p[0])
			return false;
		if (last)
			return true;
		if (end - eol < 2 || eol[0] != '\r' || eol[1] != '\n')
			return false;
		p = eol + 2;
	}
	return false;
}

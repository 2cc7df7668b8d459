/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The milter parameters, parsed once at start: the list of milters with
 * Postfix's per-milter overrides ("{ inet:host:port, default_action =
 * accept, command_timeout = 10s }"), the timeouts, the protocol, the
 * default action, the macro lists and the macro defaults. */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "conf/list.h"
#include "deliver/milter_impl.h"

static const char *const stage_params[MILTER_STAGE_COUNT] = {
	"milter_connect_macros",       "milter_helo_macros", "milter_mail_macros",
	"milter_rcpt_macros",	       "milter_data_macros", "milter_end_of_data_macros",
	"milter_end_of_header_macros",
};

static const char *const actions[] = { "tempfail", "reject", "accept", "quarantine", "shutdown" };

/* What one milter inherits from the main.cf parameters. */
struct milter_base {
	long connect_ms, command_ms, content_ms;
	const char *protocol;
	const char *action;
};

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* A Postfix time: digits and an optional unit letter; -1 otherwise. */
static long time_ms(const char *v)
{
	size_t n = strspn(v, "0123456789");
	long unit = 1000;
	unsigned long num;
	char digits[16];

	if (n == 0 || n >= sizeof(digits))
		return -1;
	if (v[n] != '\0') {
		const char *units = "smhdw";
		const long secs[] = { 1, 60, 3600, 86400, 604800 };
		const char *u = v[n + 1] == '\0' ? strchr(units, v[n]) : NULL;

		if (u == NULL || *u == '\0')
			return -1;
		unit = secs[u - units] * 1000;
	}
	memcpy(digits, v, n);
	digits[n] = '\0';
	if (str_to_ulong(digits, (unsigned long)(LONG_MAX / unit), &num) < 0)
		return -1;
	return (long)num * unit;
}

static int parse_action(const char *v, enum milter_action *out)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (str_eq_ci(v, actions[i])) {
			*out = i == 4 ? MILTER_ACTION_TEMPFAIL : (enum milter_action)i;
			return 0;
		}
	}
	return -1;
}

/* "inet:host:port", "unix:/path" (or Postfix's "local:/path"). */
static int parse_endpoint(struct milter_conf *mc, const struct config *cfg, struct error *err)
{
	const char *colon = strchr(mc->name, ':'), *rest = colon != NULL ? colon + 1 : "";
	unsigned long port;

	if (colon != NULL &&
	    (strncmp(mc->name, "unix:", 5) == 0 || strncmp(mc->name, "local:", 6) == 0)) {
		if (rest[0] != '/') {
			config_bad_value(err, cfg, "non_smtpd_milters", mc->name,
					 _("give the socket as an absolute path"));
			return -1;
		}
		return (mc->path = str_dup(rest)) == NULL ? nomem(err) : 0;
	}
	if (colon != NULL && strncmp(mc->name, "inet:", 5) == 0) {
		const char *pc = strrchr(rest, ':');
		size_t hlen = pc != NULL ? (size_t)(pc - rest) : 0;

		if (hlen >= 2 && rest[0] == '[' && rest[hlen - 1] == ']') {
			rest++;
			hlen -= 2;
		}
		if (pc != NULL && hlen > 0 && str_to_ulong(pc + 1, 65535, &port) == 0 && port > 0) {
			mc->port = (unsigned)port;
			return (mc->host = str_ndup(rest, hlen)) == NULL ? nomem(err) : 0;
		}
	}
	config_bad_value(err, cfg, "non_smtpd_milters", mc->name,
			 _("use inet:host:port or unix:/path/to/socket"));
	return -1;
}

/* One "name = value" override inside a milter's braces. */
static int parse_override(struct milter_base *b, const char *item, size_t len,
			  const struct config *cfg, struct error *err)
{
	static const char *const names[] = { "connect_timeout", "command_timeout",
					     "content_timeout", "protocol", "default_action" };
	const char *eq = memchr(item, '=', len), *v;
	size_t nlen, vlen, k = 0;
	char *value;

	if (eq == NULL)
		goto bad;
	nlen = str_trim_len(item, (size_t)(eq - item));
	v = str_skip_space(eq + 1);
	vlen = str_trim_len(v, len - (size_t)(v - item));
	if (vlen >= 2 && v[0] == '{' && v[vlen - 1] == '}') {
		v = str_skip_space(v + 1);
		vlen = str_trim_len(v, vlen - 2);
	}
	while (k < 5 && !(strlen(names[k]) == nlen && memcmp(names[k], item, nlen) == 0))
		k++;
	if (k == 5 || (value = str_ndup(v, vlen)) == NULL)
		goto bad;
	if (k < 3) {
		long ms = time_ms(value);
		long *dst = k == 0 ? &b->connect_ms : k == 1 ? &b->command_ms : &b->content_ms;

		free(value);
		if (ms < 0)
			goto bad;
		*dst = ms;
		return 0;
	}
	/* The protocol and action are checked with the milter. */
	if (k == 3)
		b->protocol = value;
	else
		b->action = value;
	return 0;
bad:
	config_bad_value(err, cfg, "non_smtpd_milters", item,
			 _("use name=value with connect_timeout, command_timeout, "
			   "content_timeout, protocol or default_action"));
	return -1;
}

static int milter_add(struct milters *ms, const struct milter_base *b, const char *name,
		      size_t nlen, const struct config *cfg, struct error *err)
{
	struct milter_conf *v = realloc(ms->v, (ms->n + 1) * sizeof(*v)), *mc;

	if (v == NULL)
		return nomem(err);
	ms->v = v;
	mc = memset(&v[ms->n], 0, sizeof(*mc));
	if ((mc->name = str_ndup(name, nlen)) == NULL)
		return nomem(err);
	ms->n++;
	mc->connect_ms = b->connect_ms;
	mc->command_ms = b->command_ms;
	mc->content_ms = b->content_ms;
	/* An override is non_smtpd_milters' own value. */
	if (parse_action(b->action, &mc->action) < 0) {
		bool own = b->action != config_get(cfg, "milter_default_action");

		config_bad_value(err, cfg, own ? "non_smtpd_milters" : "milter_default_action",
				 b->action,
				 _("use tempfail, reject, accept, quarantine or shutdown"));
		return -1;
	}
	if (milter_protocol_parse(b->protocol, &mc->version, &mc->events, err) < 0) {
		const char *param = b->protocol != config_get(cfg, "milter_protocol")
					? "non_smtpd_milters"
					: "milter_protocol";

		error_prefix(err, "%s (%s)", param, config_where(cfg, param));
		return -1;
	}
	return parse_endpoint(mc, cfg, err);
}

/* One item of non_smtpd_milters: a name, or a braced name with
 * overrides. */
static int parse_milter(struct milters *ms, struct milter_base b, const char *item, size_t len,
			bool braced, const struct config *cfg, struct error *err)
{
	const char *name, *o;
	size_t pos = 0, nlen, olen;
	bool ob;
	char *owned[2] = { NULL, NULL };
	int rc = 0;

	if (!braced)
		return milter_add(ms, &b, item, len, cfg, err);
	if (!list_next(item, len, &pos, &name, &nlen, &ob)) {
		config_bad_value(err, cfg, "non_smtpd_milters", "{}", _("empty milter definition"));
		return -1;
	}
	while (rc == 0 && list_next(item, len, &pos, &o, &olen, &ob)) {
		const char *before[2] = { b.protocol, b.action };

		rc = parse_override(&b, o, olen, cfg, err);
		for (int k = 0; k < 2; k++) {
			const char *now = k == 0 ? b.protocol : b.action;

			if (now != before[k]) {
				free(owned[k]);
				owned[k] = (char *)now;
			}
		}
	}
	if (rc == 0)
		rc = milter_add(ms, &b, name, nlen, cfg, err);
	free(owned[0]);
	free(owned[1]);
	return rc;
}

/* milter_macro_defaults: "name=value", "{name}=value" or "{ name = value
 * }"; names are kept in the "{name}" form. */
static int parse_defaults(struct milters *ms, const struct config *cfg, struct error *err)
{
	const char *v = config_get(cfg, "milter_macro_defaults"), *item;
	size_t pos = 0, len;
	bool braced;

	while (list_next(v, strlen(v), &pos, &item, &len, &braced)) {
		const char *eq = memchr(item, '=', len), *val;
		size_t nlen, vlen;
		struct milter_macro_default *d;

		if (eq == NULL || (nlen = str_trim_len(item, (size_t)(eq - item))) == 0) {
			char shown[128];

			str_printable(shown, sizeof(shown), item, len < 100 ? len : 100);
			config_bad_value(err, cfg, "milter_macro_defaults", shown,
					 _("use name=value items"));
			return -1;
		}
		val = str_skip_space(eq + 1);
		vlen = str_trim_len(val, len - (size_t)(val - item));
		d = realloc(ms->defaults, (ms->ndefaults + 1) * sizeof(*d));
		if (d == NULL)
			return nomem(err);
		ms->defaults = d;
		d = &d[ms->ndefaults];
		d->value = str_ndup(val, vlen);
		d->name = malloc(nlen + 3);
		if (d->name == NULL || d->value == NULL) {
			free(d->name);
			free(d->value);
			return nomem(err);
		}
		ms->ndefaults++;
		if (item[0] == '{') {
			memcpy(d->name, item, nlen);
			d->name[nlen] = '\0';
		} else {
			d->name[0] = '{';
			memcpy(d->name + 1, item, nlen);
			memcpy(d->name + 1 + nlen, "}", 2);
		}
	}
	return 0;
}

static int load_base(const struct config *cfg, struct milter_base *b, struct error *err)
{
	static const char *const times[] = { "milter_connect_timeout", "milter_command_timeout",
					     "milter_content_timeout" };
	long *dst[] = { &b->connect_ms, &b->command_ms, &b->content_ms };
	enum milter_action a;
	uint32_t version, events;

	for (size_t i = 0; i < 3; i++) {
		long s;

		if (config_get_time(cfg, times[i], &s, err) < 0)
			return -1;
		*dst[i] = s * 1000;
	}
	b->protocol = config_get(cfg, "milter_protocol");
	b->action = config_get(cfg, "milter_default_action");
	if (parse_action(b->action, &a) < 0) {
		config_bad_value(err, cfg, "milter_default_action", b->action,
				 _("use tempfail, reject, accept, quarantine or shutdown"));
		return -1;
	}
	if (milter_protocol_parse(b->protocol, &version, &events, err) < 0) {
		error_prefix(err, "milter_protocol (%s)", config_where(cfg, "milter_protocol"));
		return -1;
	}
	return 0;
}

int milters_load(const struct config *cfg, size_t size_max, struct milters **out, struct error *err)
{
	const char *list = config_get(cfg, "non_smtpd_milters"), *item;
	struct milters *ms = calloc(1, sizeof(*ms));
	struct milter_base b;
	size_t pos = 0, len;
	bool braced;
	int rc;

	*out = NULL;
	if (ms == NULL)
		return nomem(err);
	ms->myhostname = config_get(cfg, "myhostname");
	ms->daemon_name = config_get(cfg, "milter_macro_daemon_name");
	ms->v_macro = config_get(cfg, "milter_macro_v");
	ms->size_max = size_max;
	rc = load_base(cfg, &b, err);
	if (rc == 0)
		rc = config_get_bool(cfg, "soft_bounce", &ms->soft_bounce, err);
	if (rc == 0)
		rc = parse_defaults(ms, cfg, err);
	/* Opened, so checked, even with no milter: a bad value is an error
	 * before any message, as for every parameter relaymail uses. */
	if (rc == 0)
		rc = milter_checks_open(cfg, &ms->hbc, err);
	/* Split at use by blanks and commas alone: "{name}" is a name. */
	for (size_t i = 0; i < MILTER_STAGE_COUNT; i++)
		ms->macros[i] = config_get(cfg, stage_params[i]);
	while (rc == 0 && list_next(list, strlen(list), &pos, &item, &len, &braced))
		rc = parse_milter(ms, b, item, len, braced, cfg, err);
	if (rc < 0 || ms->n == 0) {
		milters_free(ms);
		return rc;
	}
	*out = ms;
	return 0;
}

void milters_free(struct milters *ms)
{
	if (ms == NULL)
		return;
	for (size_t i = 0; i < ms->n; i++) {
		free(ms->v[i].name);
		free(ms->v[i].host);
		free(ms->v[i].path);
	}
	free(ms->v);
	for (size_t i = 0; i < ms->ndefaults; i++) {
		free(ms->defaults[i].name);
		free(ms->defaults[i].value);
	}
	free(ms->defaults);
	milter_checks_free(ms->hbc);
	free(ms);
}

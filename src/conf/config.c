/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Building a configuration: main.cf lines into raw values, RELAYMAIL_<NAME>
 * overrides on top, then every value expanded once (defaults included) so
 * the result is read-only; PARAM_RAW values are expanded only where another
 * value refers to them. Finding and reading the file lives here too. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/config_check.h"
#include "conf/config_impl.h"
#include "conf/expand.h"
#include "conf/lines.h"
#include "conf/textfile.h"

#define CONFIG_LINE_MAX ((size_t)1024 * 1024)
#define CONFIG_DEPTH_MAX 100
#define ENV_PREFIX "RELAYMAIL_"

extern char **environ;

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* A new parameter; info is its table entry, or NULL to look it up. */
static struct config_param *add_info(struct config *c, const char *name, size_t len,
				     const struct param_info *info)
{
	struct config_param *p;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct config_param *v = realloc(c->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	if (config_slots_reserve(c) < 0)
		return NULL;
	p = &c->v[c->n];
	memset(p, 0, sizeof(*p));
	if ((p->name = str_ndup(name, len)) == NULL)
		return NULL;
	p->info = info != NULL ? info : params_find(p->name);
	config_slot_put(c->slots, c->nslots, p->name, c->n);
	c->n++;
	return p;
}

static struct config_param *add(struct config *c, const char *name, size_t len)
{
	return add_info(c, name, len, NULL);
}

static struct config *config_new(const char *hostname, bool io)
{
	struct config *c = calloc(1, sizeof(*c));
	const struct param_info *t;
	size_t count;

	if (c == NULL)
		return NULL;
	c->hostname = hostname;
	c->io = io;
	t = params_table(&count);
	for (size_t i = 0; i < count; i++) {
		/* The entry is at hand: no search of the table for each. */
		if (add_info(c, t[i].name, strlen(t[i].name), &t[i]) == NULL) {
			config_free(c);
			return NULL;
		}
	}
	return c;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	/* A value may hold a password (inline:, static:). */
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].raw != NULL)
			str_wipe(c->v[i].raw, strlen(c->v[i].raw));
		if (c->v[i].value != NULL)
			str_wipe(c->v[i].value, strlen(c->v[i].value));
		free(c->v[i].name);
		free(c->v[i].raw);
		free(c->v[i].where);
		free(c->v[i].value);
	}
	free(c->v);
	free(c->slots);
	free(c->file);
	free(c);
}

/* Record name = value (last definition wins). */
static int set(struct config *c, const char *name, size_t nlen, const char *value, size_t vlen,
	       const char *where, struct error *err)
{
	struct config_param *p = config_param_find(c, name, nlen);
	char *raw, *w;

	if (p == NULL && (p = add(c, name, nlen)) == NULL)
		return nomem(err);
	raw = str_ndup(value, vlen);
	w = str_dup(where);
	if (raw == NULL || w == NULL) {
		free(raw);
		free(w);
		return nomem(err);
	}
	if (p->raw != NULL)
		str_wipe(p->raw, strlen(p->raw));
	free(p->raw);
	free(p->where);
	p->raw = raw;
	p->where = w;
	p->from_env = c->env;
	p->seq = ++c->seq;
	return 0;
}

static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool valid_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return false;
	return true;
}

/* One logical line "name = value". */
static int parse_line(struct config *c, const char *s, size_t len, const char *where,
		      struct error *err)
{
	const char *eq;
	size_t n = 0, i, at;

	while (n < len && is_name_char((unsigned char)s[n]))
		n++;
	i = n;
	while (i < len && lines_is_space((unsigned char)s[i]))
		i++;
	eq = memchr(s, '=', len);
	if (config_check_spaces(s, len, eq != NULL ? (size_t)(eq - s) + 1 : len, where, err) < 0)
		return -1;
	if (n == 0 || (n < len && s[n] != '=' && !lines_is_space((unsigned char)s[n]))) {
		error_set(err, ERROR_CONFIG,
			  _("%s: a line must read \"name = value\", where a name has "
			    "only letters, digits and _"),
			  where);
		return -1;
	}
	if (i >= len || s[i] != '=') {
		error_set(err, ERROR_CONFIG, _("%s: missing \"=\" after parameter name %.*s"),
			  where, (int)n, s);
		return -1;
	}
	i++;
	while (i < len && lines_is_space((unsigned char)s[i]))
		i++;
	if (set(c, s, n, s + i, len - i, where, err) < 0)
		return -1;
	if (config_check_comment(config_param_find(c, s, n)->raw, &at))
		log_notice(_("%s: the value of parameter %.*s goes on after \"#\": \"%s\" is "
			     "part of the value, as in Postfix; a comment must be on a line of its "
			     "own"),
			   where, (int)n, s, config_param_find(c, s, n)->raw + at);
	return 0;
}

static int parse_text(struct config *c, const char *name, const char *text, size_t len,
		      struct error *err)
{
	struct lines l;
	struct buf line, where = { 0 };
	size_t lineno = 0;
	int rc;

	if (memchr(text, '\0', len) != NULL) {
		error_set(err, ERROR_CONFIG, _("%s holds a NUL byte; it is not a text file"), name);
		return -1;
	}
	/* Notepad's byte order mark: invisible in the editor, and what follows
	 * it is what the user wrote. */
	if (len >= 3 && memcmp(text, CONFIG_BOM, 3) == 0) {
		log_notice(_("%s, line 1: the file starts with a UTF-8 byte order mark; "
			     "relaymail skips it, Postfix would not: save the file without it"),
			   name);
		text += 3;
		len -= 3;
	}
	lines_init(&l, name, text, len);
	buf_init(&line, CONFIG_LINE_MAX);
	line.secret = true; /* inline: and static: passwords */
	while ((rc = lines_next(&l, &line, &lineno, err)) == 1) {
		buf_reset(&where);
		if (buf_printf(&where, _("%s, line %zu"), name, lineno) < 0) {
			rc = nomem(err);
			break;
		}
		if (lines_is_space((unsigned char)line.data[0])) {
			log_notice(_("%s: ignoring a continuation line with no line "
				     "before it to continue"),
				   where.data);
			continue;
		}
		if ((rc = parse_line(c, line.data, line.len, where.data, err)) < 0)
			break;
	}
	buf_wipe(&line);
	buf_fini(&where);
	return rc < 0 ? -1 : 0;
}

/* The parameter a RELAYMAIL_<NAME> variable means: a known name equal
 * ignoring case (smtp_tls_CAfile), else NAME in lower case. */
static void env_name(const struct config *c, char *name)
{
	for (size_t i = 0; i < c->n; i++) {
		if (str_eq_ci(c->v[i].name, name)) {
			memcpy(name, c->v[i].name, strlen(name));
			return;
		}
	}
	str_lower(name);
}

/* RELAYMAIL_<NAME>=value overrides one parameter (RELAYMAIL_CONFIG names
 * the file instead). */
static int apply_env(struct config *c, char *const *env, struct error *err)
{
	char where[256], name[128];

	c->env = true;
	for (; env != NULL && *env != NULL; env++) {
		const char *e = *env, *eq = strchr(e, '=');
		size_t n, plen = strlen(ENV_PREFIX);

		if (eq == NULL || strncmp(e, ENV_PREFIX, plen) != 0)
			continue;
		n = (size_t)(eq - e) - plen;
		if (n == 0 || n >= sizeof(name) || strncmp(e, ENV_PREFIX "CONFIG=", plen + 7) == 0)
			continue;
		memcpy(name, e + plen, n);
		name[n] = '\0';
		env_name(c, name);
		/* Only parameters relaymail knows: RELAYMAIL_TEST_POSTFIX and other
		 * variables of the same prefix are not configuration. */
		if (params_find(name) == NULL) {
			config_check_env_name(e, (size_t)(eq - e));
			continue;
		}
		snprintf(where, sizeof(where), _("environment variable %.*s"), (int)(eq - e), e);
		if (valid_name(name, n) && set(c, name, n, eq + 1, strlen(eq + 1), where, err) < 0)
			return -1;
	}
	c->env = false;
	return 0;
}

static int ensure(struct config *c, struct config_param *p, struct error *err);

/* $name that is no parameter: nothing, as in Postfix, which warns as
 * this does (postconf: "undefined parameter"). */
static void undefined(const struct config *c, const char *name, size_t len)
{
	const struct config_param *p = c->expanding;
	const char *where = p != NULL && p->where != NULL ? p->where : _("default");
	const char *param = p != NULL ? p->name : "";

	if (len == 0 || params_is_foreign_len(name, len))
		return;
	if (config_check_env_like(name, len))
		log_notice(_("%s: the value of parameter %s refers to $%.*s, which is not a "
			     "parameter and expands to nothing; environment variables are not "
			     "expanded in this file"),
			   where, param, (int)len, name);
	else
		log_notice(_("%s: the value of parameter %s refers to $%.*s, which is not a "
			     "parameter and expands to nothing"),
			   where, param, (int)len, name);
}

static int resolve(void *arg, const char *name, size_t len, const char **value, struct error *err)
{
	struct config *c = arg;
	struct config_param *p = config_param_find(c, name, len);

	*value = NULL;
	if (p == NULL) {
		undefined(c, name, len);
		return 0;
	}
	p->referenced = true;
	if (p->raw == NULL && p->info == NULL)
		return 0;
	if (ensure(c, p, err) < 0)
		return -1;
	*value = p->value;
	return 0;
}

/* ${name?...} and ${name:...}: postconf tests the value as written, not
 * its expansion, so a default of "$fallback_relay" counts as set and a
 * value may test itself. Only myhostname and mydomain, which have no
 * written default, are computed for it. */
static int test(void *arg, const char *name, size_t len, bool *set, struct error *err)
{
	struct config *c = arg;
	struct config_param *p = config_param_find(c, name, len);

	*set = false;
	if (p == NULL) {
		undefined(c, name, len);
		return 0;
	}
	p->referenced = true;
	if (p->raw != NULL || (p->info != NULL && p->info->def != NULL)) {
		*set = *(p->raw != NULL ? p->raw : p->info->def) != '\0';
		return 0;
	}
	if (p->info == NULL)
		return 0;
	if (ensure(c, p, err) < 0)
		return -1;
	*set = *p->value != '\0';
	return 0;
}

/* myhostname: gethostname(), with ".$mydomain" (when mydomain is set) or
 * ".localdomain" appended when it has no dot. */
static int derive_hostname(struct config *c, struct buf *out, struct error *err)
{
	struct config_param *d = config_param_find(c, "mydomain", 8);
	const char *h = c->hostname;

	if (buf_append_str(out, h) < 0)
		return nomem(err);
	if (strchr(h, '.') != NULL)
		return 0;
	if (d != NULL && d->raw != NULL) {
		if (ensure(c, d, err) < 0)
			return -1;
		if (*d->value != '\0')
			return buf_printf(out, ".%s", d->value) < 0 ? nomem(err) : 0;
	}
	return buf_append_str(out, ".localdomain") < 0 ? nomem(err) : 0;
}

/* mydomain: $myhostname minus its first label, else "localdomain". */
static int derive_domain(struct config *c, struct buf *out, struct error *err)
{
	struct config_param *h = config_param_find(c, "myhostname", 10);
	const char *dot;

	if (ensure(c, h, err) < 0)
		return -1;
	dot = strchr(h->value, '.');
	if (buf_append_str(out, dot != NULL && dot[1] != '\0' ? dot + 1 : "localdomain") < 0)
		return nomem(err);
	return 0;
}

/* Debian's "myorigin = /etc/mailname": the first line of that file. */
static int mailname(struct config_param *p, struct buf *out, struct error *err)
{
	struct buf text = { 0 };
	const char *start;
	size_t n;
	int rc = -1;

	if (textfile_read(out->data, false, &text, NULL, err) < 0) {
		error_prefix(err, _("%s: parameter myorigin"), p->where ? p->where : "");
		return -1;
	}
	start = str_skip_space(text.data);
	n = strcspn(start, "\n");
	while (n > 0 && lines_is_space((unsigned char)start[n - 1]))
		n--;
	if (n == 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s: parameter myorigin names %s, but its first line is empty"),
			  p->where ? p->where : "", out->data);
	} else {
		buf_reset(out);
		rc = buf_append(out, start, n) < 0 ? nomem(err) : 0;
	}
	buf_fini(&text);
	return rc;
}

static int compute(struct config *c, struct config_param *p, struct buf *out, struct error *err)
{
	struct expand_ctx ctx = { resolve, c, p->where, p->name, test };

	if (p->raw != NULL || (p->info != NULL && p->info->def != NULL)) {
		const char *text = p->raw != NULL ? p->raw : p->info->def;
		const struct config_param *outer = c->expanding;
		int rc;

		c->expanding = p;
		rc = expand_text(&ctx, text, strlen(text), out, err);
		c->expanding = outer;
		if (rc < 0)
			return -1;
	} else if (strcmp(p->name, "myhostname") == 0) {
		if (derive_hostname(c, out, err) < 0)
			return -1;
	} else if (strcmp(p->name, "mydomain") == 0) {
		if (derive_domain(c, out, err) < 0)
			return -1;
	}
	if (out->data == NULL && buf_append(out, "", 0) < 0)
		return nomem(err);
	if (strcmp(p->name, "compatibility_level") == 0 &&
	    expand_compat_level(out->data, out->len) < 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s: compatibility_level = %s is not a compatibility level; write "
			    "major[.minor[.patch]], such as 3.6"),
			  p->where ? p->where : _("default"), out->data);
		return -1;
	}
	if (c->io && p->raw != NULL && strcmp(p->name, "myorigin") == 0 && out->data[0] == '/')
		return mailname(p, out, err);
	return 0;
}

static int ensure(struct config *c, struct config_param *p, struct error *err)
{
	struct buf out;
	int rc;

	if (p->state == 2)
		return 0;
	if (p->state == 1 || c->depth >= CONFIG_DEPTH_MAX) {
		error_set(err, ERROR_CONFIG,
			  _("%s: parameter %s refers to itself through $name (a loop)"),
			  p->where ? p->where : _("default"), p->name);
		return -1;
	}
	p->state = 1;
	c->depth++;
	buf_init(&out, CONFIG_LINE_MAX * 4);
	rc = compute(c, p, &out, err);
	c->depth--;
	if (rc < 0) {
		p->state = 0;
		buf_fini(&out);
		return -1;
	}
	p->value = buf_steal(&out);
	if (p->value == NULL)
		return nomem(err);
	p->state = 2;
	return 0;
}

static bool used(const struct config_param *p)
{
	return p->info != NULL && p->info->kind != PARAM_UNUSED;
}

static bool raw(const struct config_param *p)
{
	return p->info != NULL && p->info->kind == PARAM_RAW;
}

/* Expand everything: errors in what relaymail uses are fatal; in what it
 * ignores, a warning (a pasted main.cf must not stop mail). A PARAM_RAW
 * value is left to its user, as Postfix does: its syntax is checked where
 * it is applied. */
static int expand_all(struct config *c, struct error *err)
{
	for (size_t i = 0; i < c->n; i++)
		if (used(&c->v[i]) && !raw(&c->v[i]) && ensure(c, &c->v[i], err) < 0)
			return -1;
	for (size_t i = 0; i < c->n; i++) {
		struct config_param *p = &c->v[i];

		if (p->state == 2 || raw(p))
			continue;
		if (ensure(c, p, err) < 0) {
			/* Only a bad value is forgiven, not a lack of memory. */
			if (err->cls == ERROR_INTERNAL)
				return -1;
			log_notice("%s", err->text);
			error_clear(err);
			if ((p->value = str_dup("")) == NULL)
				return nomem(err);
			p->state = 2;
		}
	}
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	const struct config_param *x = *(const struct config_param *const *)a;
	const struct config_param *y = *(const struct config_param *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void warn_one(const struct config_param *p)
{
	if ((p->info != NULL && p->info->kind == PARAM_UNUSED) ||
	    (p->info == NULL && params_is_foreign(p->name)))
		log_notice(_("%s: parameter %s is not used by relaymail"), p->where, p->name);
	else if (p->info == NULL && !p->referenced)
		log_notice(_("%s: unknown parameter %s"), p->where, p->name);
}

/* One warning per ignored or unknown parameter, in the order set. */
static int warn_unused(const struct config *c, struct error *err)
{
	const struct config_param **set = calloc(c->n + 1, sizeof(*set));
	size_t n = 0;

	if (set == NULL)
		return nomem(err);
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].raw != NULL)
			set[n++] = &c->v[i];
	qsort(set, n, sizeof(*set), by_seq);
	for (size_t i = 0; i < n; i++)
		warn_one(set[i]);
	free(set);
	return 0;
}

static struct config *build(const char *name, const char *text, size_t len, char *const *env,
			    const char *hostname, bool io, struct error *err)
{
	struct config *c = config_new(hostname, io);

	if (c == NULL) {
		nomem(err);
		return NULL;
	}
	if ((name != NULL && parse_text(c, name, text, len, err) < 0) ||
	    apply_env(c, env != NULL ? env : environ, err) < 0 || expand_all(c, err) < 0 ||
	    warn_unused(c, err) < 0) {
		config_free(c);
		return NULL;
	}
	c->hostname = NULL;
	return c;
}

struct config *config_parse(const char *name, const char *text, size_t len, char *const *env,
			    struct error *err)
{
	struct config *c =
	    build(name != NULL ? name : "-", text, len, env, "localhost", false, err);

	if (c != NULL && name != NULL && (c->file = str_dup(name)) == NULL) {
		config_free(c);
		nomem(err);
		return NULL;
	}
	return c;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* The first default file that exists, into path; "" when none does. */
static int default_path(char *const *env, struct buf *path, struct error *err)
{
	const char *xdg = env_get(env, "XDG_CONFIG_HOME"), *home = env_get(env, "HOME");
	struct stat st;
	int rc;

	buf_reset(path);
	if (xdg != NULL && xdg[0] == '/')
		rc = buf_printf(path, "%s/relaymail/sendmail.conf", xdg);
	else if (home != NULL && home[0] == '/')
		rc = buf_printf(path, "%s/.config/relaymail/sendmail.conf", home);
	else
		rc = buf_append(path, "", 0);
	if (rc < 0)
		return nomem(err);
	if (path->len > 0 && stat(path->data, &st) == 0)
		return 0;
	buf_reset(path);
	if (buf_append_str(path, SYSCONFDIR "/relaymail/sendmail.conf") < 0)
		return nomem(err);
	if (stat(path->data, &st) != 0 && errno == ENOENT)
		buf_reset(path);
	return 0;
}

/* The file to read: -C (a directory means its sendmail.conf), then
 * $RELAYMAIL_CONFIG, then the defaults. */
static int choose(const char *given, char *const *env, struct buf *path, struct error *err)
{
	const char *named = given != NULL ? given : env_get(env, ENV_PREFIX "CONFIG");
	struct stat st;

	if (named == NULL || *named == '\0')
		return default_path(env, path, err);
	if (buf_append_str(path, named) < 0)
		return nomem(err);
	if (stat(named, &st) == 0 && S_ISDIR(st.st_mode) &&
	    buf_append_str(path, "/sendmail.conf") < 0)
		return nomem(err);
	return 0;
}

struct config *config_load(const char *path, char *const *env, struct error *err)
{
	struct buf file = { 0 }, text = { 0 };
	struct textfile_info info = { 0 };
	struct config *c = NULL;
	char host[256] = "localhost";

	if (env == NULL)
		env = environ;
	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		memcpy(host, "localhost", sizeof("localhost"));
	host[sizeof(host) - 1] = '\0';
	if (choose(path, env, &file, err) < 0)
		goto out;
	if (file.len > 0 && textfile_read_info(file.data, false, &text, NULL, &info, err) < 0)
		goto out;
	c = build(file.len > 0 ? file.data : NULL, text.data, text.len, env, host, true, err);
	if (c != NULL)
		c->file_info = info;
	if (c != NULL && file.len > 0 && (c->file = buf_steal(&file)) == NULL) {
		config_free(c);
		c = NULL;
		nomem(err);
	}
out:
	buf_fini(&file);
	buf_wipe(&text);
	return c;
}

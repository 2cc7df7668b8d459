/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Envelope and header fixes for a local submission, in Postfix's order
 * (reference/postfix.md §1.4-§1.5, §3.1): qualify, then (later) canonical
 * maps; drop Bcc and Resent-Bcc; add From, Date and Message-ID when
 * missing. Runs before any connection. */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "app/envelope.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "mail/idn.h"

static int qualify_into(const char *addr, const struct config *cfg, char **out,
			struct error *err)
{
	bool append;

	if (config_get_bool(cfg, "append_at_myorigin", &append, err) < 0)
		return -1;
	*out = append ? address_qualify(addr, config_get(cfg, "myorigin")) : str_dup(addr);
	if (*out == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

static bool has_8bit(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

/* Non-ASCII domains become A-labels; a non-ASCII local part needs SMTPUTF8
 * (and then the domain may stay in UTF-8, RFC 6531 §3.2). */
static int ascii_domain(char **addr, bool *smtputf8, struct error *err)
{
	const char *domain = address_domain(*addr);
	size_t local_len = domain != NULL ? (size_t)(domain - *addr - 1) : strlen(*addr);
	char *converted;

	if (!address_is_utf8(*addr))
		return 0;
	if (has_8bit(*addr, local_len)) {
		*smtputf8 = true;
		return 0;
	}
	converted = idn_address_to_ascii(*addr, err);
	if (converted == NULL) {
		err->cls = ERROR_USAGE;
		return -1;
	}
	free(*addr);
	*addr = converted;
	return 0;
}

static int sender_text(const struct options *o, struct buf *out, struct error *err)
{
	struct addrlist list = { 0 };
	const struct passwd *pw;

	if (o->sender == NULL) {
		pw = getpwuid(getuid());
		if (pw == NULL) {
			error_set(err, ERROR_OS, _("no login name found for user ID %lu"),
				  (unsigned long)getuid());
			return -1;
		}
		return buf_append_str(out, pw->pw_name);
	}
	if (str_has_crlfnul(o->sender, strlen(o->sender))) {
		error_set(err, ERROR_USAGE, _("invalid sender address given with -f: it contains "
					      "a line break"));
		return -1;
	}
	if (address_parse_list(o->sender, strlen(o->sender), &list, err) < 0) {
		error_prefix(err, _("invalid sender address given with -f"));
		err->cls = ERROR_USAGE;
		return -1;
	}
	if (list.n > 1)
		log_warning(_("-f option specified more than one sender; using the first: %s"),
			    list.v[0]);
	if (list.n > 0 && strcmp(list.v[0], "\"\"") != 0)
		buf_append_str(out, list.v[0]);
	addrlist_fini(&list);
	return 0;
}

static int build_sender(const struct options *o, const struct config *cfg,
			struct envelope *env, struct error *err)
{
	struct buf text = { 0 };
	char *daemon;
	int rc = sender_text(o, &text, err);

	if (rc < 0 || (text.len == 0 && (env->sender = str_dup("")) != NULL)) {
		buf_fini(&text);
		return rc;
	}
	rc = qualify_into(text.data, cfg, &env->sender, err);
	buf_fini(&text);
	if (rc < 0 || ascii_domain(&env->sender, &env->smtputf8, err) < 0 ||
	    address_check_envelope(env->sender, true, err) < 0)
		return -1;
	daemon = address_qualify("mailer-daemon", config_get(cfg, "myorigin"));
	if (daemon != NULL && str_eq_ci(daemon, env->sender))
		env->sender[0] = '\0';
	free(daemon);
	return 0;
}

static int add_rcpts(const struct addrlist *from, const struct config *cfg,
		     struct envelope *env, struct error *err)
{
	for (size_t i = 0; i < from->n; i++) {
		char *addr;

		if (qualify_into(from->v[i], cfg, &addr, err) < 0)
			return -1;
		if (ascii_domain(&addr, &env->smtputf8, err) < 0 ||
		    address_check_envelope(addr, false, err) < 0 ||
		    addrlist_add_unique(&env->rcpts, addr) < 0) {
			if (!error_is_set(err))
				error_set(err, ERROR_INTERNAL, _("out of memory"));
			free(addr);
			return -1;
		}
		free(addr);
	}
	return 0;
}

static int build_rcpts(const struct options *o, const struct config *cfg,
		       const struct message *m, struct envelope *env, struct error *err)
{
	struct addrlist list = { 0 };
	int rc = 0;

	for (int i = 0; i < o->nrcpts && rc == 0; i++) {
		if (str_has_crlfnul(o->rcpts[i], strlen(o->rcpts[i]))) {
			error_set(err, ERROR_USAGE,
				  _("invalid recipient argument %d: it contains a line break"), i + 1);
			rc = -1;
		} else if (address_parse_list(o->rcpts[i], strlen(o->rcpts[i]), &list, err) < 0) {
			err->cls = ERROR_USAGE;
			rc = -1;
		}
	}
	if (rc == 0 && o->extract)
		rc = message_header_recipients(m, &list, err);
	if (rc == 0)
		rc = add_rcpts(&list, cfg, env, err);
	addrlist_fini(&list);
	if (rc == 0 && env->rcpts.n == 0) {
		error_set(err, ERROR_USAGE,
			  o->extract ? _("no recipient addresses found in the message header")
				     : _("recipient addresses must be given on the command line "
					 "or found in the header with -t"));
		rc = -1;
	}
	return rc;
}

/* RFC 5322 date in local time, with English names whatever the locale. */
static void format_date(char *out, size_t size)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;
	long off;

	localtime_r(&now, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
		 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60,
		 labs(off) % 60);
}

static void format_message_id(const struct config *cfg, char *out, size_t size)
{
	unsigned char rnd[6] = { 0 };
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memcpy(rnd, &now, sizeof(rnd) < sizeof(now) ? sizeof(rnd) : sizeof(now));
	gmtime_r(&now, &tm);
	snprintf(out, size, "<%04d%02d%02d%02d%02d%02d.%02x%02x%02x%02x%02x%02x@%s>",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], config_get(cfg, "myhostname"));
}

/* -F, else $NAME, else the GECOS field up to the first comma. */
static void full_name(const struct options *o, char *out, size_t size)
{
	const struct passwd *pw;
	const char *name = o->fullname;
	size_t len;

	if (name == NULL)
		name = getenv("NAME");
	if (name == NULL && (pw = getpwuid(getuid())) != NULL && pw->pw_gecos != NULL)
		name = pw->pw_gecos;
	if (name == NULL)
		name = "";
	len = strcspn(name, o->fullname != NULL ? "\r\n" : ",;%\r\n");
	if (len >= size)
		len = size - 1;
	memcpy(out, name, len);
	out[len] = '\0';
}

/* "Full Name <addr>", the name quoted when it holds RFC 5322 specials. */
static int format_from(const struct options *o, const struct envelope *env, struct buf *b)
{
	char name[256];
	bool quote;

	full_name(o, name, sizeof(name));
	if (env->sender[0] == '\0')
		return buf_append_str(b, "MAILER-DAEMON");
	if (name[0] == '\0')
		return buf_printf(b, "<%s>", env->sender);
	quote = strpbrk(name, "()<>[]:;@\\,.\"!%") != NULL;
	if (quote && buf_append_char(b, '"') < 0)
		return -1;
	for (const char *p = name; *p != '\0'; p++)
		if ((quote && (*p == '"' || *p == '\\') && buf_append_char(b, '\\') < 0) ||
		    buf_append_char(b, *p) < 0)
			return -1;
	return buf_printf(b, "%s <%s>", quote ? "\"" : "", env->sender);
}

static int fix_headers(const struct options *o, const struct config *cfg, struct message *m,
		       const struct envelope *env, struct error *err)
{
	struct buf from = { 0 };
	char text[512];
	int rc = 0;

	message_header_remove(m, "Bcc");
	message_header_remove(m, "Resent-Bcc");
	if (message_header_find(m, "From") == NULL) {
		rc = format_from(o, env, &from);
		if (rc == 0)
			rc = message_header_add(m, "From", from.data, false);
		buf_fini(&from);
	}
	if (rc == 0 && message_header_find(m, "Date") == NULL) {
		format_date(text, sizeof(text));
		rc = message_header_add(m, "Date", text, false);
	}
	if (rc == 0 && message_header_find(m, "Message-ID") == NULL) {
		format_message_id(cfg, text, sizeof(text));
		rc = message_header_add(m, "Message-ID", text, false);
	}
	if (rc < 0)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	return rc;
}

int envelope_build(const struct options *o, const struct config *cfg, struct message *m,
		   struct envelope *env, struct error *err)
{
	memset(env, 0, sizeof(*env));
	if (build_sender(o, cfg, env, err) < 0 || build_rcpts(o, cfg, m, env, err) < 0 ||
	    fix_headers(o, cfg, m, env, err) < 0) {
		envelope_fini(env);
		return -1;
	}
	env->eightbit = !o->body_7bit && message_is_8bit(m);
	return 0;
}

void envelope_fini(struct envelope *env)
{
	free(env->sender);
	addrlist_fini(&env->rcpts);
	memset(env, 0, sizeof(*env));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The header fields Postfix's cleanup adds to a local submission that
 * lacks them (reference/postfix.md §1.4-§1.5): Message-Id, Date, From in
 * the form header_from_format asks for (their Resent- versions when the
 * message is resent), then undisclosed_recipients_header; and the fields
 * message_drop_headers names removed first. */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "app/envelope_impl.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "mail/encword.h"
#include "mail/header_fix.h"

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
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday % 7],
		 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

static void format_message_id(const char *myhostname, char *out, size_t size)
{
	unsigned char rnd[6] = { 0 };
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memcpy(rnd, &now, sizeof(rnd) < sizeof(now) ? sizeof(rnd) : sizeof(now));
	gmtime_r(&now, &tm);
	snprintf(out, size, "<%04d%02d%02d%02d%02d%02d.%02x%02x%02x%02x%02x%02x@%s>",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], myhostname);
}

/* -F, else $NAME, else the GECOS field up to the first comma; cut to
 * size on a character boundary. */
static void full_name(const struct submission *o, char *out, size_t size)
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
	if (len >= size) {
		len = size - 1;
		while (len > 0 && ((unsigned char)name[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(out, name, len);
	out[len] = '\0';
}

/* header_from_format = obsolete: "addr (Full Name)". An ASCII name goes
 * into the comment as Postfix puts it there: escapes and balanced
 * parentheses kept, an unbalanced ")" or a final backslash dropped, an
 * unclosed "(" closed. A name that is not ASCII becomes encoded-words
 * (the phrase-safe ones are comment-safe too, RFC 2047 §5). */
static int format_from_comment(const char *name, const struct envelope *env, struct buf *b)
{
	size_t col = sizeof("From: (") - 1 + strlen(env->sender) + 1;
	int depth = 0;

	if (buf_printf(b, "%s (", env->sender) < 0)
		return -1;
	if (encword_needed(name, strlen(name))) {
		if (encword_phrase(b, name, strlen(name), &col) < 0)
			return -1;
		return buf_append_char(b, ')');
	}
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				continue;
			if (buf_append_char(b, *p++) < 0)
				return -1;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (depth == 0)
				continue;
			depth--;
		}
		if (buf_append_char(b, *p) < 0)
			return -1;
	}
	for (; depth > 0; depth--)
		if (buf_append_char(b, ')') < 0)
			return -1;
	return buf_append_char(b, ')');
}

/* The From value Postfix writes (reference/postfix.md §1.5, header_from_
 * format = standard): "Full Name <addr>", the name quoted when it holds
 * RFC 5322 specials or "!%", or as RFC 2047 encoded-words when it is not
 * ASCII (an encoded-word may not be quoted, §5); plain "addr" without a
 * name; plain "MAILER-DAEMON" for the null sender. */
static int format_from(const struct submission *o, const struct envelope *env, bool obsolete,
		       struct buf *b)
{
	size_t col = sizeof("From: ") - 1;
	char name[256];
	bool quote;

	full_name(o, name, sizeof(name));
	if (env->sender[0] == '\0')
		return buf_append_str(b, "MAILER-DAEMON");
	if (name[strspn(name, " \t")] == '\0')
		return buf_append_str(b, env->sender);
	if (obsolete)
		return format_from_comment(name, env, b);
	if (encword_needed(name, strlen(name))) {
		if (encword_phrase(b, name, strlen(name), &col) < 0)
			return -1;
		return buf_printf(b, "%s<%s>",
				  col + 3 + strlen(env->sender) > ENCWORD_LINE ? "\r\n " : " ",
				  env->sender);
	}
	quote = strpbrk(name, "()<>[]:;@\\,.\"!%") != NULL;
	if (quote && buf_append_char(b, '"') < 0)
		return -1;
	for (const char *p = name; *p != '\0'; p++)
		if ((quote && (*p == '"' || *p == '\\') && buf_append_char(b, '\\') < 0) ||
		    buf_append_char(b, *p) < 0)
			return -1;
	return buf_printf(b, "%s <%s>", quote ? "\"" : "", env->sender);
}

/* Postfix's cleanup: once the message has one of the Resent- fields of
 * RFC 5322 §3.6.6, what is missing is Resent-From, Resent-Date and
 * Resent-Message-ID, not the originals. */
static bool is_resent(const struct message *m)
{
	static const char *const names[] = { "Resent-Bcc",	  "Resent-Cc",
					     "Resent-Date",	  "Resent-From",
					     "Resent-Message-ID", "Resent-Reply-To",
					     "Resent-Sender",	  "Resent-To" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (header_fix_seen(m, names[i]))
			return true;
	return false;
}

/* message_drop_headers; missing fields added as Postfix's cleanup adds
 * them: Message-Id, Date, From, spelled as Postfix spells them, then
 * undisclosed_recipients_header. */
int envelope_fix_headers(const struct submission *o, const struct envelope_settings *t,
			 struct message *m, const struct envelope *env, struct error *err)
{
	bool resent = is_resent(m);
	const char *from_name = resent ? "Resent-From" : "From";
	const char *date_name = resent ? "Resent-Date" : "Date";
	const char *id_name = resent ? "Resent-Message-Id" : "Message-Id";
	struct buf from = { 0 };
	char text[512];
	int rc = 0;

	header_fix_drop(&t->hdr, m);
	if (!header_fix_seen(m, id_name)) {
		format_message_id(t->myhostname, text, sizeof(text));
		rc = message_header_add(m, id_name, text, false);
	}
	if (rc == 0 && !header_fix_seen(m, date_name)) {
		format_date(text, sizeof(text));
		rc = message_header_add(m, date_name, text, false);
	}
	if (rc == 0 && !header_fix_seen(m, from_name)) {
		rc = format_from(o, env, t->hdr.from_obsolete, &from);
		if (rc == 0)
			rc = message_header_add(m, from_name, from.data, false);
		buf_fini(&from);
	}
	if (rc == 0)
		rc = header_fix_undisclosed(&t->hdr, m);
	if (rc < 0)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	return rc;
}

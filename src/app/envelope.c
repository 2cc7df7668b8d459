/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Envelope and header fixes for a local submission, in Postfix's order
 * (reference/postfix.md §1.4-§1.5, §3.1): qualify, canonical maps and
 * masquerading, aliases for local recipients (what they give rewritten
 * again), the automatic BCC copies, header_checks (envelope_checks.c),
 * header rewriting by class, the cleanup header fixes
 * (envelope_headers.c), smtp_header_checks. Runs before any connection. */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/envelope.h"
#include "app/envelope_impl.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/expand.h"
#include "deliver/locality.h"
#include "mail/alias.h"
#include "mail/idn.h"
#include "mail/rewrite.h"

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

static int qualify_into(const char *addr, const struct envelope_settings *t, char **out,
			struct error *err)
{
	*out = rewrite_local(t->rw, addr);
	return *out == NULL ? nomem(err) : 0;
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
		if (err->cls != ERROR_INTERNAL)
			err->cls = ERROR_USAGE;
		return -1;
	}
	free(*addr);
	*addr = converted;
	return 0;
}

/* The sender as given, else the login name. A user ID without a passwd
 * entry (a container under a random UID) stands in as its number;
 * *no_login says so, and build_sender accepts it only when the maps turn
 * it into something else. */
static int sender_text(const struct submission *o, struct buf *out, bool *no_login,
		       struct error *err)
{
	struct addrlist list = { 0 };
	const struct passwd *pw;

	*no_login = false;
	if (o->sender == NULL) {
		pw = getpwuid(getuid());
		if (pw == NULL) {
			*no_login = true;
			return buf_printf(out, "%lu", (unsigned long)getuid()) < 0 ? nomem(err) : 0;
		}
		return buf_append_str(out, pw->pw_name) < 0 ? nomem(err) : 0;
	}
	if (str_has_crlfnul(o->sender, strlen(o->sender))) {
		error_set(err, ERROR_USAGE,
			  _("invalid sender address given with -f: it contains "
			    "a line break"));
		return -1;
	}
	if (address_parse_list(o->sender, strlen(o->sender), &list, err) < 0) {
		addrlist_fini(&list);
		if (err->cls != ERROR_INTERNAL) {
			error_prefix(err, _("invalid sender address given with -f"));
			err->cls = ERROR_USAGE;
		}
		return -1;
	}
	if (list.n > 1)
		log_warning(_("-f option specified more than one sender; using the first: %s"),
			    list.v[0]);
	if (list.n > 0 && strcmp(list.v[0], "\"\"") != 0 && buf_append_str(out, list.v[0]) < 0) {
		addrlist_fini(&list);
		return nomem(err);
	}
	addrlist_fini(&list);
	return 0;
}

/* A table gave an address that cannot be used: its details (the table's
 * contents) go to a warning, and the error, which a -bs client reads in
 * the reply, names only the tables and the address asked about. It is
 * the configuration's fault, not the message's. */
static int table_gave_bad(const char *tables, const char *asked, struct error *err)
{
	if (err->cls == ERROR_INTERNAL)
		return -1;
	log_warning("%s: %s", tables, err->text);
	error_set(err, ERROR_CONFIG, _("%s gave an invalid address for <%s>"), tables, asked);
	return -1;
}

/* qualify, mailer-daemon@$myorigin to null, sender_canonical_maps and
 * canonical_maps (reference/postfix.md §3.1). */
static int build_sender(const struct submission *o, const struct envelope_settings *t,
			struct envelope *env, struct error *err)
{
	struct buf text = { 0 };
	char *daemon, *mapped = NULL;
	bool no_login, unchanged;
	int rc = sender_text(o, &text, &no_login, err);

	if (rc == 0 && (env->sender_given = str_dup(text.data != NULL ? text.data : "")) == NULL)
		rc = nomem(err);
	if (rc == 0)
		rc = qualify_into(text.data != NULL ? text.data : "", t, &env->sender, err);
	buf_fini(&text);
	if (rc < 0 ||
	    (env->sender[0] != '\0' && (ascii_domain(&env->sender, &env->smtputf8, err) < 0 ||
					address_check_envelope(env->sender, true, err) < 0)))
		return -1;
	daemon = address_qualify("mailer-daemon", t->myorigin);
	if (daemon == NULL)
		return nomem(err);
	if (str_eq_ci(daemon, env->sender))
		env->sender[0] = '\0';
	free(daemon);
	if (rewrite_sender(t->rw, env->sender, REWRITE_ENVELOPE_SENDER, &mapped, err) < 0)
		return -1;
	unchanged = strcmp(mapped, env->sender) == 0;
	free(env->sender);
	env->sender = mapped;
	if (no_login && unchanged) {
		error_set(err, ERROR_CONFIG,
			  _("user ID %lu has no login name (no passwd entry) to send as: give the "
			    "sender with -f, or map it with sender_canonical_maps (for example "
			    "static:you@example.org)"),
			  (unsigned long)getuid());
		return -1;
	}
	if (env->sender[0] == '\0')
		return 0;
	if (ascii_domain(&env->sender, &env->smtputf8, err) < 0 ||
	    address_check_envelope(env->sender, true, err) < 0)
		return table_gave_bad("sender_canonical_maps or canonical_maps", env->sender_given,
				      err);
	return 0;
}

static bool is_login(const char *name, void *arg)
{
	(void)arg;
	return getpwnam(name) != NULL;
}

/* One final recipient addr of the recipient given (qualified), whose
 * rewritten form is mapped: an address the aliases gave is rewritten
 * (recipient_canonical_maps, canonical_maps, masquerading) as Postfix's
 * cleanup rewrites what local(8) forwards; then checks, duplicates
 * dropped. A bad address that the aliases or the maps gave is their
 * error. */
static int add_final(const char *given, const char *mapped_given, const char *addr,
		     const struct envelope_settings *t, struct envelope *env, struct error *err)
{
	bool aliased = strcmp(mapped_given, addr) != 0, mapped_other;
	char *mapped = NULL;
	int rc;

	if (aliased && address_check_envelope(addr, false, err) < 0)
		return table_gave_bad("alias_maps", given, err);
	rc = aliased ? rewrite_recipient(t->rw, addr, REWRITE_ENVELOPE_RECIPIENT, &mapped, err)
	     : (mapped = str_dup(addr)) != NULL ? 0
						: nomem(err);
	mapped_other = rc == 0 && strcmp(mapped, addr) != 0;
	if (rc == 0 && (ascii_domain(&mapped, &env->smtputf8, err) < 0 ||
			address_check_envelope(mapped, false, err) < 0)) {
		rc = -1;
		table_gave_bad(mapped_other ? "recipient_canonical_maps or canonical_maps"
					    : "alias_maps",
			       given, err);
	}
	if (rc == 0 && addrlist_add_unique(&env->rcpts, mapped) < 0)
		rc = nomem(err);
	free(mapped);
	return rc;
}

/* In Postfix's order: cleanup qualifies each recipient, rewrites it
 * (canonical maps, masquerading) and looks up its recipient_bcc_maps
 * copy; local(8) then expands a local one through alias_maps, and what
 * an alias gives is rewritten again, as forwarded mail is. bccs: where
 * the copies go (NULL: no lookup, for the copies themselves). */
static int add_rcpts(const struct addrlist *from, const struct envelope_settings *t,
		     struct envelope *env, struct addrlist *bccs, struct error *err)
{
	struct alias_ctx ctx = { .rw = t->rw,
				 .luser_relay = t->luser_relay,
				 .luser_relay_where = t->luser_relay_where,
				 .is_user = is_login };
	int rc = 0;

	for (size_t i = 0; i < from->n && rc == 0; i++) {
		struct addrlist expanded = { 0 };
		char *addr, *mapped = NULL;

		if (qualify_into(from->v[i], t, &addr, err) < 0)
			return -1;
		rc = ascii_domain(&addr, &env->smtputf8, err);
		if (rc == 0)
			rc = address_check_envelope(addr, false, err);
		if (rc == 0)
			rc = rewrite_recipient(t->rw, addr, REWRITE_ENVELOPE_RECIPIENT, &mapped,
					       err);
		if (rc == 0 && (ascii_domain(&mapped, &env->smtputf8, err) < 0 ||
				address_check_envelope(mapped, false, err) < 0))
			rc =
			    table_gave_bad("recipient_canonical_maps or canonical_maps", addr, err);
		if (rc == 0 && bccs != NULL)
			rc = bcc_recipient(t->bcc, mapped, bccs, err);
		if (rc == 0)
			rc = alias_expand(t->aliases, &ctx, mapped, &expanded, err);
		for (size_t k = 0; k < expanded.n && rc == 0; k++)
			rc = add_final(addr, mapped, expanded.v[k], t, env, err);
		addrlist_fini(&expanded);
		free(mapped);
		free(addr);
	}
	return rc;
}

static int build_rcpts(const struct submission *o, const struct envelope_settings *t,
		       const struct message *m, struct envelope *env, struct addrlist *bccs,
		       struct error *err)
{
	struct addrlist list = { 0 };
	int rc = 0;

	for (size_t i = 0; i < o->nrcpts && rc == 0; i++) {
		if (str_has_crlfnul(o->rcpts[i], strlen(o->rcpts[i]))) {
			error_set(err, ERROR_USAGE,
				  _("invalid recipient argument %d: it contains a line break"),
				  (int)i + 1);
			rc = -1;
		} else if (address_parse_list(o->rcpts[i], strlen(o->rcpts[i]), &list, err) < 0) {
			if (err->cls != ERROR_INTERNAL)
				err->cls = ERROR_USAGE;
			rc = -1;
		}
	}
	if (rc == 0 && o->extract)
		rc = message_header_recipients(m, &list, err);
	if (rc == 0)
		rc = add_rcpts(&list, t, env, bccs, err);
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

/* The first envelope address that is not ASCII (after A-label
 * conversion, one with a non-ASCII local part), or NULL. */
static const char *utf8_address(const struct envelope *env)
{
	if (address_is_utf8(env->sender))
		return env->sender;
	for (size_t i = 0; i < env->rcpts.n; i++)
		if (address_is_utf8(env->rcpts.v[i]))
			return env->rcpts.v[i];
	return NULL;
}

/* BODY=8BITMIME and SMTPUTF8 from the content, -B, -O and smtputf8_enable
 * (reference/postfix.md §7). UTF-8 only in the header asks for SMTPUTF8
 * when offered but, unlike Postfix, does not need it: the header goes as
 * 8-bit data, which is what relays without SMTPUTF8 have always got. */
int envelope_flags(const struct envelope_settings *t, const struct submission *o,
		   const struct message *m, struct envelope *env, struct error *err)
{
	bool eightbit = message_is_8bit(m), enable = t->smtputf8;
	const char *addr = utf8_address(env);

	env->eightbit = eightbit || o->body_8bit;
	if (o->body_7bit && eightbit)
		log_warning(_("-B 7BIT was given, but the message holds 8-bit data; it is sent "
			      "as BODY=8BITMIME"));
	if (!enable && addr != NULL) {
		error_set(err, ERROR_DATA,
			  _("the address <%s> needs SMTPUTF8, which smtputf8_enable = no (%s) "
			    "turns off"),
			  addr, t->smtputf8_where);
		return -1;
	}
	env->smtputf8 = enable && (addr != NULL || o->smtputf8);
	env->smtputf8_if_offered =
	    enable && !env->smtputf8 &&
	    (o->smtputf8_declared || (t->smtputf8_detect && message_header_is_utf8(m)));
	return 0;
}

/* smtputf8_autodetect_classes: Postfix's mail origin classes; relaymail
 * is the "sendmail" class, whether the message came on stdin or -bs. */
static int detect_classes(const struct config *cfg, bool *detect, struct error *err)
{
	static const char *const classes[] = { "sendmail", "smtpd",  "qmqpd",  "forward",
					       "bounce",   "notify", "verify", "all" };
	char **words = config_list_split(config_get(cfg, "smtputf8_autodetect_classes"));
	int rc = 0;

	*detect = false;
	if (words == NULL)
		return nomem(err);
	for (size_t i = 0; words[i] != NULL && rc == 0; i++) {
		size_t k = 0;

		while (k < sizeof(classes) / sizeof(classes[0]) && !str_eq_ci(words[i], classes[k]))
			k++;
		if (k == sizeof(classes) / sizeof(classes[0])) {
			config_bad_value(err, cfg, "smtputf8_autodetect_classes", words[i],
					 _("use sendmail, smtpd, qmqpd, forward, bounce, notify, "
					   "verify or all"));
			rc = -1;
		}
		*detect |= k == 0 || k == 7;
	}
	config_list_free(words);
	return rc;
}

/* luser_relay's $names are known only per recipient; its syntax can be
 * checked now, with every name empty. */
static int luser_syntax_resolve(void *arg, const char *name, size_t len, const char **value,
				struct error *err)
{
	(void)arg;
	(void)name;
	(void)len;
	(void)err;
	*value = "";
	return 0;
}

static int luser_check(const struct envelope_settings *s, struct error *err)
{
	struct expand_ctx x = { luser_syntax_resolve, NULL, s->luser_relay_where, "luser_relay",
				NULL };
	struct buf out = { 0 };
	int rc = expand_text(&x, s->luser_relay, strlen(s->luser_relay), &out, err);

	buf_fini(&out);
	return rc;
}

/* A domain name as myhostname, mydomain and myorigin must be (Postfix
 * refuses a bad myhostname or mydomain at start): labels of letters,
 * digits, '-' and '_' (bytes past ASCII pass, for U-labels) between
 * single dots, at most 255 octets; myorigin may also be an address
 * literal. */
static bool name_ok(const char *v, bool literal_ok)
{
	size_t len = strlen(v), label = 0;

	if (literal_ok && len > 2 && v[0] == '[' && v[len - 1] == ']')
		return strcspn(v + 1, "[] \t\\") == len - 2;
	if (len == 0 || len > 255)
		return false;
	for (const char *p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static int names_check(const struct config *cfg, struct error *err)
{
	static const char *const params[] = { "myhostname", "mydomain", "myorigin" };

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *v = config_get(cfg, params[i]);

		if (!name_ok(v, i == 2)) {
			config_bad_value(err, cfg, params[i], v,
					 _("use a domain name such as host.example.org"));
			return -1;
		}
	}
	return 0;
}

int envelope_settings_load(const struct config *cfg, struct locality *loc,
			   struct envelope_settings *s, struct error *err)
{
	/* The default alias_maps (hash:/etc/aliases) may be absent. */
	bool missing_ok = !config_is_set(cfg, "alias_maps");
	struct addrfind_own own = locality_own(loc);

	memset(s, 0, sizeof(*s));
	s->myorigin = config_get(cfg, "myorigin");
	s->myhostname = config_get(cfg, "myhostname");
	s->luser_relay = config_get(cfg, "luser_relay");
	s->luser_relay_where = config_where(cfg, "luser_relay");
	s->smtputf8_where = config_where(cfg, "smtputf8_enable");
	if (names_check(cfg, err) < 0 ||
	    config_get_bool(cfg, "smtputf8_enable", &s->smtputf8, err) < 0 ||
	    detect_classes(cfg, &s->smtputf8_detect, err) < 0 || luser_check(s, err) < 0)
		return -1;
	s->rw = rewriter_new(cfg, &own, err);
	if (s->rw == NULL)
		return -1;
	s->aliases = alias_open(config_get(cfg, "alias_maps"), false, missing_ok, err);
	if (s->aliases == NULL) {
		error_prefix(err, "alias_maps (%s)", config_where(cfg, "alias_maps"));
		envelope_settings_fini(s);
		return -1;
	}
	s->bcc = bcc_new(cfg, s->rw, err);
	if (s->bcc == NULL || header_fix_load(cfg, &s->hdr, err) < 0) {
		envelope_settings_fini(s);
		return -1;
	}
	return 0;
}

void envelope_settings_fini(struct envelope_settings *s)
{
	bcc_free(s->bcc);
	header_fix_fini(&s->hdr);
	alias_free(s->aliases);
	rewriter_free(s->rw);
	s->bcc = NULL;
	s->aliases = NULL;
	s->rw = NULL;
}

/* The recipients, with the automatic copies (mail/bcc.h) after them: the
 * sender's, each recipient's, then always_bcc, each qualified, aliased
 * and rewritten as a recipient. */
static int add_bccs(const struct submission *sub, const struct envelope_settings *set,
		    const struct message *m, struct envelope *env, struct error *err)
{
	struct addrlist bccs = { 0 };
	int rc = bcc_sender(set->bcc, env->sender, &bccs, err);

	if (rc == 0)
		rc = build_rcpts(sub, set, m, env, &bccs, err);
	if (rc == 0)
		rc = bcc_always(set->bcc, &bccs, err);
	if (rc == 0 && bccs.n > 0)
		rc = add_rcpts(&bccs, set, env, NULL, err);
	addrlist_fini(&bccs);
	return rc;
}

/* A recipient that header_checks gave (BCC, or with redirect the only
 * one, REDIRECT): qualified and checked; a BCC also goes through the
 * recipient canonical maps, as Postfix's cleanup does for it, and a
 * REDIRECT target is used as it is, as Postfix's queue manager does. */
int envelope_checks_rcpt(const struct envelope_settings *t, const char *given, bool redirect,
			 struct envelope *env, struct error *err)
{
	char *addr;
	int rc;

	if (qualify_into(given, t, &addr, err) < 0)
		return -1;
	rc = ascii_domain(&addr, &env->smtputf8, err);
	if (rc == 0 && address_check_envelope(addr, false, err) < 0)
		rc = table_gave_bad("header_checks", given, err);
	if (rc == 0 && redirect) {
		addrlist_fini(&env->rcpts);
		if (addrlist_add(&env->rcpts, addr) < 0)
			rc = nomem(err);
	} else if (rc == 0) {
		/* "" for what the aliases gave: rewritten by the maps. */
		rc = add_final(addr, "", addr, t, env, err);
	}
	free(addr);
	return rc;
}

int envelope_checks_sender(const struct envelope_settings *t, const char *given,
			   struct envelope *env, struct error *err)
{
	char *addr, *mapped = NULL;
	int rc;

	if (qualify_into(given, t, &addr, err) < 0)
		return -1;
	rc = addr[0] == '\0' ? 0 : ascii_domain(&addr, &env->smtputf8, err);
	if (rc == 0)
		rc = rewrite_sender(t->rw, addr, REWRITE_ENVELOPE_SENDER, &mapped, err);
	if (rc == 0 && mapped[0] != '\0' &&
	    (ascii_domain(&mapped, &env->smtputf8, err) < 0 ||
	     address_check_envelope(mapped, true, err) < 0)) {
		if (err->cls != ERROR_INTERNAL)
			err->cls = ERROR_DATA;
		rc = -1;
	}
	free(addr);
	if (rc < 0) {
		free(mapped);
		return -1;
	}
	free(env->sender);
	env->sender = mapped;
	return 0;
}

int envelope_build(const struct envelope_settings *set, const struct submission *sub,
		   struct message *m, struct envelope *env, struct error *err)
{
	return envelope_build_milters(set, NULL, (struct deadline){ 0 }, sub, m, env, err);
}

int envelope_build_milters(const struct envelope_settings *set, const struct milters *ms,
			   struct deadline run, const struct submission *sub, struct message *m,
			   struct envelope *env, struct error *err)
{
	int rc;

	memset(env, 0, sizeof(*env));
	if (maillog_active())
		maillog_queue_id(env->queue_id, sizeof(env->queue_id));
	rc = build_sender(sub, set, env, err);
	if (rc == 0)
		rc = add_bccs(sub, set, m, env, err);
	/* -t has read the recipients already: Postfix's sendmail extracts
	 * them before its cleanup applies header_checks. */
	if (rc == 0)
		rc = envelope_checks(set, set->hdr.checks, set->hdr.body, m, env, err);
	if (rc == 0 && env->discard)
		return 0;
	if (rc == 0)
		rc = rewrite_headers(set->rw, m, err);
	if (rc == 0)
		rc = envelope_fix_headers(sub, set, m, env, err);
	if (rc == 0)
		rc = envelope_milters(set, ms, run, m, env, err);
	if (rc == 0 && env->discard)
		return 0;
	if (rc == 0)
		rc = envelope_checks(set, set->hdr.smtp_checks, set->hdr.smtp_body, m, env, err);
	if (rc == 0)
		rc = envelope_flags(set, sub, m, env, err);
	if (rc < 0) {
		envelope_fini(env);
		return -1;
	}
	return 0;
}

void envelope_fini(struct envelope *env)
{
	free(env->sender);
	free(env->sender_given);
	addrlist_fini(&env->rcpts);
	memset(env, 0, sizeof(*env));
}

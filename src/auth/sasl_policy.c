/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which SASL mechanism to use: Postfix's security options checked against
 * the Cyrus property table (reference/postfix.md §5.3), the mechanism
 * filter as a match list, and relaymail's own rules: no password in
 * cleartext without TLS, noplaintext ignored under TLS, -PLUS only with
 * channel binding, the OAuth mechanisms only with a token command. When
 * nothing is left, the error says what the relay offered, what the policy
 * allowed and which parameter removed what. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/sasl.h"
#include "auth/sasl_policy.h"
#include "base/error.h"
#include "base/i18n.h"
#include "base/str.h"
#include "conf/matchlist.h"

/* Option lists and AUTH lists: commas and blanks separate. */
#define SEPARATORS ", \t\r\n"
#define WORD_SHOWN_MAX 64
#define TEXT_MAX 400

enum mech_flag {
	MECH_CLEARTEXT = 1 << 0, /* sends the password itself */
	MECH_PLUS = 1 << 1,	 /* binds to the TLS channel */
	MECH_OAUTH = 1 << 2,	 /* needs a bearer token from the token command */
};

struct mech {
	const char *name;
	unsigned provides; /* enum sasl_option properties it satisfies */
	unsigned flags;
};

#define SCRAM_PROVIDES (SASL_NOPLAINTEXT | SASL_NOACTIVE | SASL_NOANONYMOUS | SASL_MUTUAL_AUTH)

/* Preference order, strongest first. CRAM-MD5 ranks above PLAIN because it
 * never reveals the password, even though the server must store it. The
 * OAuth pair comes first: it is used only when a token command is set up,
 * which says how this user means to authenticate; a token is a password
 * for the policy (Cyrus treats XOAUTH2 as plaintext). */
static const struct mech mechs[] = {
	{ "OAUTHBEARER", SASL_NOANONYMOUS, MECH_CLEARTEXT | MECH_OAUTH },
	{ "XOAUTH2", SASL_NOANONYMOUS, MECH_CLEARTEXT | MECH_OAUTH },
	{ "SCRAM-SHA-256-PLUS", SCRAM_PROVIDES, MECH_PLUS },
	{ "SCRAM-SHA-1-PLUS", SCRAM_PROVIDES, MECH_PLUS },
	{ "SCRAM-SHA-256", SCRAM_PROVIDES, 0 },
	{ "SCRAM-SHA-1", SCRAM_PROVIDES, 0 },
	{ "CRAM-MD5", SASL_NOPLAINTEXT | SASL_NOANONYMOUS, 0 },
	{ "PLAIN", SASL_NOANONYMOUS, MECH_CLEARTEXT },
	{ "LOGIN", SASL_NOANONYMOUS, MECH_CLEARTEXT },
};
#define NMECHS (sizeof(mechs) / sizeof(mechs[0]))

/* forward_secrecy exists in Cyrus; no mechanism here has it and Postfix
 * setups that name it still expect to authenticate, so it is accepted and
 * has no effect. */
static const struct {
	const char *word;
	unsigned bit;
} option_words[] = {
	{ "noplaintext", SASL_NOPLAINTEXT },   { "noactive", SASL_NOACTIVE },
	{ "nodictionary", SASL_NODICTIONARY }, { "noanonymous", SASL_NOANONYMOUS },
	{ "mutual_auth", SASL_MUTUAL_AUTH },   { "forward_secrecy", 0 },
};
#define NOPTIONS (sizeof(option_words) / sizeof(option_words[0]))

/* Why a mechanism is not allowed; ALLOWED when it is. */
enum verdict { ALLOWED, NO_TOKEN, NO_TLS, NO_CB, FILTERED, OPTIONS, UNSUPPORTED, NVERDICTS };

/* Bounded text for error messages; truncation is harmless there. */
struct text {
	char s[TEXT_MAX];
	size_t len;
};

/* The next word of *p, NULL at the end; *len gets its length. */
static const char *next_word(const char **p, size_t *len)
{
	const char *s = *p + strspn(*p, SEPARATORS);

	if (*s == '\0')
		return NULL;
	*len = strcspn(s, SEPARATORS);
	*p = s + *len;
	return s;
}

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Does the word w (len bytes, not terminated) equal name, ignoring case? */
static bool word_is(const char *w, size_t len, const char *name)
{
	for (size_t i = 0; i < len; i++)
		if (name[i] == '\0' || fold((unsigned char)w[i]) != fold((unsigned char)name[i]))
			return false;
	return name[len] == '\0';
}

/* Append sep (unless t is empty) and n bytes of s made printable. */
static void text_add(struct text *t, const char *sep, const char *s, size_t n)
{
	if (t->len > 0) {
		size_t seplen = strlen(sep);

		if (t->len + seplen >= sizeof(t->s))
			return;
		memcpy(t->s + t->len, sep, seplen);
		t->len += seplen;
	}
	str_printable(t->s + t->len, sizeof(t->s) - t->len, s, n);
	t->len += strlen(t->s + t->len);
}

static void text_addf(struct text *t, const char *sep, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void text_addf(struct text *t, const char *sep, const char *fmt, ...)
{
	char piece[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	text_add(t, sep, piece, strlen(piece));
}

int sasl_options_parse(const char *list, unsigned *out, struct error *err)
{
	const char *p = list != NULL ? list : "";
	const char *w;
	size_t len;
	unsigned bits = 0;

	while ((w = next_word(&p, &len)) != NULL) {
		size_t i = 0;

		while (i < NOPTIONS && !word_is(w, len, option_words[i].word))
			i++;
		if (i == NOPTIONS) {
			char shown[WORD_SHOWN_MAX];

			str_printable(shown, sizeof(shown), w, len);
			error_set(err, ERROR_CONFIG,
				  _("unknown SASL security option \"%s\"; the known options are "
				    "noplaintext, noactive, nodictionary, noanonymous, mutual_auth "
				    "and forward_secrecy"),
				  shown);
			return -1;
		}
		bits |= option_words[i].bit;
	}
	*out = bits;
	return 0;
}

static bool offered(const char *list, const char *name)
{
	const char *p = list != NULL ? list : "", *w;
	size_t len;

	while ((w = next_word(&p, &len)) != NULL)
		if (word_is(w, len, name))
			return true;
	return false;
}

/* Whether the filter keeps m: 1 or 0, -1 when a lookup failed (in err,
 * naming the mechanism, as Postfix's sasl_mech_filter does). */
static int filter_keeps(const struct sasl_choice *c, const struct mech *m, struct error *err)
{
	int rc;

	if (c->filter == NULL)
		return 1;
	if ((rc = matchlist_match(c->filter, m->name, err)) < 0)
		error_prefix(err, _("the SASL mechanism filter failed for %s"), m->name);
	return rc;
}

/* *v: why m is not allowed, or ALLOWED. -1 when the filter failed. */
static int judge(const struct sasl_choice *c, const struct mech *m,
		 bool (*supported)(const char *, void *), void *arg, enum verdict *v,
		 struct error *err)
{
	unsigned required = c->options;
	int keeps;

	/* TLS protects the password, so noplaintext has nothing to add. */
	if (c->tls)
		required &= ~(unsigned)SASL_NOPLAINTEXT;
	if ((m->flags & MECH_OAUTH) != 0 && !c->oauth)
		*v = NO_TOKEN;
	else if ((m->flags & MECH_CLEARTEXT) != 0 && !c->tls)
		*v = NO_TLS;
	else if ((m->flags & MECH_PLUS) != 0 && !c->channel_binding)
		*v = NO_CB;
	else if ((keeps = filter_keeps(c, m, err)) < 0)
		return -1;
	else if (keeps == 0)
		*v = FILTERED;
	else if ((m->provides & required) != required)
		*v = OPTIONS;
	else if (!supported(m->name, arg))
		*v = UNSUPPORTED;
	else
		*v = ALLOWED;
	return 0;
}

static const char *options_param(const struct sasl_choice *c)
{
	if (c->options_name != NULL)
		return c->options_name;
	return c->tls ? "smtp_sasl_tls_security_options" : "smtp_sasl_security_options";
}

/* The clauses in parentheses: each names what to change. removed[v] lists
 * the offered mechanisms that verdict v ruled out. */
static void explain_reasons(const struct sasl_choice *c, const struct text *removed, bool any_known,
			    struct text *why)
{
	struct text opts = { .len = 0 };

	for (size_t i = 0; i < NOPTIONS; i++)
		if ((c->options & option_words[i].bit) != 0)
			text_add(&opts, ", ", option_words[i].word, strlen(option_words[i].word));
	if (opts.len == 0)
		text_addf(why, "; ", _("%s is empty"), options_param(c));
	else if (removed[OPTIONS].len > 0)
		text_addf(why, "; ", _("%s = %s rules out %s"), options_param(c), opts.s,
			  removed[OPTIONS].s);
	else
		text_addf(why, "; ", "%s = %s", options_param(c), opts.s);
	if (c->filter != NULL && matchlist_empty(c->filter))
		text_addf(why, "; ",
			  _("smtp_sasl_mechanism_filter = %s holds no pattern, so it rules out "
			    "every mechanism"),
			  matchlist_text(c->filter));
	else if (removed[FILTERED].len > 0)
		text_addf(why, "; ", _("smtp_sasl_mechanism_filter = %s rules out %s"),
			  matchlist_text(c->filter), removed[FILTERED].s);
	else if (c->filter != NULL)
		text_addf(why, "; ", "smtp_sasl_mechanism_filter = %s", matchlist_text(c->filter));
	if (!c->tls && c->oauth)
		text_addf(why, "; ", "%s",
			  _("no TLS, so PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER are not allowed"));
	else if (!c->tls)
		text_addf(why, "; ", "%s", _("no TLS, so PLAIN and LOGIN are not allowed"));
	if (removed[NO_TOKEN].len > 0)
		text_addf(why, "; ",
			  _("smtp_sasl_oauth_token_command is empty, so %s cannot be used"),
			  removed[NO_TOKEN].s);
	if (removed[NO_CB].len > 0)
		text_addf(why, "; ", _("no channel binding, so %s cannot be used"),
			  removed[NO_CB].s);
	if (removed[UNSUPPORTED].len > 0)
		text_addf(why, "; ", _("the installed GNU SASL library does not implement %s"),
			  removed[UNSUPPORTED].s);
	if (!any_known)
		text_addf(why, "; ", "%s",
			  _("relaymail implements none of the offered mechanisms"));
}

/* The ERROR_AUTH that says why nothing fits; -1 either way (a failing
 * filter's error instead, when judging the others hit one). */
static int explain(const struct sasl_choice *c, bool (*supported)(const char *, void *), void *arg,
		   struct error *err)
{
	struct text offer = { .len = 0 }, allowed = { .len = 0 }, why = { .len = 0 };
	struct text removed[NVERDICTS];
	const char *p = c->offered != NULL ? c->offered : "", *w;
	size_t len;
	bool any_known = false;

	memset(removed, 0, sizeof(removed));
	while ((w = next_word(&p, &len)) != NULL)
		text_add(&offer, " ", w, len);
	for (size_t i = 0; i < NMECHS; i++) {
		const char *name = mechs[i].name;
		enum verdict v;

		if (judge(c, &mechs[i], supported, arg, &v, err) < 0)
			return -1;
		if (v == ALLOWED)
			text_add(&allowed, " ", name, strlen(name));
		if (offered(c->offered, name)) {
			any_known = true;
			text_add(&removed[v], " ", name, strlen(name));
		}
	}
	explain_reasons(c, removed, any_known || offer.len == 0, &why);
	if (offer.len == 0)
		text_addf(&offer, "", "%s", _("nothing"));
	if (allowed.len == 0)
		error_set(err, ERROR_AUTH,
			  _("no usable authentication mechanism: the relay offered %s; relaymail "
			    "allows no mechanism under the current policy (%s)"),
			  offer.s, why.s);
	else
		error_set(err, ERROR_AUTH,
			  _("no usable authentication mechanism: the relay offered %s; relaymail "
			    "allows %s under the current policy (%s)"),
			  offer.s, allowed.s, why.s);
	return -1;
}

int sasl_policy_choose(const struct sasl_choice *c, bool (*supported)(const char *mech, void *arg),
		       void *arg, char *mech, size_t mechsize, struct error *err)
{
	for (size_t i = 0; i < NMECHS; i++) {
		size_t len = strlen(mechs[i].name);
		enum verdict v;

		if (!offered(c->offered, mechs[i].name))
			continue;
		if (judge(c, &mechs[i], supported, arg, &v, err) < 0)
			return -1;
		if (v != ALLOWED)
			continue;
		if (len >= mechsize) {
			error_set(err, ERROR_INTERNAL, _("no room for the SASL mechanism name %s"),
				  mechs[i].name);
			return -1;
		}
		memcpy(mech, mechs[i].name, len + 1);
		return 0;
	}
	return explain(c, supported, arg, err);
}

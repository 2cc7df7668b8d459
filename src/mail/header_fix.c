/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parsing and applying the cleanup header settings of header_fix.h. A
 * value Postfix would only warn about when a message comes
 * (undisclosed_recipients_header that is not a header field) is refused
 * at start here, like every bad value relaymail acts on. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "mail/header.h"
#include "mail/header_fix.h"
#include "mail/message_impl.h"

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* A list item is a field name: printable ASCII without ':' nor blanks. */
static bool name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= HEADER_NAME_MAX &&
	       header_classify(name, len, false) == HEADER_LINE_MORE;
}

static int drop_load(const struct config *cfg, struct header_fix *f, struct error *err)
{
	const char *value = config_get(cfg, "message_drop_headers");

	if ((f->drop = config_list_split(value)) == NULL)
		return nomem(err);
	for (char **p = f->drop; *p != NULL; p++) {
		if (!name_ok(*p)) {
			config_bad_value(err, cfg, "message_drop_headers", *p,
					 _("use header field names such as bcc, return-path"));
			return -1;
		}
	}
	return 0;
}

int header_fix_load(const struct config *cfg, struct header_fix *f, struct error *err)
{
	static const char *const formats[] = { "standard", "obsolete" };
	int format;

	memset(f, 0, sizeof(*f));
	f->undisclosed = config_get(cfg, "undisclosed_recipients_header");
	if (f->undisclosed[0] != '\0' &&
	    (header_classify(f->undisclosed, strlen(f->undisclosed), true) != HEADER_LINE_FIELD ||
	     str_has_crlfnul(f->undisclosed, strlen(f->undisclosed)))) {
		config_bad_value(err, cfg, "undisclosed_recipients_header", f->undisclosed,
				 _("use a whole header field such as \"To: "
				   "undisclosed-recipients:;\", or nothing"));
		return -1;
	}
	format = config_get_enum(cfg, "header_from_format", formats, 2, err);
	if (format < 0 ||
	    config_get_bool(cfg, "always_add_missing_headers", &f->always_add, err) < 0)
		return -1;
	f->from_obsolete = format == 1;
	if (drop_load(cfg, f, err) < 0 ||
	    (f->checks = header_checks_open(cfg, "header_checks", HEADER_CHECKS_CLEANUP, err)) ==
		NULL ||
	    (f->smtp_checks =
		 header_checks_open(cfg, "smtp_header_checks", HEADER_CHECKS_SMTP, err)) == NULL ||
	    (f->body = body_checks_open(cfg, HEADER_CHECKS_CLEANUP, err)) == NULL ||
	    (f->smtp_body = body_checks_open(cfg, HEADER_CHECKS_SMTP, err)) == NULL) {
		header_fix_fini(f);
		return -1;
	}
	return 0;
}

void header_fix_fini(struct header_fix *f)
{
	config_list_free(f->drop);
	header_checks_free(f->checks);
	header_checks_free(f->smtp_checks);
	body_checks_free(f->body);
	body_checks_free(f->smtp_body);
	f->drop = NULL;
	f->checks = f->smtp_checks = NULL;
	f->body = f->smtp_body = NULL;
}

bool header_fix_seen(const struct message *m, const char *name)
{
	for (size_t i = 0; i < m->hdr.n; i++)
		if (!m->hdr.v[i].verbatim && str_eq_ci(m->hdr.v[i].name, name))
			return true;
	return false;
}

static bool dropped(const struct header_fix *f, const struct header_field *field)
{
	if (field->verbatim)
		return false;
	for (char **p = f->drop; p != NULL && *p != NULL; p++)
		if (str_eq_ci(field->name, *p))
			return true;
	return false;
}

void header_fix_drop(const struct header_fix *f, struct message *m)
{
	struct header *h = &m->hdr;
	size_t kept = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (dropped(f, &h->v[i])) {
			free(h->v[i].raw);
			free(h->v[i].name);
		} else {
			h->v[kept++] = h->v[i];
		}
	}
	h->n = kept;
}

int header_fix_undisclosed(const struct header_fix *f, struct message *m)
{
	static const char *const visible[] = { "To", "Cc", "Resent-To", "Resent-Cc" };
	char *raw;

	if (f->undisclosed == NULL || f->undisclosed[0] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(visible) / sizeof(visible[0]); i++)
		if (header_fix_seen(m, visible[i]))
			return 0;
	raw = str_dup(f->undisclosed);
	if (raw == NULL || header_append_raw(&m->hdr, raw, strlen(raw)) < 0) {
		free(raw);
		return -1;
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* milter_header_checks: one table of checks (checks.c) of the milter
 * kind, and what each decision does to the edit a milter asked for and
 * to the message, as Postfix's cleanup_milter.c has it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "mail/checks_impl.h"
#include "mail/milter_checks.h"

struct milter_checks {
	struct check_table t;
};

int milter_checks_open(const struct config *cfg, struct milter_checks **out, struct error *err)
{
	struct milter_checks *mc = calloc(1, sizeof(*mc));

	*out = NULL;
	if (mc == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if (check_table_open(&mc->t, cfg, "milter_header_checks", HEADER_CHECKS_MILTER, err) < 0) {
		free(mc);
		return -1;
	}
	if (check_table_empty(&mc->t)) {
		milter_checks_free(mc);
		return 0;
	}
	*out = mc;
	return 0;
}

void milter_checks_free(struct milter_checks *mc)
{
	if (mc == NULL)
		return;
	check_table_fini(&mc->t);
	free(mc);
}

void milter_checks_state_fini(struct milter_checks_state *st)
{
	free(st->reject);
	free(st->field);
	free(st->redirect);
	addrlist_fini(&st->bcc);
	memset(st, 0, sizeof(*st));
}

/* What the decision does to the message: -1 when out of memory. */
static int take(struct milter_checks_state *st, const char *field, struct check_decision *d)
{
	switch (d->act) {
	case ACT_REJECT:
		st->reject = d->text;
		d->text = NULL;
		st->off = true;
		break;
	case ACT_DISCARD:
		st->discard = st->off = true;
		break;
	case ACT_HOLD:
		st->hold = true;
		break;
	case ACT_REDIRECT:
		free(st->redirect);
		st->redirect = d->text;
		d->text = NULL;
		st->off = true;
		return 0;
	case ACT_BCC:
		return addrlist_add(&st->bcc, d->text);
	default:
		return 0;
	}
	if (st->field == NULL && (st->field = str_dup(field)) == NULL)
		return -1;
	return 0;
}

int milter_checks_field(const struct milter_checks *mc, const struct header_checks_who *who,
			const char *field, struct milter_checks_state *st, char **text,
			struct error *err)
{
	struct check_decision d;
	int rc;

	*text = NULL;
	/* Once cleanup stopped filtering, a match does nothing at all. */
	if (mc == NULL || st->off)
		return MILTER_CHECKS_KEEP;
	if (check_line(&mc->t, who, CHECK_HEADER, field, &d, err) < 0)
		return -1;
	rc = MILTER_CHECKS_KEEP;
	if (d.act == ACT_DROP) {
		rc = MILTER_CHECKS_DROP;
	} else if (d.act == ACT_REPLACE) {
		*text = d.text;
		d.text = NULL;
		rc = MILTER_CHECKS_REPLACE;
	} else if (take(st, field, &d) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		rc = -1;
	}
	free(d.text);
	return rc;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp_generic_maps: one lookup per address (Postfix's smtp_map11), for
 * the envelope and, through rewrite_header_value_map, for the header. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "conf/table.h"
#include "mail/generic.h"

#define TITLE "smtp_generic_maps"

struct generic {
	const struct rewriter *rw;
	struct maps *maps;
};

struct generic *generic_new(const struct config *cfg, const struct rewriter *rw, struct error *err)
{
	struct generic *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	g->rw = rw;
	g->maps = maps_open_param(cfg, TITLE, 0, err);
	if (g->maps == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

void generic_free(struct generic *g)
{
	if (g == NULL)
		return;
	maps_free(g->maps);
	free(g);
}

bool generic_empty(const struct generic *g)
{
	return g == NULL || maps_empty(g->maps);
}

/* 1 matched (*out the result), 0 not (*out a copy), -1 error. */
static int lookup(const struct generic *g, const char *addr, char **out, struct error *err)
{
	int rc = 0;

	*out = NULL;
	if (*addr != '\0' && !generic_empty(g))
		rc = rewrite_map_once(g->rw, g->maps, TITLE, addr, REWRITE_PROPAGATE_GENERIC, out,
				      err);
	if (rc < 0)
		return -1;
	if (*out == NULL && (*out = str_dup(addr)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return rc;
}

int generic_address(const struct generic *g, const char *addr, char **out, struct error *err)
{
	return lookup(g, addr, out, err) < 0 ? -1 : 0;
}

/* A field with an address that matched is written anew, even when the
 * result is the same address (smtp_header_rewrite). */
static int field_address(void *arg, bool sender, const char *addr, char **out, struct error *err)
{
	(void)sender;
	return lookup(arg, addr, out, err);
}

int generic_headers(const struct generic *g, struct message *m, struct error *err)
{
	struct rewrite_field_map fm = { field_address, (void *)g };
	int rc = 0;

	if (generic_empty(g))
		return 0;
	for (size_t i = 0; i < message_header_count(m) && rc == 0; i++) {
		char *now = NULL;

		rc = rewrite_header_value_map(&fm, message_header_name(m, i),
					      message_header_value(m, i), &now, err);
		if (rc == 0 && now != NULL && message_header_set(m, i, now) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			rc = -1;
		}
		free(now);
	}
	return rc;
}

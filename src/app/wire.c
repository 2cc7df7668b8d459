/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp_generic_maps on the envelope, just before it is sent. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "app/wire.h"
#include "base/i18n.h"
#include "mail/idn.h"

/* A result that is not ASCII, as envelope_build treats an address: the
 * domain as A-labels when the local part is ASCII, else SMTPUTF8. */
static int utf8_result(struct wire *w, char **addr, struct error *err)
{
	const char *domain = address_domain(*addr);
	size_t local_len = domain != NULL ? (size_t)(domain - *addr - 1) : strlen(*addr);
	char *converted;

	for (size_t i = 0; i < local_len; i++)
		if ((unsigned char)(*addr)[i] >= 0x80) {
			w->smtputf8 = true;
			return 0;
		}
	converted = idn_address_to_ascii(*addr, err);
	if (converted == NULL)
		return -1;
	free(*addr);
	*addr = converted;
	return 0;
}

/* One address through g; checked as an envelope address when it changed
 * (the envelope's own were checked when it was built). */
static int wire_address(const struct generic *g, struct wire *w, const char *addr, bool sender,
			char **out, struct error *err)
{
	int rc;

	if (generic_address(g, addr, out, err) < 0)
		return -1;
	if (strcmp(*out, addr) == 0)
		return 0;
	rc = address_check_envelope(*out, sender, err);
	if (rc == 0 && address_is_utf8(*out))
		rc = utf8_result(w, out, err);
	if (rc < 0) {
		if (err->cls != ERROR_INTERNAL) {
			error_prefix(err, _("smtp_generic_maps gave a bad address for %s"), addr);
			err->cls = ERROR_CONFIG;
		}
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int wire_build(const struct generic *g, const struct envelope *env, struct wire *w,
	       struct error *err)
{
	int rc;

	memset(w, 0, sizeof(*w));
	rc = wire_address(g, w, env->sender, true, &w->sender, err);
	for (size_t i = 0; i < env->rcpts.n && rc == 0; i++) {
		char *a = NULL;

		rc = wire_address(g, w, env->rcpts.v[i], false, &a, err);
		/* Not addrlist_add_unique: statuses go by position. */
		if (rc == 0 && addrlist_add(&w->rcpts, a) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			rc = -1;
		}
		free(a);
	}
	if (rc < 0)
		wire_fini(w);
	return rc;
}

void wire_fini(struct wire *w)
{
	free(w->sender);
	addrlist_fini(&w->rcpts);
	memset(w, 0, sizeof(*w));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one file that loads GNU SASL, by the file name configure found
 * (GSASL_SONAME, the one relaymail was built against). */
#include <config.h>

#include <stddef.h>
#include <string.h>

#include <gsasl.h>

#include "auth/gsasl_lib.h"
#include "base/dynlib.h"
#include "base/i18n.h"

/* tests/unit/test-nogsasl builds this file with a name that is not there. */
#ifndef GSASL_LOAD_NAME
#define GSASL_LOAD_NAME GSASL_SONAME
#endif

static const struct dynlib_symbol symbols[] = {
	{ "gsasl_init", offsetof(struct gsasl_lib, init) },
	{ "gsasl_done", offsetof(struct gsasl_lib, done) },
	{ "gsasl_client_support_p", offsetof(struct gsasl_lib, client_support_p) },
	{ "gsasl_client_start", offsetof(struct gsasl_lib, client_start) },
	{ "gsasl_finish", offsetof(struct gsasl_lib, finish) },
	{ "gsasl_property_set", offsetof(struct gsasl_lib, property_set) },
	{ "gsasl_property_fast", offsetof(struct gsasl_lib, property_fast) },
	{ "gsasl_step", offsetof(struct gsasl_lib, step) },
	{ "gsasl_mechanism_name", offsetof(struct gsasl_lib, mechanism_name) },
	{ "gsasl_strerror", offsetof(struct gsasl_lib, strerror) },
	{ "gsasl_free", offsetof(struct gsasl_lib, free) },
};

const struct gsasl_lib *gsasl_lib(struct error *err)
{
	static struct gsasl_lib lib;
	static void *handle;
	const char *why, *version;
	bool loaded;

	if (handle != NULL)
		return &lib;
	handle = dynlib_load(GSASL_LOAD_NAME, symbols, sizeof(symbols) / sizeof(symbols[0]), &lib,
			     &why, &loaded);
	if (handle == NULL && loaded) {
		error_set(err, ERROR_CONFIG, _("cannot use the GNU SASL library %s: %s"),
			  GSASL_LOAD_NAME, why);
		return NULL;
	}
	if (handle == NULL) {
		/* dlerror names the file. */
		error_set(err, ERROR_CONFIG, _("cannot load the GNU SASL library: %s"), why);
		version = strstr(GSASL_LOAD_NAME, ".so.");
		error_hint(err, _("install %s (on Debian and Ubuntu, the package libgsasl%s)"),
			   GSASL_LOAD_NAME, version != NULL ? version + 4 : "");
		return NULL;
	}
	return &lib;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one file that loads GNU SASL, by the file name configure found
 * (GSASL_SONAME, the one relaymail was built against). */
#include <config.h>

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include <gsasl.h>

#include "auth/gsasl_lib.h"
#include "base/i18n.h"

/* tests/unit/test-nogsasl builds this file with a name that is not there. */
#ifndef GSASL_LOAD_NAME
#define GSASL_LOAD_NAME GSASL_SONAME
#endif

static const struct {
	const char *name;
	size_t offset;
} symbols[] = {
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

	if (handle != NULL)
		return &lib;
	/* RTLD_LOCAL: its symbols serve only the pointers below. */
	if ((handle = dlopen(GSASL_LOAD_NAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		/* dlerror names the file. */
		error_set(err, ERROR_CONFIG, _("cannot load the GNU SASL library: %s"),
			  why != NULL ? why : GSASL_LOAD_NAME);
		version = strstr(GSASL_LOAD_NAME, ".so.");
		error_hint(err, _("install %s (on Debian and Ubuntu, the package libgsasl%s)"),
			   GSASL_LOAD_NAME, version != NULL ? version + 4 : "");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *f;

		(void)dlerror();
		f = dlsym(handle, symbols[i].name);
		if (f == NULL) {
			why = dlerror();
			error_set(err, ERROR_CONFIG, _("cannot use the GNU SASL library %s: %s"),
				  GSASL_LOAD_NAME, why != NULL ? why : symbols[i].name);
			dlclose(handle);
			handle = NULL;
			return NULL;
		}
		/* POSIX: dlsym's void * holds a function's address. */
		memcpy((char *)&lib + symbols[i].offset, &f, sizeof(f));
	}
	return &lib;
}

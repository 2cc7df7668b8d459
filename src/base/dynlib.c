/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A library loaded when first needed (dynlib.h). */
#include <config.h>

#include <dlfcn.h>
#include <string.h>

#include "base/dynlib.h"

void *dynlib_load(const char *file, const struct dynlib_symbol *syms, size_t n, void *table,
		  const char **why, bool *loaded)
{
	void *handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);

	*loaded = handle != NULL;
	if (handle == NULL) {
		*why = dlerror();
		if (*why == NULL)
			*why = file;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		void *f;

		(void)dlerror();
		if ((f = dlsym(handle, syms[i].name)) == NULL) {
			*why = dlerror();
			if (*why == NULL)
				*why = syms[i].name;
			dlclose(handle);
			return NULL;
		}
		/* POSIX: dlsym's void * holds a function's address. */
		memcpy((char *)table + syms[i].offset, &f, sizeof(f));
	}
	return handle;
}

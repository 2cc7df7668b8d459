/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A library loaded when first needed (dlopen), its functions copied into
 * the caller's table of pointers: auth/gsasl_lib.c and conf/pcre_lib.c,
 * each with its own words for a failure. */
#ifndef RELAYMAIL_BASE_DYNLIB_H
#define RELAYMAIL_BASE_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

/* One function of the library: its name, and the offset of its pointer
 * in the caller's table. */
struct dynlib_symbol {
	const char *name;
	size_t offset;
};

/* Load file (RTLD_NOW | RTLD_LOCAL: its symbols serve only the table) and
 * fill table from syms. The handle, kept until exit; or NULL with *why
 * (dlerror's words, which name the file or the function) and *loaded:
 * false when the file itself could not be loaded, true when it lacked a
 * function (it is closed again then). */
void *dynlib_load(const char *file, const struct dynlib_symbol *syms, size_t n, void *table,
		  const char **why, bool *loaded);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one file that loads PCRE2, by the file name configure found
 * (PCRE2_SONAME, the one relaymail was built against). */
#include <config.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/dynlib.h"
#include "base/i18n.h"
#include "conf/pcre_lib.h"

/* tests/unit/test-nopcre builds this file with a name that is not there. */
#ifndef PCRE2_LOAD_NAME
#define PCRE2_LOAD_NAME PCRE2_SONAME
#endif

static const struct dynlib_symbol symbols[] = {
	{ "pcre2_compile_8", offsetof(struct pcre_lib, compile) },
	{ "pcre2_code_free_8", offsetof(struct pcre_lib, code_free) },
	{ "pcre2_get_error_message_8", offsetof(struct pcre_lib, get_error_message) },
	{ "pcre2_pattern_info_8", offsetof(struct pcre_lib, pattern_info) },
	{ "pcre2_match_8", offsetof(struct pcre_lib, match) },
	{ "pcre2_match_data_create_from_pattern_8",
	  offsetof(struct pcre_lib, match_data_create_from_pattern) },
	{ "pcre2_match_data_free_8", offsetof(struct pcre_lib, match_data_free) },
	{ "pcre2_get_ovector_pointer_8", offsetof(struct pcre_lib, get_ovector_pointer) },
};

/* Debian's package for a library file: its name before ".so.", then the
 * version, with a hyphen between two digits (libpcre2-8.so.0 is in
 * libpcre2-8-0). */
static void package_of(const char *path, char *out, size_t size)
{
	const char *file = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	const char *so = strstr(file, ".so.");
	int base;

	if (so == NULL) {
		snprintf(out, size, "%s", file);
		return;
	}
	base = (int)(so - file);
	snprintf(out, size, "%.*s%s%s", base, file,
		 base > 0 && file[base - 1] >= '0' && file[base - 1] <= '9' ? "-" : "", so + 4);
}

const struct pcre_lib *pcre_lib(struct error *err)
{
	static struct pcre_lib lib;
	static void *handle;
	char package[128];
	const char *why;
	bool loaded;

	if (handle != NULL)
		return &lib;
	handle = dynlib_load(PCRE2_LOAD_NAME, symbols, sizeof(symbols) / sizeof(symbols[0]), &lib,
			     &why, &loaded);
	if (handle == NULL && loaded) {
		error_set(err, ERROR_CONFIG, _("cannot use the PCRE2 library %s: %s"),
			  PCRE2_LOAD_NAME, why);
		return NULL;
	}
	if (handle == NULL) {
		/* dlerror names the file. */
		error_set(err, ERROR_CONFIG, _("cannot load the PCRE2 library: %s"), why);
		package_of(PCRE2_LOAD_NAME, package, sizeof(package));
		error_hint(err,
			   _("pcre: tables need %s: install it (on Debian and Ubuntu, the "
			     "package %s)"),
			   PCRE2_LOAD_NAME, package);
		return NULL;
	}
	return &lib;
}

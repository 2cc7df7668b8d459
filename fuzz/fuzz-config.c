/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: main.cf (conf/config.c, conf/config_get.c, conf/lines.c,
 * conf/list.c, and conf/expand.c through the expansion of every value at
 * load time). The input is the file; no environment is read. Every
 * parameter relaymail knows is then read back, and each one the file set
 * also as a boolean, a time and a number, with where it was set, and its
 * value split as a list.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/config
 *	nice -n 19 fuzz/fuzz-config -max_total_time=120 \
 *	    work/config ../fuzz/corpus/config
 */
#include <config.h>

#include <stdbool.h>
#include <string.h>

#include "base/error.h"
#include "conf/config.h"
#include "conf/params.h"
#include "fuzz.h"

static void read_back(const struct config *cfg, const char *name)
{
	struct error err = { 0 };
	unsigned long ul;
	long seconds;
	char **list;
	bool b;
	const char *value = config_get(cfg, name);

	if (value == NULL)
		__builtin_trap(); /* never NULL for a known name */
	/* Defaults are the same every run: only what the file set is read
	 * every way (each lookup walks the parameter table). */
	if (!config_is_set(cfg, name))
		return;
	(void)config_where(cfg, name);
	(void)config_get_bool(cfg, name, &b, &err);
	(void)config_get_time(cfg, name, &seconds, &err);
	(void)config_get_ulong(cfg, name, &ul, &err);
	list = config_list_split(value);
	config_list_free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const noenv[] = { NULL };
	static const char *const modes[] = { "none", "may", "encrypt", "secure", "verify" };
	const struct param_info *params;
	struct error err = { 0 };
	struct config *cfg;
	size_t n;

	fuzz_init();
	cfg = config_parse("fuzz.cf", (const char *)data, size, noenv, &err);
	if (cfg == NULL)
		return 0;
	params = params_table(&n);
	for (size_t i = 0; i < n; i++)
		read_back(cfg, params[i].name);
	(void)config_get(cfg, "no_such_parameter");
	(void)config_get_enum(cfg, "smtp_tls_security_level", modes, 5, &err);
	config_free(cfg);
	return 0;
}

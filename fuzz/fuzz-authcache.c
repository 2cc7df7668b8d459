/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the refused-login cache file of smtp_sasl_auth_cache_name
 * (deliver/authcache.c), which anyone who can write the file controls.
 * The input up to its first NUL byte is the file; the lines after it are
 * the relay host, the user and the password looked up (fixed ones when
 * missing). The lookup runs; then the refusal is stored and looked up
 * again, which must find it with the reply stored, whatever the file
 * held before (when the names can be recorded at all).
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/authcache
 *	nice -n 19 fuzz/fuzz-authcache -max_total_time=120 \
 *	    work/authcache ../fuzz/corpus/authcache
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "deliver/authcache.h"
#include "fuzz.h"

#define REPLY "535 5.7.8 Authentication credentials invalid"

static char cache_file[64];

static void remove_file(void)
{
	unlink(cache_file);
}

/* A real file: the cache does not follow the symbolic links of memfds. */
static const char *cache_path(void)
{
	if (cache_file[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		int fd;

		snprintf(cache_file, sizeof(cache_file), "%s/fuzz-authcache.XXXXXX",
			 tmp != NULL && *tmp == '/' && strlen(tmp) < 40 ? tmp : "/tmp");
		if ((fd = mkstemp(cache_file)) < 0)
			abort();
		close(fd);
		atexit(remove_file);
	}
	return cache_file;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		abort();
}

/* The n-th line of text (0, 1, 2), or def when there is none. */
static char *line(const char *text, int n, const char *def)
{
	const char *p = text;

	for (int i = 0; i < n && p != NULL; i++)
		p = (p = strchr(p, '\n')) != NULL ? p + 1 : NULL;
	if (p == NULL || *p == '\0' || *p == '\n')
		return strdup(def);
	return strndup(p, strcspn(p, "\n"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *file, *rest;
	size_t file_size, rest_size;
	const char *path = cache_path();
	struct authcache_hit hit;
	struct error err = { 0 };
	char *keys, *host, *user, *pw;

	fuzz_init();
	fuzz_split(data, size, &file, &file_size, &rest, &rest_size);
	write_file(path, file, file_size);
	keys = fuzz_strndup(rest, rest_size);
	host = line(keys, 0, "smtp.isp.example");
	user = line(keys, 1, "me@isp.example");
	pw = line(keys, 2, "secret");
	(void)authcache_find(path, 7776000, host, user, pw, &hit, &err);
	if (authcache_store(path, host, user, pw, "5.7.8", REPLY, &err) == 0) {
		memset(&hit, 0, sizeof(hit));
		if (authcache_find(path, 7776000, host, user, pw, &hit, &err) != 1 ||
		    strcmp(hit.reply, REPLY) != 0 || strcmp(hit.dsn, "5.7.8") != 0)
			__builtin_trap(); /* stored, not found */
	}
	free(host);
	free(user);
	free(pw);
	free(keys);
	return 0;
}

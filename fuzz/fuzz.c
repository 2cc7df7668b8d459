/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The helpers of fuzz.h. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/log.h"
#include "conf/table.h"
#include "fuzz.h"

void fuzz_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	log_quiet_warnings(true);
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *a_size,
		const uint8_t **b, size_t *b_size)
{
	const uint8_t *nul = size > 0 ? memchr(data, '\0', size) : NULL;

	*a = data;
	if (nul == NULL) {
		*a_size = size;
		*b = data + size;
		*b_size = 0;
		return;
	}
	*a_size = (size_t)(nul - data);
	*b = nul + 1;
	*b_size = size - *a_size - 1;
}

int fuzz_memfd(const void *text, size_t len, char *path, size_t pathsize)
{
	int fd = memfd_create("relaymail-fuzz", MFD_CLOEXEC);
	const char *p = text;

	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n <= 0) {
			perror("write to memfd");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
	snprintf(path, pathsize, "/proc/self/fd/%d", fd);
	return fd;
}

/* The library's own base64 (base/base64.h), with the harness's
 * allocation: the targets only need to encode and decode as the relay's
 * side would. */
char *fuzz_base64(const void *data, size_t size)
{
	char *out = malloc(base64_encoded_len(size) + 1);

	if (out == NULL)
		abort();
	base64_encode(data, size, out);
	return out;
}

long fuzz_base64_decode(const char *text, size_t len, unsigned char *out)
{
	return base64_decode(text, len, out);
}

static const char *const default_keys[] = {
	"alice@example.org", "Bob+Tag@Example.COM",
	"postmaster",	     "@example.org",
	"example.org",	     "",
	"user@[192.0.2.1]",  "\xc3\xa9l\xc3\xa8ve@exemple.fr",
	"root@localhost",
};

static void lookup(const struct table *t, const char *key)
{
	struct error err = { 0 };
	char *value = NULL;

	if (table_lookup(t, key, &value, &err) == 1) {
		if (value == NULL)
			__builtin_trap(); /* found means a value */
		free(value);
	}
}

void fuzz_table(const char *spec, const uint8_t *keys, size_t keys_size)
{
	static const unsigned flags[] = { 0, TABLE_UTF8, TABLE_NO_REGSUB };
	char *list = fuzz_strndup(keys, keys_size);

	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
		struct error err = { 0 };
		struct table *t = table_open(spec, flags[f], "fuzz", &err);

		if (t == NULL)
			continue;
		(void)table_is_pattern(t);
		(void)table_spec(t);
		if (keys_size == 0) {
			for (size_t i = 0; i < sizeof(default_keys) / sizeof(default_keys[0]); i++)
				lookup(t, default_keys[i]);
		} else {
			for (char *k = list, *next; k != NULL; k = next) {
				next = strchr(k, '\n');
				if (next != NULL)
					*next++ = '\0';
				lookup(t, k);
				if (next != NULL)
					next[-1] = '\n';
			}
		}
		table_free(t);
	}
	free(list);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main() that `make check` links each fuzz target with instead of
 * libFuzzer: it runs LLVMFuzzerTestOneInput over every file of the
 * target's seed corpus, $top_srcdir/fuzz/corpus/NAME/ (NAME is the program's
 * name without "replay-"), or over the files and directories named as
 * arguments, in name order, one TAP line per file. Under ASan, UBSan or
 * valgrind a crash, an overflow or a leak on a seed fails the test; a
 * plain build at least runs every seed to the end. Each input is copied
 * into a buffer of its exact size, as libFuzzer does, so an overread is
 * one byte past an allocation. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int count;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0;
	size_t n;

	if (f == NULL) {
		printf("not ok %d - %s: %s\n", ++count, path, strerror(errno));
		return -1;
	}
	for (;;) {
		uint8_t *more;

		if (size == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			more = realloc(data, cap);
			if (more == NULL) {
				free(data);
				fclose(f);
				printf("not ok %d - %s: out of memory\n", ++count, path);
				return -1;
			}
			data = more;
		}
		n = fread(data + size, 1, cap - size, f);
		if (n == 0)
			break;
		size += n;
	}
	fclose(f);
	/* The exact size, so that reading one byte too far is caught. */
	uint8_t *exact = malloc(size > 0 ? size : 1);

	if (exact == NULL) {
		free(data);
		printf("not ok %d - %s: out of memory\n", ++count, path);
		return -1;
	}
	if (size > 0)
		memcpy(exact, data, size);
	free(data);
	LLVMFuzzerTestOneInput(exact, size);
	free(exact);
	printf("ok %d - %s (%zu bytes)\n", ++count, path, size);
	fflush(stdout);
	return 0;
}

static int skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int run_path(const char *path)
{
	struct dirent **list;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) < 0) {
		printf("not ok %d - %s: %s\n", ++count, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &list, skip_dot, alphasort);
	if (n < 0) {
		printf("not ok %d - %s: %s\n", ++count, path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(list[i]->d_name) + 2;
		char *file = malloc(len);

		if (file != NULL)
			snprintf(file, len, "%s/%s", path, list[i]->d_name);
		if (file == NULL || run_path(file) < 0)
			rc = -1;
		free(file);
		free(list[i]);
	}
	free(list);
	return rc;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	const char *top = getenv("top_srcdir");
	char dir[4096];
	int rc = 0;

	fuzz_init();
	name = name != NULL ? name + 1 : argv[0];
	if (strncmp(name, "replay-", 7) == 0)
		name += 7;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (run_path(argv[i]) < 0)
				rc = 1;
	} else {
		snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", top != NULL ? top : ".", name);
		if (run_path(dir) < 0)
			rc = 1;
	}
	if (count == 0) {
		printf("not ok %d - no input in the corpus of %s\n", ++count, name);
		rc = 1;
	}
	printf("1..%d\n", count);
	return rc;
}

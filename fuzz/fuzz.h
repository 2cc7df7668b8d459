/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every fuzz target shares: the libFuzzer entry point each one
 * defines, and small helpers to cut one input into the pieces a parser
 * wants (a NUL-terminated copy, two parts split at the first NUL byte,
 * a table's text in a memfd). Nothing here does network I/O; the only
 * file a target makes is a memfd, gone when it is closed. */
#ifndef RELAYMAIL_FUZZ_FUZZ_H
#define RELAYMAIL_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Defined by each target (fuzz/fuzz-NAME.c); called by libFuzzer, or by
 * fuzz/replay.c for every file of fuzz/corpus/NAME/ in `make check`.
 * Always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Once per process: warnings go quiet (the parsers warn about bad lines,
 * and printing them would only slow the fuzzer down). */
void fuzz_init(void);

/* A NUL-terminated malloc'd copy of data[0..size) (NUL bytes inside are
 * kept, so C string functions see a prefix); aborts when out of memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* Split data at its first NUL byte: *a is the part before, *b the part
 * after (empty, *b_size 0, when there is no NUL). */
void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *a_size,
		const uint8_t **b, size_t *b_size);

/* Write text to a new memfd and put its path (/proc/self/fd/N) in path.
 * Returns the descriptor, to close when done (that removes the file);
 * aborts when the memfd cannot be made (the fuzzer cannot go on). */
int fuzz_memfd(const void *text, size_t len, char *path, size_t pathsize);

/* Base64 (RFC 4648 §4) of data[0..size), malloc'd; aborts when out of
 * memory. fuzz_base64_decode returns the decoded length, or -1 for text
 * that is not base64; out must hold len / 4 * 3 bytes. */
char *fuzz_base64(const void *data, size_t size);
long fuzz_base64_decode(const char *text, size_t len, unsigned char *out);

/* Open the table spec twice, without and with TABLE_UTF8, and look up
 * each line of keys in it (a fixed set of addresses, local names and
 * domains when keys is empty); every value found is freed. */
void fuzz_table(const char *spec, const uint8_t *keys, size_t keys_size);

#endif

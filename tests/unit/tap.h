/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A minimal TAP producer for the unit tests: ok/is_int/is_str print one
 * "ok N - name" line each, and tap_done() prints the plan and returns the
 * exit status (non-zero when any test failed). */
#ifndef RELAYMAIL_TESTS_TAP_H
#define RELAYMAIL_TESTS_TAP_H

#include <stdbool.h>
#include <stddef.h>

bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool is_int(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* NULL is a distinct value: is_str(NULL, NULL) passes, is_str(NULL, "") fails. */
bool is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Compare byte strings of known length. */
bool is_mem(const void *got, size_t got_len, const void *want, size_t want_len, const char *fmt,
	    ...) __attribute__((format(printf, 5, 6)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);

#endif

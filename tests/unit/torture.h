/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocation-failure ("torture") runs, after curl's, for unit tests
 * linked with $(TORTURE_WRAP): a scenario runs once to count the
 * allocations the project's objects make, then once for each with that
 * one failing. A scenario is made of steps, each recorded with what it
 * gave and the warnings it printed. A run passes when every step gives
 * what the run without failures gave, except a step that failed for want
 * of memory (its warnings a prefix of the unfailed ones), after which the
 * scenario may stop; and when nothing it allocated is left: memory,
 * regex_t and PCRE2 objects. regcomp, regexec and PCRE2's compile and
 * match count as allocations, failing as their libraries report memory
 * exhaustion. With TORTURE_TRACE set in the environment, the steps of the
 * run without failures and of each bad run go to the real stderr. */
#ifndef RELAYMAIL_TESTS_TORTURE_H
#define RELAYMAIL_TESTS_TORTURE_H

#include <stdbool.h>

#include "base/error.h"

/* Failures on request, apart from the counting, for what no file makes
 * happen: the next fstat fails with fstat_errno; the next read_eintr
 * reads are interrupted; with read_endless, reads never reach the end (a
 * file that grows as it is read); the next regexec returns regexec_rc.
 * hits counts those that happened (0: the call is not wrapped here). */
struct torture_faults {
	int fstat_errno;
	int read_eintr;
	bool read_endless;
	int regexec_rc;
	int hits;
};
extern struct torture_faults torture_faults;

/* Send stderr to a temporary file in dir (sanitizer reports still go to
 * the real one); false when that fails. torture_fini restores it. */
bool torture_init(const char *dir);
void torture_fini(void);

/* A step: begin forgets the warnings so far; end records the outcome
 * (printf format) and the warnings printed since, and returns oom. */
void torture_step_begin(void);
bool torture_step_end(bool oom, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The warnings printed since torture_step_begin. */
const char *torture_warnings(void);
/* err is ERROR_INTERNAL and says out of memory (or strerror(ENOMEM)). */
bool torture_is_oom(const struct error *err);
/* "class: text" of err, until the next call. */
const char *torture_outcome(const struct error *err);
/* Free p, which a library allocated for the scenario out of the harness's
 * sight (open_memstream's buffer), without counting it as a free of a
 * pointer the run did not allocate. */
void torture_free_foreign(void *p);

/* Run fn(arg) as above: two TAP results, the run without failures and
 * the runs with one. */
void torture_run(const char *name, void (*fn)(const void *), const void *arg);

#endif

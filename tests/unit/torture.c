/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The allocation-failure harness (torture.h): the wrappers the linker's
 * --wrap puts in front of the project's malloc and friends, regcomp,
 * regexec, fstat, read and the PCRE2 loader (which hands out wrappers of
 * PCRE2's functions); the set of what a run has live; the transcripts of
 * steps and their comparison. */
#include <config.h>

#include <errno.h>
#include <locale.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "torture.h"
#if HAVE_PCRE2
#include "conf/pcre_lib.h"
#endif

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
int __real_regcomp(regex_t *re, const char *pattern, int cflags);
int __real_regexec(const regex_t *re, const char *s, size_t n, regmatch_t *m, int eflags);
void __real_regfree(regex_t *re);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_regcomp(regex_t *re, const char *pattern, int cflags);
int __wrap_regexec(const regex_t *re, const char *s, size_t n, regmatch_t *m, int eflags);
void __wrap_regfree(regex_t *re);
int __real_fstat(int fd, struct stat *st);
ssize_t __real_read(int fd, void *p, size_t n);
int __wrap_fstat(int fd, struct stat *st);
ssize_t __wrap_read(int fd, void *p, size_t n);

/* What a live pointer is: memory from malloc and friends, or an object a
 * library allocated (a compiled regex_t, PCRE2 code and match data). */
enum kind { MEM, REGEX, PCRE_CODE, PCRE_MATCH, LOCALE };

static const char *const kind_name[] = { "memory block", "regex_t", "pcre2_code",
					 "pcre2_match_data", "locale_t" };

#define LIVE_MAX 8192

static struct {
	bool on;	       /* a run is going: count, fail, track */
	unsigned long calls;   /* allocations so far in this run */
	unsigned long fail_at; /* the one to fail, from 1; 0 none */
	bool injected;	       /* it has failed */
	unsigned long foreign; /* frees of pointers this run did not allocate */
	bool full;	       /* more than LIVE_MAX live at once */
	struct {
		const void *p;
		enum kind k;
	} live[LIVE_MAX];
	size_t nlive;
} T;

/* true when this allocation is the one to fail. */
static bool inject(void)
{
	if (!T.on)
		return false;
	if (++T.calls != T.fail_at)
		return false;
	T.injected = true;
	return true;
}

static void track(const void *p, enum kind k)
{
	if (!T.on || p == NULL)
		return;
	if (T.nlive == LIVE_MAX) {
		T.full = true;
		return;
	}
	T.live[T.nlive].p = p;
	T.live[T.nlive++].k = k;
}

/* Forget p; false when it is not live (recent ones are searched first). */
static bool untrack(const void *p, enum kind k)
{
	for (size_t i = T.nlive; i-- > 0;) {
		if (T.live[i].p == p && T.live[i].k == k) {
			T.live[i] = T.live[--T.nlive];
			return true;
		}
	}
	return false;
}

static void release(const void *p, enum kind k)
{
	if (p != NULL && !untrack(p, k) && T.on)
		T.foreign++;
}

void *__wrap_malloc(size_t n)
{
	void *p;

	if (inject()) {
		errno = ENOMEM;
		return NULL;
	}
	p = __real_malloc(n);
	track(p, MEM);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p;

	if (inject()) {
		errno = ENOMEM;
		return NULL;
	}
	p = __real_calloc(n, size);
	track(p, MEM);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (inject()) {
		errno = ENOMEM;
		return NULL;
	}
	q = __real_realloc(p, n);
	if (q != NULL) {
		release(p, MEM);
		track(q, MEM);
	}
	return q;
}

void __wrap_free(void *p)
{
	release(p, MEM);
	__real_free(p);
}

char *__wrap_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = __wrap_malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *__wrap_strdup(const char *s)
{
	return __wrap_strndup(s, strlen(s));
}

/* regexp: switches to the C locale around regcomp and regexec. */
locale_t __real_newlocale(int mask, const char *name, locale_t base);
void __real_freelocale(locale_t l);
locale_t __wrap_newlocale(int mask, const char *name, locale_t base);
void __wrap_freelocale(locale_t l);

locale_t __wrap_newlocale(int mask, const char *name, locale_t base)
{
	locale_t l;

	if (inject()) {
		errno = ENOMEM;
		return (locale_t)0;
	}
	l = __real_newlocale(mask, name, base);
	track(l, LOCALE);
	return l;
}

void __wrap_freelocale(locale_t l)
{
	release(l, LOCALE);
	__real_freelocale(l);
}

int __wrap_regcomp(regex_t *re, const char *pattern, int cflags)
{
	int rc;

	if (inject()) {
		memset(re, 0, sizeof(*re));
		return REG_ESPACE;
	}
	rc = __real_regcomp(re, pattern, cflags);
	if (rc == 0)
		track(re, REGEX);
	return rc;
}

struct torture_faults torture_faults;

int __wrap_regexec(const regex_t *re, const char *s, size_t n, regmatch_t *m, int eflags)
{
	int rc = torture_faults.regexec_rc;

	if (rc != 0) {
		torture_faults.regexec_rc = 0;
		torture_faults.hits++;
		return rc;
	}
	if (inject())
		return REG_ESPACE;
	return __real_regexec(re, s, n, m, eflags);
}

int __wrap_fstat(int fd, struct stat *st)
{
	if (torture_faults.fstat_errno != 0) {
		errno = torture_faults.fstat_errno;
		torture_faults.fstat_errno = 0;
		torture_faults.hits++;
		return -1;
	}
	return __real_fstat(fd, st);
}

ssize_t __wrap_read(int fd, void *p, size_t n)
{
	if (torture_faults.read_eintr > 0) {
		torture_faults.read_eintr--;
		torture_faults.hits++;
		errno = EINTR;
		return -1;
	}
	if (torture_faults.read_endless) {
		torture_faults.hits++;
		memset(p, 'x', n);
		return (ssize_t)n;
	}
	return __real_read(fd, p, n);
}

void __wrap_regfree(regex_t *re)
{
	release(re, REGEX);
	__real_regfree(re);
}

#if HAVE_PCRE2
/* pcre: tables call PCRE2 through the functions pcre_lib returns; the
 * linker's --wrap=pcre_lib sends them here, to these, instead of
 * loading the library (this program links it). */
const struct pcre_lib *__wrap_pcre_lib(struct error *err);

static pcre2_code *t_pcre2_compile(PCRE2_SPTR p, PCRE2_SIZE n, uint32_t opts, int *code,
				   PCRE2_SIZE *offset, pcre2_compile_context *cc)
{
	pcre2_code *re;

	if (inject()) {
		*code = PCRE2_ERROR_HEAP_FAILED;
		*offset = 0;
		return NULL;
	}
	re = pcre2_compile(p, n, opts, code, offset, cc);
	track(re, PCRE_CODE);
	return re;
}

static void t_pcre2_code_free(pcre2_code *re)
{
	release(re, PCRE_CODE);
	pcre2_code_free(re);
}

static int t_pcre2_match(const pcre2_code *re, PCRE2_SPTR s, PCRE2_SIZE n, PCRE2_SIZE start,
			 uint32_t opts, pcre2_match_data *md, pcre2_match_context *mc)
{
	if (inject())
		return PCRE2_ERROR_NOMEMORY;
	return pcre2_match(re, s, n, start, opts, md, mc);
}

static pcre2_match_data *t_pcre2_match_data_create_from_pattern(const pcre2_code *re,
								pcre2_general_context *gc)
{
	pcre2_match_data *md;

	if (inject())
		return NULL;
	md = pcre2_match_data_create_from_pattern(re, gc);
	track(md, PCRE_MATCH);
	return md;
}

static void t_pcre2_match_data_free(pcre2_match_data *md)
{
	release(md, PCRE_MATCH);
	pcre2_match_data_free(md);
}

const struct pcre_lib *__wrap_pcre_lib(struct error *err)
{
	static const struct pcre_lib lib = {
		.compile = t_pcre2_compile,
		.code_free = t_pcre2_code_free,
		.get_error_message = pcre2_get_error_message,
		.pattern_info = pcre2_pattern_info,
		.match = t_pcre2_match,
		.match_data_create_from_pattern = t_pcre2_match_data_create_from_pattern,
		.match_data_free = t_pcre2_match_data_free,
		.get_ovector_pointer = pcre2_get_ovector_pointer,
	};

	(void)err;
	return &lib;
}
#endif

/* One step of a scenario: what it returned, the warnings it printed, and
 * whether it failed for want of memory. */
struct step {
	char out[600];
	char warn[3000];
	bool oom;
};

#define STEPS_MAX 64

struct transcript {
	struct step v[STEPS_MAX];
	size_t n;
	bool overflow;
};

static struct transcript base, cur;
static struct transcript *rec = &cur;
static const char *enomem_text;
static int capture_fd = -1, saved_stderr = -1;

/* Warnings go to a temporary file while a scenario runs; each step reads
 * what it printed. */
void torture_step_begin(void)
{
	if (lseek(capture_fd, 0, SEEK_SET) < 0 || ftruncate(capture_fd, 0) < 0)
		diag("cannot reset the warning capture: %s", strerror(errno));
}

bool torture_step_end(bool oom, const char *fmt, ...)
{
	struct step *s;
	va_list ap;
	ssize_t k;

	if (rec->n == STEPS_MAX) {
		rec->overflow = true;
		return oom;
	}
	s = &rec->v[rec->n++];
	s->oom = oom;
	va_start(ap, fmt);
	vsnprintf(s->out, sizeof(s->out), fmt, ap);
	va_end(ap);
	k = pread(capture_fd, s->warn, sizeof(s->warn) - 1, 0);
	s->warn[k > 0 ? k : 0] = '\0';
	return oom;
}

/* Out of memory, as every path that cannot allocate must say it. */
bool torture_is_oom(const struct error *err)
{
	return err->cls == ERROR_INTERNAL && (strstr(err->text, "out of memory") != NULL ||
					      strstr(err->text, enomem_text) != NULL);
}

const char *torture_outcome(const struct error *err)
{
	static char text[sizeof(err->text) + 32];

	snprintf(text, sizeof(text), "%s: %s", error_class_name(err->cls), err->text);
	return text;
}

void torture_free_foreign(void *p)
{
	__real_free(p);
}

static void run_begin(unsigned long fail_at)
{
	rec->n = 0;
	rec->overflow = false;
	T.calls = 0;
	T.fail_at = fail_at;
	T.injected = false;
	T.foreign = 0;
	T.full = false;
	T.nlive = 0;
	T.on = true;
}

/* Stop counting; describe what the run left behind into why (empty when
 * nothing), and release it so one leak is reported once. */
static void run_end(char *why, size_t size)
{
	T.on = false;
	why[0] = '\0';
	if (T.nlive > 0)
		snprintf(why, size, "%zu left allocated, one of them a %s", T.nlive,
			 kind_name[T.live[0].k]);
	else if (T.foreign > 0)
		snprintf(why, size, "%lu frees of pointers it did not allocate", T.foreign);
	else if (T.full)
		snprintf(why, size, "more than %d pointers live at once", LIVE_MAX);
	else if (rec->overflow)
		snprintf(why, size, "more than %d steps", STEPS_MAX);
	for (size_t i = 0; i < T.nlive; i++)
		if (T.live[i].k == MEM)
			__real_free((void *)T.live[i].p);
	T.nlive = 0;
}

static bool is_prefix(const char *p, const char *s)
{
	return strncmp(p, s, strlen(p)) == 0;
}

/* Whether run ended acceptably against the run without failures; why
 * not, into why. Steps may fail for want of memory only when an
 * allocation was made to fail. */
static bool compare(const struct transcript *run, bool injected, char *why, size_t size)
{
	for (size_t j = 0; j < run->n; j++) {
		const struct step *s = &run->v[j], *b = j < base.n ? &base.v[j] : NULL;

		if (b == NULL) {
			snprintf(why, size, "step %zu is one too many: %s", j + 1, s->out);
			return false;
		}
		if (s->oom && !injected) {
			snprintf(why, size, "step %zu failed with no allocation failing: %s", j + 1,
				 s->out);
			return false;
		}
		if (s->oom) {
			if (!is_prefix(s->warn, b->warn)) {
				snprintf(why, size, "step %zu failed (%s) with other warnings: %s",
					 j + 1, s->out, s->warn);
				return false;
			}
			continue;
		}
		if (strcmp(s->out, b->out) != 0) {
			snprintf(why, size, "step %zu: \"%s\", without a failure \"%s\"", j + 1,
				 s->out, b->out);
			return false;
		}
		if (strcmp(s->warn, b->warn) != 0) {
			snprintf(why, size, "step %zu (%s) warned \"%s\", without a failure \"%s\"",
				 j + 1, s->out, s->warn, b->warn);
			return false;
		}
	}
	if (run->n < base.n && (run->n == 0 || !run->v[run->n - 1].oom)) {
		snprintf(why, size, "stopped after step %zu without failing", run->n);
		return false;
	}
	return true;
}

/* With TORTURE_TRACE in the environment, the steps of t on the real
 * stderr, under a title. */
static void trace(const struct transcript *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void trace(const struct transcript *t, const char *fmt, ...)
{
	va_list ap;

	if (getenv("TORTURE_TRACE") == NULL)
		return;
	dprintf(saved_stderr, "# ");
	va_start(ap, fmt);
	vdprintf(saved_stderr, fmt, ap);
	va_end(ap);
	dprintf(saved_stderr, "\n");
	for (size_t j = 0; j < t->n; j++)
		dprintf(saved_stderr, "#   %zu%s: %s%s%s\n", j + 1, t->v[j].oom ? " (oom)" : "",
			t->v[j].out, t->v[j].warn[0] != '\0' ? " | warned: " : "", t->v[j].warn);
}

void torture_run(const char *name, void (*fn)(const void *), const void *arg)
{
	char why[4096], first[4200] = "";
	unsigned long n, bad = 0;

	rec = &base;
	run_begin(0);
	fn(arg);
	n = T.calls;
	run_end(why, sizeof(why));
	rec = &cur;
	trace(&base, "%s: without failures", name);
	for (size_t j = 0; why[0] == '\0' && j < base.n; j++)
		if (base.v[j].oom)
			snprintf(why, sizeof(why), "step %zu: %s", j + 1, base.v[j].out);
	if (!ok(why[0] == '\0', "%s: runs without a failure", name)) {
		diag("%s", why);
		return;
	}
	for (unsigned long i = 1; i <= n + 1; i++) {
		run_begin(i);
		fn(arg);
		run_end(why, sizeof(why));
		if (why[0] == '\0' && i > n && (T.injected || T.calls != n))
			snprintf(why, sizeof(why), "%lu allocations, before %lu", T.calls, n);
		if (why[0] == '\0' && i <= n && !T.injected)
			snprintf(why, sizeof(why), "only %lu allocations", T.calls);
		if (why[0] == '\0')
			compare(&cur, T.injected, why, sizeof(why));
		if (why[0] != '\0')
			trace(&cur, "%s: allocation %lu failing: %s", name, i, why);
		if (why[0] != '\0' && bad++ == 0)
			snprintf(first, sizeof(first), "allocation %lu failing: %s", i, why);
	}
	if (!ok(bad == 0, "%s: %lu allocations, each failing in turn", name, n))
		diag("%lu bad runs; %s", bad, first);
}

const char *torture_warnings(void)
{
	static char text[3000];
	ssize_t k = pread(capture_fd, text, sizeof(text) - 1, 0);

	text[k > 0 ? k : 0] = '\0';
	return text;
}

extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

bool torture_init(const char *dir)
{
	char path[4096];

	enomem_text = strerror(ENOMEM);
	snprintf(path, sizeof(path), "%s/stderr.XXXXXX", dir);
	fflush(stderr);
	if ((capture_fd = mkstemp(path)) < 0)
		return false;
	unlink(path);
	if ((saved_stderr = dup(STDERR_FILENO)) < 0 || dup2(capture_fd, STDERR_FILENO) < 0)
		return false;
	/* Sanitizers report on the real stderr, not on the capture. */
	if (__sanitizer_set_report_fd != NULL)
		__sanitizer_set_report_fd((void *)(long)saved_stderr);
	return true;
}

void torture_fini(void)
{
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
	}
	if (capture_fd >= 0)
		close(capture_fd);
	saved_stderr = capture_fd = -1;
}

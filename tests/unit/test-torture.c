/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocation failures in the lookup tables, the way curl's torture runs
 * find them: each scenario runs once to count its allocations, then once
 * for each of them with that one failing. A run must end as the run
 * without failures did, or fail cleanly at the step that could not
 * allocate (ERROR_INTERNAL, out of memory, nothing returned), the steps
 * before it unchanged; it must never crash, and it must leave nothing
 * allocated. The linker's --wrap sends malloc and friends of the
 * project's objects here; regcomp, regexec and PCRE2's compile and match
 * count as allocations too, and fail as their libraries report memory
 * exhaustion. The same wrappers give the few other failures the table
 * code handles and no file can cause: fstat failing, read interrupted,
 * regexec failing for another reason. */
#include <config.h>

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

#include "base/buf.h"
#include "base/error.h"
#include "conf/kvmap.h"
#include "conf/table.h"
#include "conf/textfile.h"
#include "tap.h"

/* ---- the wrappers ------------------------------------------------------ */

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

/* Sanitizers report on the real stderr, not on the capture below. */
extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

/* What a live pointer is: memory from malloc and friends, or an object a
 * library allocated (a compiled regex_t, PCRE2 code and match data). */
enum kind { MEM, REGEX, PCRE_CODE, PCRE_MATCH };

static const char *const kind_name[] = {"memory block", "regex_t", "pcre2_code",
                                        "pcre2_match_data"};

#define LIVE_MAX 8192

static struct {
	bool on;               /* a run is going: count, fail, track */
	unsigned long calls;   /* allocations so far in this run */
	unsigned long fail_at; /* the one to fail, from 1; 0 none */
	bool injected;         /* it has failed */
	unsigned long foreign; /* frees of pointers this run did not allocate */
	bool full;             /* more than LIVE_MAX live at once */
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

/* Failures made on purpose, apart from the counting: the next fstat
 * fails with fstat_errno, the next read_eintr reads are interrupted,
 * with read_endless reads never reach the end (a file that grows as it
 * is read), the next regexec returns regexec_rc; hits counts those that
 * happened. */
static struct {
	int fstat_errno;
	int read_eintr;
	bool read_endless;
	int regexec_rc;
	int hits;
} F;

int __wrap_regexec(const regex_t *re, const char *s, size_t n, regmatch_t *m, int eflags)
{
	int rc = F.regexec_rc;

	if (rc != 0) {
		F.regexec_rc = 0;
		F.hits++;
		return rc;
	}
	if (inject())
		return REG_ESPACE;
	return __real_regexec(re, s, n, m, eflags);
}

int __wrap_fstat(int fd, struct stat *st)
{
	if (F.fstat_errno != 0) {
		errno = F.fstat_errno;
		F.fstat_errno = 0;
		F.hits++;
		return -1;
	}
	return __real_fstat(fd, st);
}

ssize_t __wrap_read(int fd, void *p, size_t n)
{
	if (F.read_eintr > 0) {
		F.read_eintr--;
		F.hits++;
		errno = EINTR;
		return -1;
	}
	if (F.read_endless) {
		F.hits++;
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
pcre2_code *__real_pcre2_compile_8(PCRE2_SPTR p, PCRE2_SIZE n, uint32_t opts, int *code,
                                   PCRE2_SIZE *offset, pcre2_compile_context *cc);
void __real_pcre2_code_free_8(pcre2_code *re);
int __real_pcre2_match_8(const pcre2_code *re, PCRE2_SPTR s, PCRE2_SIZE n, PCRE2_SIZE start,
                         uint32_t opts, pcre2_match_data *md, pcre2_match_context *mc);
pcre2_match_data *__real_pcre2_match_data_create_from_pattern_8(const pcre2_code *re,
                                                                pcre2_general_context *gc);
void __real_pcre2_match_data_free_8(pcre2_match_data *md);
pcre2_code *__wrap_pcre2_compile_8(PCRE2_SPTR p, PCRE2_SIZE n, uint32_t opts, int *code,
                                   PCRE2_SIZE *offset, pcre2_compile_context *cc);
void __wrap_pcre2_code_free_8(pcre2_code *re);
int __wrap_pcre2_match_8(const pcre2_code *re, PCRE2_SPTR s, PCRE2_SIZE n, PCRE2_SIZE start,
                         uint32_t opts, pcre2_match_data *md, pcre2_match_context *mc);
pcre2_match_data *__wrap_pcre2_match_data_create_from_pattern_8(const pcre2_code *re,
                                                                pcre2_general_context *gc);
void __wrap_pcre2_match_data_free_8(pcre2_match_data *md);

pcre2_code *__wrap_pcre2_compile_8(PCRE2_SPTR p, PCRE2_SIZE n, uint32_t opts, int *code,
                                   PCRE2_SIZE *offset, pcre2_compile_context *cc)
{
	pcre2_code *re;

	if (inject()) {
		*code = PCRE2_ERROR_HEAP_FAILED;
		*offset = 0;
		return NULL;
	}
	re = __real_pcre2_compile_8(p, n, opts, code, offset, cc);
	track(re, PCRE_CODE);
	return re;
}

void __wrap_pcre2_code_free_8(pcre2_code *re)
{
	release(re, PCRE_CODE);
	__real_pcre2_code_free_8(re);
}

int __wrap_pcre2_match_8(const pcre2_code *re, PCRE2_SPTR s, PCRE2_SIZE n, PCRE2_SIZE start,
                         uint32_t opts, pcre2_match_data *md, pcre2_match_context *mc)
{
	if (inject())
		return PCRE2_ERROR_NOMEMORY;
	return __real_pcre2_match_8(re, s, n, start, opts, md, mc);
}

pcre2_match_data *__wrap_pcre2_match_data_create_from_pattern_8(const pcre2_code *re,
                                                                pcre2_general_context *gc)
{
	pcre2_match_data *md;

	if (inject())
		return NULL;
	md = __real_pcre2_match_data_create_from_pattern_8(re, gc);
	track(md, PCRE_MATCH);
	return md;
}

void __wrap_pcre2_match_data_free_8(pcre2_match_data *md)
{
	release(md, PCRE_MATCH);
	__real_pcre2_match_data_free_8(md);
}
#endif

/* ---- transcripts ------------------------------------------------------- */

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
static int capture_fd = -1;

/* Warnings go to a temporary file while a scenario runs; each step reads
 * what it printed. */
static void step_begin(void)
{
	if (lseek(capture_fd, 0, SEEK_SET) < 0 || ftruncate(capture_fd, 0) < 0)
		diag("cannot reset the warning capture: %s", strerror(errno));
}

__attribute__((format(printf, 2, 3))) static bool step_end(bool oom, const char *fmt, ...)
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
static bool is_oom(const struct error *err)
{
	return err->cls == ERROR_INTERNAL && (strstr(err->text, "out of memory") != NULL ||
	                                      strstr(err->text, enomem_text) != NULL);
}

static const char *outcome(const struct error *err)
{
	static char text[sizeof(err->text) + 32];

	snprintf(text, sizeof(text), "%s: %s", error_class_name(err->cls), err->text);
	return text;
}

/* ---- the steps scenarios are made of ---------------------------------- */

static struct table *do_open(const char *spec, unsigned flags, const char *where)
{
	struct error err = {0};
	struct table *t;

	step_begin();
	t = table_open(spec, flags, where, &err);
	if (t != NULL)
		step_end(false, "open %s: ok", spec);
	else
		step_end(is_oom(&err), "open %s: %s", spec, outcome(&err));
	return t;
}

/* A lookup's result: the value, not found, or the error (with *value
 * left NULL). */
static void report_lookup(const char *key, int rc, char *value, const struct error *err)
{
	if (rc == 1)
		step_end(false, "%s -> \"%s\"", key, value);
	else if (rc == 0)
		step_end(false, "%s: not found%s", key, value != NULL ? " (but a value)" : "");
	else
		step_end(is_oom(err) && value == NULL, "%s: %s%s", key, outcome(err),
		         value != NULL ? " (but a value)" : "");
	free(value);
}

static void do_lookup(const struct table *t, const char *key)
{
	struct error err = {0};
	char *v = NULL;
	int rc;

	step_begin();
	rc = table_lookup(t, key, &v, &err);
	report_lookup(key, rc, v, &err);
}

/* A table (or a map list), how to open it, and at most 15 keys. */
struct tcase {
	char spec[400];
	unsigned flags;
	const char *where;
	const char *keys[16];
	bool maps;
};

static void run_tcase(const void *arg)
{
	const struct tcase *c = arg;
	struct error err = {0};

	if (c->maps) {
		struct maps *m;
		char *v;
		int rc;

		step_begin();
		if ((m = maps_open(c->spec, c->flags, c->where, &err)) == NULL) {
			step_end(is_oom(&err), "maps %s: %s", c->spec, outcome(&err));
			return;
		}
		step_end(false, "maps %s: %zu tables", c->spec, maps_count(m));
		for (size_t i = 0; i < 16 && c->keys[i] != NULL; i++) {
			step_begin();
			v = NULL;
			rc = maps_lookup(m, c->keys[i], &v, &err);
			report_lookup(c->keys[i], rc, v, &err);
		}
		maps_free(m);
		return;
	}
	struct table *t = do_open(c->spec, c->flags, c->where);

	for (size_t i = 0; t != NULL && i < 16 && c->keys[i] != NULL; i++)
		do_lookup(t, c->keys[i]);
	table_free(t);
}

/* ---- running a scenario with each allocation failing ------------------ */

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

/* Run fn once counting, then with each allocation failing in turn, and
 * once more with none failing past the count. */
static void torture(const char *name, void (*fn)(const void *), const void *arg)
{
	char why[4096], first[4200] = "";
	unsigned long n, bad = 0;

	rec = &base;
	run_begin(0);
	fn(arg);
	n = T.calls;
	run_end(why, sizeof(why));
	rec = &cur;
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
		if (why[0] != '\0' && bad++ == 0)
			snprintf(first, sizeof(first), "allocation %lu failing: %s", i, why);
	}
	if (!ok(bad == 0, "%s: %lu allocations, each failing in turn", name, n))
		diag("%lu bad runs; %s", bad, first);
}

/* ---- the scenarios ----------------------------------------------------- */

static char dir[] = "/tmp/test-torture.XXXXXX";

static const char *path_of(const char *name)
{
	static char path[16][300];
	static int next;
	char *p = path[next++ % 16];

	snprintf(p, 300, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *text, mode_t mode)
{
	const char *p = path_of(name);
	FILE *f = fopen(p, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(p, mode);
}

/* "type:DIR/name", until the next call. */
static const char *spec_of(const char *type, const char *name)
{
	static char spec[320];

	snprintf(spec, sizeof(spec), "%s:%s/%s", type, dir, name);
	return spec;
}

static const char text_table[] = "# comment\n"
                                 "[smtp.example.com]:587   user1:pa ss:word  \n"
                                 "  # indented comment\n"
                                 "smtp.example.com\tuser2:secret\n"
                                 "\n"
                                 "[Mixed.Example.COM]:465 user3:x\n"
                                 "\"quoted key\"  qv\n"
                                 "key:   aliasstyle\n"
                                 "cont   first\n"
                                 "  second\n"
                                 "novalue\n"
                                 "\"unbalanced key  x\n"
                                 "[smtp.example.com]:587 dup:dup\n"
                                 "k01 v01\nk02 v02\nk03 v03\nk04 v04\nk05 v05\nk06 v06\n"
                                 "k07 v07\nk08 v08\nk09 v09\nk10 v10\nk11 v11\nk12 v12\n";

static const char regexp_table[] =
    "# sender rewriting\n"
    "/^root@.*$/                 admin@example.com\n"
    "/^([^@+]+)(\\+[^@]*)?@host\\.example\\.com$/   ${1}@example.com\n"
    "/^(.*)@localhost(\\.localdomain)?$/  $1@example.com\n"
    "if /@example\\.org$/\n"
    "/^bob@/                     robert@example.org\n"
    "!/^(alice|carol)@/          nobody@example.org\n"
    "endif\n"
    "/^UPPER@example\\.net$/i     case-hit\n"
    "/^x(y)?z@test$/             got[$1]\n"
    "/^dollar@test$/             cost$$5\n"
    "/^multi@test$/              first\n"
    "  second\n"
    "/^(a.*)@x$/!/^ab/           pair:$1\n"
    "/^zero@(.*)$/               $0\n"
    "/^two@(.*)$/                $2\n"
    "!/^neg(.*)$/                bad$1\n"
    "/^un(known)@x$/q            unknown-flag\n"
    "/^lit@x$/                   $1abc\n"
    "/^bad(/                     broken\n"
    "/^nores@x$/\n"
    "endif\n"
    "frobnicate\n"
    "/^unclosed\n"
    "if /^if@/ extra\n"
    "if /^if@z/\n"
    "/^if@(.*)$/                 inner:$1\n"
    "endif\n"
    "endif\n"
    "/^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)@many$/ $12$11$1\n"
    "/^long@(.*)$/ a-result-longer-than-sixty-four-bytes-so-that-it-grows:$1:$1:$1\n"
    "/^r1@/ r1\n/^r2@/ r2\n/^r3@/ r3\n/^r4@/ r4\n"
    "if /^open@/\n"
    "/^open@(.*)/ open:$1\n";

static const char *const regexp_keys[] = {
    "root@host.example.com",
    "john+tag@host.example.com",
    "fred@localhost",
    "bob@example.org",
    "alice@example.org",
    "dave@example.org",
    "xz@test",
    "multi@test",
    "aab@x",
    "if@z",
    "abcdefghijkl@many",
    "long@qq",
    "nores@x",
    "open@o",
    "nomatch@else",
};

#if HAVE_PCRE2
static const char pcre_table[] = "/^root@.*$/                admin@example.com\n"
                                 "/^([^@+]+)(\\+[^@]*)?@host\\.example\\.com$/ ${1}@example.com\n"
                                 "/^UPPER@example\\.net$/i    case-sensitive-hit\n"
                                 "/^line$/m                  multiline\n"
                                 "/^(w+)/U                   ungreedy:$1\n"
                                 "/^zero(.*)$/               $0\n"
                                 "/^(a.*)@x$/!/^ab/          pair\n"
                                 "/^bad(/                    broken\n"
                                 "if !/@example\\.org$/\n"
                                 "/^bob@/                    not-org\n"
                                 "endif\n"
                                 "/^(?<name>n)amed$/         named:$1\n"
                                 "/^x(y)?z$/                 got[$1]\n";
#endif

static struct tcase tcases[64];
static size_t ntcases;

static void add(const char *spec, unsigned flags, const char *where, bool maps,
                const char *const *keys, size_t nkeys)
{
	struct tcase *c = &tcases[ntcases];

	if (ntcases == sizeof(tcases) / sizeof(tcases[0]) || nkeys > 15 ||
	    strlen(spec) >= sizeof(c->spec)) {
		ok(false, "room for the case %s", spec);
		return;
	}
	ntcases++;
	snprintf(c->spec, sizeof(c->spec), "%s", spec);
	c->flags = flags;
	c->where = where;
	c->maps = maps;
	for (size_t i = 0; i < nkeys; i++)
		c->keys[i] = keys[i];
}

#define KEYS(...)                                                                                  \
	(const char *const[]){__VA_ARGS__},                                                        \
	    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

/* More than 4 KiB, so reading it grows the buffer, with a logical line
 * longer than 64 bytes, so the line buffer grows too. */
static void put_big(void)
{
	struct buf b = {0};

	for (int i = 0; i < 40; i++)
		buf_printf(&b, "key%02d value-%02d-%0100d\n", i, i, 0);
	buf_append_str(&b, "joined start-of-a-long-logical-line\n"
	                   "  continued-past-sixty-four-bytes-of-text\n"
	                   "  and-once-more\n");
	put("big", b.data, 0600);
	buf_fini(&b);
}

/* Sixteen rules, then an IF: the rule array grows for the IF. */
static void put_grow_if(void)
{
	struct buf b = {0};

	for (int i = 0; i < 16; i++)
		buf_printf(&b, "/^r%d@/ r%d\n", i, i);
	buf_append_str(&b, "if /^x/\n/^xy/ xy\nendif\n");
	put("grow_if", b.data, 0600);
	buf_fini(&b);
}

/* An inline rule of 63 bytes fills the 64 bytes the text gets first, so
 * the newline after it needs more. */
static const char *inline_63(void)
{
	static char spec[128];

	snprintf(spec, sizeof(spec), "regexp:{ {/^%.58s/ r} }",
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	return spec;
}

static void setup(void)
{
	static const char *const text_types[] = {"texthash", "hash", "btree", "lmdb",
	                                         "cdb",      "dbm",  "sdbm"};

	put("text", text_table, 0600);
	put("open", "[relay]:587 u:p\n", 0644);
	put("compiled.db", "binary", 0600);
	put("olddbm.dir", "binary", 0600);
	put("regexp", regexp_table, 0600);
	put("noregsub", "/^(.*)@x$/ [$1]\n/^y/ [y]\n", 0600);
	put_grow_if();
	put_big();
	for (size_t i = 0; i < sizeof(text_types) / sizeof(text_types[0]); i++)
		add(spec_of(text_types[i], "text"), TABLE_SECRET, NULL, false,
		    KEYS("[smtp.example.com]:587", "SMTP.example.com", "[MIXED.EXAMPLE.COM]:465",
		         "\"quoted key\"", "cont", "novalue", "k12", "absent"));
	add(spec_of("texthash", "big"), 0, NULL, false, KEYS("key00", "KEY39", "joined", "key40"));
	add(spec_of("texthash", "open"), TABLE_SECRET, "smtp_sasl_password_maps in x.cf, line 3",
	    false, KEYS("[relay]:587"));
	add(spec_of("texthash", ""), 0, NULL, false, KEYS("x"));
	add(spec_of("hash", "nothing"), 0, NULL, false, KEYS("x"));
	add(spec_of("hash", "compiled"), 0, NULL, false, KEYS("x"));
	add(spec_of("dbm", "olddbm"), 0, NULL, false, KEYS("x"));
	add(spec_of("texthash", "compiled"), 0, NULL, false, KEYS("x"));
	add("inline:{ [smtp.example.com]:587=user:pass, {smtp.example.com = u2:p w}, a=1, A=2 }", 0,
	    NULL, false, KEYS("[smtp.example.com]:587", "SMTP.EXAMPLE.COM", "a", "other"));
	add("inline:{ }", 0, NULL, false, KEYS("x"));
	add("inline:{ a=1, novalue }", 0, NULL, false, KEYS("x"));
	add("inline:a=b", 0, NULL, false, KEYS("x"));
	add("static:relay.example", 0, NULL, false, KEYS("anything@example.com"));
	add("static:{ user name:pass }", 0, NULL, false, KEYS("x", "y"));
	add("static:{}", 0, NULL, false, KEYS("k"));
	add("static:{x}y", 0, NULL, false, KEYS("k"));
	add("ldap:/etc/postfix/ldap.cf", 0, "sender_canonical_maps in a.cf, line 2", false,
	    KEYS("x"));
	add("/etc/postfix/canonical", 0, NULL, false, KEYS("x"));
	add(spec_of("regexp", "regexp"), 0, NULL, false, regexp_keys,
	    sizeof(regexp_keys) / sizeof(regexp_keys[0]));
	add(spec_of("regexp", "noregsub"), TABLE_NO_REGSUB, NULL, false, KEYS("a@x", "yes"));
	add(spec_of("regexp", "grow_if"), 0, NULL, false, KEYS("xy", "r3@", "x"));
	add(spec_of("regexp", "missing"), 0, NULL, false, KEYS("x"));
	add(inline_63(), 0, NULL, false,
	    KEYS("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "b"));
	add("regexp:{ {/^a@(.*)$/ b@$1}, {if !/x$/}, {/^c/ d}, {endif} }", 0, NULL, false,
	    KEYS("a@q", "cy", "cx"));
	add("regexp:{ }", 0, NULL, false, KEYS("x"));
	add("regexp:{ /a/ b }", 0, NULL, false, KEYS("x"));
	add("regexp:{ {/a/ b} c }", 0, NULL, false, KEYS("x"));
#if HAVE_PCRE2
	put("pcre", pcre_table, 0600);
	add(spec_of("pcre", "pcre"), 0, NULL, false,
	    KEYS("ROOT@x", "john+tag@host.example.com", "first\nline\nlast", "www", "aab@x",
	         "bob@example.com", "bob@example.org", "named", "xz", "xyz", "none"));
	add("pcre:{ {/^(.*)@old\\.example$/ ${1}@new.example} }", 0, NULL, false,
	    KEYS("me@old.example", "me@other.example"));
#endif
	add("inline:{a=first}, inline:{a=second, b=B} static:{ fall back }", 0, "p in f, line 1",
	    true, KEYS("A", "b", "zz"));
	add("inline:{a=b}, nosuch:x", 0, "p in f, line 2", true, KEYS("a"));
	add("", 0, NULL, true, KEYS("x"));
}

/* The hash map alone: enough keys to grow it three times, a replaced
 * value, and lookups. A failed insertion ends the scenario. */
static void run_kvmap(const void *arg)
{
	struct kvmap m = {0};
	char key[16], value[32];
	const char *v;
	int rc;

	(void)arg;
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		snprintf(value, sizeof(value), "value of %d", i);
		step_begin();
		rc = kvmap_put(&m, key, strlen(key), value, strlen(value), i % 2 == 0);
		if (step_end(rc < 0, "put %s: %d", key, rc))
			goto done;
	}
	step_begin();
	rc = kvmap_put(&m, "key7", 4, "replaced", 8, true);
	if (step_end(rc < 0, "replace key7: %d", rc))
		goto done;
	step_begin();
	rc = kvmap_put(&m, "key8", 4, "kept", 4, false);
	if (step_end(rc < 0, "keep key8: %d", rc))
		goto done;
	for (int i = 0; i < 41; i += 5) {
		snprintf(key, sizeof(key), "key%d", i);
		step_begin();
		v = kvmap_get(&m, key);
		step_end(false, "get %s: %s", key, v != NULL ? v : "(none)");
	}
	v = kvmap_get(&m, "key7");
	step_end(false, "get key7: %s", v != NULL ? v : "(none)");
done:
	kvmap_fini(&m);
}

/* textfile_read alone: a file of 4 KiB and more, one refused as a
 * secret, and one that does not exist. */
static void run_textfile(const void *arg)
{
	static const char *const names[] = {"big", "open", "nothing"};
	struct buf text = {0};
	struct error err = {0};
	bool absent;

	(void)arg;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned long h = 5381;

		step_begin();
		if (textfile_read(path_of(names[i]), i == 1, &text, &absent, &err) < 0) {
			step_end(is_oom(&err), "%s: %s%s", names[i], outcome(&err),
			         absent ? " (absent)" : "");
			continue;
		}
		for (size_t k = 0; k < text.len; k++)
			h = h * 33 + (unsigned char)text.data[k];
		step_end(false, "%s: %zu bytes, hash %lx", names[i], text.len, h);
	}
	buf_wipe(&text);
}

/* regexec failing for a reason other than memory: warned about, and the
 * rule counts as not matching, as in Postfix. */
static void test_regexec_error(void)
{
	const char *spec = "regexp:{ {/^a/ first}, {/^a/ second} }";
	char why[256], want[512], got[512];
	struct error err = {0};
	struct table *t = table_open(spec, 0, NULL, &err);
	char *v = NULL;
	int rc = -1;
	ssize_t k;
	regex_t re;

	if (regcomp(&re, "a", REG_EXTENDED) == 0) {
		regerror(REG_BADPAT, &re, why, sizeof(why));
		regfree(&re);
	}
	snprintf(want, sizeof(want),
	         "relaymail: warning: regexp map { {/^a/ first}, {/^a/ second} }, line 1: %s\n",
	         why);
	F.hits = 0;
	step_begin();
	if (t != NULL) {
		F.regexec_rc = REG_BADPAT;
		rc = table_lookup(t, "ab", &v, &err);
	}
	F.regexec_rc = 0;
	k = pread(capture_fd, got, sizeof(got) - 1, 0);
	got[k > 0 ? k : 0] = '\0';
	is_int(F.hits, 1, "regexec failed once");
	is_str(rc == 1 ? v : NULL, "second", "a rule whose regexec fails does not match");
	is_str(got, want, "... and is warned about with regerror's words");
	free(v);
	table_free(t);
}

/* fstat failing on the opened file, reads interrupted by a signal, and
 * a file that goes on past the size fstat gave. */
static void test_syscalls(void)
{
	const char *path = path_of("big");
	struct buf text = {0}, again = {0};
	struct error err = {0};
	char want[512];
	int rc;

	F.hits = 0;
	F.fstat_errno = EIO;
	rc = textfile_read(path, false, &text, NULL, &err);
	F.fstat_errno = 0;
	if (F.hits == 0) {
		ok(true, "# SKIP fstat is not called by that name here");
	} else {
		snprintf(want, sizeof(want), "cannot examine %s: %s", path, strerror(EIO));
		is_str(rc < 0 && err.cls == ERROR_CONFIG ? err.text : NULL, want,
		       "a failing fstat is a configuration error naming the file");
	}
	rc = textfile_read(path, false, &text, NULL, &err);
	F.hits = 0;
	F.read_eintr = 2;
	if (textfile_read(path, false, &again, NULL, &err) < 0 || rc < 0) {
		ok(false, "textfile_read: %s", err.text);
	} else {
		is_int(F.hits, 2, "two reads interrupted");
		is_mem(again.data, again.len, text.data, text.len, "interrupted reads are retried");
	}
	F.read_eintr = 0;
	F.hits = 0;
	F.read_endless = true;
	rc = textfile_read(path, false, &text, NULL, &err);
	F.read_endless = false;
	snprintf(want, sizeof(want), "%s is larger than %zu bytes", path, TEXTFILE_MAX);
	is_str(rc < 0 && err.cls == ERROR_CONFIG ? err.text : NULL, want,
	       "a file longer than its size is refused at the cap");
	buf_fini(&text);
	buf_fini(&again);
}

int main(void)
{
	char name[sizeof(tcases[0].spec) + 8], cmd[300];
	int saved;

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	enomem_text = strerror(ENOMEM);
	setup();
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	snprintf(cmd, sizeof(cmd), "%s/stderr.XXXXXX", dir);
	capture_fd = mkstemp(cmd);
	if (capture_fd >= 0)
		unlink(cmd);
	if (capture_fd < 0 || saved < 0 || dup2(capture_fd, STDERR_FILENO) < 0) {
		ok(false, "capturing stderr: %s", strerror(errno));
		return tap_done();
	}
	if (__sanitizer_set_report_fd != NULL)
		__sanitizer_set_report_fd((void *)(long)saved);
	for (size_t i = 0; i < ntcases; i++) {
		size_t n = 0;

		/* The spec as a TAP description: no newline, no '#'. */
		for (const char *p = tcases[i].maps ? "maps " : ""; *p != '\0'; p++)
			name[n++] = *p;
		for (const char *p = tcases[i].spec; *p != '\0' && n + 1 < sizeof(name); p++)
			name[n++] = *p == '\n' || *p == '#' ? ' ' : *p;
		name[n] = '\0';
		torture(name, run_tcase, &tcases[i]);
	}
	torture("kvmap", run_kvmap, NULL);
	torture("textfile_read", run_textfile, NULL);
	test_regexec_error();
	test_syscalls();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(capture_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deliver/authcache: the refused-login cache of smtp_sasl_auth_cache_name.
 * A refusal found for the same host, user and password only; another
 * password, an expired entry or a broken line tried again and removed;
 * other entries kept byte for byte; the file created 0600 and never a
 * password in it; a file that is not relaymail's (a Postfix database), a
 * symbolic link or a FIFO left alone; names and replies that would break
 * a line refused; the parameter's value forms. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "deliver/authcache.h"
#include "tap.h"

static char dir[] = "/tmp/test-authcache.XXXXXX";
static char path[300];

static char *slurp(const char *p)
{
	static char buf[65536];
	FILE *f = fopen(p, "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void spew(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static int find(const char *host, const char *user, const char *pw, struct authcache_hit *hit)
{
	struct error err = { 0 };
	int rc = authcache_find(path, 3600, host, user, pw, hit, &err);

	if (rc < 0)
		diag("%s", err.text);
	return rc;
}

static int lines(void)
{
	int n = 0;

	for (const char *p = slurp(path); *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

static void test_store_and_find(void)
{
	struct error err = { 0 };
	struct authcache_hit hit;
	struct stat st;

	is_int(find("smtp.isp.example", "me", "pw", &hit), 0, "no file: nothing cached");
	ok(access(path, F_OK) < 0, "no file: a lookup creates none");
	is_int(authcache_store(path, "smtp.isp.example", "me", "pw", "5.7.8",
			       "535 5.7.8 Authentication credentials invalid", &err),
	       0, "store: recorded");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "store: the file is created 0600");
	ok(strncmp(slurp(path), "# relaymail smtp_sasl_auth_cache", 32) == 0,
	   "store: the first line says whose file it is");
	ok(strstr(slurp(path), "\tpw\t") == NULL && strstr(slurp(path), "pw\n") == NULL,
	   "store: the password is not in the file");
	memset(&hit, 0, sizeof(hit));
	is_int(find("smtp.isp.example", "me", "pw", &hit), 1, "find: same host, user, password");
	is_str(hit.reply, "535 5.7.8 Authentication credentials invalid", "find: the reply");
	is_str(hit.dsn, "5.7.8", "find: the DSN");
	ok(hit.age >= 0 && hit.age < 5, "find: its age (%ld s)", hit.age);
	is_int(find("SMTP.ISP.Example", "me", "pw", &hit), 1, "find: the host in any case");
	is_int(find("smtp.isp.example", "Me", "pw", &hit), 0, "find: the user name exactly");
	is_int(find("other.example", "me", "pw", &hit), 0, "find: another host");
	is_int(lines(), 2, "lookups of other keys change nothing");

	is_int(authcache_store(path, "other.example", "me", "pw2", "5.7.8", "535 no", &err), 0,
	       "store: a second entry");
	is_int(
	    authcache_store(path, "smtp.isp.example", "me", "pw", "5.7.0", "535 5.7.0 again", &err),
	    0, "store: the same key again");
	is_int(lines(), 3, "... replaces its entry");
	is_int(find("smtp.isp.example", "me", "pw", &hit), 1, "find: the new entry");
	is_str(hit.reply, "535 5.7.0 again", "find: the new reply");

	/* A changed password is tried again, and its entry goes. */
	is_int(find("smtp.isp.example", "me", "new-password", &hit), 0,
	       "another password: not refused yet");
	is_int(lines(), 2, "another password: the stale entry is removed");
	is_int(find("other.example", "me", "pw2", &hit), 1, "the other entry is still there");
}

static void test_expiry_and_broken_lines(void)
{
	struct error err = { 0 };
	struct authcache_hit hit;
	char text[4096], *line;
	const char *p;

	unlink(path);
	authcache_store(path, "a.example", "u", "pw", "5.7.8", "535 refused", &err);
	/* Age the entry: its time field, ten hours ago. */
	snprintf(text, sizeof(text), "%s", slurp(path));
	line = strchr(text, '\n') + 1;
	p = strchr(strchr(line, '\t') + 1, '\t') + 1;
	{
		char aged[4096];
		long old = (long)time(NULL) - 36000;

		snprintf(aged, sizeof(aged), "%.*s%ld%s", (int)(p - text), text, old,
			 strchr(p, '\t'));
		/* Lines another version or a crash might leave. */
		strncat(aged, "a.example\tbroken\n", sizeof(aged) - strlen(aged) - 1);
		strncat(aged, "b.example\tv\tnot-a-time\tx\ty\t5.7.8\tz\n",
			sizeof(aged) - strlen(aged) - 1);
		strncat(aged, "\n", sizeof(aged) - strlen(aged) - 1);
		spew(path, aged);
	}
	is_int(authcache_find(path, 3600, "a.example", "u", "pw", &hit, &err), 0,
	       "an entry older than the time limit: tried again");
	ok(strstr(slurp(path), "a.example\tu\t") == NULL, "... and removed");
	ok(strstr(slurp(path), "a.example\tbroken\n") != NULL,
	   "a line that does not parse, for another key: kept");
	is_int(authcache_store(path, "a.example", "u", "pw", "5.7.8", "535 refused", &err), 0,
	       "stored again");
	is_int(authcache_find(path, 36000 * 2, "a.example", "u", "pw", &hit, &err), 1,
	       "within a longer time limit: refused");
	is_int(find("b.example", "v", "pw", &hit), 0, "a broken entry for the key: tried again");
	ok(strstr(slurp(path), "b.example\tv\t") == NULL, "... and removed");
}

static void test_not_ours(void)
{
	struct error err = { 0 };
	struct authcache_hit hit;
	char other[400];
	static const char bdb[] = "\0\0\0\0\1\0\0\0\0\0\0\0b1\5\0\x09\0\0\0";

	/* A Postfix btree database at the pasted path. */
	unlink(path);
	{
		FILE *f = fopen(path, "w");

		fwrite(bdb, 1, sizeof(bdb), f);
		fclose(f);
	}
	is_int(authcache_find(path, 3600, "h", "u", "pw", &hit, &err), -1,
	       "a Postfix database: not used");
	ok(strstr(err.text, "is not a relaymail SASL authentication cache") != NULL &&
	       strstr(err.text, path) != NULL,
	   "... the error names the file (%s)", err.text);
	is_int(authcache_store(path, "h", "u", "pw", "5.7.8", "535 no", &err), -1,
	       "a Postfix database: not written");
	ok(memcmp(slurp(path), bdb, 4) == 0, "... and left as it was");
	unlink(path);

	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	spew(other, "");
	ok(symlink(other, path) == 0, "a symbolic link in its place");
	is_int(authcache_store(path, "h", "u", "pw", "5.7.8", "535 no", &err), -1,
	       "a symbolic link: not followed");
	ok(strstr(err.text, "symbolic link") != NULL, "... says so (%s)", err.text);
	is_str(slurp(other), "", "... its target untouched");
	unlink(path);

	ok(mkfifo(path, 0600) == 0, "a FIFO in its place");
	is_int(authcache_find(path, 3600, "h", "u", "pw", &hit, &err), -1,
	       "a FIFO: not read, no hang");
	ok(strstr(err.text, "not a regular file") != NULL, "... says so (%s)", err.text);
	unlink(path);
	unlink(other);
}

static void test_refused_fields(void)
{
	struct error err = { 0 };

	unlink(path);
	is_int(authcache_store(path, "h", "a\tb", "pw", "5.7.8", "535 no", &err), -1,
	       "a tab in the user name: not recorded");
	is_int(authcache_store(path, "h", "u", "pw", "5.7.8", "535 no\r\nmore", &err), -1,
	       "a line end in the reply: not recorded");
	is_int(authcache_store(path, "h", "u", "pw", "9.9", "535 no", &err), -1,
	       "a DSN that is not one: not recorded");
	is_int(authcache_store(path, "h", "u", "pw", "+5.7.8", "535 no", &err), -1,
	       "a DSN with a sign: not recorded");
	is_int(authcache_store(path, "h", "u", "pw", "2.0.0", "535 no", &err), -1,
	       "a DSN of success: not recorded");
	ok(access(path, F_OK) < 0, "nothing recorded, no file");
}

static void test_locked(void)
{
	struct error err = { 0 };
	struct authcache_hit hit;
	int fd;
	time_t t0;

	unlink(path);
	authcache_store(path, "h", "u", "pw", "5.7.8", "535 no", &err);
	fd = open(path, O_RDONLY);
	ok(fd >= 0 && flock(fd, LOCK_EX) == 0, "another process holds the lock");
	t0 = time(NULL);
	is_int(authcache_find(path, 3600, "h", "u", "pw", &hit, &err), -1,
	       "locked: the lookup gives up");
	ok(time(NULL) - t0 <= 5, "... within seconds (%ld s)", (long)(time(NULL) - t0));
	ok(strstr(err.text, "cannot lock") != NULL, "... and says so (%s)", err.text);
	close(fd);
	is_int(authcache_find(path, 3600, "h", "u", "pw", &hit, &err), 1, "unlocked: found");
}

static void test_path(void)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
		{ "proxy:btree:/var/lib/postfix/sasl_auth_cache",
		  "/var/lib/postfix/sasl_auth_cache" },
		{ "btree:/var/lib/postfix/sasl_auth_cache", "/var/lib/postfix/sasl_auth_cache" },
		{ "lmdb:/home/me/.relaymail-auth", "/home/me/.relaymail-auth" },
		{ "/home/me/cache", "/home/me/cache" },
		{ "relative/cache", NULL },
		{ "proxy:btree:relative", NULL },
		{ "proxy:btree:/a, proxy:btree:/b", NULL },
		{ "/", NULL },
		{ "btree:", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct error err = { 0 };
		const char *got = authcache_path(cases[i].value, &err);

		is_str(got, cases[i].want, "smtp_sasl_auth_cache_name = %s", cases[i].value);
		if (got == NULL)
			ok(err.cls == ERROR_CONFIG && err.text[0] != '\0', "... an error: %s",
			   err.text);
	}
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof(path), "%s/sasl_auth_cache", dir);
	test_store_and_find();
	test_expiry_and_broken_lines();
	test_not_ours();
	test_refused_fields();
	test_locked();
	test_path();
	unlink(path);
	rmdir(dir);
	return tap_done();
}

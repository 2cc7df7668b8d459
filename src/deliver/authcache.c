/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refused-login cache (deliver/authcache.h). The file:
 *
 *	# relaymail smtp_sasl_auth_cache ...        (the first line, always)
 *	HOST TAB USER TAB TIME TAB SALT TAB KEY TAB DSN TAB REPLY
 *
 * TIME in seconds since the epoch; SALT (16 bytes) and KEY (PBKDF2-HMAC-
 * SHA-256 of the password, 4096 rounds) in base64. A line that does not
 * parse is skipped, and dropped when its host and user are looked up. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "deliver/authcache.h"
#include "net/tls.h"

#define HEADER                                                                                     \
	"# relaymail smtp_sasl_auth_cache: logins that relays refused; delete a line to "          \
	"try that login again\n"
#define HEADER_TAG "# relaymail smtp_sasl_auth_cache"
#define FILE_MAX (1L << 20)
#define SALT_LEN 16
#define ROUNDS 4096
#define LOCK_WAIT_MS 3000
#define FIELDS 7

struct cachefile {
	const char *path;
	int fd;
	bool writable;
	char *data; /* the whole file, NUL-terminated */
	size_t len;
};

/* One entry, its fields pointing into a copy of the line. */
struct entry {
	char *f[FIELDS];
};

enum { F_HOST, F_USER, F_TIME, F_SALT, F_KEY, F_DSN, F_REPLY };

const char *authcache_path(const char *value, struct error *err)
{
	const char *p = value;

	if (value[strcspn(value, " \t,")] != '\0') {
		error_set(err, ERROR_CONFIG, "%s", _("give one file, not a list"));
		return NULL;
	}
	if (strncmp(p, "proxy:", 6) == 0)
		p += 6;
	/* A Postfix table type names the file's format; relaymail's file is
	 * its own text, wherever the value points. */
	if (*p != '/' && strchr(p, ':') != NULL)
		p = strchr(p, ':') + 1;
	if (*p != '/' || p[1] == '\0') {
		error_set(err, ERROR_CONFIG, "%s",
			  _("give an absolute file name, such as "
			    "proxy:btree:/var/lib/postfix/sasl_auth_cache or a file of your own"));
		return NULL;
	}
	return p;
}

static void cache_close(struct cachefile *f)
{
	if (f->fd >= 0)
		close(f->fd); /* releases the lock */
	f->fd = -1;
	free(f->data);
	f->data = NULL;
}

static int lock(struct cachefile *f, struct error *err)
{
	int op = (f->writable ? LOCK_EX : LOCK_SH) | LOCK_NB;

	for (long waited = 0; flock(f->fd, op) < 0; waited += 10) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= LOCK_WAIT_MS) {
			error_set_errno(err, ERROR_TEMP, errno == EWOULDBLOCK ? ETIMEDOUT : errno,
					_("cannot lock the SASL authentication cache %s"), f->path);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int slurp(struct cachefile *f, struct error *err)
{
	struct stat st;
	ssize_t n;

	if (fstat(f->fd, &st) < 0) {
		error_set_errno(err, ERROR_TEMP, errno, _("cannot read %s"), f->path);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		error_set(err, ERROR_CONFIG,
			  _("%s is not a relaymail SASL authentication cache (%s); it is left "
			    "alone"),
			  f->path, S_ISREG(st.st_mode) ? _("over 1 MiB") : _("not a regular file"));
		return -1;
	}
	if ((f->data = malloc((size_t)st.st_size + 1)) == NULL) {
		error_set(err, ERROR_INTERNAL, "%s", _("out of memory"));
		return -1;
	}
	n = pread(f->fd, f->data, (size_t)st.st_size, 0);
	if (n < 0) {
		error_set_errno(err, ERROR_TEMP, errno, _("cannot read %s"), f->path);
		return -1;
	}
	f->len = (size_t)n;
	f->data[f->len] = '\0';
	if (f->len > 0 && (strncmp(f->data, HEADER_TAG, strlen(HEADER_TAG)) != 0 ||
			   memchr(f->data, '\0', f->len) != NULL)) {
		error_set(
		    err, ERROR_CONFIG,
		    _("%s is not a relaymail SASL authentication cache (a Postfix database?); "
		      "it is left alone"),
		    f->path);
		return -1;
	}
	return 0;
}

/* 1: open, locked and read; 0: no file and create is false. */
static int cache_open(struct cachefile *f, const char *path, bool create, struct error *err)
{
	int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;

	*f = (struct cachefile){ .path = path, .fd = -1, .writable = true };
	f->fd = open(path, flags | (create ? O_CREAT : 0), 0600);
	if (f->fd < 0 && !create && (errno == EACCES || errno == EROFS)) {
		f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
		f->writable = false;
	}
	if (f->fd < 0) {
		if (errno == ENOENT && !create)
			return 0;
		if (errno == ELOOP)
			error_set(err, ERROR_CONFIG,
				  _("the SASL authentication cache %s is a symbolic link, which "
				    "relaymail does not follow"),
				  path);
		else
			error_set_errno(err, ERROR_TEMP, errno,
					_("cannot open the SASL authentication cache %s"), path);
		return -1;
	}
	if (lock(f, err) < 0 || slurp(f, err) < 0) {
		cache_close(f);
		return -1;
	}
	return 1;
}

/* Split a copy of line (len bytes, no newline) into e; false when it does
 * not have the seven fields. */
static bool split(char *copy, struct entry *e)
{
	char *p = copy;

	for (int i = 0; i < FIELDS; i++) {
		char *tab = strchr(p, '\t');

		e->f[i] = p;
		if (i == FIELDS - 1)
			return tab == NULL;
		if (tab == NULL)
			return false;
		*tab = '\0';
		p = tab + 1;
	}
	return false;
}

static bool same_key(const struct entry *e, const char *host, const char *user)
{
	return str_eq_ci(e->f[F_HOST], host) && strcmp(e->f[F_USER], user) == 0;
}

static bool dsn_ok(const char *dsn)
{
	unsigned a, b, c;
	int n = 0;

	/* sscanf's %u would take a sign or blanks: the first octet first. */
	return (dsn[0] == '4' || dsn[0] == '5') && strlen(dsn) < AUTHCACHE_DSN_MAX &&
	       sscanf(dsn, "%1u.%3u.%3u%n", &a, &b, &c, &n) == 3 && dsn[n] == '\0';
}

static int derive(const char *password, const unsigned char *salt,
		  unsigned char key[TLS_PBKDF2_LEN])
{
	return tls_pbkdf2(password, salt, SALT_LEN, ROUNDS, key);
}

/* Does e hold a refusal of this password younger than ttl? */
static bool valid(const struct entry *e, long ttl, const char *password, long *age)
{
	unsigned char salt[SALT_LEN + 3], key[TLS_PBKDF2_LEN + 3], now_key[TLS_PBKDF2_LEN];
	char *end;
	long when;

	errno = 0;
	when = strtol(e->f[F_TIME], &end, 10);
	if (errno != 0 || end == e->f[F_TIME] || *end != '\0' || when <= 0)
		return false;
	*age = (long)time(NULL) - when;
	if (*age < -300 || *age > ttl || !dsn_ok(e->f[F_DSN]) || e->f[F_REPLY][0] == '\0' ||
	    strlen(e->f[F_SALT]) > 4 * ((SALT_LEN + 2) / 3) ||
	    strlen(e->f[F_KEY]) > 4 * ((TLS_PBKDF2_LEN + 2) / 3) ||
	    base64_decode(e->f[F_SALT], strlen(e->f[F_SALT]), salt) != SALT_LEN ||
	    base64_decode(e->f[F_KEY], strlen(e->f[F_KEY]), key) != TLS_PBKDF2_LEN)
		return false;
	if (derive(password, salt, now_key) < 0)
		return false;
	/* Not a secret worth a constant-time compare: the file holds it. */
	return memcmp(key, now_key, TLS_PBKDF2_LEN) == 0;
}

/* Write content over the file, then cut it to that length. */
static int rewrite(struct cachefile *f, const struct buf *content, struct error *err)
{
	size_t off = 0;

	while (off < content->len) {
		ssize_t n = pwrite(f->fd, content->data + off, content->len - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error_set_errno(err, ERROR_TEMP, n < 0 ? errno : EIO, _("cannot write %s"),
					f->path);
			return -1;
		}
		off += (size_t)n;
	}
	if (ftruncate(f->fd, (off_t)content->len) < 0) {
		error_set_errno(err, ERROR_TEMP, errno, _("cannot write %s"), f->path);
		return -1;
	}
	return 0;
}

/* The entry lines after the header, one a call: *line and *n (without
 * the line end); false after the last. *pos starts NULL. */
static bool next_line(const struct cachefile *f, const char **pos, const char **line, size_t *n)
{
	const char *p = *pos, *nl;

	if (p == NULL) {
		nl = memchr(f->data, '\n', f->len);
		p = nl != NULL ? nl + 1 : f->data + f->len;
	}
	if (*p == '\0')
		return false;
	nl = strchr(p, '\n');
	*line = p;
	*n = nl != NULL ? (size_t)(nl - p) : strlen(p);
	*pos = p + *n + (nl != NULL);
	return true;
}

/* The file's lines but those for host and user, in out (header first). */
static int others(const struct cachefile *f, const char *host, const char *user, struct buf *out)
{
	const char *pos = NULL, *line;
	size_t n;

	if (buf_append_str(out, HEADER) < 0)
		return -1;
	while (next_line(f, &pos, &line, &n)) {
		char *copy = str_ndup(line, n);
		struct entry e;
		bool drop;

		if (copy == NULL)
			return -1;
		drop = split(copy, &e) && same_key(&e, host, user);
		free(copy);
		if (!drop && n > 0 &&
		    (buf_append(out, line, n) < 0 || buf_append_char(out, '\n') < 0))
			return -1;
	}
	return 0;
}

static int no_memory(struct error *err)
{
	error_set(err, ERROR_INTERNAL, "%s", _("out of memory"));
	return -1;
}

/* Drop the entries for host and user (the caller holds the lock). */
static int forget(struct cachefile *f, const char *host, const char *user, struct error *err)
{
	struct buf b;
	int rc;

	if (!f->writable)
		return 0;
	buf_init(&b, 0);
	rc = others(f, host, user, &b) < 0 ? no_memory(err) : rewrite(f, &b, err);
	buf_fini(&b);
	return rc;
}

int authcache_find(const char *path, long ttl, const char *host, const char *user,
		   const char *password, struct authcache_hit *hit, struct error *err)
{
	struct cachefile f;
	int rc = cache_open(&f, path, false, err);
	const char *pos = NULL, *line;
	size_t n;
	bool seen = false;

	if (rc <= 0)
		return rc;
	while (next_line(&f, &pos, &line, &n)) {
		char *copy = str_ndup(line, n);
		struct entry e;

		if (copy == NULL) {
			cache_close(&f);
			return no_memory(err);
		}
		if (split(copy, &e) && same_key(&e, host, user)) {
			seen = true;
			if (valid(&e, ttl, password, &hit->age)) {
				snprintf(hit->dsn, sizeof(hit->dsn), "%s", e.f[F_DSN]);
				snprintf(hit->reply, sizeof(hit->reply), "%s", e.f[F_REPLY]);
				free(copy);
				cache_close(&f);
				return 1;
			}
		}
		free(copy);
	}
	/* Expired, another password, or unreadable: try the login again. */
	rc = seen ? forget(&f, host, user, err) : 0;
	cache_close(&f);
	return rc;
}

/* Can s go into a field? No tab, line end or NUL; not empty. */
static bool field_ok(const char *s)
{
	return *s != '\0' && s[strcspn(s, "\t\r\n")] == '\0';
}

static int entry_line(struct buf *b, const char *host, const char *user, const char *password,
		      const char *dsn, const char *reply, struct error *err)
{
	unsigned char salt[SALT_LEN], key[TLS_PBKDF2_LEN];
	char salt64[4 * ((SALT_LEN + 2) / 3) + 1], key64[4 * ((TLS_PBKDF2_LEN + 2) / 3) + 1];

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt) ||
	    derive(password, salt, key) < 0) {
		error_set(err, ERROR_INTERNAL, "%s", _("cannot derive a key from the password"));
		return -1;
	}
	base64_encode(salt, sizeof(salt), salt64);
	base64_encode(key, sizeof(key), key64);
	str_wipe(key, sizeof(key));
	if (buf_printf(b, "%s\t%s\t%lld\t%s\t%s\t%s\t%s\n", host, user, (long long)time(NULL),
		       salt64, key64, dsn, reply) < 0)
		return no_memory(err);
	return 0;
}

int authcache_store(const char *path, const char *host, const char *user, const char *password,
		    const char *dsn, const char *reply, struct error *err)
{
	struct cachefile f;
	struct buf b;
	int rc;

	if (!field_ok(host) || !field_ok(user) || !field_ok(reply) || !dsn_ok(dsn)) {
		error_set(err, ERROR_DATA,
			  _("the refused login of %s cannot be recorded in %s: its name or the "
			    "relay's reply holds a tab or a line end"),
			  user, path);
		return -1;
	}
	if (cache_open(&f, path, true, err) < 0)
		return -1;
	buf_init(&b, 0);
	if (others(&f, host, user, &b) < 0)
		rc = no_memory(err);
	else if ((rc = entry_line(&b, host, user, password, dsn, reply, err)) == 0)
		rc = rewrite(&f, &b, err);
	buf_fini(&b);
	cache_close(&f);
	return rc;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where a message is kept, and the record around it. The default lives
 * under the XDG state folder, not ~/dead.letter: the home of a web
 * server's user is often next to, or inside, what it serves; a user
 * without a home that can be written (www-data, nobody, a read-only
 * container) gets the spool or $TMPDIR. Lines are stored with LF ends and
 * mboxrd quoting (">From " gets one more '>'); X-Relaymail- lines after
 * the From_ line carry the envelope (deadletter.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/deadletter.h"
#include "base/buf.h"
#include "base/deadline.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"

#define LOCK_WAIT_MS 10000
#define PATH_MAX_LEN 4096
#define TMP_PREFIX "relaymail-dead."

int deadletter_mbox_path(const struct deadletter_places *pl, char *path, size_t size,
			 struct error *err)
{
	const char *home = getenv("HOME"), *state = getenv("XDG_STATE_HOME");
	const struct passwd *pw;

	path[0] = '\0';
	if (pl->file != NULL) {
		snprintf(path, size, "%s", pl->file);
		return 0;
	}
	if (state != NULL && state[0] == '/') {
		snprintf(path, size, "%s/relaymail/dead.letter", state);
		return 0;
	}
	if ((home == NULL || home[0] != '/') && (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || home[0] != '/') {
		error_set(err, ERROR_IO, _("no home directory"));
		return -1;
	}
	snprintf(path, size, "%s/.local/state/relaymail/dead.letter", home);
	return 0;
}

/* mkdir -p of the folders above path; the last one gets mode 0700. */
static int make_folders(const char *path, struct error *err)
{
	char dir[PATH_MAX_LEN];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	error_set_errno(err, ERROR_IO, errno, _("cannot create directory %s"), dir);
	return -1;
}

/* fd is still what path names (not renamed away, not replaced). */
static bool still_there(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int deadletter_open_locked(const char *path, bool create, struct error *err)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct deadline dl = deadline_in(LOCK_WAIT_MS);
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0);

	if (create && make_folders(path, err) < 0)
		return -1;
	for (;;) {
		struct stat st;
		int fd = open(path, flags, 0600);

		if (fd < 0) {
			error_set_errno(err, ERROR_IO, errno, _("cannot open %s"), path);
			return -1;
		}
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			error_set(err, ERROR_IO, _("%s is not a regular file owned by you"), path);
			close(fd);
			return -1;
		}
		/* Wait for the lock while the file is still the one at path:
		 * a resend renames it away and a new one takes its place. */
		for (;;) {
			if (fcntl(fd, F_SETLK, &fl) == 0) {
				if (still_there(fd, path))
					return fd;
				break;
			}
			if ((errno != EACCES && errno != EAGAIN) || deadline_expired(dl)) {
				error_set_errno(err, ERROR_IO, errno, _("cannot lock %s"), path);
				close(fd);
				return -1;
			}
			if (!still_there(fd, path))
				break;
			usleep(20000);
		}
		close(fd);
		if (deadline_expired(dl)) {
			error_set(err, ERROR_IO, _("cannot lock %s"), path);
			return -1;
		}
	}
}

/* One X-Relaymail- line; the value made printable and on one line. */
static int record_line(struct buf *b, const char *name, const char *value)
{
	char shown[2048];

	str_printable(shown, sizeof(shown), value, strlen(value));
	return buf_printf(b, "X-Relaymail-%s: %s\n", name, shown);
}

static int record(struct buf *b, const struct deadletter_entry *e)
{
	const struct submission *s = e->sub;
	time_t now = time(NULL);
	char date[64];
	struct tm tm;
	int rc;
	const char *from = e->rcpts != NULL ? e->sender : s != NULL ? s->sender : NULL;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	rc = buf_printf(b, "From %s %s\n", from != NULL && *from != '\0' ? from : "MAILER-DAEMON",
			date);
	if (rc == 0)
		rc = record_line(b, "Reason", e->reason != NULL ? e->reason : "");
	if (rc == 0 && e->incomplete)
		rc = record_line(b, "Incomplete", "yes");
	if (rc == 0 && e->rcpts != NULL) {
		rc =
		    buf_printf(b, "X-Relaymail-Sender: <%s>\n", e->sender != NULL ? e->sender : "");
		for (size_t i = 0; i < e->rcpts->n && rc == 0; i++)
			rc = buf_printf(b, "X-Relaymail-Rcpt: <%s>\n", e->rcpts->v[i]);
	} else if (rc == 0 && s != NULL) {
		if (s->sender != NULL)
			rc = record_line(b, "Arg-Sender", s->sender);
		for (size_t i = 0; i < s->nrcpts && rc == 0; i++)
			rc = record_line(b, "Arg-Rcpt", s->rcpts[i]);
		if (rc == 0 && s->extract)
			rc = record_line(b, "Arg-Extract", "yes");
	}
	if (rc == 0 && s != NULL && s->notify != NULL)
		rc = record_line(b, "Notify", s->notify);
	if (rc == 0 && s != NULL && s->ret != NULL)
		rc = record_line(b, "Ret", s->ret);
	if (rc == 0 && s != NULL && s->envid != NULL)
		rc = record_line(b, "Envid", s->envid);
	/* The message may have X-Relaymail- fields of its own. */
	if (rc == 0)
		rc = buf_append_str(b, "X-Relaymail-End: \n");
	return rc;
}

/* Convert CRLF to LF and quote From_ lines; *bol carries "at line start". */
static int append_piece(struct buf *b, const char *p, size_t n, bool *bol)
{
	for (size_t i = 0; i < n; i++) {
		if (*bol) {
			size_t k = i;

			while (k < n && p[k] == '>')
				k++;
			if (n - k >= 5 && memcmp(p + k, "From ", 5) == 0 &&
			    buf_append_char(b, '>') < 0)
				return -1;
		}
		*bol = p[i] == '\n';
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (buf_append_char(b, p[i]) < 0)
			return -1;
	}
	return 0;
}

static int write_all(int fd, struct buf *b, const char *path, struct error *err)
{
	for (size_t off = 0; off < b->len;) {
		ssize_t n = write(fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set_errno(err, ERROR_IO, errno, _("cannot write %s"), path);
			return -1;
		}
		off += (size_t)n;
	}
	buf_reset(b);
	return 0;
}

/* The record and the message at the end of fd, then fsync. */
static int write_entry(int fd, const char *path, const struct message *m,
		       const struct deadletter_entry *e, struct error *err)
{
	struct message_cursor *cur = malloc(sizeof(*cur));
	struct buf b = { 0 };
	bool bol = true;
	const char *p;
	ssize_t n = 0;
	int rc = -1;

	if (cur == NULL || record(&b, e) < 0)
		goto nomem;
	message_rewind(m, cur);
	while ((n = message_next(m, cur, &p, err)) > 0) {
		if (append_piece(&b, p, (size_t)n, &bol) < 0)
			goto nomem;
		if (b.len >= 65536 && write_all(fd, &b, path, err) < 0)
			goto out;
	}
	if (n < 0)
		goto out;
	if (buf_append_str(&b, bol ? "\n" : "\n\n") < 0)
		goto nomem;
	if (lseek(fd, 0, SEEK_END) < 0 || write_all(fd, &b, path, err) < 0)
		goto out;
	if (fsync(fd) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot write %s"), path);
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	error_set(err, ERROR_INTERNAL, _("out of memory"));
out:
	buf_fini(&b);
	free(cur);
	return rc;
}

int deadletter_append(const char *path, const struct message *m, const struct deadletter_entry *e,
		      struct error *err)
{
	int fd = deadletter_open_locked(path, true, err);
	int rc;

	if (fd < 0)
		return -1;
	rc = write_entry(fd, path, m, e, err);
	close(fd);
	return rc;
}

/* A folder anybody may add to must keep others from removing or
 * replacing what is there: sticky, and owned by root or by us. */
static int folder_safe(const char *dir, struct error *err)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot use %s"), dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)) {
		error_set(err, ERROR_IO,
			  _("%s is not a folder owned by root with the sticky bit (mode 1777)"),
			  dir);
		return -1;
	}
	return 0;
}

/* A new file of its own for m in dir: written under a hidden name, then
 * linked to a name with 12 random hex digits, which fails rather than
 * replaces when the name is taken. */
static int new_file(const char *dir, const char *prefix, const struct message *m,
		    const struct deadletter_entry *e, char *path, size_t size, struct error *err)
{
	char tmp[PATH_MAX_LEN], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd, rc = -1;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%sXXXXXX", dir, prefix) >= sizeof(tmp) ||
	    (fd = mkstemp(tmp)) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot create a file in %s"), dir);
		return -1;
	}
	if (write_entry(fd, tmp, m, e, err) == 0) {
		for (int tries = 0; tries < 16 && rc < 0; tries++) {
			unsigned char rnd[6] = { 0 };

			if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
				memcpy(rnd, &now,
				       sizeof(rnd) < sizeof(now) ? sizeof(rnd) : sizeof(now));
			snprintf(path, size, "%s/%s%lu.%s.%02x%02x%02x%02x%02x%02x", dir, prefix,
				 (unsigned long)geteuid(), stamp, rnd[0], rnd[1], rnd[2], rnd[3],
				 rnd[4], rnd[5]);
			if (link(tmp, path) == 0)
				rc = 0;
			else if (errno != EEXIST)
				break;
		}
		if (rc < 0)
			error_set_errno(err, ERROR_IO, errno, _("cannot create a file in %s"), dir);
	}
	unlink(tmp);
	close(fd);
	return rc;
}

/* "a: why; b: why", for the error when nothing worked. */
static void tried(struct buf *b, const char *what, const struct error *e)
{
	buf_printf(b, "%s%s: %s", b->len > 0 ? "; " : "", what, e->text);
}

int deadletter_keep(const struct deadletter_places *pl, const struct message *m,
		    const struct deadletter_entry *e, char *path, size_t size, bool *temporary,
		    struct error *err)
{
	const char *tmpdir = getenv("TMPDIR");
	struct buf why = { 0 };
	struct error one = { 0 };

	*temporary = false;
	if (pl->file != NULL && pl->file[0] == '\0')
		return 0;
	if (deadletter_mbox_path(pl, path, size, &one) == 0 &&
	    deadletter_append(path, m, e, &one) == 0)
		return 1;
	tried(&why, path[0] != '\0' ? path : "~/.local/state", &one);
	error_clear(&one);
	if (pl->spool != NULL && pl->spool[0] != '\0') {
		if (folder_safe(pl->spool, &one) == 0 &&
		    new_file(pl->spool, "", m, e, path, size, &one) == 0) {
			buf_fini(&why);
			return 1;
		}
		tried(&why, pl->spool, &one);
		error_clear(&one);
	}
	if (tmpdir == NULL || tmpdir[0] != '/')
		tmpdir = "/tmp";
	if (folder_safe(tmpdir, &one) == 0 &&
	    new_file(tmpdir, TMP_PREFIX, m, e, path, size, &one) == 0) {
		*temporary = true;
		buf_fini(&why);
		return 1;
	}
	tried(&why, tmpdir, &one);
	error_set(err, ERROR_IO, "%s", why.data != NULL ? why.data : "");
	buf_fini(&why);
	return -1;
}

/* ---- finding the user's files, for --resend ---- */

static int add_file(char ***v, size_t *n, const char *path)
{
	char **grown = realloc(*v, (*n + 2) * sizeof(**v));

	if (grown == NULL)
		return -1;
	*v = grown;
	if ((grown[*n] = str_dup(path)) == NULL)
		return -1;
	grown[++*n] = NULL;
	return 0;
}

/* The entries of dir whose names start with prefix, regular files of
 * ours (a resend's ".pos" notes and hidden files left out). */
static int scan(const char *dir, const char *prefix, char ***v, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char path[PATH_MAX_LEN];
		struct stat st;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 || de->d_name[0] == '.' ||
		    (len > 4 && strcmp(de->d_name + len - 4, ".pos") == 0))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
			rc = add_file(v, n, path);
	}
	closedir(d);
	return rc;
}

char **deadletter_files(const struct deadletter_places *pl, struct error *err)
{
	const char *tmpdir = getenv("TMPDIR");
	char path[PATH_MAX_LEN], prefix[64], *slash;
	struct error ignored = { 0 };
	char **v = calloc(1, sizeof(*v));
	size_t n = 0;
	int rc = v != NULL ? 0 : -1;

	if (rc == 0 && deadletter_mbox_path(pl, path, sizeof(path), &ignored) == 0 &&
	    path[0] != '\0') {
		struct stat st;

		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = add_file(&v, &n, path);
		/* What a resend took from it and did not finish. */
		slash = strrchr(path, '/');
		if (rc == 0 && slash != NULL) {
			snprintf(prefix, sizeof(prefix), "%s.resend-", slash + 1);
			*slash = '\0';
			rc = scan(path[0] != '\0' ? path : "/", prefix, &v, &n);
		}
	}
	snprintf(prefix, sizeof(prefix), "%lu.", (unsigned long)geteuid());
	if (rc == 0 && pl->spool != NULL && pl->spool[0] != '\0')
		rc = scan(pl->spool, prefix, &v, &n);
	snprintf(prefix, sizeof(prefix), TMP_PREFIX "%lu.", (unsigned long)geteuid());
	if (rc == 0)
		rc = scan(tmpdir != NULL && tmpdir[0] == '/' ? tmpdir : "/tmp", prefix, &v, &n);
	if (rc < 0) {
		deadletter_files_free(v);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	return v;
}

void deadletter_files_free(char **files)
{
	if (files == NULL)
		return;
	for (char **p = files; *p != NULL; p++)
		free(*p);
	free(files);
}

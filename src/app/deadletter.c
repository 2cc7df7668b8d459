/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mbox append with fcntl locking. The default lives under the XDG state
 * folder, not ~/dead.letter: the home of a web server's user is often
 * next to, or inside, what it serves. Lines are stored with LF ends and
 * mboxrd quoting (">From " gets one more '>'). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/deadletter.h"
#include "base/buf.h"
#include "base/deadline.h"
#include "base/i18n.h"

int deadletter_path(const char *configured, char *path, size_t size, struct error *err)
{
	const char *home = getenv("HOME"), *state = getenv("XDG_STATE_HOME");
	const struct passwd *pw;

	if (configured != NULL) {
		snprintf(path, size, "%s", configured);
		return 0;
	}
	if (state != NULL && state[0] == '/') {
		snprintf(path, size, "%s/relaymail/dead.letter", state);
		return 0;
	}
	if ((home == NULL || home[0] != '/') && (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || home[0] != '/') {
		error_set(err, ERROR_IO,
			  _("no home directory for the dead letter file; set "
			    "dead_letter_file"));
		return -1;
	}
	snprintf(path, size, "%s/.local/state/relaymail/dead.letter", home);
	return 0;
}

/* mkdir -p of the folders above path; the last one gets mode 0700. */
static int make_folders(const char *path, struct error *err)
{
	char dir[4096];
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

static int lock_file(int fd, const char *path, struct error *err)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct deadline dl = deadline_in(10000);

	while (fcntl(fd, F_SETLK, &fl) < 0) {
		if ((errno != EACCES && errno != EAGAIN) || deadline_expired(dl)) {
			error_set_errno(err, ERROR_IO, errno, _("cannot lock %s"), path);
			return -1;
		}
		usleep(20000);
	}
	return 0;
}

static int open_file(const char *path, struct error *err)
{
	struct stat st;
	int fd;

	if (make_folders(path, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot open %s"), path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		error_set(err, ERROR_IO, _("%s is not a regular file owned by you"), path);
		close(fd);
		return -1;
	}
	if (lock_file(fd, path, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int envelope_lines(struct buf *b, const char *sender, const struct addrlist *rcpts)
{
	time_t now = time(NULL);
	char date[64];
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	if (buf_printf(b, "From %s %s\n", sender != NULL && *sender ? sender : "MAILER-DAEMON",
		       date) < 0)
		return -1;
	for (size_t i = 0; rcpts != NULL && i < rcpts->n; i++)
		if (buf_printf(b, "X-Relaymail-Rcpt: <%s>\n", rcpts->v[i]) < 0)
			return -1;
	return 0;
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

int deadletter_save(const char *path, const struct message *m, const char *sender,
		    const struct addrlist *rcpts, struct error *err)
{
	struct message_cursor *cur = malloc(sizeof(*cur));
	struct buf b = { 0 };
	bool bol = true;
	const char *p;
	ssize_t n = 0;
	int fd = -1, rc = -1;

	if (cur == NULL || (fd = open_file(path, err)) < 0)
		goto out;
	if (envelope_lines(&b, sender, rcpts) < 0)
		goto nomem;
	message_rewind(m, cur);
	while ((n = message_next(m, cur, &p, err)) > 0) {
		if (append_piece(&b, p, (size_t)n, &bol) < 0)
			goto nomem;
		if (b.len >= 65536 && write_all(fd, &b, path, err) < 0)
			goto out;
	}
	if (n < 0 || buf_append_str(&b, bol ? "\n" : "\n\n") < 0 ||
	    write_all(fd, &b, path, err) < 0)
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
	if (fd >= 0)
		close(fd);
	buf_fini(&b);
	free(cur);
	return rc;
}

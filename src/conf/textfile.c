/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one place in conf that reads files. The checks run on the opened
 * descriptor (fstat), so a file swapped between check and read cannot slip
 * past them; symbolic links are followed because /etc files often are. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/i18n.h"
#include "conf/textfile.h"

static int check_mode(int fd, const char *path, bool secret, struct error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		error_set_errno(err, ERROR_CONFIG, errno, _("cannot examine %s"), path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, ERROR_CONFIG, _("%s is not a regular file"), path);
		return -1;
	}
	if (secret && (st.st_mode & 077) != 0) {
		error_set(err, ERROR_CONFIG,
			  _("%s holds passwords and must not be accessible by others "
			    "(mode %04o); fix it with: chmod 600 %s"),
			  path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if ((unsigned long long)st.st_size > TEXTFILE_MAX) {
		error_set(err, ERROR_CONFIG, _("%s is larger than %zu bytes"), path, TEXTFILE_MAX);
		return -1;
	}
	return 0;
}

static int read_all(int fd, const char *path, struct buf *out, struct error *err)
{
	for (;;) {
		size_t room = out->max - out->len, want;
		ssize_t n;

		if (room == 0) {
			error_set(err, ERROR_CONFIG, _("%s is larger than %zu bytes"), path,
				  TEXTFILE_MAX);
			return -1;
		}
		want = room < 4096 ? room : 4096;
		if (buf_reserve(out, want) < 0) {
			error_set_errno(err, ERROR_INTERNAL, errno, _("cannot read %s"), path);
			return -1;
		}
		n = read(fd, out->data + out->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set_errno(err, ERROR_CONFIG, errno, _("cannot read %s"), path);
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	if (out->len > 0 && memchr(out->data, '\0', out->len) != NULL) {
		error_set(err, ERROR_CONFIG, _("%s holds a NUL byte; it is not a text file"), path);
		return -1;
	}
	return 0;
}

int textfile_read(const char *path, bool secret, struct buf *out, bool *absent, struct error *err)
{
	int fd, rc;

	if (absent != NULL)
		*absent = false;
	buf_reset(out);
	out->max = TEXTFILE_MAX + 1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && absent != NULL)
			*absent = true;
		error_set_errno(err, ERROR_CONFIG, errno, _("cannot open %s"), path);
		return -1;
	}
	rc = check_mode(fd, path, secret, err);
	/* read_all reserves room before its first read, so even an empty
	 * file leaves out->data a (NUL-terminated) string. */
	if (rc == 0)
		rc = read_all(fd, path, out, err);
	close(fd);
	return rc;
}

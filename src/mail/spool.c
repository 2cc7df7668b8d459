/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The body store: memory first, then an unlinked temporary file (mode
 * 0600 from mkstemp, close-on-exec) that disappears with the process even
 * when it is killed. Appends are gathered into blocks so the file sees few,
 * large writes. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "mail/spool.h"

#define SPOOL_BLOCK (128 * 1024) /* write size once spilled */
#define SPOOL_PATH_MAX 4096

void spool_init(struct spool *s, size_t mem_max, const char *tmpdir)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->mem, 0);
	s->fd = -1;
	s->mem_max = mem_max;
	s->tmpdir = tmpdir;
}

void spool_fini(struct spool *s)
{
	buf_fini(&s->mem);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

bool spool_on_disk(const struct spool *s)
{
	return s->fd >= 0;
}

static int write_all(int fd, const char *p, size_t n, struct error *err)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			error_set_errno(err, ERROR_IO, errno,
					_("cannot write the message to a temporary file"));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int spool_open(struct spool *s, struct error *err)
{
	const char *dir = s->tmpdir;
	struct buf path;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	buf_init(&path, SPOOL_PATH_MAX);
	if (strlen(dir) > SPOOL_PATH_MAX - strlen("/relaymail.XXXXXX")) {
		error_set(err, ERROR_IO, _("the temporary directory name \"%.200s\" is too long"),
			  dir);
		return -1;
	}
	if (buf_printf(&path, "%s/relaymail.XXXXXX", dir) < 0) {
		buf_fini(&path);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	fd = mkstemp(path.data);
	if (fd < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot create a temporary file in %s"),
				dir);
		buf_fini(&path);
		return -1;
	}
	/* Unlinked at once: nothing is left behind whatever happens next. */
	unlink(path.data);
	buf_fini(&path);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot set up a temporary file"));
		close(fd);
		return -1;
	}
	s->fd = fd;
	return 0;
}

/* Move what is in memory to a new temporary file. */
static int spool_spill(struct spool *s, struct error *err)
{
	if (spool_open(s, err) < 0)
		return -1;
	if (write_all(s->fd, s->mem.data, s->mem.len, err) < 0)
		return -1;
	buf_reset(&s->mem);
	return 0;
}

static bool has_8bit(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] & 0x80)
			return true;
	return false;
}

int spool_append(struct spool *s, const void *p, size_t n, struct error *err)
{
	if (n == 0)
		return 0;
	if (!s->is_8bit)
		s->is_8bit = has_8bit(p, n);
	if (n > SIZE_MAX - s->size) {
		error_set(err, ERROR_DATA, _("the message is too big"));
		return -1;
	}
	s->size += n;
	if (s->fd < 0 && s->mem.len + n > s->mem_max && spool_spill(s, err) < 0)
		return -1;
	if (s->fd >= 0 && s->mem.len + n > SPOOL_BLOCK) {
		if (write_all(s->fd, s->mem.data, s->mem.len, err) < 0)
			return -1;
		buf_reset(&s->mem);
		if (n >= SPOOL_BLOCK)
			return write_all(s->fd, p, n, err);
	}
	if (buf_append(&s->mem, p, n) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

int spool_finish(struct spool *s, struct error *err)
{
	if (s->fd < 0 || s->mem.len == 0)
		return 0;
	if (write_all(s->fd, s->mem.data, s->mem.len, err) < 0)
		return -1;
	buf_fini(&s->mem);
	return 0;
}

ssize_t spool_read(const struct spool *s, off_t off, char *dst, size_t cap, const char **p,
		   struct error *err)
{
	ssize_t r;

	if (off < 0 || (uintmax_t)off >= s->size)
		return 0;
	if (s->fd < 0) {
		*p = s->mem.data + off;
		return (ssize_t)(s->size - (size_t)off);
	}
	if (cap > s->size - (size_t)off)
		cap = s->size - (size_t)off;
	do
		r = pread(s->fd, dst, cap, off);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		error_set_errno(err, ERROR_IO, errno,
				_("cannot read the message back from its temporary file"));
		return -1;
	}
	if (r == 0) {
		error_set(err, ERROR_IO,
			  _("the temporary file of the message is shorter than "
			    "expected"));
		return -1;
	}
	*p = dst;
	return r;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Collecting DATA with flat memory: the first DATA_MEM_MAX octets stay in
 * memory and a small message is read with message_from_mem; past that the
 * text goes to an unlinked temporary file in large writes, and
 * message_read takes it from there, spooling as it always does. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/smtpd_data.h"
#include "base/i18n.h"

#define DATA_MEM_MAX (1024 * 1024)
#define DATA_WRITE_BLOCK (256 * 1024)
#define DATA_PATH_MAX 4096

void smtpd_data_init(struct smtpd_data *d, size_t size_max)
{
	*d = (struct smtpd_data){ .fd = -1, .size_max = size_max };
	buf_init(&d->mem, 0);
}

void smtpd_data_fini(struct smtpd_data *d)
{
	buf_fini(&d->mem);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static int write_all(struct smtpd_data *d, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(d->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			error_set_errno(&d->err, ERROR_IO, w < 0 ? errno : EIO,
					_("cannot write the message to a temporary file"));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A temporary file that nobody else can open and that vanishes with us. */
static int open_file(struct smtpd_data *d)
{
	const char *dir = getenv("TMPDIR");
	struct buf path;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	buf_init(&path, DATA_PATH_MAX);
	if (buf_printf(&path, "%s/relaymail-bs.XXXXXX", dir) < 0) {
		error_set(&d->err, ERROR_IO,
			  _("the temporary directory name \"%.200s\" is too long"), dir);
		buf_fini(&path);
		return -1;
	}
	d->fd = mkstemp(path.data);
	if (d->fd < 0) {
		error_set_errno(&d->err, ERROR_IO, errno, _("cannot create a temporary file in %s"),
				dir);
		buf_fini(&path);
		return -1;
	}
	unlink(path.data);
	buf_fini(&path);
	if (fcntl(d->fd, F_SETFD, FD_CLOEXEC) < 0) {
		error_set_errno(&d->err, ERROR_IO, errno, _("cannot set up a temporary file"));
		return -1;
	}
	return 0;
}

/* Empty the buffer into the file, opening it first when needed. */
static int spill(struct smtpd_data *d)
{
	if (d->fd < 0 && open_file(d) < 0)
		return -1;
	if (write_all(d, d->mem.data, d->mem.len) < 0)
		return -1;
	buf_reset(&d->mem);
	return 0;
}

void smtpd_data_add(struct smtpd_data *d, const char *p, size_t n)
{
	size_t limit = d->fd < 0 ? DATA_MEM_MAX : DATA_WRITE_BLOCK;

	d->size += n;
	if (d->size_max > 0 && d->size > d->size_max)
		d->too_big = true;
	if (d->too_big || d->failed || n == 0)
		return;
	if (d->mem.len + n > limit && spill(d) < 0) {
		d->failed = true;
		return;
	}
	if (n >= DATA_WRITE_BLOCK && d->fd >= 0) {
		d->failed = write_all(d, p, n) < 0;
		return;
	}
	if (buf_append(&d->mem, p, n) < 0) {
		error_set(&d->err, ERROR_INTERNAL, _("out of memory"));
		d->failed = true;
	}
}

struct message *smtpd_data_message(struct smtpd_data *d, const struct message_opts *mo,
				   struct error *err)
{
	if (d->failed) {
		*err = d->err;
		return NULL;
	}
	if (d->fd < 0)
		return message_from_mem(d->mem.data != NULL ? d->mem.data : "", d->mem.len, mo,
					err);
	if (spill(d) < 0) {
		*err = d->err;
		return NULL;
	}
	if (lseek(d->fd, 0, SEEK_SET) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot read back a temporary file"));
		return NULL;
	}
	return message_read(d->fd, mo, err);
}

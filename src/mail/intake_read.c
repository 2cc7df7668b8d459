/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a whole message through the push interface of intake.c: from
 * a descriptor, waiting with stop_poll so that a stop signal ends the
 * wait, or from memory. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/stop.h"
#include "mail/intake.h"
#include "mail/message.h"
#include "mail/message_impl.h"

/* Below malloc's mmap threshold (128 KiB): the buffer comes from the
 * heap, not from an mmap and munmap of its own each run. */
#define READ_CHUNK (64 * 1024)

/* What a stop during the read leaves: the part read so far, marked, or
 * nothing when not a byte came. */
static struct message *read_stopped(struct intake *in, bool any, struct error *err)
{
	struct message *m = NULL;

	if (!any)
		intake_free(in);
	else if ((m = intake_finish(in, err)) == NULL)
		return NULL; /* the spool failed: that error tells more */
	else
		m->incomplete = true;
	stop_error(err);
	return m;
}

struct message *message_read(int fd, const struct message_opts *o, struct error *err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct intake *in = intake_new(o, err);
	char *chunk = malloc(READ_CHUNK);
	bool any = false, file;
	struct stat st;

	if (in == NULL || chunk == NULL) {
		if (in != NULL)
			error_set(err, ERROR_INTERNAL, _("out of memory"));
		intake_free(in);
		free(chunk);
		return NULL;
	}
	/* A read of a regular file never waits, so it needs no poll (a stop
	 * is seen at the next wait, the relay's). */
	file = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	for (;;) {
		struct deadline forever = { 0 };
		ssize_t r;

		/* A slow producer can keep us here for good: the wait goes
		 * through stop_poll so a stop signal ends it, and the read
		 * after it does not block. After the lone dot the message is
		 * whole, and the rest is only drained. */
		if (!file && stop_poll(&pfd, 1, forever) < 0 && errno == EINTR) {
			if (intake_over(in))
				break;
			free(chunk);
			return read_stopped(in, any, err);
		}
		r = read(fd, chunk, READ_CHUNK);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r < 0) {
			error_set_errno(err, ERROR_IO, errno, _("cannot read the message"));
			intake_free(in);
			free(chunk);
			return NULL;
		}
		any = any || r > 0;
		if (r == 0 || intake_feed(in, chunk, (size_t)r, NULL) < 0)
			break;
	}
	free(chunk);
	return intake_finish(in, err);
}

struct message *message_from_mem(const char *p, size_t len, const struct message_opts *o,
				 struct error *err)
{
	struct intake *in = intake_new(o, err);

	if (in == NULL)
		return NULL;
	intake_feed(in, p, len, NULL);
	return intake_finish(in, err);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a whole configuration or table file into memory with a hard
 * size cap, refusing anything but a regular file, and, for files that
 * hold secrets, the rule on who may read and write them. */
#ifndef RELAYMAIL_CONF_TEXTFILE_H
#define RELAYMAIL_CONF_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/error.h"

/* Largest configuration or table file we read. */
#define TEXTFILE_MAX ((size_t)16 * 1024 * 1024)

/* What textfile_read saw of the file it opened (fstat), for the secret
 * rule applied later (a password inside sendmail.conf). */
struct textfile_info {
	bool known;	     /* false: nothing was read */
	size_t size;	     /* bytes, as fstat said */
	unsigned mode;	     /* permission bits (07777) */
	uid_t uid;	     /* owner */
	bool readonly_mount; /* on a read-only file system mounted apart
			      * from / (a container's secret mount) */
};

/* Read path into out (reset first; its maximum is set to TEXTFILE_MAX).
 * secret: the file must pass textfile_check_secret. The text must not
 * hold NUL bytes. 0 or -1 with an ERROR_CONFIG naming the file; *absent
 * (may be NULL) is set when the file does not exist. */
int textfile_read(const char *path, bool secret, struct buf *out, bool *absent, struct error *err);
/* The same, and what was seen of the file in *info (may be NULL). */
int textfile_read_info(const char *path, bool secret, struct buf *out, bool *absent,
		       struct textfile_info *info, struct error *err);

/* The rule for a file that holds secrets, whoever runs us: nobody but
 * its owner may write it (no group or other write bit); its group may
 * read it only when it belongs to root or to the caller (0640, 0440: a
 * group shares one account, e.g. www-data and a login user); others may
 * not read it, except a root-owned file on a read-only mount of its own
 * (a container's secret mount: Docker gives 0444, Kubernetes 0644; nobody
 * in the container can change or replace it, so refusing would only push
 * the password somewhere worse). 0, or -1 with an ERROR_CONFIG naming
 * the file and the fix: the chmod to run for its owner (or root), or
 * whom to ask for what otherwise. */
int textfile_check_secret(const char *path, const struct textfile_info *info, struct error *err);

#endif

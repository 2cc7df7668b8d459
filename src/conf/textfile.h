/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a whole configuration or table file into memory with a hard
 * size cap, refusing anything but a regular file, and, for files that
 * hold secrets, refusing modes that let group or others in. */
#ifndef RELAYMAIL_CONF_TEXTFILE_H
#define RELAYMAIL_CONF_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"

/* Largest configuration or table file we read. */
#define TEXTFILE_MAX ((size_t)16 * 1024 * 1024)

/* Read path into out (reset first; its maximum is set to TEXTFILE_MAX).
 * secret: refuse the file when (mode & 077) != 0. The text must not hold
 * NUL bytes. 0 or -1 with an ERROR_CONFIG naming the file; *absent (may
 * be NULL) is set when the file does not exist. */
int textfile_read(const char *path, bool secret, struct buf *out, bool *absent, struct error *err);

#endif

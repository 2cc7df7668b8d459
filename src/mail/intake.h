/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Message intake as a push interface, the one both front doors use: the
 * command line feeds it stdin, -bs feeds it the text of DATA once the
 * dot-stuffing is undone. The rules are those of message.h (line ends,
 * From_ lines, the lone dot, NUL, long lines, header and size limits), the
 * same bytes in give the same message out, however they are cut into
 * pieces. */
#ifndef RELAYMAIL_MAIL_INTAKE_H
#define RELAYMAIL_MAIL_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/message.h"

struct intake;

/* The limits of the configuration: header_size_limit, message_size_limit
 * and smtp_line_length_limit (0: lines of any length) into o->header_max,
 * size_max and line_max, and sendmail_fix_line_endings into o->fix_eol;
 * the other fields are left as they are. -1 with ERROR_CONFIG naming the
 * parameter. */
int intake_opts_load(const struct config *cfg, struct message_opts *o, struct error *err);

/* A new message under the options o (NULL: the defaults). NULL with
 * ERROR_INTERNAL when out of memory. */
struct intake *intake_new(const struct message_opts *o, struct error *err);
/* The next n bytes of the input. -1 when the message cannot be taken:
 * ERROR_DATA past message_size_limit, ERROR_IO when the spool file
 * fails, ERROR_INTERNAL when out of memory. After a failure every call
 * fails again with the same error, so a caller that must read its input
 * to the end (-bs) may go on feeding. */
int intake_feed(struct intake *in, const char *p, size_t n, struct error *err);
/* true once the lone dot ended the input (the rest is ignored). */
bool intake_over(const struct intake *in);
/* End of input: the message, and in is gone. NULL with the error of a
 * failed feed, or of the end itself (the spool written out). */
struct message *intake_finish(struct intake *in, struct error *err);
/* Drop an unfinished intake; NULL is harmless. */
void intake_free(struct intake *in);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mail log sink (reference/postfix.md §8): records as Postfix writes
 * them, "NAME/SERVICE[PID]: TEXT", sent to syslog (/dev/log) or appended
 * to maillog_file in the form of Postfix's postlogd. Each line leaves in
 * one write, so concurrent processes never mix within a line. With the
 * program name, the sink is the process's only mutable global: set up
 * once at start, opened at its first record, and a log that cannot be
 * written never reaches the caller (one warning on stderr at most). */
#ifndef RELAYMAIL_BASE_MAILLOG_H
#define RELAYMAIL_BASE_MAILLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Text of one record past its "NAME/SERVICE[PID]: " (Postfix's
 * MSG_LOGGER_RECLEN); longer text is cut. */
#define MAILLOG_TEXT_MAX 2000
/* A whole line in either form, prefix and newline included. */
#define MAILLOG_LINE_MAX (MAILLOG_TEXT_MAX + 600)
/* Postfix's short queue ID: 5 hex digits and up to 16 more. */
#define MAILLOG_QUEUE_ID_MAX 24

/* Every string is borrowed and must stay valid until maillog_fini. */
struct maillog_settings {
	const char *name;	 /* syslog_name: "relaymail" */
	int facility;		 /* a LOG_* facility (maillog_facility_value) */
	const char *file;	 /* maillog_file: "" or NULL for syslog; "/dev/stdout" and
				  * "/dev/stderr" are those streams */
	const char *hostname;	 /* myhostname: the file form shows its first label */
	const char *syslog_path; /* NULL: /dev/log (tests name a socket of their own) */
};

/* Postfix's syslog_facility names ("mail", "local0", ...) in a table for
 * config_get_enum, and the LOG_* value of entry i. */
const char *const *maillog_facility_names(size_t *count);
int maillog_facility_value(size_t i);

/* Set the sink up; nothing is opened before the first record. Without
 * maillog_file the records go to syslog when its socket exists, and
 * nowhere (silently) when it does not, as in most containers. */
void maillog_init(const struct maillog_settings *s);
/* Close what the sink opened and forget the settings: records are
 * dropped until the next maillog_init. */
void maillog_fini(void);
/* Standard output carries something else (the -bs dialogue): a
 * maillog_file of /dev/stdout is not used. */
void maillog_stdout_busy(void);
/* true when records go somewhere: opens the sink on the first call, and
 * callers may skip building records when it is false. */
bool maillog_active(void);
/* One record of SERVICE ("pickup", "smtp", ...), an informational line
 * as Postfix's msg_info writes it. Control characters and bytes that are
 * not UTF-8 are replaced (str_printable), so no text can start a line of
 * its own. */
void maillog_info(const char *service, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same as a warning: "warning: TEXT", at syslog level LOG_WARNING. */
void maillog_warning(const char *service, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A new queue ID for this process: Postfix's short form, 5 upper-case hex
 * digits of the microseconds, then the hex of a number that differs
 * between processes running at once (the PID) and between the messages
 * of one process (a counter): never the same twice at the same time. */
void maillog_queue_id(char *out, size_t size);

/* The pieces above, without I/O or clock, for tests. */
void maillog_format_queue_id(char *out, size_t size, unsigned long usec, unsigned long pid,
			     unsigned long seq);
/* "Mmm dd hh:mm:ss HOST NAME/SERVICE[PID]: TEXT\n", HOST the first label
 * of host, as postlogd writes; the length (the line is cut to fit). */
size_t maillog_format_file(char *out, size_t size, const struct tm *tm, const char *host,
			   const char *name, const char *service, long pid, const char *text);
/* "<PRI>Mmm  d hh:mm:ss NAME/SERVICE[PID]: TEXT", the datagram syslog(3)
 * sends (PRI = facility | LOG_INFO); the length. */
size_t maillog_format_syslog(char *out, size_t size, int facility, const struct tm *tm,
			     const char *name, const char *service, long pid, const char *text);

#endif

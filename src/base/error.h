/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Error values: a class that decides the exit status, one whole sentence
 * for people, and the server's reply when there was one. Every layer fills
 * a struct error and returns -1 (or NULL); only app turns it into an exit
 * status (see app/exitcode.h). */
#ifndef RELAYMAIL_BASE_ERROR_H
#define RELAYMAIL_BASE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ERROR_TEXT_MAX 1024
#define ERROR_REPLY_MAX 1024
#define ERROR_HINT_MAX 512

enum error_class {
	ERROR_NONE = 0,
	ERROR_USAGE,	 /* bad command line                       -> 64 */
	ERROR_DATA,	 /* message unusable                       -> 65 */
	ERROR_NOHOST,	 /* relay name exists nowhere              -> 68 */
	ERROR_REJECTED,	 /* relay refused the message for good (5xx) -> 69 */
	ERROR_RECIPIENT, /* a recipient was rejected (5xx)         -> 67 */
	ERROR_INTERNAL,	 /* bug or resource exhaustion             -> 70 */
	ERROR_OS,	 /* system call failed                     -> 71 */
	ERROR_IO,	 /* local I/O failed                       -> 74 */
	ERROR_TEMP,	 /* try again later: 4xx, network, timeout -> 75 */
	ERROR_PROTOCOL,	 /* relay broke the protocol               -> 76 */
	ERROR_AUTH,	 /* authentication refused                 -> 77 */
	ERROR_CONFIG,	 /* configuration error                    -> 78 */
};

struct error {
	enum error_class cls;
	char text[ERROR_TEXT_MAX];   /* translated sentence, no trailing newline */
	char reply[ERROR_REPLY_MAX]; /* relay's reply, made printable; may be "" */
	int errnum;		     /* the errno of error_set_errno, else 0 */
	char hint[ERROR_HINT_MAX];   /* what to change, naming the parameter; may be "" */
};

/* Set class and text (printf format, already translated by the caller). */
void error_set(struct error *err, enum error_class cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void error_setv(struct error *err, enum error_class cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Like error_set, then append ": " and strerror(errnum), and keep errnum
 * (for reports that must not depend on the locale, such as the mail log). */
void error_set_errno(struct error *err, enum error_class cls, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record the relay's reply text (any bytes; control characters are
 * replaced so the text is safe to print). */
void error_set_reply(struct error *err, const char *reply, size_t len);
/* Prefix the existing text with "PREFIX: " (context from a caller). */
void error_prefix(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The one-line advice that goes with the error: what to change, naming
 * the parameter (and where it is set). The first hint stays: the layer
 * that saw the cause knows best. error_set clears it. */
void error_hint(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_clear(struct error *err);
bool error_is_set(const struct error *err);
/* Name of the class for logs and tests ("temp", "config", ...). */
const char *error_class_name(enum error_class cls);

#endif

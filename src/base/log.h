/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stderr sink: warnings and errors as "relaymail: ...", and the SMTP
 * dialogue when -v asks for it. The program name and these settings are
 * mutable globals, with the mail log of base/maillog.h. */
#ifndef RELAYMAIL_BASE_LOG_H
#define RELAYMAIL_BASE_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Set once from main: basename of argv[0] and the -v count. */
void log_init(const char *progname, int verbose);
const char *log_progname(void);
/* Drop warnings (not errors): -bs without -v, where a caller such as
 * Symfony's process stream takes early stderr output for a failed start. */
void log_quiet_warnings(bool quiet);
int log_verbosity(void);

/* "relaymail: warning: TEXT" on stderr. */
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "relaymail: TEXT" on stderr (the one-line reason before a failure exit). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error and its hint: "relaymail: TEXT", then "relaymail: hint: HINT"
 * when it has one. */
struct error;
void log_failure(const struct error *err);
/* "relaymail: TEXT" on stderr, only when -v was given. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line of the SMTP dialogue when -v was given: dir is "<<<" for what
 * the relay sent, ">>>" for what we sent. Control characters are made
 * printable; the caller masks secrets before calling. */
void log_dialogue(const char *dir, const char *line, size_t len);

#endif

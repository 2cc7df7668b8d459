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
/* "relaymail: TEXT" on stderr (the one-line reason before a failure exit).
 * The notices not yet shown on stderr come first, so a warning that
 * explains the failure reaches the person who sees it. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error and its hint: "relaymail: TEXT", then "relaymail: hint: HINT"
 * when it has one. */
struct error;
void log_failure(const struct error *err);

/* Notices: warnings about the configuration that do not stop the run (a
 * parameter relaymail does not use, an unknown $name), so that cron does
 * not mail them on every successful send. Each goes to the mail log as
 * "warning: TEXT" (held until log_notices_to_maillog, since the mail log
 * is set up from the configuration), and to stderr as log_warning writes
 * it: at once when log_notices_immediate(true) was said (the default:
 * -v, -bv and the modes a person runs by hand), else only when the run
 * fails, by log_error or log_notices_flush. log_quiet_warnings keeps
 * them off stderr. At most LOG_NOTICE_MAX, of LOG_NOTICE_STORE bytes in
 * all, are held, without allocating; a deferred one past that reaches
 * only the mail log. */
#define LOG_NOTICE_MAX 256
#define LOG_NOTICE_STORE 65536
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notices_immediate(bool immediate);
/* The mail log is set up (base/maillog.h): write the notices held so far
 * to it, and each later one at once. */
void log_notices_to_maillog(void);
/* Show on stderr, once, the notices that have not been shown. */
void log_notices_flush(void);
/* "relaymail: TEXT" on stderr, only when -v was given. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line of the SMTP dialogue when -v was given: dir is "<<<" for what
 * the relay sent, ">>>" for what we sent. Control characters are made
 * printable; the caller masks secrets before calling. */
void log_dialogue(const char *dir, const char *line, size_t len);

#endif

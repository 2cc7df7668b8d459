/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Running a configured command for a secret: the OAuth bearer token that
 * smtp_sasl_oauth_token_command prints. The one module that starts other
 * programs: fork and exec, with /bin/sh -c VALUE only when VALUE uses
 * shell syntax; stdin is /dev/null, stderr is ours, stdout comes back
 * through a pipe with a size cap; at the deadline the command's whole
 * process group is killed. Its output is never logged or quoted. */
#ifndef RELAYMAIL_AUTH_TOKENCMD_H
#define RELAYMAIL_AUTH_TOKENCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/deadline.h"
#include "base/error.h"

#define TOKENCMD_OUTPUT_MAX 16384

struct tokencmd {
	const char *command; /* the configured value */
	const char *param;   /* its parameter name, for messages */
	const char *user;    /* put in the environment as RELAYMAIL_SASL_USER; NULL: unset */
	long timeout_ms;     /* <= 0: only the caller's deadline */
	size_t max;	     /* output cap in bytes; 0: TOKENCMD_OUTPUT_MAX */
};

/* Run the command and hand back its output without the final newline (LF
 * or CRLF) in *token, malloc'd: a secret, release it with tokencmd_wipe.
 * Waits until the earlier of timeout_ms and dl. No error text quotes the
 * output. ERROR_CONFIG: the command is empty or cannot be started (not
 * found, not executable). ERROR_AUTH: it exited with a status other than
 * 0 or was killed by a signal, printed nothing, printed more than one line
 * or control characters, or more than the cap (then it is killed).
 * ERROR_TEMP: it did not finish in time, or a stop was asked while it
 * ran (base/stop.h); its process group is killed. It runs with the
 * signal mask and dispositions of a new program, not with ours.
 * ERROR_OS: pipe, fork. */
int tokencmd_run(const struct tokencmd *tc, struct deadline dl, char **token, struct error *err);
/* Overwrite and free a token; NULL is harmless. */
void tokencmd_wipe(char *token);
/* Whether value needs /bin/sh: quotes, $, backslash, pipes, lists,
 * redirections, globs, comments, braces, assignments, newlines. Otherwise
 * it is split at blanks and run directly, found through PATH. */
bool tokencmd_needs_shell(const char *value);

#endif

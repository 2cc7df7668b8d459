/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Stopping on a signal (DESIGN.md, Nothing lost): SIGTERM, SIGINT and
 * SIGHUP do not kill relaymail, they ask it to stop, so that the message
 * in hand is kept and the exit status says "try again later". The three
 * signals stay blocked except inside stop_poll: one that comes between a
 * check and a wait is held pending and ends that wait at once, so every
 * wait of a mode that installs this goes through stop_poll. */
#ifndef RELAYMAIL_BASE_STOP_H
#define RELAYMAIL_BASE_STOP_H

#include <poll.h>
#include <stdbool.h>

#include "base/deadline.h"
#include "base/error.h"

/* Ignore SIGPIPE: a reader that went away is an EPIPE for the writer,
 * never a death by signal. Every mode, from main. */
void stop_ignore_sigpipe(void);
/* Block SIGTERM, SIGINT and SIGHUP and catch them: from now on they only
 * record a stop. One that is ignored when this runs (nohup, a background
 * job of a shell) stays ignored. Once, from main, before the first wait,
 * in the modes whose waits all go through stop_poll (a blocking call
 * anywhere else would no longer end on these signals). Also ignores
 * SIGPIPE. -1 with errno when sigaction or sigprocmask fails. */
int stop_install(void);
/* poll(2) until dl (zeroed: no limit) with the stop signals unblocked for
 * the wait only. As poll: >0 descriptors are ready, 0 the deadline
 * passed; -1 with errno EINTR when a stop was asked, before the call or
 * during the wait (stop_signal names it); -1 with another errno when poll
 * failed. An interruption by any other signal is waited through. fds may
 * be NULL with nfds 0: a nap until dl. Without stop_install it is a plain
 * poll and the signals keep their dispositions. */
int stop_poll(struct pollfd *fds, nfds_t nfds, struct deadline dl);
/* The signal that asked for the stop, 0 if none: the first one caught,
 * or one still pending because no stop_poll has run since it came. */
int stop_signal(void);
/* "SIGTERM", "SIGINT" or "SIGHUP" (not translated: the names people type
 * to kill(1)); "a signal" for any other number. */
const char *stop_signal_name(int signo);
/* ERROR_TEMP with the sentence "interrupted by SIGTERM" for the stop
 * asked (stop_signal() != 0). Callers prefix what was interrupted. */
void stop_error(struct error *err);
/* true when err holds stop_error's sentence for the stop asked, with or
 * without prefixes added since (error_prefix only prepends). */
bool stop_error_is(const struct error *err);
/* In a child between fork and exec: the stop signals we catch and
 * SIGPIPE get their default dispositions back (one ignored from the
 * start stays ignored, as exec keeps it), then every signal is
 * unblocked, so the program it runs can be stopped as usual.
 * Async-signal-safe. */
void stop_child_reset(void);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stop signals, ppoll's way: blocked all the time and unblocked by
 * ppoll for the wait only, so the kernel delivers them nowhere else and
 * no check-then-wait race exists. The flag the handler sets is the one
 * mutable global this adds to the program name and the log sink: a
 * signal handler can reach nothing else, least of all a struct passed
 * down the call chain. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/stop.h"

static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

static volatile sig_atomic_t caught;

static void on_stop(int signo)
{
	/* The first signal names the stop; the others only repeat it. */
	if (caught == 0)
		caught = signo;
}

void stop_ignore_sigpipe(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int stop_install(void)
{
	struct sigaction sa = { .sa_handler = on_stop }, old;
	sigset_t set;

	stop_ignore_sigpipe();
	/* An ignored signal stays ignored (nohup, a background job of a
	 * shell): the caller said it is not to stop us. It is not blocked
	 * either, or Linux would keep it pending and stop_signal see it. */
	sigemptyset(&set);
	for (size_t i = 0; i < NSTOP; i++)
		if (sigaction(stop_signals[i], NULL, &old) < 0 || old.sa_handler != SIG_IGN)
			sigaddset(&set, stop_signals[i]);
	/* Blocked before the handler goes in: until then a signal still
	 * kills, as it did before we promised to keep the message. No
	 * SA_RESTART: the wait must end, not start over. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	sa.sa_mask = set;
	for (size_t i = 0; i < NSTOP; i++)
		if (sigismember(&set, stop_signals[i]) == 1 &&
		    sigaction(stop_signals[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

int stop_signal(void)
{
	static const struct timespec now = { 0, 0 };
	sigset_t take, pending;
	bool any = false;
	int signo;

	if (caught != 0)
		return caught;
	/* A signal that came while we were busy is pending, not caught yet;
	 * taking it here makes the answer the same before and after the
	 * next wait. */
	if (sigpending(&pending) < 0)
		return 0;
	sigemptyset(&take);
	for (size_t i = 0; i < NSTOP; i++) {
		if (sigismember(&pending, stop_signals[i]) == 1) {
			sigaddset(&take, stop_signals[i]);
			any = true;
		}
	}
	if (!any)
		return 0;
	signo = sigtimedwait(&take, NULL, &now);
	if (signo > 0 && caught == 0)
		caught = signo;
	return caught;
}

int stop_poll(struct pollfd *fds, nfds_t nfds, struct deadline dl)
{
	sigset_t mask;

	for (;;) {
		struct timespec ts, *tp = NULL;
		int ms, r;

		if (stop_signal() != 0) {
			errno = EINTR;
			return -1;
		}
		ms = deadline_poll_ms(dl);
		if (ms >= 0) {
			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (long)(ms % 1000) * 1000000L;
			tp = &ts;
		}
		/* The mask of the moment, less the stop signals: whatever else
		 * the caller blocked stays blocked. */
		if (sigprocmask(SIG_BLOCK, NULL, &mask) < 0)
			return -1;
		for (size_t i = 0; i < NSTOP; i++)
			sigdelset(&mask, stop_signals[i]);
		r = ppoll(fds, nfds, tp, &mask);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

const char *stop_signal_name(int signo)
{
	switch (signo) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

/* The sentence of stop_error, for the stop asked. */
static void stop_text(char *out, size_t size)
{
	snprintf(out, size, _("interrupted by %s"), stop_signal_name(stop_signal()));
}

void stop_error(struct error *err)
{
	char text[128];

	stop_text(text, sizeof(text));
	error_set(err, ERROR_TEMP, "%s", text);
}

bool stop_error_is(const struct error *err)
{
	char text[128];
	size_t tlen, elen;

	if (err == NULL || err->cls != ERROR_TEMP || stop_signal() == 0)
		return false;
	stop_text(text, sizeof(text));
	tlen = strlen(text);
	elen = strlen(err->text);
	return elen >= tlen && memcmp(err->text + elen - tlen, text, tlen) == 0;
}

void stop_child_reset(void)
{
	struct sigaction cur;
	sigset_t none;

	/* exec would reset our handler too, but a signal that came between
	 * the unblocking below and exec would be caught here and lost. */
	for (size_t i = 0; i < NSTOP; i++)
		if (sigaction(stop_signals[i], NULL, &cur) == 0 && cur.sa_handler == on_stop)
			signal(stop_signals[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

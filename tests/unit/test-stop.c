/* SPDX-License-Identifier: GPL-3.0-or-later */
/* base/stop: a stop signal ends a stop_poll wait whether it came before
 * the wait or during it, other signals do not, stop_signal names the
 * first one, and a child gets its signals back. A stop cannot be taken
 * back, so each case that raises one runs in a child of its own. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/deadline.h"
#include "base/error.h"
#include "base/stop.h"
#include "tap.h"

/* Exit codes of the children: 0 is success, each failure its own code
 * so the parent's message can say which check failed. */
enum { PASS = 0, NOT_INSTALLED = 10, NOT_INTERRUPTED, WRONG_SIGNAL, TOO_SLOW, TIMED_OUT_EARLY };

/* A pipe nobody writes to: its read end never becomes ready. */
static int quiet_fd(void)
{
	static int fds[2] = { -1, -1 };

	if (fds[0] < 0 && pipe(fds) < 0)
		return -1;
	return fds[0];
}

/* Wait on the quiet pipe for at most ms; the result and how long it took. */
static int wait_quiet(long ms, int64_t *took)
{
	struct pollfd pfd = { .fd = quiet_fd(), .events = POLLIN };
	int64_t t0 = deadline_now_ms();
	int r = stop_poll(&pfd, 1, deadline_in(ms));

	*took = deadline_now_ms() - t0;
	return r;
}

/* Run fn in a child; when signo is set, send it to the child once the
 * child said it is ready (ready: the write end it must write one byte
 * to), after delay_ms. The child's exit code, or 100 + the signal that
 * killed it. */
static int in_child(int (*fn)(int ready), int signo, int delay_ms)
{
	int sync[2], status = 0;
	char c;
	pid_t pid;

	if (pipe(sync) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(sync[0]);
		_exit(fn(sync[1]));
	}
	close(sync[1]);
	if (signo != 0 && read(sync[0], &c, 1) == 1) {
		/* deadline_in(0) would be no deadline at all. */
		if (delay_ms > 0)
			stop_poll(NULL, 0, deadline_in(delay_ms));
		kill(pid, signo);
	}
	close(sync[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static int ready(int fd)
{
	return write(fd, "r", 1) == 1 ? 0 : -1;
}

/* The signal comes while the child is in the wait (or just before it:
 * then it is pending and ends the wait as it starts). */
static int during_wait(int fd)
{
	int64_t took;
	int r;

	if (stop_install() < 0)
		return NOT_INSTALLED;
	ready(fd);
	r = wait_quiet(10000, &took);
	if (r != -1 || errno != EINTR)
		return NOT_INTERRUPTED;
	if (stop_signal() != SIGINT)
		return WRONG_SIGNAL;
	return took < 5000 ? PASS : TOO_SLOW;
}

/* The signal comes before the wait, while the child is busy: it stays
 * pending, and the next wait ends at once. */
static int before_wait(int fd)
{
	int64_t took;
	int r;

	(void)fd;
	if (stop_install() < 0)
		return NOT_INSTALLED;
	raise(SIGTERM);
	r = wait_quiet(10000, &took);
	if (r != -1 || errno != EINTR)
		return NOT_INTERRUPTED;
	if (stop_signal() != SIGTERM)
		return WRONG_SIGNAL;
	return took < 1000 ? PASS : TOO_SLOW;
}

/* stop_signal sees a pending signal before any wait, and the first one
 * stays the answer. */
static int first_stays(int fd)
{
	int64_t took;

	(void)fd;
	if (stop_install() < 0)
		return NOT_INSTALLED;
	if (stop_signal() != 0)
		return WRONG_SIGNAL;
	raise(SIGHUP);
	if (stop_signal() != SIGHUP)
		return WRONG_SIGNAL;
	raise(SIGTERM);
	if (wait_quiet(10000, &took) != -1 || stop_signal() != SIGHUP)
		return WRONG_SIGNAL;
	return PASS;
}

static void on_usr1(int signo)
{
	(void)signo;
}

/* Another signal ends poll with EINTR; stop_poll waits on to its
 * deadline. */
static int other_signal(int fd)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int64_t took;
	int r;

	sigemptyset(&sa.sa_mask);
	if (stop_install() < 0 || sigaction(SIGUSR1, &sa, NULL) < 0)
		return NOT_INSTALLED;
	ready(fd);
	r = wait_quiet(600, &took);
	if (r != 0)
		return NOT_INTERRUPTED;
	if (stop_signal() != 0)
		return WRONG_SIGNAL;
	return took >= 550 ? PASS : TIMED_OUT_EARLY;
}

/* A program started after stop_child_reset dies of SIGTERM as usual. */
static int child_reset(int fd)
{
	int status = 0;
	pid_t pid;

	(void)fd;
	if (stop_install() < 0)
		return NOT_INSTALLED;
	if ((pid = fork()) == 0) {
		stop_child_reset();
		raise(SIGTERM);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? PASS : WRONG_SIGNAL;
}

/* A signal ignored before stop_install (nohup) stays ignored: no stop,
 * and the program a child runs ignores it too. */
static int ignored_stays(int fd)
{
	struct sigaction cur;
	int64_t took;

	(void)fd;
	signal(SIGHUP, SIG_IGN);
	if (stop_install() < 0)
		return NOT_INSTALLED;
	raise(SIGHUP);
	if (stop_signal() != 0 || wait_quiet(100, &took) != 0)
		return WRONG_SIGNAL;
	stop_child_reset();
	if (sigaction(SIGHUP, NULL, &cur) < 0 || cur.sa_handler != SIG_IGN)
		return NOT_INSTALLED;
	if (sigaction(SIGTERM, NULL, &cur) < 0 || cur.sa_handler != SIG_DFL)
		return NOT_INSTALLED;
	return PASS;
}

/* Writing to a pipe whose reader is gone is EPIPE, not a death. */
static int no_sigpipe(int fd)
{
	int p[2];

	(void)fd;
	stop_ignore_sigpipe();
	if (pipe(p) < 0)
		return NOT_INSTALLED;
	close(p[0]);
	return write(p[1], "x", 1) < 0 && errno == EPIPE ? PASS : NOT_INTERRUPTED;
}

static void test_no_stop(void)
{
	struct pollfd pfd[2] = { { .fd = quiet_fd(), .events = POLLIN } };
	int p[2];
	int64_t took;

	is_int(stop_signal(), 0, "no stop asked: stop_signal is 0");
	ok(pipe(p) == 0 && write(p[1], "x", 1) == 1, "a pipe with a byte in it");
	pfd[1].fd = p[0];
	pfd[1].events = POLLIN;
	is_int(stop_poll(pfd, 2, deadline_in(5000)), 1, "a ready descriptor ends the wait");
	ok(pfd[1].revents & POLLIN, "and poll says which one");
	is_int(wait_quiet(50, &took), 0, "nothing ready: 0 at the deadline");
	ok(took >= 45, "after the deadline, not before (%lld ms)", (long long)took);
	close(p[0]);
	close(p[1]);
}

static void test_names(void)
{
	int status = in_child(first_stays, 0, 0);

	is_int(status, PASS, "stop_signal: a pending signal counts, the first one stays");
	is_str(stop_signal_name(SIGTERM), "SIGTERM", "SIGTERM by name");
	is_str(stop_signal_name(SIGINT), "SIGINT", "SIGINT by name");
	is_str(stop_signal_name(SIGHUP), "SIGHUP", "SIGHUP by name");
}

/* stop_error and stop_error_is in a stopped child; the texts come back
 * through a pipe. */
static void test_stop_error(void)
{
	struct error err = { 0 };
	int p[2], status = 0;
	char text[512] = "";
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0) {
		ok(false, "pipe and fork");
		return;
	}
	if (pid == 0) {
		stop_install();
		raise(SIGHUP);
		stop_error(&err);
		error_prefix(&err, "relay x, while y");
		(void)!write(p[1], err.text, strlen(err.text));
		(void)!write(p[1], stop_error_is(&err) ? "|yes" : "|no",
			     stop_error_is(&err) ? 4 : 3);
		error_set(&err, ERROR_TEMP, "cannot read from x");
		(void)!write(p[1], stop_error_is(&err) ? "|yes" : "|no",
			     stop_error_is(&err) ? 4 : 3);
		_exit(err.cls == ERROR_TEMP ? 0 : 1);
	}
	close(p[1]);
	while ((n = read(p[0], text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	text[len] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	is_str(text, "relay x, while y: interrupted by SIGHUP|yes|no",
	       "stop_error names the signal; stop_error_is knows it under a prefix, and only it");
	error_set(&err, ERROR_TEMP, "interrupted by SIGHUP");
	ok(!stop_error_is(&err), "no stop asked: stop_error_is is false");
}

int main(void)
{
	/* A shell without job control starts a background job with SIGINT
	 * and SIGQUIT ignored, and relaymail keeps what it inherits ignored:
	 * the cases below want the defaults whoever runs the suite. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	test_no_stop();
	is_int(in_child(before_wait, 0, 0), PASS,
	       "a signal that came before the wait ends it at once (SIGTERM)");
	is_int(in_child(during_wait, SIGINT, 200), PASS,
	       "a signal during the wait ends it (SIGINT)");
	is_int(in_child(during_wait, SIGINT, 0), PASS,
	       "a signal sent as the wait begins ends it too (SIGINT)");
	is_int(in_child(other_signal, SIGUSR1, 100), PASS,
	       "another signal does not end the wait before its deadline");
	test_names();
	test_stop_error();
	is_int(in_child(child_reset, 0, 0), PASS,
	       "stop_child_reset: the child dies of SIGTERM again");
	is_int(in_child(ignored_stays, 0, 0), PASS,
	       "a signal ignored at the start (nohup) stays ignored, in a child too");
	is_int(in_child(no_sigpipe, 0, 0), PASS, "SIGPIPE ignored: a write gets EPIPE");
	return tap_done();
}

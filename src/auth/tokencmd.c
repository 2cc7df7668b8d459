/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token command: spawned with fork and exec in a process group of its
 * own, so that a timeout can kill it and anything it started; a second,
 * close-on-exec pipe carries exec's errno back, so "not found" is told
 * apart from "exited with 127". Output lands in one buffer allocated at
 * its cap (no realloc leaves copies of the secret behind) and is wiped. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/tokencmd.h"
#include "base/i18n.h"
#include "base/stop.h"
#include "base/str.h"

extern char **environ;

#define USER_VAR "RELAYMAIL_SASL_USER"
#define SHELL_SYNTAX "|&;<>()$`\\\"'*?[]#~={}!\n"
#define BLANKS " \t"
#define REAP_NAP_MS 5

struct child {
	pid_t pid;
	int out;     /* read end of its stdout */
	int exec_fd; /* read end of the exec-error pipe */
};

enum outcome { DONE, TIMED_OUT, TOO_MUCH, READ_FAILED, STOPPED };

bool tokencmd_needs_shell(const char *value)
{
	return strpbrk(value, SHELL_SYNTAX) != NULL;
}

void tokencmd_wipe(char *token)
{
	if (token == NULL)
		return;
	str_wipe(token, strlen(token));
	free(token);
}

static void free_list(char **list)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/* argv for the command: /bin/sh -c VALUE, or VALUE's words. */
static char **make_argv(const char *value)
{
	static const char *const shell[] = { "/bin/sh", "-c" };
	bool use_shell = tokencmd_needs_shell(value);
	size_t words = 0, n = 0;
	const char *p;
	char **argv;

	for (p = value + strspn(value, BLANKS); *p != '\0'; p += strspn(p, BLANKS)) {
		p += strcspn(p, BLANKS);
		words++;
	}
	argv = calloc(use_shell ? 4 : words + 1, sizeof(*argv));
	if (argv == NULL)
		return NULL;
	if (use_shell) {
		argv[0] = str_dup(shell[0]);
		argv[1] = str_dup(shell[1]);
		argv[2] = str_dup(value);
		n = 3;
	}
	for (p = value + strspn(value, BLANKS); !use_shell && *p != '\0'; p += strspn(p, BLANKS)) {
		size_t len = strcspn(p, BLANKS);

		argv[n++] = str_ndup(p, len);
		p += len;
	}
	for (size_t i = 0; i < n; i++) {
		if (argv[i] == NULL) {
			for (size_t j = 0; j < n; j++)
				free(argv[j]);
			free(argv);
			return NULL;
		}
	}
	return argv;
}

/* Our environment without any USER_VAR, then USER_VAR=user. */
static char **make_env(const char *user)
{
	size_t n = 0, count = 0;
	char **env;

	while (environ != NULL && environ[count] != NULL)
		count++;
	env = calloc(count + 2, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		if (strncmp(environ[i], USER_VAR "=", sizeof(USER_VAR)) == 0)
			continue;
		if ((env[n++] = str_dup(environ[i])) == NULL)
			goto fail;
	}
	if (user != NULL) {
		size_t len = sizeof(USER_VAR) + strlen(user) + 1;

		if ((env[n] = malloc(len)) == NULL)
			goto fail;
		memcpy(env[n], USER_VAR "=", sizeof(USER_VAR));
		memcpy(env[n] + sizeof(USER_VAR), user, len - sizeof(USER_VAR));
	}
	return env;
fail:
	free_list(env);
	return NULL;
}

/* In the child: only calls that are safe between fork and exec. Every
 * descriptor is first moved above 2 so the dup2 calls cannot clobber one
 * another when we were started with 0, 1 or 2 closed. */
static void child_exec(int devnull, int out_w, int exec_w, char **argv, char **env)
{
	int in = fcntl(devnull, F_DUPFD, 3), out = fcntl(out_w, F_DUPFD, 3), e;

	setpgid(0, 0);
	/* Our stop signals are blocked and caught, SIGPIPE ignored; the
	 * command must get them as any program does. */
	stop_child_reset();
	if (in >= 0 && out >= 0 && dup2(in, STDIN_FILENO) >= 0 && dup2(out, STDOUT_FILENO) >= 0) {
		close(in);
		close(out);
		environ = env;
		if (strchr(argv[0], '/') != NULL)
			execv(argv[0], argv);
		else
			execvp(argv[0], argv);
	}
	e = errno;
	if (write(exec_w, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static int spawn(const struct tokencmd *tc, struct child *ch, struct error *err)
{
	int out[2] = { -1, -1 }, ex[2] = { -1, -1 }, devnull = -1, rc = -1;
	char **argv = make_argv(tc->command), **env = make_env(tc->user);

	if (argv == NULL || env == NULL) {
		error_set(err, ERROR_INTERNAL, "%s", _("out of memory"));
		goto done;
	}
	if (argv[0] == NULL) {
		error_set(err, ERROR_CONFIG, _("%s is empty"), tc->param);
		goto done;
	}
	if (pipe(out) < 0 || pipe(ex) < 0 || fcntl(out[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(out[1], F_SETFD, FD_CLOEXEC) < 0 || fcntl(ex[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(ex[1], F_SETFD, FD_CLOEXEC) < 0 ||
	    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 || (ch->pid = fork()) < 0) {
		error_set_errno(err, ERROR_OS, errno, _("cannot run %s"), tc->param);
		goto done;
	}
	if (ch->pid == 0)
		child_exec(devnull, out[1], ex[1], argv, env);
	/* Also here: the kill at the deadline must find the group even if
	 * the child has not run yet. EACCES once it has exec'd is fine. */
	setpgid(ch->pid, ch->pid);
	ch->out = out[0];
	ch->exec_fd = ex[0];
	out[0] = ex[0] = -1;
	rc = 0;
done:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (ex[i] >= 0)
			close(ex[i]);
	}
	if (devnull >= 0)
		close(devnull);
	free_list(argv);
	free_list(env);
	return rc;
}

/* 1 when fd is readable or closed (or poll failed: the read says how),
 * 0 at the deadline, -1 when a stop was asked. */
static int wait_readable(int fd, struct deadline dl)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r = stop_poll(&pfd, 1, dl);

	if (r < 0 && errno == EINTR)
		return -1;
	return r != 0;
}

/* exec's errno from the child, 0 when exec succeeded (or we were
 * stopped first: read_output sees the stop too). */
static int exec_errno(const struct child *ch, struct deadline dl)
{
	int e = 0;
	ssize_t n;

	if (wait_readable(ch->exec_fd, dl) <= 0)
		return 0;
	while ((n = read(ch->exec_fd, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(e) ? e : 0;
}

static enum outcome read_output(const struct child *ch, char *buf, size_t max, size_t *len,
				struct deadline dl)
{
	for (;;) {
		ssize_t n;

		int w = wait_readable(ch->out, dl);

		if (w <= 0)
			return w == 0 ? TIMED_OUT : STOPPED;
		/* Room for one byte past the cap, to see that it was passed. */
		n = read(ch->out, buf + *len, max + 1 - *len);
		if (n == 0)
			return DONE;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return READ_FAILED;
		*len += (size_t)n;
		if (*len > max)
			return TOO_MUCH;
	}
}

/* The exit status, after killing the group when kill is set, or the
 * deadline passes first (then *timed_out), or a stop is asked (then
 * *stopped). */
static int reap(pid_t pid, bool kill_group, struct deadline dl, bool *timed_out, bool *stopped)
{
	int status = 0;
	pid_t r;

	for (;;) {
		if (kill_group) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		r = waitpid(pid, &status, kill_group ? 0 : WNOHANG);
		/* ECHILD: our caller ignores SIGCHLD and the kernel reaped it;
		 * the status is lost, the output still has to pass. */
		if (r == pid || (r < 0 && errno != EINTR))
			return status;
		if (r == 0 && deadline_expired(dl)) {
			*timed_out = true;
			kill_group = true;
		} else if (r == 0 && stop_poll(NULL, 0, deadline_in(REAP_NAP_MS)) < 0) {
			*stopped = errno == EINTR;
			kill_group = true;
		}
	}
}

/* Trim the final newline; the rest must be one line of visible text. */
static int check_token(const struct tokencmd *tc, char *buf, size_t *len, struct error *err)
{
	if (*len > 0 && buf[*len - 1] == '\n')
		(*len)--;
	if (*len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	buf[*len] = '\0';
	if (*len == 0) {
		error_set(err, ERROR_AUTH, _("%s printed no token"), tc->param);
		return -1;
	}
	for (size_t i = 0; i < *len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c == 0x7f) {
			error_set(err, ERROR_AUTH,
				  _("%s printed more than one line or control characters; a "
				    "token is one line"),
				  tc->param);
			return -1;
		}
	}
	return 0;
}

static int judge(const struct tokencmd *tc, enum outcome how, int status, size_t max,
		 struct error *err)
{
	if (how == STOPPED) {
		stop_error(err);
		error_prefix(err, "%s", tc->param);
		return -1;
	}
	if (how == TIMED_OUT)
		error_set(err, ERROR_TEMP, _("%s did not finish in time and was stopped"),
			  tc->param);
	else if (how == TOO_MUCH)
		error_set(err, ERROR_AUTH, _("%s printed more than %zu bytes and was stopped"),
			  tc->param, max);
	else if (how == READ_FAILED)
		error_set(err, ERROR_OS, _("cannot read the output of %s"), tc->param);
	else if (WIFSIGNALED(status))
		error_set(err, ERROR_AUTH, _("%s was killed by signal %d"), tc->param,
			  WTERMSIG(status));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		error_set(err, ERROR_AUTH, _("%s failed with exit status %d"), tc->param,
			  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else
		return 0;
	return -1;
}

int tokencmd_run(const struct tokencmd *tc, struct deadline dl, char **token, struct error *err)
{
	struct child ch = { .pid = -1, .out = -1, .exec_fd = -1 };
	size_t max = tc->max > 0 ? tc->max : TOKENCMD_OUTPUT_MAX, len = 0;
	enum outcome how = DONE;
	bool late = false, stopped = false;
	char *buf;
	int e, status;

	*token = NULL;
	dl = deadline_min(dl, deadline_in(tc->timeout_ms));
	if ((buf = malloc(max + 1)) == NULL) {
		error_set(err, ERROR_INTERNAL, "%s", _("out of memory"));
		return -1;
	}
	if (spawn(tc, &ch, err) < 0) {
		free(buf);
		return -1;
	}
	e = exec_errno(&ch, dl);
	if (e == 0)
		how = read_output(&ch, buf, max, &len, dl);
	status = reap(ch.pid, how != DONE, dl, &late, &stopped);
	close(ch.out);
	close(ch.exec_fd);
	if (stopped && how == DONE)
		how = STOPPED;
	if (late && how == DONE)
		how = TIMED_OUT;
	if (e != 0)
		error_set(err, ERROR_CONFIG, _("cannot run %s: %s"), tc->param, strerror(e));
	if (e != 0 || judge(tc, how, status, max, err) < 0 || check_token(tc, buf, &len, err) < 0) {
		str_wipe(buf, max + 1);
		free(buf);
		return -1;
	}
	*token = buf;
	return 0;
}

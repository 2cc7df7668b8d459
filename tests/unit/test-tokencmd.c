/* SPDX-License-Identifier: GPL-3.0-or-later */
/* auth/tokencmd with real child processes: the token and its trimming,
 * the environment and stdin the command gets, failures that name the
 * parameter and never the output, a hanging command and its children
 * killed at the timeout, output over the cap refused. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/tokencmd.h"
#include "base/deadline.h"
#include "base/error.h"
#include "base/stop.h"
#include "capture.h"
#include "tap.h"

#define PARAM "smtp_sasl_oauth_token_command"

static struct error err;

/* Run command; the token or NULL (err holds the failure). */
static char *run(const char *command, long timeout_ms, size_t max)
{
	struct tokencmd tc = { .command = command,
			       .param = PARAM,
			       .user = "alice@example.com",
			       .timeout_ms = timeout_ms,
			       .max = max };
	char *token = NULL;

	error_clear(&err);
	if (tokencmd_run(&tc, deadline_in(10000), &token, &err) < 0)
		return NULL;
	return token;
}

static void good(const char *command, const char *want, const char *what)
{
	char *token = run(command, 5000, 0);

	if (!is_str(token, want, "%s", what))
		diag("%s: %s", command, err.text);
	tokencmd_wipe(token);
}

static void bad(const char *command, enum error_class cls, const char *text, const char *what)
{
	char *token = run(command, 5000, 0);

	ok(token == NULL, "%s: refused", what);
	tokencmd_wipe(token);
	is_str(error_class_name(err.cls), error_class_name(cls), "... class %s",
	       error_class_name(cls));
	is_str(err.text, text, "... saying so");
	ok(strstr(err.text, "SECRET") == NULL, "... without the output");
}

static void test_shell_syntax(void)
{
	ok(!tokencmd_needs_shell("/usr/bin/oauth2-token --account work"), "plain words: no shell");
	ok(!tokencmd_needs_shell("oauth2-token"), "one word: no shell");
	ok(tokencmd_needs_shell("printf '%s' x"), "quotes need the shell");
	ok(tokencmd_needs_shell("pass show mail | head -1"), "a pipe needs the shell");
	ok(tokencmd_needs_shell("cat $HOME/token"), "a variable needs the shell");
	ok(tokencmd_needs_shell("cat ~/token"), "a tilde needs the shell");
	ok(tokencmd_needs_shell("A=b cmd"), "an assignment needs the shell");
}

static void test_tokens(void)
{
	good("printf 'tok-123\\n'", "tok-123", "the final newline is trimmed");
	good("printf 'tok-123\\r\\n'", "tok-123", "a final CRLF is trimmed");
	good("printf 'tok-123'", "tok-123", "no final newline is fine");
	good("/bin/echo tok-456", "tok-456", "run without a shell, by path");
	good("echo   tok-789", "tok-789", "run without a shell, through PATH, blanks collapsed");
	good("printf %s \"$RELAYMAIL_SASL_USER\"", "alice@example.com",
	     "RELAYMAIL_SASL_USER holds the SASL user name");
	good("wc -c", "0", "stdin is /dev/null");
}

static void test_failures(void)
{
	bad("echo SECRET-1; exit 3", ERROR_AUTH, PARAM " failed with exit status 3",
	    "exit status 3");
	bad("echo SECRET-2; kill -9 $$", ERROR_AUTH, PARAM " was killed by signal 9",
	    "killed by a signal");
	bad("printf ''", ERROR_AUTH, PARAM " printed no token", "no output");
	bad("printf '\\n'", ERROR_AUTH, PARAM " printed no token", "an empty line");
	bad("printf 'SECRET-3\\nmore\\n'", ERROR_AUTH,
	    PARAM " printed more than one line or control characters; a token is one line",
	    "two lines");
	bad("printf 'SECRET-4\\001x'", ERROR_AUTH,
	    PARAM " printed more than one line or control characters; a token is one line",
	    "a control character");
	bad("/nonexistent/relaymail-token", ERROR_CONFIG,
	    "cannot run " PARAM ": No such file or directory", "a command that does not exist");
	bad("   ", ERROR_CONFIG, PARAM " is empty", "an empty command");
}

static void test_cap(void)
{
	char *token, want[128];

	token = run("head -c 100 /dev/zero | tr '\\0' a", 5000, 100);
	ok(token != NULL && strlen(token) == 100, "output of exactly the cap is accepted");
	tokencmd_wipe(token);
	token = run("head -c 101 /dev/zero | tr '\\0' a", 5000, 100);
	ok(token == NULL, "one byte over the cap is refused");
	is_str(error_class_name(err.cls), error_class_name(ERROR_AUTH), "... as an auth failure");
	is_str(err.text, PARAM " printed more than 100 bytes and was stopped", "... saying so");
	snprintf(want, sizeof(want), PARAM " printed more than %d bytes and was stopped",
		 TOKENCMD_OUTPUT_MAX);
	token = run("yes SECRET", 5000, 0);
	ok(token == NULL, "endless output is refused at the default cap");
	is_str(err.text, want, "... naming the cap and not the output");
}

/* Process state from /proc: 0 gone or a zombie, 1 alive, -1 unknown. */
static int alive(pid_t pid)
{
	char path[64], stat[256];
	FILE *f;
	char *paren;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	stat[0] = '\0';
	if (fgets(stat, sizeof(stat), f) == NULL)
		stat[0] = '\0';
	fclose(f);
	paren = strrchr(stat, ')');
	return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' ? 1 : 0;
}

static void test_timeout(void)
{
	char command[256], pidfile[] = "/tmp/relaymail-tokencmd-XXXXXX";
	int64_t start;
	char *token;
	FILE *f;
	long pid = 0;
	int fd = mkstemp(pidfile), state = 1;

	start = deadline_now_ms();
	token = run("sleep 30", 300, 0);
	ok(token == NULL && deadline_now_ms() - start < 3000,
	   "a hanging command is stopped at its timeout (%lld ms)",
	   (long long)(deadline_now_ms() - start));
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... temporarily");
	is_str(err.text, PARAM " did not finish in time and was stopped", "... saying so");

	/* A child of the command keeps the pipe open: the whole group goes. */
	if (fd < 0)
		exit(99);
	close(fd);
	snprintf(command, sizeof(command), "sleep 30 & echo $! > %s; wait", pidfile);
	start = deadline_now_ms();
	token = run(command, 300, 0);
	ok(token == NULL && deadline_now_ms() - start < 3000, "a command with a child is stopped");
	f = fopen(pidfile, "r");
	if (f == NULL || fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	if (f != NULL)
		fclose(f);
	unlink(pidfile);
	for (int i = 0; i < 100 && pid > 0 && (state = alive((pid_t)pid)) == 1; i++)
		usleep(10000);
	if (pid > 0 && state >= 0)
		is_int(state, 0, "... and its child was killed too");
	else
		ok(true, "# SKIP no /proc to watch the child");
	if (pid > 0 && state == 1)
		kill((pid_t)pid, SIGKILL);

	start = deadline_now_ms();
	{
		struct tokencmd tc = { .command = "sleep 30", .param = PARAM, .timeout_ms = 30000 };

		ok(tokencmd_run(&tc, deadline_in(300), &token, &err) < 0 &&
		       deadline_now_ms() - start < 3000,
		   "the caller's deadline wins over a longer timeout");
	}
}

/* The child of test_stop, where relaymail's stop signals are installed:
 * what it saw, one "|"-separated line on fd out. */
static void stopped_child(int out, int ready)
{
	char line[2048];
	char *token;
	int64_t start;

	/* As under nohup: this one must stay ignored. */
	signal(SIGHUP, SIG_IGN);
	if (stop_install() < 0)
		_exit(1);
	/* The command's own mask and ignored set: ours blocks three signals
	 * and ignores SIGPIPE; the command gets neither. */
	token = run("grep -E '^Sig(Blk|Ign):' /proc/self/status | tr -d '\\n\\t '", 5000, 0);
	snprintf(line, sizeof(line), "%s|", token != NULL ? token : err.text);
	tokencmd_wipe(token);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	start = deadline_now_ms();
	token = run("sleep 30", 30000, 0);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s|%s|%s",
		 token == NULL ? "refused" : token, error_class_name(err.cls), err.text);
	if (deadline_now_ms() - start > 3000)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "|slow");
	(void)!write(out, line, strlen(line));
	_exit(0);
}

/* A stop (base/stop.h) while the command runs: it is killed and the
 * caller hears of the signal; and the command runs with default signals. */
static void test_stop(void)
{
	int out[2], ready[2], status;
	char got[2048], *rest, c;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(out) < 0 || pipe(ready) < 0 || (pid = fork()) < 0) {
		ok(false, "pipe and fork");
		return;
	}
	if (pid == 0) {
		close(out[0]);
		close(ready[0]);
		stopped_child(out[1], ready[1]);
	}
	close(out[1]);
	close(ready[1]);
	if (read(ready[0], &c, 1) == 1) {
		usleep(300000);
		kill(pid, SIGTERM);
	}
	while (len < sizeof(got) - 1 && (n = read(out[0], got + len, sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	close(out[0]);
	close(ready[0]);
	waitpid(pid, &status, 0);
	rest = strchr(got, '|');
	if (rest != NULL)
		*rest++ = '\0';
	if (access("/proc/self/status", R_OK) != 0) {
		ok(true, "# SKIP no /proc to read the command's signal state");
		ok(true, "# SKIP no /proc to read the command's signal state");
	} else {
		/* Bit n-1 is signal n; what the test's own caller ignores
		 * may be set too. */
		unsigned long long blk = 1, ign = 0;

		if (sscanf(got, "SigBlk:%llxSigIgn:%llx", &blk, &ign) != 2)
			diag("the command printed: %s", got);
		is_int((long long)blk, 0, "the command starts with no signal blocked");
		is_int(
		    (long long)(ign & (1ULL << (SIGHUP - 1) | 1ULL << (SIGINT - 1) |
				       1ULL << (SIGPIPE - 1) | 1ULL << (SIGTERM - 1))),
		    (long long)(1ULL << (SIGHUP - 1)),
		    "... SIGINT, SIGTERM and SIGPIPE not ignored, SIGHUP ignored as we found it");
	}
	is_str(rest, "refused|temp|" PARAM ": interrupted by SIGTERM",
	       "SIGTERM while the command runs: refused at once, naming the signal");
}

static void test_not_logged(void)
{
	struct capture cap;
	char *said, *token;

	capture_begin(&cap);
	token = run("echo SECRET-5; exit 1", 5000, 0);
	tokencmd_wipe(token);
	token = run("echo SECRET-6", 5000, 0);
	said = capture_end(&cap);
	is_str(token, "SECRET-6", "the token is returned");
	tokencmd_wipe(token);
	is_str(said, "", "nothing is logged, output least of all");
	free(said);
	tokencmd_wipe(NULL);
	ok(true, "tokencmd_wipe(NULL) is harmless");
}

int main(void)
{
	/* A shell without job control starts a background job with SIGINT
	 * and SIGQUIT ignored, and relaymail keeps what it inherits ignored:
	 * the cases below want the defaults whoever runs the suite. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	test_shell_syntax();
	test_tokens();
	test_failures();
	test_cap();
	test_timeout();
	test_stop();
	test_not_logged();
	return tap_done();
}

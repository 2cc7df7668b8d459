/* SPDX-License-Identifier: GPL-3.0-or-later */
/* runstat FILE COMMAND [ARG...]: runs COMMAND with this program's standard
 * input and output and writes one line to FILE: its wall time, user CPU
 * and system CPU in microseconds and its peak resident set size in KiB
 * ("WALL USER SYS RSS"); exits with its status. For tests/bench.sh, which
 * needs finer figures than GNU time's hundredths. */
#include <config.h>

#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long usec(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fputs("usage: runstat FILE COMMAND [ARG...]\n", stderr);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("runstat: exec");
		_exit(127);
	}
	/* The only child: the children's figures are its own. */
	if (waitpid(pid, &status, 0) != pid || getrusage(RUSAGE_CHILDREN, &ru) < 0) {
		perror("runstat: waitpid");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out = fopen(argv[1], "w");
	if (out == NULL ||
	    fprintf(out, "%lld %lld %lld %ld\n",
		    (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000,
		    usec(ru.ru_utime), usec(ru.ru_stime), ru.ru_maxrss) < 0 ||
	    fclose(out) != 0) {
		perror("runstat: cannot write the result");
		return 2;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

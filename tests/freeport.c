/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helper: prints free TCP ports on 127.0.0.1, one per line, so test
 * servers never use fixed ports. "freeport N" prints N distinct ports: all
 * N sockets stay bound until every port is known, so the kernel cannot hand
 * out the same port twice. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_PORTS = 256 };

static int bind_any(unsigned *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

int main(int argc, char **argv)
{
	int fds[MAX_PORTS];
	unsigned ports[MAX_PORTS];
	long n = 1;
	int status = 0;

	if (argc > 2) {
		fputs("usage: freeport [COUNT]\n", stderr);
		return 64;
	}
	if (argc == 2) {
		char *end;
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno != 0 || end == argv[1] || *end != '\0' || n < 1 || n > MAX_PORTS) {
			fprintf(stderr, "freeport: COUNT must be 1 to %d\n", MAX_PORTS);
			return 64;
		}
	}
	for (long i = 0; i < n; i++) {
		fds[i] = bind_any(&ports[i]);
		if (fds[i] < 0) {
			fprintf(stderr, "freeport: cannot bind 127.0.0.1: %s\n", strerror(errno));
			n = i;
			status = 71;
			break;
		}
	}
	for (long i = 0; i < n; i++) {
		if (status == 0)
			printf("%u\n", ports[i]);
		close(fds[i]);
	}
	if (fflush(stdout) != 0)
		status = 74;
	return status;
}

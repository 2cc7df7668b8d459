/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helper: a scriptable milter. It listens on a free 127.0.0.1 port
 * (--port-file) or a Unix socket (--unix), takes one connection (or
 * --count of them, one after another), writes every packet it receives
 * to --transcript as one line ("CMD arg|arg|..."; BODY as "B <octets>",
 * the octets appended to --body), and answers as --script says, one line
 * at a time:
 *   expect X       read packets until one with command X ('D' macros are
 *                  only logged)
 *   send X [DATA]  a reply packet: command X, then DATA with C escapes
 *                  (\0 \n \r \t \\ \xNN)
 *   raw DATA       bytes as they are (a broken or hostile packet)
 *   optneg V A P   the OPTNEG reply: version, actions, protocol (numbers,
 *                  0x for hex); "optneg V A P STAGE NAMES" adds a
 *                  SETSYMLIST list
 *   sleep N        wait N seconds (a milter that never answers)
 *   close          close the connection
 *   next           wait for the next connection
 *   auto           from now on, while expecting, answer SMFIR_CONTINUE to
 *                  any other event that wants a reply
 * Exits 0 when the script ran to its end, 1 otherwise; --timeout bounds
 * the whole run (default 20 s). */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static FILE *transcript, *body;
static int autocontinue; /* "auto": other events get SMFIR_CONTINUE */

static void die(const char *what) __attribute__((noreturn));

static void die(const char *what)
{
	fprintf(stderr, "fakemilter: %s\n", what);
	exit(1);
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = read(fd, c, n);

		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static void write_all(int fd, const void *p, size_t n)
{
	if (n > 0 && write(fd, p, n) != (ssize_t)n)
		die("write failed");
}

/* C escapes of s into out; the length. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s != '\0') {
		if (*s != '\\' || s[1] == '\0') {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case '0':
			out[n++] = '\0';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'x': {
			char hex[3] = { s[1], s[1] != '\0' ? s[2] : '\0', '\0' };

			out[n++] = (char)strtoul(hex, NULL, 16);
			s += 2;
			break;
		}
		default:
			out[n++] = *s;
		}
		s++;
	}
	return n;
}

static void put_packet(int fd, char cmd, const char *data, size_t len)
{
	unsigned char head[5];
	uint32_t l = htonl((uint32_t)len + 1);

	memcpy(head, &l, 4);
	head[4] = (unsigned char)cmd;
	write_all(fd, head, 5);
	write_all(fd, data, len);
}

/* One received packet into the transcript. */
static void log_packet(char cmd, const char *d, size_t len)
{
	if (cmd == 'B') {
		fprintf(transcript, "B %zu\n", len);
		if (body != NULL)
			fwrite(d, 1, len, body);
		return;
	}
	fputc(cmd, transcript);
	if (cmd == 'O' && len >= 12) {
		uint32_t v[3];

		memcpy(v, d, 12);
		fprintf(transcript, " %u 0x%x 0x%x\n", ntohl(v[0]), ntohl(v[1]), ntohl(v[2]));
		return;
	}
	fputc(' ', transcript);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '\0')
			fputc(i + 1 < len ? '|' : ' ', transcript);
		else if (c == '\n')
			fputs("\\n", transcript);
		else if (c < 32 || c >= 127)
			fprintf(transcript, "\\x%02x", c);
		else
			fputc(c, transcript);
	}
	fputc('\n', transcript);
}

/* Read packets until one with command want; -1 at end of connection. */
static int expect(int fd, char want)
{
	static char *data;

	for (;;) {
		uint32_t l;
		size_t len;

		if (read_all(fd, &l, 4) < 0)
			return -1;
		len = ntohl(l);
		if (len == 0 || len > 4u * 1024 * 1024)
			die("bad packet length from the client");
		free(data);
		if ((data = malloc(len)) == NULL || read_all(fd, data, len) < 0)
			return -1;
		log_packet(data[0], data + 1, len - 1);
		fflush(transcript);
		if (body != NULL)
			fflush(body);
		if (data[0] == want)
			return 0;
		if (autocontinue && strchr("CHMRTLNB", data[0]) != NULL && data[0] != '\0')
			put_packet(fd, 'c', NULL, 0);
	}
}

static void optneg(int fd, const char *args)
{
	long v, a, p;
	unsigned long stage;
	char names[512] = "", d[600];
	uint32_t w[4];
	size_t len = 12;
	int n = sscanf(args, "%li %li %li %lu %511[^\n]", &v, &a, &p, &stage, names);

	if (n < 3)
		die("optneg needs version, actions and protocol");
	w[0] = htonl((uint32_t)v);
	w[1] = htonl((uint32_t)a);
	w[2] = htonl((uint32_t)p);
	memcpy(d, w, 12);
	if (n == 5) {
		w[3] = htonl((uint32_t)stage);
		memcpy(d + 12, &w[3], 4);
		memcpy(d + 16, names, strlen(names) + 1);
		len = 16 + strlen(names) + 1;
	}
	put_packet(fd, 'O', d, len);
}

static int listen_on(const char *port_file, const char *unix_path)
{
	int fd = socket(unix_path != NULL ? AF_UNIX : AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket failed");
	if (unix_path != NULL) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if (strlen(unix_path) >= sizeof(sun.sun_path))
			die("socket path too long");
		memcpy(sun.sun_path, unix_path, strlen(unix_path) + 1);
		unlink(unix_path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			die("bind failed");
	} else {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t len = sizeof(sin);
		FILE *f;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
			die("bind failed");
		if (listen(fd, 8) < 0 || (f = fopen(port_file, "w")) == NULL)
			die("listen failed");
		fprintf(f, "%u\n", ntohs(sin.sin_port));
		fclose(f);
		return fd;
	}
	if (listen(fd, 8) < 0)
		die("listen failed");
	if (port_file != NULL) {
		FILE *f = fopen(port_file, "w");

		if (f == NULL)
			die("cannot write the port file");
		fputs("unix\n", f);
		fclose(f);
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *script = NULL, *port_file = NULL, *unix_path = NULL;
	char line[70000], data[70000];
	int timeout = 20, lfd, fd;
	FILE *s;

	transcript = stdout;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--script") == 0)
			script = argv[i + 1];
		else if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--unix") == 0)
			unix_path = argv[i + 1];
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--transcript") == 0)
			transcript = fopen(argv[i + 1], "w");
		else if (strcmp(argv[i], "--body") == 0)
			body = fopen(argv[i + 1], "w");
		else
			die("usage: fakemilter --script F (--port-file F | --unix P) [--transcript "
			    "F] "
			    "[--body F] [--timeout S]");
	}
	if (script == NULL || transcript == NULL || (s = fopen(script, "r")) == NULL)
		die("cannot open the script or the transcript");
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)timeout);
	lfd = listen_on(port_file, unix_path);
	if ((fd = accept(lfd, NULL, NULL)) < 0)
		die("accept failed");
	while (fgets(line, sizeof(line), s) != NULL) {
		char *arg;

		line[strcspn(line, "\n")] = '\0';
		arg = strchr(line, ' ');
		arg = arg != NULL ? arg + 1 : line + strlen(line);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "expect ", 7) == 0) {
			if (expect(fd, arg[0]) < 0)
				die("connection closed before the expected packet");
		} else if (strncmp(line, "send ", 5) == 0) {
			put_packet(fd, arg[0], data, arg[1] == ' ' ? unescape(arg + 2, data) : 0);
		} else if (strncmp(line, "raw ", 4) == 0) {
			write_all(fd, data, unescape(arg, data));
		} else if (strncmp(line, "optneg ", 7) == 0) {
			optneg(fd, arg);
		} else if (strncmp(line, "sleep ", 6) == 0) {
			sleep((unsigned)atoi(arg));
		} else if (strcmp(line, "auto") == 0) {
			autocontinue = 1;
		} else if (strcmp(line, "close") == 0) {
			close(fd);
			fd = -1;
		} else if (strcmp(line, "next") == 0) {
			if (fd >= 0)
				close(fd);
			if ((fd = accept(lfd, NULL, NULL)) < 0)
				die("accept failed");
		} else {
			die("unknown script line");
		}
	}
	/* The rest of what the client sends (QUIT), for the transcript. */
	if (fd >= 0)
		while (expect(fd, '\xff') == 0)
			;
	fclose(transcript);
	return 0;
}

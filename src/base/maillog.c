/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sink behind maillog_info: a file opened for appending (or standard
 * output or error), or a connection to the syslog socket, made once per
 * process at the first record. Each record is formatted whole and leaves
 * in one write() or send(): with O_APPEND the kernel places each write at
 * the end of the file as one piece, and a datagram is one message. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/maillog.h"
#include "base/str.h"

#define SYSLOG_PATH "/dev/log"
#define SEND_WAIT_MS 1000 /* a syslog daemon that is behind; then the line is lost */

enum sink_kind {
	SINK_NONE,   /* not set up, or nowhere to write */
	SINK_FILE,   /* fd: maillog_file, stdout or stderr */
	SINK_SYSLOG, /* fd: a socket connected to syslog */
};

static struct {
	struct maillog_settings set;
	bool set_up; /* set is valid */
	bool opened, warned, stdout_busy;
	bool stream; /* the syslog socket is a stream: records end in NUL */
	bool own_fd; /* fd is ours to close (not stdout or stderr) */
	bool pipe;   /* fd is a pipe or socket: a reader that left means SIGPIPE */
	enum sink_kind kind;
	int fd;
	long pid;
	unsigned long seq;
} sink = { .fd = -1 };

/* Postfix's syslog_facility names (msg_syslog.c) and their values. */
static const char *const facility_names[] = {
	"auth",	  "authpriv", "cron",	"daemon", "ftp",    "kern",   "lpr",
	"mail",	  "news",     "syslog", "user",	  "uucp",   "local0", "local1",
	"local2", "local3",   "local4", "local5", "local6", "local7",
};
static const int facility_values[] = {
	LOG_AUTH,   LOG_AUTHPRIV, LOG_CRON,   LOG_DAEMON, LOG_FTP,    LOG_KERN,	  LOG_LPR,
	LOG_MAIL,   LOG_NEWS,	  LOG_SYSLOG, LOG_USER,	  LOG_UUCP,   LOG_LOCAL0, LOG_LOCAL1,
	LOG_LOCAL2, LOG_LOCAL3,	  LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7,
};

#define NFACILITIES (sizeof(facility_names) / sizeof(facility_names[0]))
_Static_assert(NFACILITIES == sizeof(facility_values) / sizeof(facility_values[0]),
	       "a value for every facility name");

const char *const *maillog_facility_names(size_t *count)
{
	*count = NFACILITIES;
	return facility_names;
}

int maillog_facility_value(size_t i)
{
	return i < NFACILITIES ? facility_values[i] : LOG_MAIL;
}

/* Say once per process that the log is lost; delivery goes on. */
static void warn_once(const char *what, int errnum)
{
	if (sink.warned)
		return;
	sink.warned = true;
	log_warning(_("the mail log %s cannot be written: %s; messages are sent without it"), what,
		    strerror(errnum));
}

void maillog_init(const struct maillog_settings *s)
{
	maillog_fini();
	sink.set = *s;
	sink.set_up = true;
	sink.pid = (long)getpid();
}

void maillog_fini(void)
{
	if (sink.own_fd && sink.fd >= 0)
		close(sink.fd);
	sink.fd = -1;
	sink.own_fd = false;
	sink.kind = SINK_NONE;
	sink.opened = false;
	sink.set_up = false;
	sink.stream = false;
	sink.pipe = false;
}

void maillog_stdout_busy(void)
{
	sink.stdout_busy = true;
}

static const char *syslog_path(void)
{
	return sink.set.syslog_path != NULL ? sink.set.syslog_path : SYSLOG_PATH;
}

/* A socket connected to syslog: a datagram one, else (old syslog-ng) a
 * stream; -1 with errno. */
static int syslog_connect(bool *stream)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = syslog_path();
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	for (size_t i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		int saved;

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			*stream = types[i] == SOCK_STREAM;
			return fd;
		}
		saved = errno;
		close(fd);
		errno = saved;
		if (errno != EPROTOTYPE)
			return -1;
	}
	return -1;
}

static void open_file(const char *file)
{
	struct stat st;

	if (strcmp(file, "/dev/stdout") == 0) {
		if (sink.stdout_busy)
			return;
		sink.fd = STDOUT_FILENO;
	} else if (strcmp(file, "/dev/stderr") == 0) {
		sink.fd = STDERR_FILENO;
	} else {
		/* Mail addresses are nobody else's business: 0600, as
		 * Postfix's own log file. */
		sink.fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
		if (sink.fd < 0) {
			warn_once(file, errno);
			return;
		}
		sink.own_fd = true;
	}
	sink.pipe = fstat(sink.fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
	sink.kind = SINK_FILE;
}

static void open_sink(void)
{
	const char *file = sink.set.file;

	sink.opened = true;
	if (!sink.set_up)
		return;
	if (file != NULL && *file != '\0') {
		open_file(file);
		return;
	}
	sink.fd = syslog_connect(&sink.stream);
	if (sink.fd >= 0) {
		sink.kind = SINK_SYSLOG;
		sink.own_fd = true;
	} else if (errno != ENOENT) {
		/* No socket means no syslog (a container): nothing to say. */
		warn_once(syslog_path(), errno);
	}
}

bool maillog_active(void)
{
	if (!sink.opened)
		open_sink();
	return sink.kind != SINK_NONE;
}

static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* snprintf's count, kept within the buffer: a cut line is still a line. */
static size_t fitted(int n, size_t size)
{
	if (n < 0 || size == 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t maillog_format_file(char *out, size_t size, const struct tm *tm, const char *host,
			   const char *name, const char *service, long pid, const char *text)
{
	size_t n;

	if (size < 2)
		return 0;
	/* Room is kept for the newline. */
	n = fitted(snprintf(out, size - 1, "%s %02d %02d:%02d:%02d %.*s %s/%s[%ld]: %s",
			    months[(unsigned)tm->tm_mon % 12], tm->tm_mday, tm->tm_hour, tm->tm_min,
			    tm->tm_sec, (int)strcspn(host, "."), host, name, service, pid, text),
		   size - 1);
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

/* The datagram with PRI = pri (facility | level). */
static size_t format_syslog(char *out, size_t size, int pri, const struct tm *tm, const char *name,
			    const char *service, long pid, const char *text)
{
	return fitted(snprintf(out, size, "<%d>%s %2d %02d:%02d:%02d %s/%s[%ld]: %s", pri,
			       months[(unsigned)tm->tm_mon % 12], tm->tm_mday, tm->tm_hour,
			       tm->tm_min, tm->tm_sec, name, service, pid, text),
		      size);
}

size_t maillog_format_syslog(char *out, size_t size, int facility, const struct tm *tm,
			     const char *name, const char *service, long pid, const char *text)
{
	return format_syslog(out, size, facility | LOG_INFO, tm, name, service, pid, text);
}

/* write(), but a pipe whose reader left gives EPIPE instead of killing
 * the process with SIGPIPE in the middle of a delivery. */
static ssize_t write_line(const char *line, size_t len)
{
	static const struct timespec now = { 0, 0 };
	sigset_t pipe_set, old;
	ssize_t n;
	int saved;

	if (!sink.pipe)
		return write(sink.fd, line, len);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write(sink.fd, line, len);
	saved = errno;
	if (n < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &now);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

static void write_file(const char *line, size_t len)
{
	ssize_t n;

	do
		n = write_line(line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		warn_once(sink.set.file, errno);
	else if ((size_t)n != len)
		warn_once(sink.set.file, ENOSPC);
}

/* One datagram (or one NUL-ended record on a stream). A daemon that is
 * behind gets a moment; one that went away gets one new connection. */
static void send_syslog(const char *line, size_t len)
{
	bool retried = false;

	for (;;) {
		ssize_t n =
		    send(sink.fd, line, len + (sink.stream ? 1 : 0), MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd pfd = { .fd = sink.fd, .events = POLLOUT };

		if (n >= 0)
			return;
		if (errno == EINTR)
			continue;
		if ((errno == EAGAIN || errno == EWOULDBLOCK) && !retried) {
			retried = true;
			if (poll(&pfd, 1, SEND_WAIT_MS) > 0)
				continue;
			errno = EAGAIN;
		} else if (!retried && (errno == ECONNREFUSED || errno == ENOTCONN ||
					errno == EPIPE || errno == ECONNRESET)) {
			int fd = syslog_connect(&sink.stream);

			retried = true;
			if (fd >= 0) {
				close(sink.fd);
				sink.fd = fd;
				continue;
			}
		}
		warn_once(syslog_path(), errno);
		return;
	}
}

/* One record at syslog level (LOG_INFO, LOG_WARNING), its text after
 * prefix ("" or "warning: ", as Postfix's msg_warn writes it). */
__attribute__((format(printf, 4, 0))) static void
record(int level, const char *service, const char *prefix, const char *fmt, va_list ap)
{
	char raw[MAILLOG_TEXT_MAX + 1], text[MAILLOG_TEXT_MAX + 1], line[MAILLOG_LINE_MAX];
	time_t now = time(NULL);
	struct tm tm;
	size_t len, plen = strlen(prefix);
	int n;

	if (!maillog_active())
		return;
	if (plen >= sizeof(raw))
		plen = 0;
	memcpy(raw, prefix, plen);
	n = vsnprintf(raw + plen, sizeof(raw) - plen, fmt, ap);
	n = n < 0 ? (int)plen : n + (int)plen;
	str_printable(text, sizeof(text), raw, fitted(n, sizeof(raw)));
	localtime_r(&now, &tm);
	if (sink.kind == SINK_FILE) {
		len = maillog_format_file(line, sizeof(line), &tm, sink.set.hostname, sink.set.name,
					  service, sink.pid, text);
		write_file(line, len);
	} else {
		len = format_syslog(line, sizeof(line) - 1, sink.set.facility | level, &tm,
				    sink.set.name, service, sink.pid, text);
		send_syslog(line, len);
	}
}

void maillog_info(const char *service, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(LOG_INFO, service, "", fmt, ap);
	va_end(ap);
}

void maillog_warning(const char *service, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(LOG_WARNING, service, "warning: ", fmt, ap);
	va_end(ap);
}

void maillog_format_queue_id(char *out, size_t size, unsigned long usec, unsigned long pid,
			     unsigned long seq)
{
	/* The PID in the low 32 bits, the counter above: different PIDs or
	 * counters make different numbers, and the fixed width of the first
	 * part keeps different numbers from making the same string. */
	unsigned long long tail = ((unsigned long long)seq << 32) | (pid & 0xffffffffUL);

	snprintf(out, size, "%05lX%llX", usec % 1000000UL, tail);
}

void maillog_queue_id(char *out, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	maillog_format_queue_id(out, size, (unsigned long)ts.tv_nsec / 1000UL,
				(unsigned long)getpid(), sink.seq++);
}

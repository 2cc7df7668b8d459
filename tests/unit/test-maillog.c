/* SPDX-License-Identifier: GPL-3.0-or-later */
/* base/maillog: the queue ID, the two line forms (postlogd's file, the
 * syslog datagram), and the sink itself: a file appended to, a syslog
 * socket of the test's own, standard error, and the failures that must
 * cost one warning and nothing else. And base/log's notices, which go to
 * that sink always and to stderr only when asked or on failure. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "base/log.h"
#include "base/maillog.h"
#include "capture.h"
#include "tap.h"

static char dir[] = "/tmp/test-maillog.XXXXXX";

static void test_facilities(void)
{
	const char *const *names;
	size_t n, mail = 0, local7 = 0;

	names = maillog_facility_names(&n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], "mail") == 0)
			mail = i + 1;
		if (strcmp(names[i], "local7") == 0)
			local7 = i + 1;
	}
	ok(mail > 0 && maillog_facility_value(mail - 1) == LOG_MAIL, "facility mail is LOG_MAIL");
	ok(local7 > 0 && maillog_facility_value(local7 - 1) == LOG_LOCAL7,
	   "facility local7 is LOG_LOCAL7");
}

static void test_queue_id(void)
{
	char a[MAILLOG_QUEUE_ID_MAX], b[MAILLOG_QUEUE_ID_MAX];
	char seen[200][MAILLOG_QUEUE_ID_MAX];
	bool unique = true;

	maillog_format_queue_id(a, sizeof(a), 300686, 24428, 0);
	is_str(a, "4968E5F6C", "microseconds in 5 hex digits, then the PID");
	maillog_format_queue_id(a, sizeof(a), 5, 24428, 1);
	is_str(a, "00005100005F6C", "the second message of a process: the counter above the PID");
	maillog_format_queue_id(a, sizeof(a), 1000005, 1, 0);
	is_str(a, "000051", "microseconds past a second wrap");
	/* A shorter PID with a counter must not spell a longer PID. */
	maillog_format_queue_id(a, sizeof(a), 0, 0x1A, 2);
	maillog_format_queue_id(b, sizeof(b), 0, 0x1A2, 0);
	ok(strcmp(a, b) != 0, "PID 1A with counter 2 differs from PID 1A2 (%s, %s)", a, b);
	maillog_format_queue_id(a, sizeof(a), 999999, 4194303, 0);
	is_str(a, "F423F3FFFFF", "largest Linux PID");
	for (size_t i = 0; i < 200; i++) {
		maillog_queue_id(seen[i], sizeof(seen[i]));
		for (size_t k = 0; k < i; k++)
			if (strcmp(seen[i], seen[k]) == 0)
				unique = false;
	}
	ok(unique, "200 queue IDs of one process are all different");
	ok(strspn(seen[0], "0123456789ABCDEF") == strlen(seen[0]) && strlen(seen[0]) >= 6,
	   "a queue ID is upper-case hex: %s", seen[0]);
}

static void test_forms(void)
{
	struct tm tm = { .tm_mon = 0, .tm_mday = 2, .tm_hour = 3, .tm_min = 4, .tm_sec = 5 };
	char line[MAILLOG_LINE_MAX];
	size_t n;

	n = maillog_format_file(line, sizeof(line), &tm, "client.example.org", "relaymail", "smtp",
				42, "ABC: removed");
	is_str(line, "Jan 02 03:04:05 client relaymail/smtp[42]: ABC: removed\n",
	       "file form: postlogd's, host's first label, newline");
	is_int((long long)n, (long long)strlen(line), "file form: the length");
	tm.tm_mon = 11;
	tm.tm_mday = 31;
	maillog_format_file(line, sizeof(line), &tm, "localhost", "mail/x", "qmgr", 7, "t");
	is_str(line, "Dec 31 03:04:05 localhost mail/x/qmgr[7]: t\n", "file form: a plain host");
	n = maillog_format_file(line, 20, &tm, "h", "n", "s", 1, "a long text that cannot fit");
	ok(n == 19 && line[18] == '\n', "file form cut to size still ends in a newline");
	tm.tm_mday = 2;
	tm.tm_mon = 0;
	n = maillog_format_syslog(line, sizeof(line), LOG_MAIL, &tm, "relaymail", "pickup", 42,
				  "ABC: uid=0 from=<joe>");
	is_str(line, "<22>Jan  2 03:04:05 relaymail/pickup[42]: ABC: uid=0 from=<joe>",
	       "syslog form: priority mail.info, day padded with a blank, no host");
	is_int((long long)n, (long long)strlen(line), "syslog form: the length");
	maillog_format_syslog(line, sizeof(line), LOG_LOCAL3, &tm, "r", "smtp", 1, "x");
	is_str(line, "<158>Jan  2 03:04:05 r/smtp[1]: x", "syslog form: local3.info");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 65536);
	size_t n;

	if (f == NULL || text == NULL) {
		if (f != NULL)
			fclose(f);
		return text;
	}
	n = fread(text, 1, 65535, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* The line's text after "NAME/SERVICE[PID]: ", checking the prefix. */
static const char *after_prefix(const char *line, const char *want)
{
	const char *p = strstr(line, want);

	return p != NULL ? p + strlen(want) : "";
}

static void test_file(void)
{
	struct maillog_settings s = { .name = "relaymail",
				      .facility = LOG_MAIL,
				      .hostname = "client.example.org" };
	char path[256], prefix[64], big[3000];
	struct capture cap;
	struct stat st;
	char *text, *warn, *l2, *l3;

	snprintf(path, sizeof(path), "%s/maillog", dir);
	snprintf(prefix, sizeof(prefix), " client relaymail/qmgr[%ld]: ", (long)getpid());
	s.file = path;
	maillog_init(&s);
	ok(maillog_active(), "a file sink is active");
	maillog_info("qmgr", "%s: removed", "ABC");
	maillog_info("qmgr", "evil\ntext\r\x1b[2J");
	maillog_fini();
	maillog_init(&s);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	maillog_info("qmgr", "%s", big);
	maillog_fini();
	text = slurp(path);
	l2 = strchr(text, '\n');
	l3 = l2 != NULL ? strchr(l2 + 1, '\n') : NULL;

	ok(strncmp(after_prefix(text, prefix), "ABC: removed\n", 13) == 0,
	   "file: the record after postlogd's prefix");
	ok(l2 != NULL && strncmp(after_prefix(l2, prefix), "evil?text??[2J\n", 15) == 0,
	   "file: control characters cannot start a line or reach a terminal");
	ok(l3 != NULL && strlen(after_prefix(l3, prefix)) == MAILLOG_TEXT_MAX + 1,
	   "file: a second maillog_init appends; a long text is cut at %d", MAILLOG_TEXT_MAX);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "file: created 0600");
	free(text);

	/* A file that cannot be opened: one warning, no record, no failure. */
	snprintf(path, sizeof(path), "%s/no/such/dir/maillog", dir);
	maillog_init(&s);
	capture_begin(&cap);
	ok(!maillog_active(), "an unusable file: the sink is off");
	maillog_info("smtp", "lost");
	maillog_info("smtp", "lost again");
	warn = capture_end(&cap);
	ok(strstr(warn, "no/such/dir/maillog") != NULL && strstr(warn, "warning") != NULL &&
	       strchr(warn, '\n') == strrchr(warn, '\n'),
	   "an unusable file: one warning that names it (%s)", warn);
	free(warn);
	maillog_fini();

	/* /dev/stderr is that stream, as in a container. */
	s.file = "/dev/stderr";
	maillog_init(&s);
	capture_begin(&cap);
	maillog_info("pickup", "Q: uid=0 from=<joe>");
	warn = capture_end(&cap);
	ok(strstr(warn, "relaymail/pickup[") != NULL && strstr(warn, "Q: uid=0 from=<joe>\n"),
	   "/dev/stderr gets the record");
	free(warn);
	maillog_fini();
}

static void test_syslog(void)
{
	struct maillog_settings s = { .name = "relaymail",
				      .facility = LOG_MAIL,
				      .file = "",
				      .hostname = "client.example.org" };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char want[128], got[MAILLOG_LINE_MAX], path[100];
	struct capture cap;
	int fd;
	ssize_t n;
	char *warn;

	snprintf(path, sizeof(path), "%s/log", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(fd >= 0 && bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0, "a syslog socket");
	s.syslog_path = path;
	maillog_init(&s);
	ok(maillog_active(), "syslog: active when the socket exists");
	maillog_info("smtp", "ABC: to=<bob@example.net>, status=sent");
	n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
	got[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), " relaymail/smtp[%ld]: ABC: to=<bob@example.net>, status=sent",
		 (long)getpid());
	ok(strncmp(got, "<22>", 4) == 0 && strlen(got) > strlen(want) &&
	       strcmp(got + strlen(got) - strlen(want), want) == 0,
	   "syslog: one datagram, priority mail.info (%s)", got);
	maillog_warning("sendmail", "main.cf, line %d: parameter biff is not used", 2);
	n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
	got[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want),
		 " relaymail/sendmail[%ld]: warning: main.cf, line 2: parameter biff is not used",
		 (long)getpid());
	ok(strncmp(got, "<20>", 4) == 0 && strlen(got) > strlen(want) &&
	       strcmp(got + strlen(got) - strlen(want), want) == 0,
	   "syslog: a warning is \"warning: TEXT\" at mail.warning (%s)", got);
	maillog_fini();
	close(fd);

	/* No socket (a container): nothing said, nothing written. */
	snprintf(path, sizeof(path), "%s/nolog", dir);
	maillog_init(&s);
	capture_begin(&cap);
	ok(!maillog_active(), "syslog: off without a socket");
	maillog_info("smtp", "dropped");
	warn = capture_end(&cap);
	is_str(warn, "", "syslog: no socket is no warning");
	free(warn);
	maillog_fini();

	/* Not set up at all: records are dropped. */
	ok(!maillog_active(), "without maillog_init nothing is active");
	maillog_info("smtp", "dropped");
}

static void test_stdout_busy(void)
{
	struct maillog_settings s = { .name = "relaymail", .file = "/dev/stdout", .hostname = "h" };

	maillog_stdout_busy();
	maillog_init(&s);
	ok(!maillog_active(), "/dev/stdout is not used while stdout carries the -bs dialogue");
	maillog_fini();
}

/* Notices held before the mail log exists, written to it once it does,
 * kept off stderr until a failure (log_error) shows each one once. */
static void test_notices(void)
{
	struct maillog_settings s = { .name = "relaymail", .facility = LOG_MAIL, .hostname = "h" };
	char path[256], want[512];
	struct capture cap;
	char *err, *text;

	snprintf(path, sizeof(path), "%s/notices", dir);
	s.file = path;
	log_notices_immediate(false);
	capture_begin(&cap);
	log_notice("one %d", 1);
	maillog_init(&s);
	log_notices_to_maillog();
	log_notice("two");
	err = capture_end(&cap);
	is_str(err, "", "notices: nothing on stderr while all is well");
	free(err);
	text = slurp(path);
	snprintf(want, sizeof(want), "relaymail/sendmail[%ld]: warning: one 1\n", (long)getpid());
	ok(text != NULL && strstr(text, want) != NULL, "notices: a held one reaches the mail log");
	snprintf(want, sizeof(want), "relaymail/sendmail[%ld]: warning: two\n", (long)getpid());
	ok(text != NULL && strstr(text, want) != NULL, "notices: a later one at once");
	free(text);
	capture_begin(&cap);
	log_error("it failed");
	log_error("and this too");
	log_notices_flush();
	err = capture_end(&cap);
	is_str(err,
	       "relaymail: warning: one 1\nrelaymail: warning: two\nrelaymail: it failed\n"
	       "relaymail: and this too\n",
	       "notices: a failure shows them first, each once");
	free(err);
	log_notices_immediate(true);
	capture_begin(&cap);
	log_notice("three");
	log_notices_flush();
	err = capture_end(&cap);
	is_str(err, "relaymail: warning: three\n", "notices: immediate ones at once, once");
	free(err);
	maillog_fini();
}

int main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL) {
		diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	test_facilities();
	test_queue_id();
	test_forms();
	test_file();
	test_notices();
	test_syslog();
	test_stdout_busy();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return tap_done();
}

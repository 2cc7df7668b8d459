/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/message: intake turns stdin into the exact stored form (CRLF, From_
 * and lone-dot rules, header fields, size limits), the body spills to an
 * unlinked file without changing a byte, and memory stays flat. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/stop.h"
#include "base/str.h"
#include "mail/address.h"
#include "mail/fold.h"
#include "mail/message.h"
#include "tap.h"

/* The whole stored form, via the cursor (malloc'd, *len set). */
static char *render(const struct message *m, size_t *len)
{
	static struct message_cursor c;
	struct error e = { 0 };
	struct buf b = { 0 };
	const char *p;
	ssize_t r;

	message_rewind(m, &c);
	while ((r = message_next(m, &c, &p, &e)) > 0)
		buf_append(&b, p, (size_t)r);
	if (r < 0)
		diag("message_next: %s", e.text);
	*len = b.len;
	return buf_steal(&b);
}

/* Intake of text from memory, then its stored form compared to want. */
static void check(const char *in, size_t inlen, bool dot_ends, const char *want, const char *name)
{
	struct message_opts o = { .dot_ends = dot_ends };
	struct error e = { 0 };
	struct message *m = message_from_mem(in, inlen, &o, &e);
	size_t len;
	char *out;

	if (m == NULL) {
		ok(false, "%s: %s", name, e.text);
		return;
	}
	out = render(m, &len);
	is_mem(out, len, want, strlen(want), "%s", name);
	is_int((long long)message_size(m), (long long)len, "%s: size", name);
	free(out);
	message_free(m);
}

#define CHECK(in, dot, want, name) check(in, sizeof(in) - 1, dot, want, name)

static void test_line_ends(void)
{
	CHECK("Subject: hi\nTo: a@b\n\nline1\nline2\n", false,
	      "Subject: hi\r\nTo: a@b\r\n\r\nline1\r\nline2\r\n", "LF becomes CRLF");
	CHECK("Subject: hi\r\n\r\nline1\r\n", false, "Subject: hi\r\n\r\nline1\r\n", "CRLF kept");
	CHECK("Subject: hi\r\r\n\r\na\r\r\r\nb\n", false, "Subject: hi\r\n\r\na\r\nb\r\n",
	      "CRs before LF dropped");
	CHECK("Subject: hi\n\nx\ry\r\rz", false, "Subject: hi\r\n\r\nx\r\ny\r\n\r\nz\r\n",
	      "bare CR is a line end");
	CHECK("Subject: hi\n\nx\r", false, "Subject: hi\r\n\r\nx\r\n", "CR at end of input");
	CHECK("Subject: hi\n\nno newline", false, "Subject: hi\r\n\r\nno newline\r\n",
	      "last line ended");
	CHECK("Subject: a\rTo: b@c\r\rbody\r", false, "Subject: a\r\nTo: b@c\r\n\r\nbody\r\n",
	      "old Mac text");
	CHECK("", false, "\r\n", "empty input");
	CHECK("Subject: x", false, "Subject: x\r\n\r\n", "header only, no newline");
}

static void test_nul_body(void)
{
	static const char in[] = "S: a\0b\n\nx\0y\n";
	struct error e = { 0 };
	struct message *m = message_from_mem(in, sizeof(in) - 1, NULL, &e);
	size_t len;
	char *out = render(m, &len);

	is_mem(out, len, "S: a b\r\n\r\nx y\r\n", 15, "NUL becomes a space in header and body");
	free(out);
	message_free(m);
}

static void test_from_and_dot(void)
{
	CHECK("From someone@example.com Mon Jan  1 00:00:00 2024\n>From x\nSubject: s\n\nb\n",
	      false, "Subject: s\r\n\r\nb\r\n", "leading From_ lines dropped");
	CHECK("From: a@b\n\nFrom here\n", false, "From: a@b\r\n\r\nFrom here\r\n",
	      "From: header and From_ in body kept");
	CHECK("From x\r\n\r\nbody\n", false, "\r\nbody\r\n", "From_ then empty header");
	CHECK("Subject: s\n\nbody\n.\nrest\n", true, "Subject: s\r\n\r\nbody\r\n",
	      "lone dot ends input");
	CHECK("Subject: s\n\nbody\n.\nrest\n", false, "Subject: s\r\n\r\nbody\r\n.\r\nrest\r\n",
	      "lone dot kept with -i");
	CHECK("Subject: s\n\nbody\r\n.\r\nrest\n", true, "Subject: s\r\n\r\nbody\r\n",
	      "lone dot with CRLF");
	CHECK("Subject: s\n\n..\n. \n.x\n", true, "Subject: s\r\n\r\n..\r\n. \r\n.x\r\n",
	      "only an exact dot line ends input");
	CHECK("Subject: s\n\nbody\n.", true, "Subject: s\r\n\r\nbody\r\n",
	      "dot at end of input without newline");
	CHECK("Subject: s\n.\nTo: x@y\n", true, "Subject: s\r\n\r\n", "lone dot in the header");
	CHECK("Subject: s\n\nx.\n", true, "Subject: s\r\n\r\nx.\r\n", "dot at end of a line");
}

static void test_headers(void)
{
	static const char in[] = "Subject: a\n b\n\tc\nTo: x@y\nX-Obs : v\n\nbody\n";
	struct error e = { 0 };
	struct message *m = message_from_mem(in, sizeof(in) - 1, NULL, &e);

	is_int((long long)message_header_count(m), 3, "three fields");
	is_str(message_header_name(m, 0), "Subject", "name");
	is_str(message_header_value(m, 0), " a\r\n b\r\n\tc", "folded value kept raw");
	is_str(message_header_find(m, "to"), " x@y", "find is case-insensitive");
	is_str(message_header_name(m, 2), "X-Obs", "obsolete blank before colon");
	is_str(message_header_value(m, 2), " v", "obsolete field value");
	is_str(message_header_find(m, "Cc"), NULL, "missing field");
	is_str(message_header_name(m, 3), NULL, "index past the end");
	message_free(m);

	CHECK("Hello world\nsecond\n", false, "\r\nHello world\r\nsecond\r\n",
	      "no header: everything is body");
	CHECK(" indented\n", false, "\r\n indented\r\n", "leading blank line start is body");
	CHECK("Subject: s\nnot a header\nmore\n", false,
	      "Subject: s\r\n\r\nnot a header\r\nmore\r\n", "non-field line starts the body");
	CHECK("NoColonAtAll\nx\n", false, "\r\nNoColonAtAll\r\nx\r\n",
	      "word without colon is body");
}

static void test_edit(void)
{
	static const char in[] =
	    "From: me@example.com\nTo: a@b\nBcc: secret@x,\n  other@y\nCc: c@d\n"
	    "bcc: again@z\n\nHi\n";
	struct error e = { 0 };
	struct message *m = message_from_mem(in, sizeof(in) - 1, NULL, &e);
	static const char want[] =
	    "Received: by host\r\n\tid 1\r\nFrom: me@example.com\r\nTo: a@b\r\n"
	    "Cc: c@d\r\nMessage-ID: <1@host>\r\nX-Empty:\r\n\r\nHi\r\n";
	size_t len;
	char *out;

	is_int((long long)message_header_remove(m, "BCC"), 2, "both Bcc fields removed");
	is_int((long long)message_header_remove(m, "Bcc"), 0, "none left");
	ok(message_header_add(m, "Message-ID", "<1@host>", false) == 0, "append field");
	ok(message_header_add(m, "Received", "by host\r\n\tid 1", true) == 0,
	   "prepend folded field");
	ok(message_header_add(m, "X-Empty", "", false) == 0, "empty value");
	errno = 0;
	ok(message_header_add(m, "X-Bad", "a\nb", false) == -1 && errno == EINVAL,
	   "bare LF in value refused");
	ok(message_header_add(m, "X-Bad", "a\r\nb", false) == -1, "CRLF without blank refused");
	ok(message_header_add(m, "Bad Name", "v", false) == -1, "space in name refused");
	ok(message_header_add(m, "", "v", false) == -1, "empty name refused");
	out = render(m, &len);
	is_mem(out, len, want, sizeof(want) - 1, "exact output after edits");
	is_int((long long)message_size(m), (long long)(sizeof(want) - 1), "size after edits");
	free(out);
	message_free(m);
}

static void test_set(void)
{
	static const char in[] = "From:me@example.com\nSubject: old\n subject\nTo :a@b\n"
				 "X-Last:\tkept\n\nHi\n";
	static const char want[] = "From:me@example.com\r\nSubject: new\r\nTo: c@d,\r\n e@f\r\n"
				   "X-Last:\tkept\r\n\r\nHi\r\n";
	struct error e = { 0 };
	struct message *m = message_from_mem(in, sizeof(in) - 1, NULL, &e);
	size_t len;
	char *out;

	ok(message_header_set(m, 1, "new") == 0, "set: folded Subject replaced");
	ok(message_header_set(m, 2, "c@d,\r\n e@f") == 0, "set: obsolete \"To :\" replaced");
	errno = 0;
	ok(message_header_set(m, 3, "a\nb") == -1 && errno == EINVAL, "set: bare LF refused");
	errno = 0;
	ok(message_header_set(m, 4, "x") == -1 && errno == EINVAL, "set: no field 4");
	is_str(message_header_value(m, 2), " c@d,\r\n e@f", "set: value read back");
	is_str(message_header_name(m, 2), "To", "set: name kept");
	out = render(m, &len);
	is_mem(out, len, want, sizeof(want) - 1, "set: the other fields byte-exact");
	is_int((long long)message_size(m), (long long)(sizeof(want) - 1), "set: size");
	free(out);
	ok(message_header_set(m, 3, "") == 0 && strcmp(message_header_value(m, 3), "") == 0,
	   "set: empty value gives \"Name:\"");
	message_free(m);
}

static const char *recipients(const char *in)
{
	static char out[2048];
	struct error e = { 0 };
	struct message *m = message_from_mem(in, strlen(in), NULL, &e);
	struct addrlist l = { 0 };
	size_t o = 0;
	bool failed;

	out[0] = '\0';
	failed = message_header_recipients(m, &l, &e) < 0;
	if (failed)
		snprintf(out, sizeof(out), "ERROR: %s", e.text);
	for (size_t i = 0; !failed && i < l.n && o < sizeof(out); i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "|" : "", l.v[i]);
	addrlist_fini(&l);
	message_free(m);
	return out;
}

static void test_recipients(void)
{
	is_str(recipients("To: a@b, B <b@c>\nCc: c@d\nSubject: x\nBcc: e@f\nReply-To: r@s\n\n"),
	       "a@b|b@c|c@d|e@f", "To, Cc, Bcc in order");
	is_str(recipients("To: a@b\nResent-To: r@x\nResent-Cc: s@x\nCc: c@d\nResent-Bcc: t@x\n\n"),
	       "r@x|s@x|t@x", "Resent- recipients take precedence");
	is_str(recipients("To: a@b\nResent-From: me@x\n\n"), "",
	       "any Resent- field switches to Resent- recipients");
	is_str(recipients("To: undisclosed-recipients:;\n\n"), "", "empty group");
	is_str(recipients("To: a@b\nCc: Bad <x@y\n\n"),
	       "ERROR: in the Cc header field: invalid address list \" Bad <x@y\": a \"<\" is "
	       "not closed by \">\"",
	       "bad list names the field");
}

static void test_header_limit(void)
{
	static const char in[] = "Subject: 0123456789\nTo: a@b\nX-Long: abcdefghijklmnop\n"
				 " more\nY: z\n\nbody\n";
	static const char want[] = "Subject: 0123456789\r\nTo: a@b\r\nX-Long: \r\n\r\nbody\r\n";
	struct message_opts o = { .header_max = 40 };
	struct error e = { 0 };
	struct message *m = message_from_mem(in, sizeof(in) - 1, &o, &e);
	size_t len;
	char *out = render(m, &len);

	is_mem(out, len, want, sizeof(want) - 1, "header text past the limit dropped, body kept");
	is_int((long long)message_header_count(m), 3, "fields within the limit kept");
	free(out);
	message_free(m);
}

static void test_size_limit(void)
{
	static const char in[] = "Subject: s\n\n0123456789\n"; /* stored: 12 + 2 + 12 */
	struct message_opts o = { .size_max = 25 };
	struct error e = { 0 };
	struct message *m = message_from_mem(in, sizeof(in) - 1, &o, &e);

	ok(m == NULL, "message over the limit refused");
	is_int(e.cls, ERROR_DATA, "as ERROR_DATA");
	is_str(e.text, "message is too big: limit is 25 bytes (message_size_limit)",
	       "error names the parameter");
	o.size_max = 26;
	m = message_from_mem(in, sizeof(in) - 1, &o, &e);
	ok(m != NULL && message_size(m) == 26, "message at the limit accepted");
	message_free(m);
}

static void test_8bit(void)
{
	struct message *m;

	m = message_from_mem("Subject: x\n\nplain\n", 18, NULL, NULL);
	ok(!message_is_8bit(m) && !message_header_is_utf8(m), "ASCII message");
	message_free(m);
	m = message_from_mem("Subject: x\n\ncaf\303\251\n", 18, NULL, NULL);
	ok(message_is_8bit(m) && !message_header_is_utf8(m), "8-bit body");
	message_free(m);
	m = message_from_mem("Subject: caf\303\251\n\nx\n", 18, NULL, NULL);
	ok(message_is_8bit(m) && message_header_is_utf8(m), "UTF-8 header");
	message_free(m);
}

/* A writer process feeding data to a pipe, chunk bytes per write (0: all
 * at once) with a pause between writes. Returns the read end. */
static int writer(const char *data, size_t len, size_t chunk, pid_t *pid)
{
	int fds[2];

	if (pipe(fds) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		close(fds[0]);
		for (size_t o = 0; o < len;) {
			size_t n = chunk == 0 || chunk > len - o ? len - o : chunk;
			ssize_t w = write(fds[1], data + o, n);

			if (w < 0)
				_exit(1);
			o += (size_t)w;
			if (chunk != 0)
				usleep(2000);
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

/* The same with a generator: lines of 99 'x' + LF, total bytes. */
static int generator(size_t total, pid_t *pid)
{
	char block[100 * 655];
	int fds[2];

	if (pipe(fds) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < sizeof(block); i += 100) {
			memset(block + i, 'x', 99);
			block[i + 99] = '\n';
		}
		for (size_t o = 0; o < total; o += sizeof(block))
			if (write(fds[1], block, sizeof(block)) != (ssize_t)sizeof(block))
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void test_byte_at_a_time(void)
{
	static const char in[] = "From x\r\nSubject: a\r\n b\r\n\r\nx\r\r\ny\rz\r\n.\r\nafter\r\n";
	static const char want[] = "Subject: a\r\n b\r\n\r\nx\r\ny\r\nz\r\n";
	struct message_opts o = { .dot_ends = true };
	struct error e = { 0 };
	struct message *m;
	int status;
	pid_t pid;
	int fd = writer(in, sizeof(in) - 1, 1, &pid);
	size_t len;
	char *out;

	m = message_read(fd, &o, &e);
	close(fd);
	waitpid(pid, &status, 0);
	ok(m != NULL, "read a byte at a time");
	out = render(m, &len);
	is_mem(out, len, want, sizeof(want) - 1, "chunk boundaries change nothing");
	free(out);
	message_free(m);
}

static void repeat(struct buf *b, char c, size_t n)
{
	while (n-- > 0)
		buf_append_char(b, c);
}

/* Intake of in (chunk octets per read, 0: from memory) with line_max,
 * compared to want. */
static void check_fold(const struct buf *in, size_t chunk, size_t line_max, const struct buf *want,
		       const char *name)
{
	struct message_opts o = { .line_max = line_max };
	struct error e = { 0 };
	struct message *m;
	size_t len;
	char *out;
	int status;
	pid_t pid;

	if (chunk == 0) {
		m = message_from_mem(in->data, in->len, &o, &e);
	} else {
		int fd = writer(in->data, in->len, chunk, &pid);

		m = message_read(fd, &o, &e);
		close(fd);
		waitpid(pid, &status, 0);
	}
	out = render(m, &len);
	if (!is_mem(out, len, want->data, want->len, "%s", name))
		diag("got %zu octets, want %zu", len, want->len);
	free(out);
	message_free(m);
}

/* Body lines over smtp_line_length_limit get CRLF SPACE (postfix.md §1.4
 * item 10) when they cannot be re-encoded, here because of a DKIM
 * signature (test-mime has the rest), never inside a UTF-8 sequence. */
static void test_fold_body(void)
{
	struct buf in = { 0 }, want = { 0 };

	buf_append_str(&in, "DKIM-Signature: v=1\n\n");
	buf_append_str(&want, "DKIM-Signature: v=1\r\n\r\n");
	repeat(&in, 'a', 998);
	repeat(&want, 'a', 998);
	buf_append_str(&in, "\n");
	buf_append_str(&want, "\r\n");
	repeat(&in, 'b', 2000);
	repeat(&want, 'b', 998);
	buf_append_str(&want, "\r\n ");
	repeat(&want, 'b', 997);
	buf_append_str(&want, "\r\n bbbbb");
	buf_append_str(&in, "\n.\n");
	buf_append_str(&want, "\r\n.\r\n");
	repeat(&in, 'c', 997);
	repeat(&want, 'c', 997);
	buf_append_str(&in, "\xc3\xa9"
			    "d\n");
	buf_append_str(&want, "\r\n \xc3\xa9"
			      "d\r\n");
	check_fold(&in, 0, 0, &want, "fold: 998 kept, 2000 in three lines, UTF-8 kept whole");
	check_fold(&in, 1, 0, &want, "fold a byte at a time: the same places");
	buf_reset(&want);
	buf_append_str(&want, "DKIM-Signature: v=1\r\n\r\n");
	repeat(&want, 'a', 998);
	buf_append_str(&want, "\r\n");
	repeat(&want, 'b', 2000);
	buf_append_str(&want, "\r\n.\r\n");
	repeat(&want, 'c', 997);
	buf_append_str(&want, "\xc3\xa9"
			      "d\r\n");
	check_fold(&in, 0, MESSAGE_LINE_UNLIMITED, &want, "no folding when unlimited");
	buf_fini(&in);
	buf_fini(&want);
}

/* Header lines: a fold before a blank where there is one, else CRLF SPACE. */
static void test_fold_header(void)
{
	struct buf in = { 0 }, want = { 0 };
	char *raw;
	size_t len;

	buf_append_str(&in, "Subject:");
	buf_append_str(&want, "Subject:");
	for (int i = 0; i < 30; i++) {
		buf_append_str(&in, " word567890");
		/* 6 words fit after "Subject:" in 80 octets, then 7 a line. */
		buf_append_str(&want, i > 0 && i % 7 == 6 ? "\r\n word567890" : " word567890");
	}
	buf_append_str(&in, "\nX-Long: ");
	buf_append_str(&want, "\r\nX-Long:\r\n ");
	repeat(&in, 'z', 100);
	repeat(&want, 'z', 79);
	buf_append_str(&want, "\r\n ");
	repeat(&want, 'z', 21);
	buf_append_str(&in, "\n\nbody\n");
	buf_append_str(&want, "\r\n\r\nbody\r\n");
	check_fold(&in, 0, 80, &want, "header fold: at the last blank, else CRLF SPACE");
	check_fold(&in, 7, 80, &want, "header fold: the same in 7-octet reads");

	raw = str_dup("To: a,\r\n   b");
	len = strlen(raw);
	ok(fold_header(raw, &len, 998) == raw, "fold_header: short lines unchanged");
	free(raw);
	raw = str_dup("X:                                                  y");
	len = strlen(raw);
	raw = fold_header(raw, &len, 40);
	is_str(raw, "X:                                      \r\n            y",
	       "fold_header: a line of blanks breaks only where text follows");
	is_int((long long)len, (long long)strlen(raw), "fold_header: length updated");
	free(raw);
	is_int((long long)fold_cut("ab\xc3\xa9", 3), 2, "fold_cut backs over a continuation byte");
	is_int((long long)fold_cut("\x80\x80\x80\x80\x80", 4), 1, "fold_cut: at most three back");
	is_int((long long)fold_cut("\x80\x80\x80\x80", 3), 3,
	       "fold_cut: nothing to back to, cut at room");
	buf_fini(&in);
	buf_fini(&want);
}

/* A file fd makes read() sizes fixed (128 KiB): put a dot right after a
 * chunk boundary that is inside a long line, and a real lone dot after
 * another boundary. */
static void test_chunk_boundary(void)
{
	static const char head[] = "Subject: s\n\n";
	size_t first = 131072 - (sizeof(head) - 1), len;
	char path[] = "/tmp/relaymail-test.XXXXXX";
	struct message_opts o = { .dot_ends = true, .line_max = MESSAGE_LINE_UNLIMITED };
	struct error e = { 0 };
	struct buf in = { 0 }, want = { 0 };
	struct message *m;
	int fd = mkstemp(path);
	char *out;

	unlink(path);
	buf_append_str(&in, head);
	buf_append_str(&want, "Subject: s\r\n\r\n");
	for (size_t i = 0; i < first; i++) {
		buf_append_char(&in, 'x');
		buf_append_char(&want, 'x');
	}
	buf_append_str(&in, ".\nnext\n");
	buf_append_str(&want, ".\r\nnext\r\n");
	/* The second boundary falls right before a lone dot. */
	while (2 * 131072 - in.len >= 2) {
		buf_append_str(&in, "y\n");
		buf_append_str(&want, "y\r\n");
	}
	if (in.len < 2 * 131072) {
		buf_append_str(&in, "\n");
		buf_append_str(&want, "\r\n");
	}
	buf_append_str(&in, ".\nnot this\n");
	ok(write(fd, in.data, in.len) == (ssize_t)in.len && lseek(fd, 0, SEEK_SET) == 0,
	   "test file written");
	m = message_read(fd, &o, &e);
	out = render(m, &len);
	ok(len == want.len && memcmp(out, want.data, len) == 0,
	   "dot after a boundary inside a line is data; lone dot after one ends input");
	free(out);
	message_free(m);
	close(fd);
	buf_fini(&in);
	buf_fini(&want);
}

/* The open spill file of this process: unlinked and close-on-exec. */
static void check_spill_file(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int found = 0, cloexec = 0;

	if (d == NULL) {
		diag("no /proc/self/fd: spill file checks skipped");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[300], target[512];
		unsigned long fd;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/tmp/relaymail.", 15) == 0 &&
		    strstr(target, " (deleted)") != NULL &&
		    str_to_ulong(de->d_name, 65535, &fd) == 0) {
			found++;
			cloexec += (fcntl((int)fd, F_GETFD) & FD_CLOEXEC) != 0;
		}
	}
	closedir(d);
	is_int(found, 1, "one spill file, already unlinked");
	is_int(cloexec, 1, "spill file is close-on-exec");
}

static void test_spill_errors(void)
{
	struct message_opts o = { .mem_max = 10, .tmpdir = "/nonexistent-relaymail" };
	struct error e = { 0 };
	struct message *m = message_from_mem("S: x\n\n0123456789abcdef\n", 24, &o, &e);

	ok(m == NULL && e.cls == ERROR_IO, "no temporary directory: ERROR_IO");
	is_str(e.text,
	       "cannot create a temporary file in /nonexistent-relaymail: No such file or "
	       "directory",
	       "error names the directory");
	message_free(m);

	/* The name of the file must fit 4096 bytes: 4079 for the folder. */
	for (size_t len = 4079; len <= 4080; len++) {
		char *dir = malloc(len + 1);

		if (dir == NULL)
			return;
		memset(dir, 'd', len);
		dir[0] = '/';
		dir[len] = '\0';
		o.tmpdir = dir;
		error_clear(&e);
		m = message_from_mem("S: x\n\n0123456789abcdef\n", 24, &o, &e);
		if (len == 4079)
			ok(m == NULL && e.cls == ERROR_IO &&
			       strstr(e.text, "cannot create") != NULL,
			   "a folder name of 4079 bytes is tried");
		else
			ok(m == NULL && e.cls == ERROR_IO && strstr(e.text, "is too long") != NULL,
			   "a folder name of 4080 bytes is too long");
		message_free(m);
		free(dir);
	}
}

/* 1 MB through a pipe with a 100-byte memory bound: the body moves to the
 * temporary file and comes back byte for byte. */
static void test_spill(void)
{
	struct message_opts o = { .mem_max = 100, .tmpdir = "/tmp" };
	struct buf in = { 0 }, want = { 0 };
	struct error e = { 0 };
	struct message *m;
	size_t pieces = 0, biggest = 0;
	struct message_cursor *c = malloc(sizeof(*c));
	int status;
	pid_t pid;
	int fd;
	const char *p;
	ssize_t r;

	buf_append_str(&in, "Subject: big\nTo: a@b\n\n");
	buf_append_str(&want, "Subject: big\r\nTo: a@b\r\n\r\n");
	for (unsigned i = 0; in.len < 1000000; i++) {
		buf_printf(&in, "line %u \303\251 %.*s\n", i, (int)(i % 90),
			   "abcdefghij"
			   "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
			   "abcdefghij");
		buf_printf(&want, "line %u \303\251 %.*s\r\n", i, (int)(i % 90),
			   "abcdefghij"
			   "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
			   "abcdefghij");
	}
	fd = writer(in.data, in.len, 0, &pid);
	m = message_read(fd, &o, &e);
	close(fd);
	waitpid(pid, &status, 0);
	ok(m != NULL, "1 MB message read: %s", m != NULL ? "" : e.text);
	is_int((long long)message_size(m), (long long)want.len, "size of the spilled message");
	ok(message_is_8bit(m), "8-bit body detected in a spilled body");
	check_spill_file();
	{
		struct buf got = { 0 };

		message_rewind(m, c);
		while ((r = message_next(m, c, &p, &e)) > 0) {
			buf_append(&got, p, (size_t)r);
			pieces++;
			biggest = (size_t)r > biggest ? (size_t)r : biggest;
		}
		ok(r == 0 && got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
		   "exact round trip through the temporary file");
		ok(pieces > 1 && biggest <= sizeof(c->chunk), "read back in chunk-sized pieces");
		buf_fini(&got);
	}
	free(c);
	message_free(m);
	buf_fini(&in);
	buf_fini(&want);
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Peak memory must not follow the message size (DESIGN.md: memory flat). */
static void test_flat_memory(void)
{
	size_t total = 50 * 1000 * 1000;
	struct error e = { 0 };
	struct timespec t0, t1;
	long before, after;
	struct message *m;
	int status;
	pid_t pid;
	int fd;

	before = max_rss_kib();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = generator(total, &pid);
	m = message_read(fd, NULL, &e);
	close(fd);
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	after = max_rss_kib();
	ok(m != NULL && message_size(m) >= total + total / 100, "50 MB read");
	ok(after - before < 20 * 1024, "peak RSS grew by %ld KiB (limit 20 MiB)", after - before);
	diag("50 MB intake took %.2f s",
	     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	message_free(m);
}

/* A stop signal (base/stop.h) while message_read waits for the rest: in
 * a child, as a stop cannot be taken back, that a grandchild signals once
 * the first part is in the pipe. The child reports on its stdout. */
static void stopped_read_child(int report)
{
	struct message_opts o = { .dot_ends = true };
	struct error e = { 0 };
	struct message *m;
	char line[ERROR_TEXT_MAX + 256], *text;
	int p[2];
	size_t len;
	pid_t parent = getpid();

	if (stop_install() < 0 || pipe(p) < 0 || write(p[1], "Subject: x\n\npart", 16) != 16)
		_exit(1);
	if (fork() == 0) {
		usleep(200000);
		kill(parent, SIGTERM);
		_exit(0);
	}
	m = message_read(p[0], &o, &e);
	text = m != NULL ? render(m, &len) : NULL;
	snprintf(line, sizeof(line), "%s|%s|%s|%s", m == NULL ? "NULL" : text,
		 m != NULL && message_incomplete(m) ? "incomplete" : "whole",
		 error_class_name(e.cls), e.text);
	free(text);
	message_free(m);
	(void)!write(report, line, strlen(line));
	_exit(0);
}

static void test_stopped_read(void)
{
	char got[ERROR_TEXT_MAX + 256];
	size_t len = 0;
	ssize_t n;
	int p[2];
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0) {
		ok(false, "pipe and fork");
		return;
	}
	if (pid == 0) {
		close(p[0]);
		stopped_read_child(p[1]);
	}
	close(p[1]);
	while (len < sizeof(got) - 1 && (n = read(p[0], got + len, sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	close(p[0]);
	waitpid(pid, NULL, 0);
	is_str(got, "Subject: x\r\n\r\npart\r\n|incomplete|temp|interrupted by SIGTERM",
	       "a stop while reading: the part read, marked incomplete, the stop in err");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_flat_memory(); /* first: the peak RSS is a high-water mark */
	test_line_ends();
	test_nul_body();
	test_from_and_dot();
	test_headers();
	test_edit();
	test_set();
	test_recipients();
	test_header_limit();
	test_size_limit();
	test_8bit();
	test_byte_at_a_time();
	test_chunk_boundary();
	test_fold_body();
	test_fold_header();
	test_spill();
	test_spill_errors();
	test_stopped_read();
	return tap_done();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --resend: take each dead letter file, read its messages one by one
 * (mboxrd, with the X-Relaymail- lines deadletter.c writes after each
 * From_ line), and hand each to submit_again (the envelope it was kept
 * with) or submit_message (what the caller had asked for, when the
 * envelope was never built). A message that fails is kept again by that
 * same path, so it lands where a new failure would. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "app/exitcode.h"
#include "app/resend.h"
#include "app/submit.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/stop.h"
#include "base/str.h"
#include "mail/intake.h"

#define CHUNK 65536
#define ARGS_MAX 1000

struct reader {
	int fd;
	char chunk[CHUNK];
	size_t pos, len;
	off_t off; /* file offset of chunk[pos] */
	bool eof;
};

/* One kept message's record (deadletter.c, record()). */
struct entry {
	bool envelope; /* X-Relaymail-Sender and -Rcpt: the envelope as built */
	char *sender;
	struct addrlist rcpts;
	char *arg_sender;
	char *args[ARGS_MAX];
	size_t nargs;
	bool extract, incomplete;
	char *notify, *ret, *envid;
};

/* What became of the messages of one run. */
struct tally {
	unsigned sent, kept;
	int status; /* EX_OK, or the status of what is left */
};

static void entry_fini(struct entry *e)
{
	free(e->sender);
	addrlist_fini(&e->rcpts);
	free(e->arg_sender);
	for (size_t i = 0; i < e->nargs; i++)
		free(e->args[i]);
	free(e->notify);
	free(e->ret);
	free(e->envid);
	memset(e, 0, sizeof(*e));
}

/* The next line into line, without its "\n"; *at is where it starts.
 * 1, 0 at the end of the file, -1 (err). */
static int next_line(struct reader *r, struct buf *line, off_t *at, struct error *err)
{
	buf_reset(line);
	*at = r->off;
	for (;;) {
		char *nl;

		if (r->pos == r->len) {
			ssize_t n;

			if (r->eof)
				return line->len > 0 ? 1 : 0;
			n = read(r->fd, r->chunk, sizeof(r->chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				error_set_errno(err, ERROR_IO, errno, "%s",
						_("cannot read a dead letter file"));
				return -1;
			}
			r->pos = 0;
			r->len = (size_t)n;
			r->eof = n == 0;
			continue;
		}
		nl = memchr(r->chunk + r->pos, '\n', r->len - r->pos);
		size_t take = nl != NULL ? (size_t)(nl - (r->chunk + r->pos)) : r->len - r->pos;

		if (buf_append(line, r->chunk + r->pos, take) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
		r->pos += take;
		r->off += (off_t)take;
		if (nl != NULL) {
			r->pos++;
			r->off++;
			return 1;
		}
	}
}

static bool is_from(const struct buf *line)
{
	return line->len >= 5 && memcmp(line->data, "From ", 5) == 0;
}

/* The value of an "X-Relaymail-NAME: value" line, or NULL. */
static const char *field(const struct buf *line, const char *name)
{
	size_t n = strlen(name);

	if (line->len < 12 + n + 2 || memcmp(line->data, "X-Relaymail-", 12) != 0 ||
	    memcmp(line->data + 12, name, n) != 0 || memcmp(line->data + 12 + n, ": ", 2) != 0)
		return NULL;
	return line->data + 12 + n + 2;
}

/* "<addr>" without its brackets, malloc'd. */
static char *unbracket(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '<' && v[n - 1] == '>')
		return str_ndup(v + 1, n - 2);
	return str_dup(v);
}

/* One X-Relaymail- line into e: 0, or -1 out of memory. */
static int take_field(struct entry *e, const struct buf *line)
{
	const char *v;
	char *copy;

	if ((v = field(line, "Sender")) != NULL) {
		e->envelope = true;
		free(e->sender);
		return (e->sender = unbracket(v)) != NULL ? 0 : -1;
	}
	if ((v = field(line, "Rcpt")) != NULL) {
		e->envelope = true;
		copy = unbracket(v);
		if (copy == NULL || addrlist_add(&e->rcpts, copy) < 0) {
			free(copy);
			return -1;
		}
		free(copy);
		return 0;
	}
	if ((v = field(line, "Arg-Sender")) != NULL)
		return (e->arg_sender = str_dup(v)) != NULL ? 0 : -1;
	if ((v = field(line, "Arg-Rcpt")) != NULL) {
		if (e->nargs == ARGS_MAX)
			return 0;
		return (e->args[e->nargs++] = str_dup(v)) != NULL ? 0 : -1;
	}
	if (field(line, "Arg-Extract") != NULL)
		e->extract = true;
	else if (field(line, "Incomplete") != NULL)
		e->incomplete = true;
	else if ((v = field(line, "Notify")) != NULL)
		return (e->notify = str_dup(v)) != NULL ? 0 : -1;
	else if ((v = field(line, "Ret")) != NULL)
		return (e->ret = str_dup(v)) != NULL ? 0 : -1;
	else if ((v = field(line, "Envid")) != NULL)
		return (e->envid = str_dup(v)) != NULL ? 0 : -1;
	/* Reason and names of later versions: nothing to act on. */
	return 0;
}

/* A message line back as it was: one '>' less before "From ". */
static int feed_line(struct intake *in, const struct buf *line, struct error *err)
{
	size_t k = 0;

	while (k < line->len && line->data[k] == '>')
		k++;
	k = k > 0 && line->len - k >= 5 && memcmp(line->data + k, "From ", 5) == 0 ? 1 : 0;
	if (intake_feed(in, line->data + k, line->len - k, err) < 0)
		return -1;
	return intake_feed(in, "\n", 1, err);
}

/* The rest of one kept message: its X-Relaymail- lines (up to
 * X-Relaymail-End; in files of before that line, only -Rcpt lines), then
 * the message up to the next From_ line (left in line, its offset in
 * *next) or the end (*next -1). line holds the line after the From_
 * line (have 1) or nothing (have 0), *at its offset. The blank line
 * before a From_ line is the separator, not the message's. */
static struct message *read_message(const struct context *ctx, struct reader *r, struct buf *line,
				    int have, off_t *at, struct entry *e, off_t *next,
				    struct error *err)
{
	struct message_opts mo = ctx->intake;
	bool fields = have == 1 && field(line, "Reason") != NULL;
	struct intake *in;
	size_t blanks = 0;
	int rc = have;

	mo.dot_ends = false;
	mo.fix_eol = MESSAGE_EOL_ALWAYS; /* the file's own line ends */
	while (rc == 1 && (fields || field(line, "Rcpt") != NULL)) {
		bool end = field(line, "End") != NULL;

		if (!end && take_field(e, line) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return NULL;
		}
		rc = next_line(r, line, at, err);
		if (end)
			break;
	}
	if (rc < 0 || (in = intake_new(&mo, err)) == NULL)
		return NULL;
	while (rc == 1 && !is_from(line)) {
		if (line->len == 0) {
			blanks++;
		} else {
			for (; blanks > 0 && rc == 1; blanks--)
				rc = intake_feed(in, "\n", 1, err) < 0 ? -1 : 1;
			if (rc == 1 && feed_line(in, line, err) < 0)
				rc = -1;
		}
		if (rc == 1)
			rc = next_line(r, line, at, err);
	}
	for (; blanks > 1 && rc >= 0; blanks--)
		rc = intake_feed(in, "\n", 1, err) < 0 ? -1 : rc;
	if (rc < 0) {
		intake_free(in);
		return NULL;
	}
	*next = rc == 1 ? *at : -1;
	return intake_finish(in, err);
}

/* Mark where the next message starts: the file's .pos note. */
static int note_progress(const char *pos_path, off_t next, struct error *err)
{
	char text[32];
	int fd = open(pos_path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	int n = snprintf(text, sizeof(text), "%020" PRIdMAX "\n", (intmax_t)next);

	if (fd < 0 || pwrite(fd, text, (size_t)n, 0) != n || fsync(fd) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot write %s"), pos_path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static off_t read_progress(const char *pos_path)
{
	char text[32] = { 0 };
	int fd = open(pos_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	unsigned long v;

	if (fd < 0)
		return 0;
	if (read(fd, text, sizeof(text) - 1) < 20) {
		close(fd);
		return 0;
	}
	close(fd);
	text[20] = '\0';
	return str_to_ulong(text, (unsigned long)INTMAX_MAX, &v) == 0 ? (off_t)v : 0;
}

/* Send one kept message again; false when it could not even be kept
 * again (then it stays where it is). */
static bool resend_one(const struct context *ctx, struct entry *e, struct message *m,
		       struct tally *t)
{
	struct submission sub = { .notify = e->notify, .ret = e->ret, .envid = e->envid };
	struct submit_result res = { 0 };
	struct deadletter_entry again = { .sender = e->sender,
					  .rcpts = e->envelope ? &e->rcpts : NULL,
					  .sub = &sub };
	int rc;

	sub.sender = e->arg_sender;
	sub.rcpts = (const char *const *)e->args;
	sub.nrcpts = e->nargs;
	sub.extract = e->extract;
	if (e->incomplete || (!e->envelope && e->nargs == 0 && !e->extract)) {
		again.incomplete = e->incomplete;
		again.reason = e->incomplete
				   ? _("the message is incomplete; it is not sent again")
				   : _("no envelope was kept with the message; send it by "
				       "hand");
		log_error("%s", again.reason);
		if (!submit_keep_entry(ctx, m, &again))
			return false;
		t->kept++;
		if (t->status == EX_OK)
			t->status = EX_DATAERR;
		return true;
	}
	if (e->envelope)
		rc =
		    submit_again(ctx, &sub, e->sender != NULL ? e->sender : "", &e->rcpts, m, &res);
	else
		rc = submit_message(ctx, &sub, m, &res);
	if (rc == 0) {
		t->sent++;
		return true;
	}
	if (!res.saved)
		return false;
	t->kept++;
	if (exitcode_for(res.err.cls) == EX_TEMPFAIL || t->status == EX_OK)
		t->status = exitcode_for(res.err.cls);
	return true;
}

/* Every message of the taken file fd (named path) from where its .pos
 * note says; both are removed at the end. */
static int resend_file(const struct context *ctx, int fd, const char *path, struct tally *t,
		       struct error *err)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct buf line = { 0 }, pos_path = { 0 };
	off_t at = 0, next = 0;
	int rc = -1, have;

	if (r == NULL || buf_printf(&pos_path, "%s.pos", path) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		goto out;
	}
	r->fd = fd;
	r->off = read_progress(pos_path.data);
	if (lseek(fd, r->off, SEEK_SET) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot read %s"), path);
		goto out;
	}
	have = next_line(r, &line, &at, err);
	if (have == 1 && !is_from(&line)) {
		error_set(err, ERROR_DATA, _("%s is not a dead letter file (no From_ line at %jd)"),
			  path, (intmax_t)at);
		goto out;
	}
	/* A stop ends the run between two messages: the .pos note says
	 * where the next run goes on. */
	while (have == 1 && stop_signal() == 0) {
		struct entry e = { 0 };
		struct message *m;
		/* Files of before X-Relaymail-Sender name the sender here. */
		char *from = str_ndup(line.data + 5, strcspn(line.data + 5, " "));

		if (from == NULL) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			goto out;
		}
		have = next_line(r, &line, &at, err);
		m = have >= 0 ? read_message(ctx, r, &line, have, &at, &e, &next, err) : NULL;
		if (m != NULL && e.envelope && e.sender == NULL) {
			e.sender = str_eq_ci(from, "MAILER-DAEMON") ? str_dup("") : from;
			from = e.sender == from ? NULL : from;
		}
		free(from);
		if (m == NULL) {
			entry_fini(&e);
			goto out;
		}
		if (!resend_one(ctx, &e, m, t)) {
			message_free(m);
			entry_fini(&e);
			error_set(err, ERROR_IO, _("%s is left for the next --resend"), path);
			goto out;
		}
		message_free(m);
		entry_fini(&e);
		have = next >= 0 ? 1 : 0;
		if (next >= 0 && note_progress(pos_path.data, next, err) < 0)
			goto out;
	}
	if (have < 0)
		goto out;
	if (have == 1) {
		stop_error(err);
		goto out;
	}
	unlink(path);
	unlink(pos_path.data);
	rc = 0;
out:
	buf_fini(&line);
	buf_fini(&pos_path);
	free(r);
	return rc;
}

/* Take path away from its name for this run: NAME.resend-XXXXXX, locked.
 * A name that was already taken (a run that did not finish) is only
 * locked, and left alone (0) while another run holds it. */
static int take(const char *path, int *fdp, char *taken, size_t size, struct error *err)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	unsigned char rnd[6] = { 0 };
	struct stat st;
	int fd;

	if (strstr(path, ".resend-") != NULL) {
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid()) {
			error_set_errno(err, ERROR_IO, errno, _("cannot open %s"), path);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (fcntl(fd, F_SETLK, &fl) < 0) {
			close(fd);
			return 0;
		}
		snprintf(taken, size, "%s", path);
		*fdp = fd;
		return 1;
	}
	if ((fd = deadletter_open_locked(path, false, err)) < 0)
		return -1;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memcpy(rnd, &fd, sizeof(fd));
	snprintf(taken, size, "%s.resend-%c%c%c%c%c%c", path, letters[rnd[0] % 36],
		 letters[rnd[1] % 36], letters[rnd[2] % 36], letters[rnd[3] % 36],
		 letters[rnd[4] % 36], letters[rnd[5] % 36]);
	if (rename(path, taken) < 0) {
		error_set_errno(err, ERROR_IO, errno, _("cannot rename %s"), path);
		close(fd);
		return -1;
	}
	*fdp = fd;
	return 1;
}

int resend_run(const struct context *ctx, char *const *files)
{
	struct tally t = { 0, 0, EX_OK };
	char **found = NULL;
	struct error err = { 0 };

	if (files == NULL || files[0] == NULL) {
		if ((found = deadletter_files(&ctx->dead, &err)) == NULL) {
			log_error("%s", err.text);
			return exitcode_for(err.cls);
		}
		files = found;
	}
	for (size_t i = 0; files[i] != NULL && stop_signal() == 0; i++) {
		char taken[4096 + 32];
		int fd = -1, rc = take(files[i], &fd, taken, sizeof(taken), &err);

		if (rc == 0) {
			log_warning(_("%s is in use by another relaymail --resend; left for it"),
				    files[i]);
			t.status = EX_TEMPFAIL;
			continue;
		}
		if (rc > 0 && resend_file(ctx, fd, taken, &t, &err) == 0) {
			close(fd);
			continue;
		}
		if (fd >= 0)
			close(fd);
		log_error("%s", err.text);
		t.status = exitcode_for(err.cls) == EX_TEMPFAIL || t.status == EX_OK
			       ? exitcode_for(err.cls)
			       : t.status;
		error_clear(&err);
	}
	if (t.kept > 0 || log_verbosity() > 0)
		log_error(_("messages sent again: %u; kept for later: %u"), t.sent, t.kept);
	deadletter_files_free(found);
	return t.status;
}

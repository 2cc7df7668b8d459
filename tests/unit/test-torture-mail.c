/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocation failures in the mail layer (torture.h), through its public
 * functions: address lists and envelope checks; messages taken in from
 * memory (long lines folded, bare CR, NUL, 8-bit, From_ lines, the lone
 * dot, header_size_limit, a body that spills to the temporary file) and
 * their header fields added, removed, replaced and read for -t;
 * encoded words; canonical rewriting of envelope addresses and header
 * fields over inline: and regexp: tables; aliases parsed and expanded,
 * luser_relay and a bad entry included; masquerading, smtp_generic_maps
 * on addresses and header fields, and the BCC lookups; addrfind's keys
 * and lookups; IDN. A configuration a scenario needs is parsed before its runs, so
 * only the mail layer's allocations are counted. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "mail/addrfind.h"
#include "mail/address.h"
#include "mail/alias.h"
#include "mail/bcc.h"
#include "mail/body_checks.h"
#include "mail/encword.h"
#include "mail/generic.h"
#include "mail/header_checks.h"
#include "mail/header_fix.h"
#include "mail/idn.h"
#include "mail/message.h"
#include "mail/rewrite.h"
#include "tap.h"
#include "torture.h"

static char dir[] = "/tmp/test-torture-mail.XXXXXX";
static char *const noenv[] = { NULL };

/* Append to the text of a step: what the test prints must not allocate,
 * or its own allocations would be made to fail. */
static void say(char *s, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *s, size_t size, const char *fmt, ...)
{
	size_t used = strlen(s);
	va_list ap;

	va_start(ap, fmt);
	if (used < size)
		vsnprintf(s + used, size - used, fmt, ap);
	va_end(ap);
}

/* A step that gave an address list: the addresses joined by spaces, or
 * the error; true when that error is out of memory. */
static bool end_list(const char *what, int rc, const struct addrlist *l, const struct error *err)
{
	char text[500] = "";

	for (size_t i = 0; i < l->n; i++)
		say(text, sizeof(text), "%s%s", i > 0 ? " " : "", l->v[i]);
	if (rc == 0)
		return torture_step_end(false, "%s: [%s]", what, text);
	return torture_step_end(torture_is_oom(err), "%s: %s", what, torture_outcome(err));
}

/* A step that gave a malloc'd string or NULL with err (freed here). */
static bool end_str(const char *what, char *s, const struct error *err)
{
	bool oom;

	if (s != NULL)
		oom = torture_step_end(false, "%s: \"%s\"", what, s);
	else
		oom = torture_step_end(torture_is_oom(err), "%s: %s", what, torture_outcome(err));
	free(s);
	return oom;
}

/* A step whose only failure is out of memory, told by a NULL result. */
static bool end_nomem_str(const char *what, char *s)
{
	bool oom = s == NULL;

	torture_step_end(oom, "%s: %s", what, s != NULL ? s : "(out of memory)");
	free(s);
	return oom;
}

/* The host's only own address: [127.0.0.1]. */
static int own_loopback(const char *addr, bool ipv6, void *arg, struct error *err)
{
	(void)arg;
	(void)err;
	return !ipv6 && strcmp(addr, "127.0.0.1") == 0;
}

static const struct addrfind_own own = { own_loopback, NULL };

/* ---- addresses ------------------------------------------------------- */

static const char *const address_lists[] = {
	"joe@example.com",
	"\"Joe Q. Public\" <joe@example.com>, amy@example.org (Amy), <@route,@r2:rt@x.example>",
	"friends: a@x.example, \"b c\"@x.example;, undisclosed-recipients:;, last@x.example",
	"a-local-part-long-enough-to-grow-the-candidate-buffer@a-long-domain.example",
	"a1@x, a2@x, a3@x, a4@x, a5@x, a6@x, a7@x, a8@x, a9@x, a10@x, a11@x, a12@x, a13@x, "
	"a14@x, a15@x, a16@x, a17@x",
	"x@[IPv6:2001:db8::1], \"q\\\"uote\"@x (a (nested) comment)",
	"bad (unterminated",
	"two words <no-close",
	"Name Only",
	"a >b",
	NULL,
};

/* An address of 999 bytes, one past the cap: a fault of the input,
 * which a failed allocation must not be taken for (main fills it). */
static char address_999[1000];

static void run_address(const void *arg)
{
	static const char *const envelope[] = { "joe@example.com", "",	   "-oQ@x",
						"a b@x",	   "joe@", "\"open@x" };
	struct addrlist l = { 0 };
	struct error err = { 0 };
	char what[32];
	int rc;

	(void)arg;
	for (size_t i = 0; address_lists[i] != NULL; i++) {
		torture_step_begin();
		rc = address_parse_list(address_lists[i], strlen(address_lists[i]), &l, &err);
		snprintf(what, sizeof(what), "list %zu", i);
		if (end_list(what, rc, &l, &err))
			goto done;
		addrlist_fini(&l);
	}
	torture_step_begin();
	rc = address_parse_list(address_999, strlen(address_999), &l, &err);
	if (end_list("999 bytes", rc, &l, &err))
		goto done;
	for (size_t i = 0; i < sizeof(envelope) / sizeof(envelope[0]); i++) {
		torture_step_begin();
		rc = address_check_envelope(envelope[i], i == 1, &err);
		torture_step_end(false, "envelope \"%s\": %s", envelope[i],
				 rc == 0 ? "ok" : torture_outcome(&err));
	}
	torture_step_begin();
	if (end_nomem_str("qualify", address_qualify("root", "example.com")))
		goto done;
	torture_step_begin();
	rc = addrlist_add_unique(&l, "a@Example.COM");
	if (rc == 0)
		rc = addrlist_add_unique(&l, "a@example.com");
	if (rc == 0)
		rc = addrlist_add_unique(&l, "A@example.com");
	torture_step_end(rc < 0, "unique: %d, %zu addresses", rc, l.n);
done:
	addrlist_fini(&l);
}

static void test_addresses(void)
{
	memset(address_999, 'a', sizeof(address_999) - 1);
	memcpy(address_999 + sizeof(address_999) - 6, "@x.ex", 5);
	torture_run("addresses", run_address, NULL);
}

/* ---- messages -------------------------------------------------------- */

/* The stored form of m as a step: fields, size, 8-bit, and a hash of
 * every byte the cursor gives back. */
static void end_message(const char *what, const struct message *m)
{
	static struct message_cursor c;
	struct error err = { 0 };
	unsigned long h = 5381;
	size_t total = 0;
	const char *p;
	ssize_t r;

	message_rewind(m, &c);
	while ((r = message_next(m, &c, &p, &err)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			h = h * 33 + (unsigned char)p[i];
		total += (size_t)r;
	}
	torture_step_end(false, "%s: %zu fields, %zu bytes (read %zu%s), 8bit %d/%d, hash %lx",
			 what, message_header_count(m), message_size(m), total,
			 r < 0 ? ", read error" : "", message_is_8bit(m), message_header_is_utf8(m),
			 h);
}

/* One message, the options to take it in with, and whether to work on
 * its header fields afterwards. */
struct mcase {
	const char *name;
	const char *text;
	size_t len;
	struct message_opts opts;
	bool fields;
};

/* Add, remove, replace and read the header fields of m; false after a
 * step that ran out of memory. */
static bool work_fields(struct message *m)
{
	struct addrlist l = { 0 };
	struct error err = { 0 };
	const char *v;
	bool oom;
	int rc;

	torture_step_begin();
	rc = message_header_add(m, "X-Added", "first", false);
	if (torture_step_end(rc < 0 && errno == ENOMEM, "add: %d", rc))
		return false;
	torture_step_begin();
	rc = message_header_add(m, "Return-Path", "<joe@example.com>", true);
	if (torture_step_end(rc < 0 && errno == ENOMEM, "prepend: %d", rc))
		return false;
	for (int i = 0; i < 18; i++) {
		char name[24];

		snprintf(name, sizeof(name), "X-Grow-%d", i);
		torture_step_begin();
		rc = message_header_add(m, name, "", false);
		if (torture_step_end(rc < 0 && errno == ENOMEM, "add %s: %d", name, rc))
			return false;
	}
	torture_step_begin();
	rc = message_header_add(m, "Bad Name", "x", false);
	torture_step_end(false, "bad name: %d", rc);
	torture_step_begin();
	rc = message_header_set(m, 1, "a new value that is longer than what was there before");
	if (torture_step_end(rc < 0 && errno == ENOMEM, "set: %d %s", rc,
			     message_header_value(m, 1)))
		return false;
	torture_step_begin();
	rc = message_header_set(m, 1, "bare\nLF");
	torture_step_end(false, "set bare LF: %d %s", rc, message_header_value(m, 1));
	torture_step_begin();
	torture_step_end(false, "removed %zu", message_header_remove(m, "x-grow-3"));
	torture_step_begin();
	v = message_header_find(m, "SUBJECT");
	torture_step_end(false, "find: %s", v != NULL ? v : "(none)");
	torture_step_begin();
	rc = message_header_recipients(m, &l, &err);
	oom = end_list("recipients", rc, &l, &err);
	addrlist_fini(&l);
	if (oom)
		return false;
	end_message("after", m);
	return true;
}

static void run_message(const void *arg)
{
	const struct mcase *c = arg;
	struct error err = { 0 };
	struct message *m;

	torture_step_begin();
	m = message_from_mem(c->text, c->len, &c->opts, &err);
	if (m == NULL) {
		torture_step_end(torture_is_oom(&err), "%s: %s", c->name, torture_outcome(&err));
		return;
	}
	end_message(c->name, m);
	if (c->fields)
		work_fields(m);
	message_free(m);
}

static const char msg_fields[] = "From joe@example.com Mon Jan  1 00:00:00 2024\n"
				 ">From quoted\n"
				 "From: Joe <joe@example.com>\n"
				 "To: a@x.example, \"B\" <b@x.example>,\n"
				 "\tc@x.example\n"
				 "Cc: team: d@x.example, e@x.example;\n"
				 "Bcc: f@x.example\n"
				 "Subject: fields\n"
				 "Obsolete : spacing\n"
				 "\n"
				 "body\n";

static const char msg_resent[] = "To: old@x.example\n"
				 "Resent-To: new@x.example\n"
				 "Resent-Cc: broken <\n"
				 "\nbody\n";

/* Long lines in a multipart (limit 40): a part re-encoded and given a
 * Content-Type, one folded (base64), a long part header, and a message
 * re-encoded as a whole. */
static const char msg_mime[] =
    "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: text/plain; name=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n\n"
    "x\n--b\n\ncaf\xc3\xa9 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
    "--b\nContent-Transfer-Encoding: base64\n\n"
    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n--b--\n";
static const char msg_whole[] = "Subject: whole\n\n"
				"ccccccccccccccccccccccccccccccccccccccccccccccccccccccc=\n";

/* Bare CR line ends, CRs before LF, NULs, 8-bit bytes, a lone dot. */
static const char msg_bytes[] = "Subject: caf\xc3\xa9\0x\r"
				"X-CR: a\r\r\nTo: a@x\n"
				"\n"
				"line\0with NUL\rbare CR\r\r\n"
				"\xe2\x82\xac 8-bit\n"
				"..\n"
				".\n"
				"after the dot\n";

static struct mcase mcases[16];
static size_t nmcases;
static struct buf long_lines, spill, limited;

static void add_message(const char *name, const char *text, size_t len, struct message_opts o,
			bool fields)
{
	if (nmcases == sizeof(mcases) / sizeof(mcases[0])) {
		ok(false, "room for message %s", name);
		return;
	}
	mcases[nmcases++] = (struct mcase){ name, text, len, o, fields };
}

/* Header and body lines past smtp_line_length_limit, with blanks to fold
 * at and without, UTF-8 included; then a body that spills. */
static void make_messages(void)
{
	buf_append_str(&long_lines, "Subject:");
	for (int i = 0; i < 40; i++)
		buf_append_str(&long_lines, " word-of-the-subject");
	buf_append_str(&long_lines, "\nX-Solid: ");
	for (int i = 0; i < 120; i++)
		buf_append_str(&long_lines, "\xc3\xa9xxxxxx");
	buf_append_str(&long_lines, "\n\nshort\n");
	for (int i = 0; i < 150; i++)
		buf_append_str(&long_lines, "body\xe2\x82\xac");
	buf_append_str(&long_lines, "\n");

	buf_append_str(&spill, "Subject: big\nTo: a@x\n\n");
	for (int i = 0; i < 400; i++)
		buf_printf(&spill, "line %03d of a body that goes to the temporary file\n", i);

	buf_append_str(&limited, "Subject: limited\n");
	for (int i = 0; i < 20; i++)
		buf_printf(&limited, "X-Field-%02d: value %02d\n", i, i);
	buf_append_str(&limited, "\nbody\n");

	add_message("fields", msg_fields, sizeof(msg_fields) - 1, (struct message_opts){ 0 }, true);
	add_message("resent", msg_resent, sizeof(msg_resent) - 1, (struct message_opts){ 0 }, true);
	add_message("bytes", msg_bytes, sizeof(msg_bytes) - 1,
		    (struct message_opts){ .dot_ends = true }, false);
	add_message("bytes -i", msg_bytes, sizeof(msg_bytes) - 1, (struct message_opts){ 0 },
		    false);
	add_message("long lines", long_lines.data, long_lines.len, (struct message_opts){ 0 },
		    false);
	add_message("long lines, limit 60", long_lines.data, long_lines.len,
		    (struct message_opts){ .line_max = 60 }, false);
	add_message("spill", spill.data, spill.len,
		    (struct message_opts){ .mem_max = 1024, .tmpdir = dir }, true);
	add_message("header_size_limit", limited.data, limited.len,
		    (struct message_opts){ .header_max = 200 }, false);
	add_message("message_size_limit", spill.data, spill.len,
		    (struct message_opts){ .size_max = 4096 }, false);
	add_message("empty", "", 0, (struct message_opts){ 0 }, false);
	add_message("mime long lines", msg_mime, sizeof(msg_mime) - 1,
		    (struct message_opts){ .line_max = 40 }, false);
	add_message("message re-encoded", msg_whole, sizeof(msg_whole) - 1,
		    (struct message_opts){ .line_max = 40 }, true);
}

static void test_messages(void)
{
	make_messages();
	for (size_t i = 0; i < nmcases; i++)
		torture_run(mcases[i].name, run_message, &mcases[i]);
	buf_fini(&long_lines);
	buf_fini(&spill);
	buf_fini(&limited);
}

/* ---- encoded words --------------------------------------------------- */

static void run_encword(const void *arg)
{
	static const char *const names[] = {
		"Jos\xc3\xa9",
		"Ren\xc3\xa9 Fran\xc3\xa7ois Lef\xc3\xa8vre de la Fontaine-Dupr\xc3\xa9 "
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe5\x90\x8d\xe5\x89\x8d "
		"\xe3\x81\xa8\xe3\x81\x95\xe3\x82\x89\xe3\x81\xab\xe9\x95\xb7\xe3\x81\x84",
		"bad \xff\xfe bytes and a cut \xe2\x82",
	};

	(void)arg;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct buf b = { 0 };
		size_t col = 6;
		int rc;

		torture_step_begin();
		rc = encword_phrase(&b, names[i], strlen(names[i]), &col);
		torture_step_end(rc < 0, "name %zu: %d col %zu %s", i, rc, col,
				 rc == 0 && b.data != NULL ? b.data : "");
		buf_fini(&b);
		if (rc < 0)
			return;
	}
}

/* ---- canonical rewriting --------------------------------------------- */

static const char rewrite_cf[] =
    "myhostname = host.localdomain\n"
    "myorigin = localdomain\n"
    "mydomain = localdomain\n"
    "mydestination = localhost.localdomain, $myhostname\n"
    "recipient_delimiter = +\n"
    "propagate_unmatched_extensions = canonical, virtual\n"
    "sender_canonical_maps = inline:{ joe@home.example=joe@isp.example,\n"
    "    {root = admin@example.com}, @old.example=@new.example,\n"
    "    {multi@x.example = a@y.example, b@y.example}, {bad@x.example = (},\n"
    "    loop1@x.example=loop2@x.example, loop2@x.example=loop1@x.example }\n"
    "recipient_canonical_maps = inline:{ bob@old.example=bob@new.example,\n"
    "    {\"b (y)\"@old.example = by@new.example}, {joe = joe-bare@example.com} }\n"
    "canonical_maps = regexp:{ {/^(.*)@legacy\\.example$$/ $${1}@modern.example} }\n";

static const char *const senders[] = {
	"joe@home.example",	   "root",	"fred+ext@old.example",
	"multi@x.example",	   "site!user", "user%host.example",
	"@a,@b:sr@legacy.example", "",		"loop1@x.example",
	"bad@x.example",
};

static const char *const recipients[] = {
	"bob@old.example",	"\"b (y)\"@old.example",
	"joe@[127.0.0.1]",	"joe+x@localhost.localdomain",
	"someone@else.example",
};

static const char msg_rewrite[] = "From: \"Joe Q. Public\" <joe@home.example>\n"
				  "Sender: root (the admin)\n"
				  "Subject: joe@home.example\n"
				  "To: bob@old.example (Bob), Amy <amy@else.example>,\n"
				  "  friends: bob+tag@old.example, x@y.example;, root\n"
				  "Cc: a1@legacy.example, a2@legacy.example, a3@legacy.example, "
				  "a4@legacy.example, a5@legacy.example, a6@legacy.example, "
				  "a7@legacy.example, a8@legacy.example, a9@legacy.example, "
				  "a10@legacy.example, a11@legacy.example, a12@legacy.example, "
				  "a13@legacy.example, a14@legacy.example, a15@legacy.example, "
				  "a16@legacy.example, a17@legacy.example\n"
				  "Bcc: broken <\n"
				  "Reply-To: site!user\n"
				  "Resent-To: undisclosed-recipients:;\n"
				  "\nbody\n";

/* The fields of m, one step each. */
static void end_fields(const struct message *m)
{
	for (size_t i = 0; i < message_header_count(m); i++) {
		torture_step_begin();
		torture_step_end(false, "%s:%s", message_header_name(m, i),
				 message_header_value(m, i));
	}
}

static void run_rewrite(const void *arg)
{
	const struct config *cfg = arg;
	struct error err = { 0 };
	struct rewriter *rw;
	struct message *m;
	char *out, what[64];
	int rc;

	torture_step_begin();
	rw = rewriter_new(cfg, &own, &err);
	if (rw == NULL) {
		torture_step_end(torture_is_oom(&err), "rewriter_new: %s", torture_outcome(&err));
		return;
	}
	torture_step_end(false, "rewriter_new: ok");
	/* The envelope sender as the envelope step has it: the local
	 * rewrite, then the maps. */
	for (size_t i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		char *local;

		torture_step_begin();
		local = rewrite_local(rw, senders[i]);
		if (torture_step_end(local == NULL, "local %s: %s", senders[i],
				     local != NULL ? local : "(out of memory)"))
			goto done;
		torture_step_begin();
		rc = rewrite_sender(rw, local, REWRITE_ENVELOPE_SENDER, &out, &err);
		snprintf(what, sizeof(what), "sender %s", local);
		free(local);
		if (end_str(what, rc == 0 ? out : NULL, &err))
			goto done;
	}
	for (size_t i = 0; i < sizeof(recipients) / sizeof(recipients[0]); i++) {
		torture_step_begin();
		rc = rewrite_recipient(rw, recipients[i], REWRITE_ENVELOPE_RECIPIENT, &out, &err);
		snprintf(what, sizeof(what), "recipient %s", recipients[i]);
		if (end_str(what, rc == 0 ? out : NULL, &err))
			goto done;
	}
	torture_step_begin();
	m = message_from_mem(msg_rewrite, sizeof(msg_rewrite) - 1, NULL, &err);
	if (m == NULL) {
		torture_step_end(torture_is_oom(&err), "message: %s", torture_outcome(&err));
		goto done;
	}
	torture_step_end(false, "message: ok");
	torture_step_begin();
	rc = rewrite_headers(rw, m, &err);
	if (torture_step_end(rc < 0 && torture_is_oom(&err), "rewrite_headers: %s",
			     rc == 0 ? "ok" : torture_outcome(&err))) {
		message_free(m);
		goto done;
	}
	end_fields(m);
	message_free(m);
	/* A lookup that gives no address fails the whole header. */
	torture_step_begin();
	rc = rewrite_header_value(rw, "Reply-To", " x@y, bad@x.example", &out, &err);
	torture_step_end(rc < 0 && torture_is_oom(&err), "bad result: %s",
			 rc < 0	       ? torture_outcome(&err)
			 : out != NULL ? out
				       : "unchanged");
	if (rc == 0)
		free(out);
done:
	rewriter_free(rw);
}

/* The configuration is parsed before the runs. */
static void test_rewriting(void)
{
	struct error err = { 0 };
	struct config *cfg =
	    config_parse("rewrite.cf", rewrite_cf, sizeof(rewrite_cf) - 1, noenv, &err);

	if (!ok(cfg != NULL, "rewrite.cf parses%s%s", cfg != NULL ? "" : ": ", err.text))
		return;
	torture_run("canonical rewriting", run_rewrite, cfg);
	config_free(cfg);
}

/* ---- masquerading, generic maps, BCC ---------------------------------- */

static const char outbound_cf[] =
    "myhostname = host.example.com\n"
    "mydomain = example.com\n"
    "recipient_delimiter = +\n"
    "propagate_unmatched_extensions = canonical, generic\n"
    "masquerade_domains = !keep.example.com, example.com\n"
    "masquerade_exceptions = root, inline:{ {admin = x} }\n"
    "smtp_generic_maps = inline:{ {joe@example.com = joe@isp.example},\n"
    "    {@host.example.com = box@isp.example}, {two@example.org = a@x.example, b@x.example} }\n"
    "sender_bcc_maps = inline:{ {joe@example.com = Joe <copy@example.net>} }\n"
    "recipient_bcc_maps = regexp:{ {/^amy@/ amy-copy} }\n"
    "always_bcc = archive\n";

static const char msg_outbound[] = "From: Joe <joe@a.example.com>\n"
				   "To: amy@host.example.com, root@sub.example.com,\n"
				   "  friends: two@example.org;\n"
				   "Cc: x@keep.example.com\n"
				   "\nbody\n";

static void run_outbound(const void *arg)
{
	const struct config *cfg = arg;
	static const char *const addrs[] = { "joe+x@example.com", "sue@host.example.com",
					     "two@example.org", "" };
	struct error err = { 0 };
	struct rewriter *rw;
	struct generic *g = NULL;
	struct bcc *b = NULL;
	struct addrlist copies = { 0 };
	struct message *m = NULL;
	char *out;
	int rc;

	torture_step_begin();
	rw = rewriter_new(cfg, NULL, &err);
	if (rw != NULL)
		g = generic_new(cfg, rw, &err);
	if (g != NULL)
		b = bcc_new(cfg, rw, &err);
	if (torture_step_end(b == NULL && torture_is_oom(&err), "open: %s",
			     b != NULL ? "ok" : torture_outcome(&err)))
		goto done;
	torture_step_begin();
	rc = rewrite_sender(rw, "joe@a.example.com", REWRITE_ENVELOPE_SENDER, &out, &err);
	if (end_str("masquerade", rc == 0 ? out : NULL, &err))
		goto done;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		torture_step_begin();
		rc = generic_address(g, addrs[i], &out, &err);
		if (end_str(addrs[i], rc == 0 ? out : NULL, &err))
			goto done;
	}
	torture_step_begin();
	rc = bcc_sender(b, "joe@example.com", &copies, &err);
	if (rc == 0)
		rc = bcc_recipient(b, "amy@example.org", &copies, &err);
	if (rc == 0)
		rc = bcc_always(b, &copies, &err);
	if (end_list("copies", rc, &copies, &err))
		goto done;
	torture_step_begin();
	m = message_from_mem(msg_outbound, sizeof(msg_outbound) - 1, NULL, &err);
	rc = m != NULL ? rewrite_headers(rw, m, &err) : -1;
	if (rc == 0)
		rc = generic_headers(g, m, &err);
	if (torture_step_end(rc < 0 && torture_is_oom(&err), "headers: %s",
			     rc == 0 ? "ok" : torture_outcome(&err)))
		goto done;
	end_fields(m);
done:
	message_free(m);
	addrlist_fini(&copies);
	bcc_free(b);
	generic_free(g);
	rewriter_free(rw);
}

static void test_outbound(void)
{
	struct error err = { 0 };
	struct config *cfg =
	    config_parse("outbound.cf", outbound_cf, sizeof(outbound_cf) - 1, noenv, &err);

	if (!ok(cfg != NULL, "outbound.cf parses%s%s", cfg != NULL ? "" : ": ", err.text))
		return;
	torture_run("masquerading, generic maps, BCC", run_outbound, cfg);
	config_free(cfg);
}

/* ---- aliases --------------------------------------------------------- */

static const char aliases_text[] = "# system aliases\n"
				   "postmaster:    root\n"
				   "root: admin@example.com,\n"
				   "  # a comment inside the entry\n"
				   "\tops\n"
				   "ops: ops, oncall@example.com\n"
				   "\"web master\": web@example.com\n"
				   "pipe: \"|/usr/bin/procmail\", keep@example.com\n"
				   "loop1: loop2\n"
				   "loop2: loop1\n"
				   "lost: ghost1, ghost2\n"
				   "many: m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12\n"
				   "bad: a;(\n"
				   "no colon here\n"
				   "root: duplicate@example.com\n";

static const char alias_cf[] =
    "myhostname = host.example\n"
    "mydomain = example\n"
    "myorigin = host.example\n"
    "recipient_delimiter = +\n"
    "luser_relay = catch+$user$recipient_delimiter$extension@relay.example\n";

static bool is_user(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "daemon") == 0;
}

/* The configuration and the rewriter are made before the runs. */
struct alias_fixture {
	struct config *cfg;
	struct rewriter *rw;
};

static void run_alias(const void *arg)
{
	const struct alias_fixture *f = arg;
	static const char *const rcpts[] = {
		"root@host.example",   "Postmaster@HOST.example", "\"web master\"@host.example",
		"pipe@host.example",   "loop1@host.example",	  "ghost3+tag@host.example",
		"daemon@host.example", "other@remote.example",	  "many@host.example",
		"bad@host.example",
	};
	const struct alias_ctx ctx = { f->rw, config_get(f->cfg, "luser_relay"),
				       config_where(f->cfg, "luser_relay"), is_user, NULL };
	struct addrlist l = { 0 };
	struct error err = { 0 };
	struct aliases *a;
	int rc;

	torture_step_begin();
	a = alias_parse("aliases", aliases_text, sizeof(aliases_text) - 1, true, &err);
	torture_step_end(a == NULL && torture_is_oom(&err), "strict: %s",
			 a != NULL ? "parsed" : torture_outcome(&err));
	alias_free(a);
	torture_step_begin();
	a = alias_parse("aliases", aliases_text, sizeof(aliases_text) - 1, false, &err);
	if (a == NULL) {
		torture_step_end(torture_is_oom(&err), "parse: %s", torture_outcome(&err));
		return;
	}
	torture_step_end(false, "parse: ok");
	for (size_t i = 0; i < sizeof(rcpts) / sizeof(rcpts[0]); i++) {
		torture_step_begin();
		rc = alias_expand(a, &ctx, rcpts[i], &l, &err);
		if (end_list(rcpts[i], rc, &l, &err))
			break;
		addrlist_fini(&l);
	}
	addrlist_fini(&l);
	alias_free(a);
}

static void test_aliases(void)
{
	struct alias_fixture f = { 0 };
	struct error err = { 0 };

	f.cfg = config_parse("alias.cf", alias_cf, sizeof(alias_cf) - 1, noenv, &err);
	if (f.cfg != NULL)
		f.rw = rewriter_new(f.cfg, NULL, &err);
	if (ok(f.rw != NULL, "alias.cf parses%s%s", f.rw != NULL ? "" : ": ", err.text))
		torture_run("aliases", run_alias, &f);
	rewriter_free(f.rw);
	config_free(f.cfg);
}

/* ---- addrfind -------------------------------------------------------- */

static void end_keys(const char *addr, int rc, const struct addrfind_keys *k,
		     const struct error *err)
{
	char text[500] = "";

	if (rc < 0) {
		torture_step_end(torture_is_oom(err), "keys %s: %s", addr, torture_outcome(err));
		return;
	}
	for (size_t i = 0; i < k->n; i++)
		say(text, sizeof(text), " %s%s%s", k->v[i].key, k->v[i].partial ? "/p" : "",
		    k->v[i].stripped ? "/s" : "");
	torture_step_end(false, "keys %s:%s ext %s", addr, text, k->ext != NULL ? k->ext : "-");
}

static void run_addrfind(const void *arg)
{
	static const char *const addrs[] = {
		"joe+ext@localdomain",
		"\"a b\"+x@remote.example",
		"owner-list@localdomain",
		"joe@[127.0.0.1]",
		"bare",
		"\"quo\\\"te\"@x.example",
	};
	const struct addrfind af = { "localdomain", "localhost.localdomain, other.example", "+-",
				     own };
	struct addrfind_keys k;
	struct addrfind_hit hit;
	struct error err = { 0 };
	struct maps *m;
	int rc;

	(void)arg;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		torture_step_begin();
		rc = addrfind_keys(&af, addrs[i], ADDRFIND_UNQUOTED_TOO, &k, &err);
		end_keys(addrs[i], rc, &k, &err);
		if (rc < 0)
			return;
		addrfind_keys_fini(&k);
		torture_step_begin();
		if (end_nomem_str("external", addrfind_external(addrs[i])))
			return;
		torture_step_begin();
		if (end_nomem_str("internal", addrfind_internal(addrs[i])))
			return;
	}
	torture_step_begin();
	rc = addrfind_local(&af, "OTHER.example.", &err);
	if (torture_step_end(rc < 0 && torture_is_oom(&err), "local: %d", rc))
		return;
	torture_step_begin();
	m = maps_open("inline:{ joe@localdomain=j@x.example, {\"a b\"=ab@x.example}, "
		      "@remote.example=@r.example }, regexp:{ {/^(.*)@pat$/ p-$1@x.example} }",
		      0, "test", &err);
	if (m == NULL) {
		torture_step_end(torture_is_oom(&err), "maps: %s", torture_outcome(&err));
		return;
	}
	torture_step_end(false, "maps: ok");
	for (size_t i = 0; i < 3; i++) {
		static const char *const keys[] = { "joe+ext@localdomain",
						    "\"a b\"+x@remote.example", "q@pat" };

		torture_step_begin();
		rc = addrfind_lookup(&af, m, keys[i], 0, &hit, &err);
		if (rc == 1)
			torture_step_end(false, "lookup %s: %s ext %s local %s", keys[i], hit.value,
					 hit.ext != NULL ? hit.ext : "-", hit.localpart);
		else if (torture_step_end(rc < 0 && torture_is_oom(&err), "lookup %s: %d %s",
					  keys[i], rc, rc < 0 ? torture_outcome(&err) : ""))
			break;
		addrfind_hit_fini(&hit);
	}
	maps_free(m);
}

/* ---- IDN ------------------------------------------------------------- */

static void run_idn(const void *arg)
{
	static const char *const addrs[] = { "joe@b\xc3\xbc"
					     "cher.example",
					     "joe@ascii.example", "bare", "j\xc3\xb6@x.example",
					     "joe@-bad-.\xc3\xa9" };
	struct error err = { 0 };

	(void)arg;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		torture_step_begin();
		if (end_str(addrs[i], idn_address_to_ascii(addrs[i], &err), &err))
			return;
	}
}

/* ---- header checks -------------------------------------------------- */

static const char msg_checks[] = "From: Joe <joe@example.com>\n"
				 "To: amy@example.org\n"
				 "Subject: buy now\n"
				 "X-Mailer: cannon\n"
				 "X-Long: first\n\tsecond\n"
				 "Bcc: hidden@example.net\n"
				 "\nbody\n";
static const char checks_rules[] = "/^Subject: (.*)/ REPLACE Subject: [x] $1\n"
				   "/^X-Mailer:/ IGNORE\n"
				   "/^To:/ PREPEND X-Seen: yes\n"
				   "/^X-Long: first\\s+second/ WARN folded\n"
				   "/^From:/ BCC copy@example.net\n"
				   "/^Bcc:/ REDIRECT last@example.net\n";
static int checks_changed_on_oom; /* an out-of-memory failure changed the message */

/* The header as one string, for comparing. */
static char *header_text(const struct message *m)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < message_header_count(m); i++)
		if (buf_printf(&b, "%s:%s\n", message_header_name(m, i),
			       message_header_value(m, i)) < 0) {
			buf_fini(&b);
			return NULL;
		}
	return buf_steal(&b);
}

static void run_checks(const void *arg)
{
	const struct config *cfg = arg;
	struct header_checks_who who = { "4AB12C3", "joe@example.com", "amy@example.org" };
	struct header_checks_result res;
	struct error err = { 0 };
	struct header_fix fix;
	struct message *m;
	char *before;
	int rc;

	torture_step_begin();
	rc = header_fix_load(cfg, &fix, &err);
	if (torture_step_end(rc < 0, "header_fix_load: %s", rc == 0 ? "ok" : torture_outcome(&err)))
		return;
	torture_step_begin();
	m = message_from_mem(msg_checks, sizeof(msg_checks) - 1, NULL, &err);
	if (torture_step_end(m == NULL, "message: %s", m != NULL ? "ok" : torture_outcome(&err)))
		goto done;
	before = header_text(m);
	torture_step_begin();
	rc = header_checks_apply(fix.checks, m, &who, &res, &err);
	if (rc < 0 && torture_is_oom(&err)) {
		char *after = header_text(m);

		if (before != NULL && after != NULL && strcmp(before, after) != 0)
			checks_changed_on_oom++;
		free(after);
	}
	if (torture_step_end(
		rc < 0 && torture_is_oom(&err), "header_checks: %s, redirect %s, %zu bcc",
		rc == 0 ? "ok" : torture_outcome(&err),
		rc == 0 && res.redirect != NULL ? res.redirect : "-", rc == 0 ? res.bcc.n : 0)) {
		free(before);
		message_free(m);
		goto done;
	}
	free(before);
	header_checks_result_fini(&res);
	header_fix_drop(&fix, m);
	torture_step_begin();
	rc = header_fix_undisclosed(&fix, m);
	if (torture_step_end(rc < 0, "undisclosed: %d", rc)) {
		message_free(m);
		goto done;
	}
	end_fields(m);
	message_free(m);
done:
	header_fix_fini(&fix);
}

/* ---- body checks ---------------------------------------------------- */

static const char msg_body[] = "From: Joe <joe@example.com>\n"
			       "MIME-Version: 1.0\n"
			       "Content-Type: multipart/mixed; boundary=b\n"
			       "\npreamble\n--b\nContent-Type: text/plain\nX-Part: one\n\n"
			       "secret one\n--b\nContent-Type: message/rfc822\n\n"
			       "Subject: inner\n\nsecret inner\n--b--\n";
static const char body_rules[] = "/^secret (.*)/ REPLACE [hidden $1]\n"
				 "/^From: (.*)/ REPLACE From: checked $1\n"
				 "/^preamble/ PREPEND before\n"
				 "/^X-Part:/ IGNORE\n"
				 "/^Subject: (.*)/ REPLACE Subject: nested $1\n"
				 "/^--b--/ BCC copy@example.net\n";
static int body_changed_on_oom; /* an out-of-memory failure changed the message */

/* The whole message as one string, for comparing. */
static char *message_text(const struct message *m)
{
	struct message_cursor *c = malloc(sizeof(*c));
	struct error err = { 0 };
	struct buf b = { 0 };
	const char *p;
	ssize_t n;

	if (c == NULL)
		return NULL;
	message_rewind(m, c);
	while ((n = message_next(m, c, &p, &err)) > 0)
		if (buf_append(&b, p, (size_t)n) < 0)
			break;
	free(c);
	if (n != 0) {
		buf_fini(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void run_body_checks(const void *arg)
{
	const struct config *cfg = arg;
	struct header_checks_who who = { "4AB12C3", "joe@example.com", "amy@example.org" };
	struct header_checks_result res;
	struct error err = { 0 };
	struct header_checks *hc = NULL;
	struct body_checks *bc;
	struct message *m;
	char *before;
	int rc;

	torture_step_begin();
	bc = body_checks_open(cfg, HEADER_CHECKS_CLEANUP, &err);
	if (bc != NULL)
		hc = header_checks_open(cfg, "header_checks", HEADER_CHECKS_CLEANUP, &err);
	if (torture_step_end(hc == NULL, "checks open: %s",
			     hc != NULL ? "ok" : torture_outcome(&err)))
		goto done;
	torture_step_begin();
	m = message_from_mem(msg_body, sizeof(msg_body) - 1, NULL, &err);
	if (torture_step_end(m == NULL, "message: %s", m != NULL ? "ok" : torture_outcome(&err)))
		goto done;
	before = message_text(m);
	torture_step_begin();
	rc = body_checks_apply_message(hc, bc, m, &who, &res, &err);
	if (rc < 0 && torture_is_oom(&err)) {
		char *after = message_text(m);

		if (before != NULL && after != NULL && strcmp(before, after) != 0)
			body_changed_on_oom++;
		free(after);
	}
	free(before);
	if (!torture_step_end(rc < 0 && torture_is_oom(&err), "body_checks: %s, %zu bcc",
			      rc == 0 ? "ok" : torture_outcome(&err), rc == 0 ? res.bcc.n : 0) &&
	    rc == 0) {
		char *after;

		header_checks_result_fini(&res);
		torture_step_begin();
		after = message_text(m);
		torture_step_end(after == NULL, "the message: %s", after != NULL ? after : "-");
		free(after);
	}
	message_free(m);
done:
	header_checks_free(hc);
	body_checks_free(bc);
}

static void test_body_checks(void)
{
	struct error err = { 0 };
	struct buf text = { 0 };
	struct config *cfg;
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/body", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(body_rules, f);
		fclose(f);
	}
	buf_printf(&text,
		   "body_checks = regexp:%s\nmime_header_checks = regexp:%s\n"
		   "nested_header_checks = regexp:%s\nheader_checks = regexp:%s\n",
		   path, path, path, path);
	cfg = config_parse("body.cf", text.data, text.len, noenv, &err);
	buf_fini(&text);
	if (!ok(cfg != NULL, "body.cf parses%s%s", cfg != NULL ? "" : ": ", err.text))
		return;
	torture_run("header and body checks", run_body_checks, cfg);
	is_int(body_changed_on_oom, 0,
	       "header and body checks: a failure for want of memory changes nothing");
	config_free(cfg);
}

static void test_checks(void)
{
	struct error err = { 0 };
	struct buf text = { 0 };
	struct config *cfg;
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/checks", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(checks_rules, f);
		fclose(f);
	}
	buf_printf(&text,
		   "header_checks = regexp:%s\nmessage_drop_headers = x-seen, bcc\n"
		   "undisclosed_recipients_header = Cc: undisclosed:;\n",
		   path);
	cfg = config_parse("checks.cf", text.data, text.len, noenv, &err);
	buf_fini(&text);
	if (!ok(cfg != NULL, "checks.cf parses%s%s", cfg != NULL ? "" : ": ", err.text))
		return;
	torture_run("header checks", run_checks, cfg);
	is_int(checks_changed_on_oom, 0,
	       "header checks: a failure for want of memory changes nothing");
	config_free(cfg);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	if (!torture_init(dir)) {
		ok(false, "capturing stderr: %s", strerror(errno));
		return tap_done();
	}
	test_addresses();
	test_messages();
	torture_run("encoded words", run_encword, NULL);
	test_rewriting();
	test_outbound();
	test_aliases();
	torture_run("addrfind", run_addrfind, NULL);
	torture_run("idn", run_idn, NULL);
	test_checks();
	test_body_checks();
	torture_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}

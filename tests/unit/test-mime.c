/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/mime and mail/reencode: the MIME walk line by line (nested
 * multiparts, boundary edge cases, a missing close delimiter, a digest,
 * a header without its blank line), then whole messages through the
 * intake with long lines: which parts become quoted-printable, which
 * are folded, the MIME fields added, and the size of what is stored. */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/log.h"
#include "mail/message.h"
#include "mail/mime.h"
#include "capture.h"
#include "tap.h"

/* ---- the walk ---- */

/* Each line of body as "<role><part>" (H header, E its end, D boundary,
 * B body, O outside the parts), a blank between. */
static char *walk_as(bool descend, const char *type, const char *cte, const char *body)
{
	static char out[1024];
	struct mime_walk w;
	size_t o = 0;

	mime_walk_init(&w);
	w.descend = descend;
	mime_walk_start(&w, type, cte);
	out[0] = '\0';
	while (*body != '\0' && o + 16 < sizeof(out)) {
		const char *nl = strchr(body, '\n');
		size_t n = nl != NULL ? (size_t)(nl - body) : strlen(body);
		enum mime_role r = mime_walk_line(&w, body, n, true);

		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%c%zu", o > 0 ? " " : "",
				      r == MIME_HEADER && w.nested ? 'N' : "HEDBO"[r], w.part);
		body += n + (nl != NULL);
	}
	mime_walk_fini(&w);
	return out;
}

static char *walk(const char *type, const char *cte, const char *body)
{
	return walk_as(false, type, cte, body);
}

/* With descend, as body_checks walk: N is a line of a nested header;
 * the blank line before one already counts in the nested part. */
static void test_descend(void)
{
	static const char msg[] =
	    "--b\nContent-Type: message/rfc822\n\nSubject: in\n"
	    "Content-Type: multipart/alternative; boundary=c\n\n--c\n\nx\n"
	    "--c--\n--b\nContent-Type: message/partial\n\nSubject: no\n--b--\n";

	is_str(walk("multipart/mixed; boundary=b", NULL, msg),
	       "D1 H1 E1 B1 B1 B1 B1 B1 B1 B1 D2 H2 E2 B2 D2",
	       "without descend, a message is text");
	is_str(walk_as(true, "multipart/mixed; boundary=b", NULL, msg),
	       "D1 H1 E2 N2 N2 E2 D3 E3 B3 D3 D4 H4 E4 B4 D4",
	       "with descend, message/rfc822 has a nested header and its own multipart; "
	       "message/partial is text");
	is_str(walk_as(true, "message/rfc822", NULL, "Subject: x\n\nbody\n"), "N1 E1 B1",
	       "a message/rfc822 message: its body begins with the nested header");
	is_str(walk_as(true, "multipart/digest; boundary=d", NULL,
		       "--d\n\nSubject: one\n\nx\n--d\nnot a field\nSubject: two\n--d--\n"),
	       "D1 E2 N2 E2 B2 D3 B3 B3 D3",
	       "a digest part is a message; a part header ended by text is not followed");
}

static void test_parse(void)
{
	struct mime_part p = { 0 };

	mime_parse_type(&p, " multipart/mixed; boundary=\"a b:c\"", 34);
	ok(p.kind == MIME_MULTIPART && p.has_type, "multipart/mixed is a multipart");
	is_str(p.boundary, "a b:c", "a quoted boundary");
	memset(&p, 0, sizeof(p));
	mime_parse_type(&p, "Multipart/Alternative (a comment);\r\n\tcharset=x; BOUNDARY=b1", 60);
	is_str(p.boundary, "b1", "case, comments, folding and other parameters");
	memset(&p, 0, sizeof(p));
	mime_parse_type(&p, "multipart/signed; protocol=\"application/pgp-signature\"; boundary=s",
			67);
	ok(p.signs && p.boundary_len == 1, "multipart/signed signs its parts");
	memset(&p, 0, sizeof(p));
	mime_parse_type(&p, "multipart/mixed", 15);
	ok(p.kind == MIME_MULTIPART && p.boundary_len == 0, "a multipart without a boundary");
	memset(&p, 0, sizeof(p));
	mime_parse_type(&p, "message/rfc822", 14);
	ok(p.kind == MIME_MESSAGE, "message/rfc822");
	memset(&p, 0, sizeof(p));
	mime_parse_type(&p, "text/html; charset=UTF-8", 24);
	ok(p.kind == MIME_DISCRETE && p.has_type, "text/html");
	memset(&p, 0, sizeof(p));
	mime_parse_type(&p, "garbage", 7);
	ok(p.kind == MIME_DISCRETE && p.has_type, "a type that cannot be read counts as text");
	is_int(mime_parse_cte(" Quoted-Printable ", 18, NULL), MIME_ENC_QP,
	       "quoted-printable, any case");
	is_int(mime_parse_cte("7BIT (plain)", 12, NULL), MIME_ENC_7BIT, "7bit with a comment");
	is_int(mime_parse_cte("base64", 6, NULL), MIME_ENC_BASE64, "base64");
	is_int(mime_parse_cte("X-UUencode", 10, p.cte), MIME_ENC_OTHER, "an unknown encoding");
	is_str(p.cte, "x-uuencode", "its name, lower case, for the warning");
}

static void test_walk(void)
{
	is_str(walk(NULL, NULL, "a\n\nb\n"), "B0 B0 B0", "no Content-Type: all text of part 0");
	is_str(walk("multipart/mixed; boundary=b", NULL,
		    "pre\n--b\nContent-Type: text/plain\n\none\n--b\n\ntwo\n--b--\nepi\n"),
	       "O0 D1 H1 E1 B1 D2 E2 B2 D2 O2", "preamble, two parts, close, epilogue");
	is_str(walk("multipart/mixed; boundary=out", NULL,
		    "--out\nContent-Type: multipart/alternative;\n boundary=\"in\"\n\n"
		    "--in\n\nplain\n--in\nContent-Type: text/html\n\nhtml\n--in--\n"
		    "inner epilogue\n--out\n\nlast\n--out--\n"),
	       "D1 H1 H1 E1 D2 E2 B2 D3 H3 E3 B3 D3 O3 D4 E4 B4 D4",
	       "nested multipart with a folded Content-Type");
	is_str(walk("multipart/mixed; boundary=out", NULL,
		    "--out\nContent-Type: multipart/alternative; boundary=in\n\n"
		    "--in\n\nplain\n--out\n\nafter\n"),
	       "D1 H1 E1 D2 E2 B2 D3 E3 B3",
	       "an outer boundary ends the inner parts; no close delimiter at the end");
	is_str(walk("multipart/mixed; boundary=b", NULL,
		    "--b \t\n\nx\n--bb\n--b-\n-- b\n--b--x\n--b-- \n"),
	       "D1 E1 B1 B1 B1 B1 B1 D1",
	       "boundary lines: blanks after it count, anything else makes it text");
	is_str(walk("multipart/mixed; boundary=b", NULL, "--b\nx\n--b\nA: 1\ny\n"),
	       "D1 B1 D2 H2 B2", "a part header that ends without its blank line");
	is_str(walk("multipart/digest; boundary=d", NULL, "--d\n\nFrom: x\n"), "D1 E1 B1",
	       "a part of a digest");
	is_str(walk("multipart/mixed", NULL, "--b\nx\n"), "B0 B0",
	       "a multipart without a boundary is opaque");
	is_str(walk("message/rfc822", NULL, "Content-Type: multipart/mixed; boundary=b\n\n--b\n"),
	       "B0 B0 B0", "an attached message is not walked into");
}

/* ---- whole messages ---- */

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
	*len = b.len;
	return buf_steal(&b);
}

static char *warned; /* what the last call of through() wrote on stderr */

/* text (LF line ends) through the intake with smtp_line_length_limit 60;
 * the stored form with CRLF shown as LF, or "(error)". */
static char *through(const char *text, size_t mem_max)
{
	static char *out;
	struct message_opts o = { .line_max = 60, .mem_max = mem_max };
	struct error e = { 0 };
	struct capture cap;
	struct message *m;
	size_t len, k = 0;
	char *s;

	capture_begin(&cap);
	m = message_from_mem(text, strlen(text), &o, &e);
	free(warned);
	warned = capture_end(&cap);
	free(out);
	if (m == NULL)
		return out = strdup("(error)");
	s = render(m, &len);
	if (len != message_size(m))
		diag("message_size %zu, stored %zu", message_size(m), len);
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\r' || i + 1 >= len || s[i + 1] != '\n')
			s[k++] = s[i];
	s[k] = '\0';
	message_free(m);
	return out = s;
}

#define L70 "0123456789012345678901234567890123456789012345678901234567890123456789"
#define Q70 L70 /* 70 octets fit a quoted-printable line */

static void test_single(void)
{
	is_str(through("Subject: s\n\nshort\n" L70 "\n", 0),
	       "Subject: s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n"
	       "Content-Transfer-Encoding: quoted-printable\n\nshort\n" Q70 "\n",
	       "no MIME fields, 7-bit: text/plain; charset=us-ascii, quoted-printable");
	is_str(warned, "", "re-encoded: no warning");
	is_str(through("Subject: s\n\n\xc3\xa9" L70 "\n", 0),
	       "Subject: s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
	       "Content-Transfer-Encoding: quoted-printable\n\n=C3=A9" L70 "\n",
	       "valid UTF-8: charset=utf-8 (and 76 octets on one line)");
	is_str(through("Subject: s\n\n\xe9" L70 "\n", 0),
	       "Subject: s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=unknown-8bit\n"
	       "Content-Transfer-Encoding: quoted-printable\n\n=E9" L70 "\n",
	       "8-bit that is not UTF-8: charset=unknown-8bit");
	is_str(through("Content-type: text/html\nContent-Transfer-Encoding: 8bit\n\n" L70 "\n", 0),
	       "Content-type: text/html\nMIME-Version: 1.0\n"
	       "Content-Transfer-Encoding: quoted-printable\n\n" Q70 "\n",
	       "a Content-Type is kept, the encoding replaced, MIME-Version added");
	is_str(through("MIME-Version: 1.0\nSubject: s\n\n" L70 "\n", 0),
	       "MIME-Version: 1.0\nSubject: s\nContent-Type: text/plain; charset=us-ascii\n"
	       "Content-Transfer-Encoding: quoted-printable\n\n" Q70 "\n",
	       "MIME-Version is not added twice");
	{
		char *with = strdup(through("Subject: s\n\n" L70 "\n", 0));

		is_str(through("Subject: s\n\n" L70, 0), with, "a last line without its line end");
		free(with);
	}
	is_str(through("Subject: s\n\nshort\n", 0), "Subject: s\n\nshort\n",
	       "no long line: nothing changes");
	is_str(through("DKIM-Signature: v=1\n\n" L70 "\n", 0),
	       "DKIM-Signature: v=1\n\n012345678901234567890123456789012345678901234567890123456789"
	       "\n 0123456789\n",
	       "DKIM-signed: folded with CRLF SPACE, not re-encoded");
	ok(strstr(warned, "DKIM signature") != NULL, "DKIM-signed: the warning says why");
	is_str(through("Content-Transfer-Encoding: base64\n\n" L70 "\n", 0),
	       "Content-Transfer-Encoding: base64\n\n"
	       "012345678901234567890123456789012345678901234567890123456789\n 0123456789\n",
	       "base64 with a long line: folded");
	is_str(through("Content-Type: message/rfc822\n\nSubject: " L70 "\n", 0),
	       "Content-Type: message/rfc822\n\nSubject: 0123456789012345678901234567890123456"
	       "78901234567890\n 1234567890123456789\n",
	       "an attached message: folded");
	ok(strstr(warned, "(message/rfc822) was folded") != NULL,
	   "an attached message: the warning says why");
}

#define HEAD "Content-Type: multipart/alternative; boundary=\"=_b\"\nMIME-Version: 1.0\n\n"

static void test_multipart(void)
{
	is_str(through(HEAD "--=_b\nContent-Type: text/plain; charset=utf-8\n\nshort\n"
			    "--=_b\nContent-Type: text/html; charset=utf-8\n"
			    "Content-Transfer-Encoding: 8bit\n\n" L70 "\n--=_b--\n",
		       0),
	       HEAD "--=_b\nContent-Type: text/plain; charset=utf-8\n\nshort\n"
		    "--=_b\nContent-Type: text/html; charset=utf-8\n"
		    "Content-Transfer-Encoding: quoted-printable\n\n" Q70 "\n--=_b--\n",
	       "multipart/alternative: only the long text/html part is re-encoded");
	is_str(
	    through(HEAD
		    "--=_b\nContent-Type: text/plain\nContent-Transfer-Encoding:\n 7bit\n\n" L70
		    "\n--=_b\n\n" L70 "\n",
		    0),
	    HEAD
	    "--=_b\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n" Q70
	    "\n--=_b\nContent-Transfer-Encoding: quoted-printable\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n" Q70 "\n",
	    "a type without a charset is kept; a part without a type gets one; "
	    "a folded encoding field goes whole; no close delimiter");
	is_str(through(
		   HEAD
		   "--=_b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n" L70
		   "\n--=_b--\n",
		   0),
	       HEAD "--=_b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
		    "012345678901234567890123456789012345678901234567890123456789\n 0123456789\n"
		    "--=_b--\n",
	       "a base64 part is never re-encoded: folded");
	ok(strstr(warned, "Content-Transfer-Encoding base64 was folded") != NULL,
	   "a base64 part: the warning names the encoding");
	is_str(through(HEAD "--=_b\nContent-Type: text/plain; name=\"" L70 "\"\n\nx\n--=_b--\n", 0),
	       HEAD "--=_b\nContent-Type: text/plain;\n name=\"0123456789012345678901234567890123"
		    "4567890123456789012\n 34567890123456789\"\n\nx\n--=_b--\n",
	       "a long header line of a part: folded at a blank, then with CRLF SPACE");
	ok(strstr(warned, "in the header of a part was folded") != NULL,
	   "a long header line of a part: its warning");
	is_str(through("Content-Type: multipart/signed; boundary=s\n\n--s\n\n" L70 "\n--s--\n", 0),
	       "Content-Type: multipart/signed; boundary=s\n\n--s\n\n"
	       "012345678901234567890123456789012345678901234567890123456789\n 0123456789\n--s--\n",
	       "signed content is folded, not re-encoded");
	ok(strstr(warned, "(multipart/signed) was folded") != NULL,
	   "signed content: the warning says why");
	is_str(through(HEAD L70 "\n--=_b--\n", 0),
	       HEAD "012345678901234567890123456789012345678901234567890123456789\n 0123456789\n"
		    "--=_b--\n",
	       "a long preamble line is folded");
	ok(strstr(warned, "outside the parts of a multipart") != NULL,
	   "a long preamble line: its warning");
	through("Content-Transfer-Encoding: X-UUencode\n\n" L70 "\n", 0);
	ok(strstr(warned, "Content-Transfer-Encoding x-uuencode was folded") != NULL,
	   "an unknown encoding: folded, the warning names it");
	through("Subject: " L70 "\n\nx\n", 0);
	ok(strstr(warned, "warning: a header line longer than 60 bytes was folded") != NULL,
	   "a long header line of the message: folded with a warning");
}

/* A line far longer than what a line is read whole up to, in a body
 * kept in a file: it comes back whole from its encoding. */
static void test_big(void)
{
	struct buf in = { 0 }, dec = { 0 };
	const char *s, *body;
	size_t len = 200000;
	bool rule = true;

	buf_append_str(&in, "Subject: big\n\n");
	for (size_t i = 0; i < len; i++)
		buf_append_char(&in, "ab =.\xc3\xa9\t"[i % 8]);
	buf_append_str(&in, "\n");
	s = through(in.data, 4096);
	body = strstr(s, "\n\n");
	ok(strstr(s, "charset=utf-8") != NULL, "a 200,000-octet UTF-8 line: charset=utf-8");
	for (const char *p = body != NULL ? body + 2 : ""; *p != '\0'; p++) {
		const char *nl = strchr(p, '\n');

		rule = rule && nl != NULL && nl - p <= 76;
		if (nl != NULL && nl > p && nl[-1] == '=') {
			buf_append(&dec, p, (size_t)(nl - p) - 1);
		} else if (nl != NULL) {
			buf_append(&dec, p, (size_t)(nl - p));
			buf_append_char(&dec, '\n');
		}
		p = nl != NULL ? nl : p + strlen(p) - 1;
	}
	ok(rule, "every encoded line is at most 76 octets");
	{
		struct buf out = { 0 };

		for (size_t i = 0; i < dec.len; i++) {
			if (dec.data[i] == '=' && i + 2 < dec.len) {
				unsigned v;

				sscanf(dec.data + i + 1, "%2X", &v);
				buf_append_char(&out, (char)v);
				i += 2;
			} else {
				buf_append_char(&out, dec.data[i]);
			}
		}
		ok(out.len == in.len - 14 && memcmp(out.data, in.data + 14, out.len) == 0,
		   "decoded, it is the line as sent");
		buf_fini(&out);
	}
	buf_fini(&in);
	buf_fini(&dec);
}

int main(void)
{
	log_init("relaymail", 0);
	test_parse();
	test_walk();
	test_descend();
	test_single();
	test_multipart();
	test_big();
	free(warned);
	return tap_done();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/qp: quoted-printable (RFC 2045 §6.7), exact output for the rules
 * ("=", blanks before a line end, 8-bit and control octets, a line of
 * exactly 76, an escape never cut by a soft break, a "." at the start of
 * a line, "-" and "F" after a soft break), the same output however the
 * text is cut, and many random lines that decode back to themselves
 * within the line length. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "mail/qp.h"
#include "tap.h"

/* The lines of text (LF between them) encoded, piece octets at a time
 * (0: each line at once); CRLF shown as "\n" in the result. */
static char *enc(const char *text, size_t len, size_t piece)
{
	static char out[8192];
	struct buf b = { 0 };
	struct qp q = { 0 };
	size_t i = 0, o = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - (text + i)) : len - i;

		for (size_t k = 0; k < n;) {
			size_t take = piece == 0 || n - k < piece ? n - k : piece;

			qp_data(&q, text + i + k, take, &b);
			k += take;
		}
		qp_eol(&q, &b);
		i += n + 1;
	}
	for (size_t k = 0; k < b.len && o + 1 < sizeof(out); k++)
		if (b.data[k] != '\r')
			out[o++] = b.data[k];
	out[o] = '\0';
	buf_fini(&b);
	return out;
}

static char *rep(char c, size_t n, const char *tail)
{
	static char s[4][512];
	static int k;
	char *d = s[k++ % 4];

	memset(d, c, n);
	snprintf(d + n, sizeof(s[0]) - n, "%s", tail);
	return d;
}

static void test_rules(void)
{
	is_str(enc("a=b", 3, 0), "a=3Db\n", "\"=\" is encoded");
	is_str(enc("trail  ", 7, 0), "trail =20\n", "a space before the line end is encoded");
	is_str(enc("tab\t\nx", 6, 0), "tab=09\nx\n", "a tab before the line end is encoded");
	is_str(enc("a b\tc", 5, 0), "a b\tc\n", "blanks inside a line stay");
	is_str(enc("caf\xc3\xa9", 5, 0), "caf=C3=A9\n", "8-bit octets are encoded");
	is_str(enc("\x01\x7f~!", 4, 0), "=01=7F~!\n", "control octets and DEL are encoded");
	is_str(enc("", 0, 0), "", "no text, no line");
	is_str(enc("\n\n", 2, 0), "\n\n", "empty lines stay hard line breaks");
	is_str(enc(rep('a', 76, ""), 76, 0), rep('a', 76, "\n"), "exactly 76: one line");
	is_str(enc(rep('a', 77, ""), 77, 0), rep('a', 75, "=\naa\n"),
	       "77: a soft break after 75, room for the \"=\"");
	is_str(enc(rep('a', 73, "="), 74, 0), rep('a', 73, "=3D\n"),
	       "an escape that ends the line at 76 fits");
	is_str(enc(rep('a', 74, "="), 75, 0), rep('a', 74, "=\n=3D\n"),
	       "an escape is never cut by a soft break");
	is_str(enc(rep('a', 74, " b"), 76, 0), rep('a', 74, " b\n"),
	       "a blank before the last octet is not a trailing blank");
	is_str(enc(rep('a', 75, " "), 76, 0), rep('a', 75, "=\n=20\n"),
	       "a trailing blank encoded after a soft break");
	/* SMTP dot-stuffing happens on the wire (smtp/), so a "." that
	 * starts an encoded line is left alone, as RFC 2045 allows. */
	is_str(enc(rep('a', 75, ".b"), 77, 0), rep('a', 75, "=\n.b\n"),
	       "a \".\" after a soft break stays a \".\"");
	is_str(enc(rep('a', 75, "--b"), 78, 0), rep('a', 75, "=\n=2D-b\n"),
	       "a \"-\" after a soft break is encoded: no line there passes for a boundary");
	is_str(enc(rep('a', 75, "From x"), 81, 0), rep('a', 75, "=\n=46rom x\n"),
	       "an \"F\" after a soft break is encoded: no \"From \" there");
	is_str(enc("--b\nFrom x", 10, 0), "--b\nFrom x\n",
	       "at the start of a line of the text, \"-\" and \"F\" stay");
}

static void test_pieces(void)
{
	char text[600];
	size_t n = 0;

	for (int i = 0; i < 300; i++)
		text[n++] = " a=\t\xe9.\n"[i % 8];
	memcpy(text + n, "end \t", 5);
	n += 5;
	{
		char *whole = strdup(enc(text, n, 0));

		for (size_t piece = 1; piece <= 7; piece++)
			ok(strcmp(enc(text, n, piece), whole) == 0,
			   "%zu octets at a time: the same as at once", piece);
		free(whole);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode enc (lines ended by "\n", as enc() gives them) into dst; -1
 * when it breaks a rule: a line over 76, a blank before a line end, an
 * octet that must be encoded, a bad escape. */
static long decode(const char *e, char *dst)
{
	size_t col = 0, o = 0;

	for (size_t i = 0; e[i] != '\0'; i++) {
		unsigned char c = (unsigned char)e[i];

		if (c == '\n') {
			if (col > 0 && (e[i - 1] == ' ' || e[i - 1] == '\t'))
				return -1;
			dst[o++] = '\n';
			col = 0;
			continue;
		}
		if (++col > QP_LINE_MAX)
			return -1;
		if (c == '=' && e[i + 1] == '\n') {
			i++;
			col = 0;
		} else if (c == '=') {
			int h = hexval(e[i + 1]), l = h < 0 ? -1 : hexval(e[i + 2]);

			if (l < 0)
				return -1;
			dst[o++] = (char)(h * 16 + l);
			i += 2;
			col += 2;
			if (col > QP_LINE_MAX)
				return -1;
		} else if ((c >= 33 && c <= 126) || c == ' ' || c == '\t') {
			dst[o++] = (char)c;
		} else {
			return -1;
		}
	}
	return (long)o;
}

static void test_random(void)
{
	static const char pool[] = "ab =\t.\x80\xff\x01~-F";
	unsigned seed = 12345;
	int bad = 0;

	for (int t = 0; t < 2000 && bad < 3; t++) {
		char text[400], got[1200];
		size_t n = 0, len;
		long d;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % 300;
		while (n < len) {
			seed = seed * 1103515245u + 12345u;
			text[n++] = pool[(seed >> 16) % (sizeof(pool) - 1)];
		}
		text[n++] = '\n';
		d = decode(enc(text, n, 0), got);
		if (d != (long)n || memcmp(got, text, n) != 0) {
			bad++;
			diag("line %d (%zu octets) does not come back", t, n - 1);
		}
	}
	ok(bad == 0, "2000 random lines: every encoded line within 76, no trailing blank, "
		     "decoding gives the line back");
}

int main(void)
{
	test_rules();
	test_pieces();
	test_random();
	return tap_done();
}

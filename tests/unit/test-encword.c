/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/encword: RFC 2047 Q encoding of a display name, exact output:
 * what stands for itself in a phrase, words of at most 75 characters
 * cut only between characters, folding at 78 columns. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "mail/encword.h"
#include "tap.h"

/* text encoded from column col; the end column in *end. */
static char *enc(const char *text, size_t col, size_t *end)
{
	static char out[4096];
	struct buf b = { 0 };

	out[0] = '\0';
	if (encword_phrase(&b, text, strlen(text), &col) == 0 && b.len < sizeof(out)) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
	}
	buf_fini(&b);
	*end = col;
	return out;
}

/* dst (room for it all) = s n times. */
static void repeat(char *dst, const char *s, int n)
{
	size_t len = strlen(s);

	for (int i = 0; i < n; i++)
		memcpy(dst + (size_t)i * len, s, len);
	dst[(size_t)n * len] = '\0';
}

/* Longest word in text (words end at a blank or a line end). */
static size_t longest_word(const char *text)
{
	size_t best = 0, n;

	for (const char *p = text; *p != '\0'; p += n + (p[n] != '\0')) {
		n = strcspn(p, " \r\n");
		best = n > best ? n : best;
	}
	return best;
}

static void test_simple(void)
{
	size_t end;

	ok(!encword_needed("Plain Name", 10) && encword_needed("J\xc3\xb6rg", 5),
	   "needed only with a byte >= 0x80");
	is_str(enc("J\xc3\xb6rg M\xc3\xbcller", 6, &end),
	       "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=", "a Latin name: one word, the blank as _");
	is_int((long long)end, 39, "a Latin name: ends at column 6 + 33");
	is_str(enc("\xc3\xbc_=?\"(),.:;<>@[]\\ !*+-/~", 0, &end),
	       "=?UTF-8?Q?=C3=BC=5F=3D=3F=22=28=29=2C=2E=3A=3B=3C=3E=40=5B=5D=5C_!*+-/=7E?=",
	       "only letters, digits and !*+-/ stand for themselves");
	is_str(enc("\xff\xc3"
		   "A\xe2\x82",
		   0, &end),
	       "=?UTF-8?Q?=FF=C3A=E2=82?=",
	       "bytes that start no whole sequence are encoded one by one");
}

static void test_split(void)
{
	char in[512], want[1024], word[128];
	size_t end;

	/* 57 + 6 = 63 encoded characters: exactly 75 with =?UTF-8?Q? and ?=. */
	repeat(in, "a", 57);
	repeat(word, "a", 57);
	snprintf(in + 57, 3, "\xc3\xa9");
	snprintf(want, sizeof(want), "=?UTF-8?Q?%s=C3=A9?=", word);
	is_str(enc(in, 6, &end), want, "63 encoded characters: one word of 75");
	is_int((long long)strlen(want), 75, "that word is 75 characters");

	/* One more "a": the two-octet character moves whole to a second word. */
	repeat(in, "a", 58);
	repeat(word, "a", 58);
	snprintf(in + 58, 3, "\xc3\xa9");
	snprintf(want, sizeof(want), "=?UTF-8?Q?%s?=\r\n =?UTF-8?Q?=C3=A9?=", word);
	is_str(enc(in, 6, &end), want, "64: the character is not cut, the second word folded");
	is_int((long long)end, 19, "64: ends at column 1 + 18");

	/* 30 two-octet characters: 10 per word (60 encoded), folded between. */
	repeat(in, "\xc3\xa9", 30);
	repeat(word, "=C3=A9", 10);
	snprintf(want, sizeof(want), "=?UTF-8?Q?%s?=\r\n =?UTF-8?Q?%s?=\r\n =?UTF-8?Q?%s?=", word,
		 word, word);
	is_str(enc(in, 6, &end), want, "30 x e-acute: three words of 10 characters, folded");

	/* Four-octet characters (12 encoded): five fit in a word. */
	repeat(in, "\xf0\x9f\x98\x80", 6);
	repeat(word, "=F0=9F=98=80", 5);
	snprintf(want, sizeof(want), "=?UTF-8?Q?%s?=\r\n =?UTF-8?Q?=F0=9F=98=80?=", word);
	is_str(enc(in, 0, &end), want, "emoji: five per word (72 + 1 + 18 > 78: folded)");

	repeat(in, "\xe6\x97\xa5\xe6\x9c\xac ", 40);
	ok(longest_word(enc(in, 6, &end)) <= ENCWORD_MAX, "a long CJK name: no word over 75");
}

int main(void)
{
	test_simple();
	test_split();
	return tap_done();
}

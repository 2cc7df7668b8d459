/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RFC 2047 Q encoding of a phrase. Whole UTF-8 sequences stay in one
 * word (§5: a multi-octet character may not be split across words); a
 * byte that starts no valid sequence counts as a character of its own. */
#include <config.h>

#include "mail/encword.h"

#define PREFIX "=?UTF-8?Q?"
#define SUFFIX "?="
#define PAYLOAD_MAX (ENCWORD_MAX - (sizeof(PREFIX) - 1) - (sizeof(SUFFIX) - 1))

bool encword_needed(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			return true;
	return false;
}

/* RFC 2047 §5 (3): in a phrase only these stand for themselves. */
static bool q_literal(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t q_len(unsigned char c)
{
	return q_literal(c) || c == ' ' ? 1 : 3;
}

/* Octets of the character at p: its UTF-8 sequence when the lead byte
 * announces one and the continuation bytes are there, else 1. */
static size_t char_len(const unsigned char *p, size_t left)
{
	size_t want = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 1;

	if (p[0] < 0x80 || want > left)
		return 1;
	for (size_t i = 1; i < want; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	return want;
}

static int q_append(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	if (c == ' ')
		return buf_append_char(out, '_');
	if (q_literal(c))
		return buf_append_char(out, (char)c);
	return buf_printf(out, "=%c%c", hex[c >> 4], hex[c & 15]);
}

/* How many octets from p go into one word (whole characters, at most
 * PAYLOAD_MAX encoded), and the word's length in *word. */
static size_t word_span(const unsigned char *p, size_t left, size_t *word)
{
	size_t take = 0, enc = 0;

	while (take < left) {
		size_t n = char_len(p + take, left - take), e = 0;

		for (size_t i = 0; i < n; i++)
			e += q_len(p[take + i]);
		if (enc + e > PAYLOAD_MAX)
			break;
		take += n;
		enc += e;
	}
	*word = sizeof(PREFIX) - 1 + enc + sizeof(SUFFIX) - 1;
	return take;
}

int encword_phrase(struct buf *out, const char *text, size_t len, size_t *col)
{
	const unsigned char *p = (const unsigned char *)text;
	bool first = true;

	while (len > 0) {
		size_t word, take = word_span(p, len, &word);
		bool fold = !first && *col + 1 + word > ENCWORD_LINE;

		if ((!first && buf_append_str(out, fold ? "\r\n " : " ") < 0) ||
		    buf_append_str(out, PREFIX) < 0)
			return -1;
		for (size_t i = 0; i < take; i++)
			if (q_append(out, p[i]) < 0)
				return -1;
		if (buf_append_str(out, SUFFIX) < 0)
			return -1;
		*col = (fold ? 1 : *col + !first) + word;
		p += take;
		len -= take;
		first = false;
	}
	return 0;
}

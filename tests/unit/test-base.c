/* SPDX-License-Identifier: GPL-3.0-or-later */
/* base: buffers keep their maximum, errors format, strings are made safe. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/deadline.h"
#include "base/error.h"
#include "base/log.h"
#include "base/str.h"
#include "capture.h"
#include "tap.h"

static void test_buf(void)
{
	struct buf b;
	char *s;

	buf_init(&b, 8);
	ok(buf_append(&b, "abcd", 4) == 0, "append within max");
	ok(buf_append(&b, "efgh", 4) == 0, "append up to max");
	errno = 0;
	ok(buf_append(&b, "i", 1) == -1 && errno == EMSGSIZE,
	   "append past max fails with EMSGSIZE");
	is_str(b.data, "abcdefgh", "contents intact after refused append");
	buf_consume(&b, 3);
	is_str(b.data, "defgh", "consume drops the front");
	ok(buf_printf(&b, "%d", 42) == 0, "printf within max");
	is_str(b.data, "defgh42", "printf appends");
	s = buf_steal(&b);
	is_str(s, "defgh42", "steal hands over the string");
	is_int((long long)b.len, 0, "buffer empty after steal");
	free(s);
	buf_fini(&b);

	struct buf z = { 0 };
	for (int i = 0; i < 1000; i++)
		buf_append(&z, "0123456789", 10);
	is_int((long long)z.len, 10000, "zeroed buffer has no limit");
	buf_wipe(&z);
	ok(z.data == NULL && z.len == 0, "wipe releases");

	/* A secret buffer moves on growth instead of realloc: same contents. */
	struct buf sec = { .secret = true };
	bool same = true;

	for (int i = 0; i < 2000; i++)
		buf_append(&sec, "secret-%-", 9);
	for (size_t i = 0; i + 9 <= sec.len; i += 9)
		same = same && memcmp(sec.data + i, "secret-%-", 9) == 0;
	ok(sec.len == 18000 && same && sec.data[sec.len] == '\0',
	   "a secret buffer keeps its contents as it grows");
	buf_reset(&sec);
	ok(sec.secret, "reset keeps it secret");
	buf_fini(&sec);
	ok(sec.data == NULL && sec.secret, "fini releases it, still secret");
}

static void test_error(void)
{
	struct error e = { 0 };

	ok(!error_is_set(&e), "zeroed error is not set");
	error_set(&e, ERROR_TEMP, "connect to %s failed", "relay");
	is_str(e.text, "connect to relay failed", "error text formatted");
	is_str(error_class_name(e.cls), "temp", "class name");
	error_set_reply(&e, "421 bye\r\n\x1b[31m", 14);
	is_str(e.reply, "421 bye???[31m", "reply made printable");
	error_prefix(&e, "relay %d", 2);
	is_str(e.text, "relay 2: connect to relay failed", "prefix added");
	is_int(e.errnum, 0, "no errno without error_set_errno");
	error_set_errno(&e, ERROR_IO, ENOENT, "open %s", "x");
	ok(strncmp(e.text, "open x: ", 8) == 0, "errno text appended");
	is_int(e.errnum, ENOENT, "the errno is kept");
	error_prefix(&e, "while reading");
	is_int(e.errnum, ENOENT, "a prefix keeps it");
	error_set(&e, ERROR_TEMP, "again");
	is_int(e.errnum, 0, "error_set forgets it");
}

static void test_str(void)
{
	char out[32];
	unsigned long v;

	str_printable(out, sizeof(out), "h\xc3\xa9llo\x01\xff", 8);
	is_str(out, "h\xc3\xa9llo??", "valid UTF-8 kept, controls and bad bytes replaced");
	ok(str_is_utf8("plain", 5) && str_is_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
	   "UTF-8 of 2, 3 and 4 bytes");
	ok(!str_is_utf8("\xc0\xaf", 2) && !str_is_utf8("\xe0\x80\xaf", 3) &&
	       !str_is_utf8("\xf0\x80\x80\xaf", 4),
	   "overlong forms are not UTF-8");
	ok(!str_is_utf8("\xed\xa0\x80", 3), "a surrogate is not UTF-8");
	ok(!str_is_utf8("\xf4\x90\x80\x80", 4) && str_is_utf8("\xf4\x8f\xbf\xbf", 4),
	   "U+10FFFF is the last code point");
	ok(!str_is_utf8("\xc3", 1) && !str_is_utf8("a\xff", 2), "truncated and stray bytes");
	ok(str_eq_ci("HeLLo", "hello"), "case-insensitive equality");
	ok(!str_eq_ci("hello", "hell"), "different lengths differ");
	ok(str_prefix_ci("STARTTLS x", "starttls"), "prefix match");
	ok(str_to_ulong("587", 65535, &v) == 0 && v == 587, "number parsed");
	ok(str_to_ulong("65536", 65535, &v) == -1, "number above max refused");
	ok(str_to_ulong("58x", 65535, &v) == -1, "garbage refused");
	ok(str_to_ulong("", 65535, &v) == -1, "empty refused");
	ok(str_to_ulong("99999999999999999999999", (unsigned long)-1, &v) == -1,
	   "overflow refused");
	ok(str_has_crlfnul("a\nb", 3), "LF found");
	ok(str_has_crlfnul("a\0b", 3), "NUL found");
	ok(!str_has_crlfnul("ab", 2), "clean string");
}

static void test_deadline(void)
{
	struct deadline none = { 0 }, soon = deadline_in(50), later = deadline_in(100000);

	is_int(deadline_poll_ms(none), -1, "no deadline waits forever");
	ok(!deadline_expired(none), "no deadline never expires");
	ok(deadline_min(none, soon).at_ms == soon.at_ms, "min prefers a real deadline");
	ok(deadline_min(later, soon).at_ms == soon.at_ms, "min picks the earlier");
	ok(deadline_poll_ms(soon) <= 50, "poll timeout bounded");
}

/* Warnings reach the terminal printable, as Postfix's msg_output makes
 * them: control bytes and broken UTF-8 become '?', valid UTF-8 stays. */
static void test_log(void)
{
	struct capture cap;
	char *out;

	capture_begin(&cap);
	log_warning("key \"%s\"", "a\033[31m\tb\xff\xc3\xa9");
	out = capture_end(&cap);
	is_str(out, "relaymail: warning: key \"a?[31m?b?\xc3\xa9\"\n",
	       "log: a warning is printable");
	free(out);
}

/* RFC 4648 §10's vectors both ways, and what a strict decoder refuses. */
static void test_base64(void)
{
	static const char *const vectors[][2] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = { "Zg",   "Zg=",  "Z===",   "Zg==Zg==", "Zm9v*mFy",
					   "Zm 9", "=Zm9", "Zm9v\n", "Zg=a" };
	unsigned char raw[256], out[sizeof(raw)];
	char enc[sizeof(raw) / 3 * 4 + 8];
	long n;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t len = strlen(vectors[i][0]);

		base64_encode(vectors[i][0], len, enc);
		is_str(enc, vectors[i][1], "base64 of \"%s\"", vectors[i][0]);
		is_int((long)base64_encoded_len(len), (long)strlen(vectors[i][1]),
		       "encoded length of %zu bytes", len);
		n = base64_decode(vectors[i][1], strlen(vectors[i][1]), out);
		ok(n == (long)len && memcmp(out, vectors[i][0], len) == 0, "decode \"%s\"",
		   vectors[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(base64_decode(bad[i], strlen(bad[i]), out), -1, "refuses \"%s\"", bad[i]);
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(raw); len += 17) {
		base64_encode(raw, len, enc);
		n = base64_decode(enc, strlen(enc), out);
		ok(n == (long)len && memcmp(out, raw, len) == 0, "round trip of %zu bytes", len);
	}
}

int main(void)
{
	test_base64();
	test_buf();
	test_error();
	test_str();
	test_deadline();
	test_log();
	return tap_done();
}

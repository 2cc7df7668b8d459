/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp/milter_proto and mail/milter_edit: packets built byte for byte,
 * replies found in split input and checked against their command (every
 * string's NUL inside the packet, nothing left over), lengths past the
 * cap refused before any data, SMTP reply codes checked as Postfix does;
 * header fields added, inserted, changed and deleted by position, and a
 * body replaced across pieces with bare LF made CRLF. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "mail/message.h"
#include "mail/milter_edit.h"
#include "smtp/milter_proto.h"
#include "tap.h"

static void test_build(void)
{
	struct buf b = { 0 };
	const char *s[2] = { "<a@b>", "SIZE=1" };

	milter_put_optneg(&b, 6, MILTER_F_ALL, 0x1fffff);
	is_mem(b.data, b.len, "\0\0\0\x0dO\0\0\0\x06\0\0\x01\xff\0\x1f\xff\xff", 17, "OPTNEG");
	buf_reset(&b);
	milter_put_strings(&b, MILTER_C_MAIL, s, 2);
	is_mem(b.data, b.len, "\0\0\0\x0eM<a@b>\0SIZE=1\0", 18, "MAIL with two strings");
	buf_reset(&b);
	milter_put_connect(&b, "localhost", '4', 25, "127.0.0.1");
	is_mem(b.data, b.len,
	       "\0\0\0\x18"
	       "Clocalhost\0"
	       "4\0\x19"
	       "127.0.0.1\0",
	       28, "CONNECT: host, family, port in network order, address");
	buf_reset(&b);
	milter_put_connect(&b, "x", 'U', 0, "");
	is_mem(b.data, b.len,
	       "\0\0\0\x04"
	       "Cx\0U",
	       8, "CONNECT of an unknown family: no port, no address");
	buf_reset(&b);
	milter_put_macros(&b, MILTER_C_RCPT, "i\0Q1\0", 5);
	is_mem(b.data, b.len,
	       "\0\0\0\x07"
	       "DRi\0Q1\0",
	       11, "MACRO for RCPT");
	buf_reset(&b);
	milter_put(&b, MILTER_C_QUIT, NULL, 0);
	is_mem(b.data, b.len, "\0\0\0\x01Q", 5, "QUIT");
	buf_fini(&b);
}

static int parse(const char *p, size_t n, struct milter_packet *pkt, size_t *used)
{
	struct error err = { 0 };

	return milter_packet_parse(p, n, pkt, used, &err);
}

static void test_packets(void)
{
	static const char two[] = "\0\0\0\x01"
				  "c"
				  "\0\0\0\x03"
				  "hA";
	struct milter_packet pkt;
	struct error err = { 0 };
	size_t used = 0;

	for (size_t n = 0; n < 5; n++)
		is_int(parse(two, n, &pkt, &used), 0, "%zu octets of a packet: more needed", n);
	is_int(parse(two, 5, &pkt, &used), 1, "a whole packet");
	is_int(pkt.cmd, 'c', "its command");
	is_int((long long)used, 5, "its length");
	is_int(parse(two + 5, 6, &pkt, &used), 0, "a packet cut short: more needed");
	is_int(milter_packet_parse("\0\0\0\0c", 5, &pkt, &used, &err), -1, "length 0 refused");
	is_int(milter_packet_parse("\xff\xff\xff\xff", 4, &pkt, &used, &err), -1,
	       "length 4294967295 refused before its data");
	is_str(err.text, "a packet of length 4294967295, more than the 1048577 allowed",
	       "... and named");
	is_int(milter_packet_parse("\0\x10\0\x02", 4, &pkt, &used, &err), -1,
	       "just past the cap refused");
	is_int(milter_packet_parse("\0\x10\0\x01", 4, &pkt, &used, &err), 0,
	       "at the cap: waits for the data");
}

static int decode(const char *p, size_t n, struct milter_reply *r, struct error *err)
{
	struct milter_packet pkt = { p[0], p + 1, n - 1 };

	error_clear(err);
	return milter_reply_decode(&pkt, r, err);
}

static void test_replies(void)
{
	struct milter_reply r;
	struct error err = { 0 };

	is_int(decode("c", 1, &r, &err), 0, "CONTINUE");
	is_int(decode("cx", 2, &r, &err), -1, "CONTINUE with data refused");
	is_str(err.text, "reply SMFIR_CONTINUE with 1 octets of data: this reply carries no data",
	       "... named");
	is_int(decode("hX-A\0v\0", 7, &r, &err), 0, "ADDHEADER");
	is_str(r.name, "X-A", "its name");
	is_str(r.value, "v", "its value");
	is_int(decode("hX-A\0v", 6, &r, &err), -1, "ADDHEADER without the value's NUL");
	is_int(decode("hX-A\0v\0z", 8, &r, &err), -1, "ADDHEADER with bytes left over");
	is_int(decode("m\0\0\0\x02Subject\0\0", 14, &r, &err), 0, "CHGHEADER");
	is_int(r.index, 2, "its index");
	is_str(r.value, "", "an empty value (delete)");
	is_int(decode("i\0\0", 3, &r, &err), -1, "INSHEADER too short for its index");
	is_int(decode("e<a@b>\0", 7, &r, &err), 0, "CHGFROM without arguments");
	is_str(r.value, "", "no arguments");
	is_int(decode("e<a@b>\0RET=HDRS\0", 16, &r, &err), 0, "CHGFROM with arguments");
	is_str(r.value, "RET=HDRS", "its arguments");
	is_int(decode("+<a@b>\0X\0", 9, &r, &err), -1, "ADDRCPT takes no arguments");
	is_int(decode("-<a@b>", 6, &r, &err), -1, "DELRCPT without its NUL");
	is_int(decode("bany\0bytes", 10, &r, &err), 0, "REPLBODY: any bytes");
	is_int((long long)r.len, 9, "its length");
	is_int(decode("Zjunk", 5, &r, &err), -1, "an unknown reply");
	is_str(err.text, "unknown reply 0x5a with 4 octets of data", "... named with its code");
}

static void test_optneg(void)
{
	static const char good[] = "O\0\0\0\x06\0\0\0\x01\0\0\0\x80"
				   "\0\0\0\x02{mail_addr} i\0";
	struct milter_packet pkt = { 'O', good + 1, sizeof(good) - 2 };
	struct milter_optneg o;
	struct error err = { 0 };

	is_int(milter_optneg_decode(&pkt, &o, &err), 0, "OPTNEG with a SETSYMLIST list");
	is_int(o.version, 6, "version");
	is_int(o.actions, 1, "actions");
	is_int(o.protocol, 0x80, "protocol");
	is_str(o.macros[MILTER_STAGE_MAIL], "{mail_addr} i", "the MAIL list");
	ok(o.macros[MILTER_STAGE_RCPT] == NULL, "no RCPT list");
	pkt.len -= 1;
	is_int(milter_optneg_decode(&pkt, &o, &err), -1, "a list without its NUL");
	pkt.len = 14;
	is_int(milter_optneg_decode(&pkt, &o, &err), -1, "a list without its stage");
	pkt.len = 8;
	is_int(milter_optneg_decode(&pkt, &o, &err), -1, "too short");
	pkt.cmd = 'c';
	is_int(milter_optneg_decode(&pkt, &o, &err), -1, "another reply to OPTNEG");
}

static void test_protocol(void)
{
	uint32_t v, e;
	struct error err = { 0 };

	is_int(milter_protocol_parse("6", &v, &e, &err), 0, "milter_protocol 6");
	is_int(v, 6, "version 6");
	is_int(e, 0x1fffff, "every event of version 6");
	is_int(milter_protocol_parse("2, no_header_reply", &v, &e, &err), 0,
	       "2 with no_header_reply");
	is_int(e, 0xff, "version 2's events and NR_HDR");
	is_int(milter_protocol_parse("5", &v, &e, &err), -1, "5 refused");
	is_int(milter_protocol_parse("no_header_reply", &v, &e, &err), -1, "no version refused");
	is_int(milter_protocol_parse("4 6", &v, &e, &err), -1, "two versions refused");
}

static void test_smtp_reply(void)
{
	ok(milter_smtp_reply_ok("550 5.7.1 no", 12), "a 5xx reply");
	ok(milter_smtp_reply_ok("451 4.7.1 later\0", 16), "a 4xx reply with its NUL");
	ok(milter_smtp_reply_ok("550-one\r\n550 two", 16), "a multi-line reply");
	ok(!milter_smtp_reply_ok("250 ok", 6), "a 2xx refused");
	ok(!milter_smtp_reply_ok("550 4.7.1 mixed", 15),
	   "an enhanced code of another class refused");
	ok(!milter_smtp_reply_ok("550-one\n550 two", 15), "a bare LF between lines refused");
	ok(!milter_smtp_reply_ok("550 a\0b", 7), "a NUL inside refused");
	ok(!milter_smtp_reply_ok("550-one\r\n", 9), "no last line refused");
	ok(!milter_smtp_reply_ok("", 0), "nothing refused");
}

static struct message *msg(const char *text)
{
	struct message_opts o = { 0 };
	struct error err = { 0 };

	return message_from_mem(text, strlen(text), &o, &err);
}

/* The whole stored form of m. */
static void is_message(const struct message *m, const char *want, const char *what)
{
	struct message_cursor *c = malloc(sizeof(*c));
	struct buf b = { 0 };
	struct error err = { 0 };
	const char *p;
	ssize_t n;

	message_rewind(m, c);
	while ((n = message_next(m, c, &p, &err)) > 0)
		buf_append(&b, p, (size_t)n);
	is_str(b.data != NULL ? b.data : "", want, "%s", what);
	buf_fini(&b);
	free(c);
}

static void test_edits(void)
{
	struct message *m = msg("A: 1\nB: 2\nA: 3\n\nbody\n");
	struct error err = { 0 };
	struct buf out = { 0 };
	struct milter_body *body;

	milter_edit_header_out(m, 0, false, &out);
	is_mem(out.data, out.len,
	       "A\0"
	       "1\0",
	       4, "a field as a milter gets it");
	buf_reset(&out);
	milter_edit_header_out(m, 0, true, &out);
	is_mem(out.data, out.len, "A\0 1\0", 5, "with SMFIP_HDR_LEADSPC, the space kept");
	buf_fini(&out);
	is_int(milter_edit_change(m, 2, "a", " ", "three", &err), 0, "change the second A");
	is_int(milter_edit_insert(m, 1, "X", " ", "ins", &err), 0, "insert at 1");
	is_int(milter_edit_add(m, "Z", " ", "last\n\tfolded", &err), 0, "add, folded");
	is_int(milter_edit_change(m, 0, "B", " ", "", &err), 0, "delete B (index 0 as 1)");
	is_int(milter_edit_change(m, 5, "B", " ", "", &err), 0, "delete a B that is not there");
	is_int(milter_edit_change(m, 3, "C", "", " new", &err), 0, "change a C that is not there");
	is_message(m, "A: 1\r\nX: ins\r\na: three\r\nZ: last\r\n\tfolded\r\nC: new\r\n\r\nbody\r\n",
		   "the header after the edits");
	is_int(milter_edit_add(m, "Bad Name", " ", "v", &err), -1, "a name with a blank refused");
	is_int(milter_edit_add(m, "X", " ", "a\nB: injected", &err), -1,
	       "a newline without a blank after it refused");
	is_int(milter_edit_add(m, "X", " ", "a\rb", &err), -1, "a bare CR refused");

	body = milter_edit_body_new(m, 0, &err);
	milter_edit_body_add(body, "one\r", 4, &err);
	milter_edit_body_add(body, "\ntwo\nthree", 10, &err);
	is_int(milter_edit_body_finish(body, m, &err), 0, "a new body");
	is_message(m,
		   "A: 1\r\nX: ins\r\na: three\r\nZ: last\r\n\tfolded\r\nC: new\r\n\r\n"
		   "one\r\ntwo\r\nthree\r\n",
		   "CRLF across pieces kept, bare LF made CRLF, the last line ended");
	body = milter_edit_body_new(m, 8, &err);
	is_int(milter_edit_body_add(body, "123456789", 9, &err), -1, "a body past the limit");
	is_int(err.cls, ERROR_DATA, "... is a data error");
	milter_edit_body_free(body);
	message_free(m);
}

int main(void)
{
	test_build();
	test_packets();
	test_replies();
	test_optneg();
	test_protocol();
	test_smtp_reply();
	test_edits();
	return tap_done();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: what a milter sends (smtp/milter_proto.c), and the edits
 * it asks for (mail/milter_edit.c). The input is the byte stream off the
 * milter's socket: every complete packet in it is taken in turn, an
 * OPTNEG decoded as the negotiation, any other as a reply, a reply code
 * checked, and the header and body edits applied to a small message, as
 * the driver (deliver/milter.c) applies them.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/milter
 *	nice -n 19 fuzz/fuzz-milter -max_total_time=120 \
 *	    work/milter ../fuzz/corpus/milter
 */
#include <config.h>

#include <string.h>

#include "base/error.h"
#include "fuzz.h"
#include "mail/message.h"
#include "mail/milter_edit.h"
#include "smtp/milter_proto.h"

/* At most this many edits per input, so one input stays quick. */
#define EDITS_MAX 64

static void edit(struct message *m, struct milter_body **body, const struct milter_reply *r)
{
	struct error err = { 0 };

	switch (r->cmd) {
	case MILTER_R_ADDHEADER:
		(void)milter_edit_add(m, r->name, " ", r->value, &err);
		break;
	case MILTER_R_INSHEADER:
		(void)milter_edit_insert(m, r->index, r->name, "", r->value, &err);
		break;
	case MILTER_R_CHGHEADER:
		if (r->name[0] != '\0')
			(void)milter_edit_change(m, r->index, r->name, " ", r->value, &err);
		break;
	case MILTER_R_REPLBODY:
		if (*body == NULL)
			*body = milter_edit_body_new(m, 1u << 20, &err);
		if (*body != NULL && milter_edit_body_add(*body, r->data, r->len, &err) < 0) {
			milter_edit_body_free(*body);
			*body = NULL;
		}
		break;
	case MILTER_R_REPLYCODE:
		(void)milter_smtp_reply_ok(r->data, r->len);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] =
	    "From: <a@example.org>\nSubject: s\nTo: <b@example.org>\n\nbody\n";
	struct message_opts mo = { 0 };
	struct error err = { 0 };
	const char *p = (const char *)data;
	struct milter_body *body = NULL;
	struct message *m;
	int edits = 0;

	fuzz_init();
	m = message_from_mem(text, sizeof(text) - 1, &mo, &err);
	if (m == NULL)
		__builtin_trap();
	while (size > 0 && edits < EDITS_MAX) {
		struct milter_packet pkt;
		struct milter_optneg o;
		struct milter_reply r;
		size_t used = 0;

		if (milter_packet_parse(p, size, &pkt, &used, &err) != 1)
			break;
		if (used < 5 || used > size || pkt.data + pkt.len != p + used)
			__builtin_trap(); /* the contract: one whole packet */
		if (pkt.cmd == MILTER_C_OPTNEG) {
			if (milter_optneg_decode(&pkt, &o, &err) == 0)
				for (int s = 0; s < MILTER_STAGE_COUNT; s++)
					if (o.macros[s] != NULL)
						(void)strlen(o.macros[s]);
		} else if (milter_reply_decode(&pkt, &r, &err) == 0) {
			edit(m, &body, &r);
			edits++;
		}
		p += used;
		size -= used;
	}
	if (body != NULL)
		(void)milter_edit_body_finish(body, m, &err);
	message_free(m);
	return 0;
}

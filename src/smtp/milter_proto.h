/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Sendmail milter protocol (versions 2 to 6) as Postfix's cleanup
 * speaks it to non_smtpd_milters: packets built into a buffer and replies
 * decoded from (pointer, length) with hard caps. No I/O and no state: the
 * driver (deliver/milter.h) sends, reads and decides what comes next.
 * A packet is a 4-octet length in network order, one command octet, then
 * the command's data. */
#ifndef RELAYMAIL_SMTP_MILTER_PROTO_H
#define RELAYMAIL_SMTP_MILTER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

/* Commands from us to the milter. */
#define MILTER_C_ABORT 'A'
#define MILTER_C_BODY 'B'
#define MILTER_C_CONNECT 'C'
#define MILTER_C_MACRO 'D'
#define MILTER_C_BODYEOB 'E'
#define MILTER_C_HELO 'H'
#define MILTER_C_HEADER 'L'
#define MILTER_C_MAIL 'M'
#define MILTER_C_EOH 'N'
#define MILTER_C_OPTNEG 'O'
#define MILTER_C_QUIT 'Q'
#define MILTER_C_RCPT 'R'
#define MILTER_C_DATA 'T'

/* Replies from the milter. */
#define MILTER_R_ADDRCPT '+'
#define MILTER_R_DELRCPT '-'
#define MILTER_R_ADDRCPT_PAR '2'
#define MILTER_R_SHUTDOWN '4'
#define MILTER_R_ACCEPT 'a'
#define MILTER_R_REPLBODY 'b'
#define MILTER_R_CONTINUE 'c'
#define MILTER_R_DISCARD 'd'
#define MILTER_R_CHGFROM 'e'
#define MILTER_R_CONN_FAIL 'f'
#define MILTER_R_ADDHEADER 'h'
#define MILTER_R_INSHEADER 'i'
#define MILTER_R_SETSYMLIST 'l'
#define MILTER_R_CHGHEADER 'm'
#define MILTER_R_PROGRESS 'p'
#define MILTER_R_QUARANTINE 'q'
#define MILTER_R_REJECT 'r'
#define MILTER_R_SKIP 's'
#define MILTER_R_TEMPFAIL 't'
#define MILTER_R_REPLYCODE 'y'

/* SMFIF_*: what the milter may ask for at the end of the message. */
#define MILTER_F_ADDHDRS 0x001u
#define MILTER_F_CHGBODY 0x002u
#define MILTER_F_ADDRCPT 0x004u
#define MILTER_F_DELRCPT 0x008u
#define MILTER_F_CHGHDRS 0x010u
#define MILTER_F_QUARANTINE 0x020u
#define MILTER_F_CHGFROM 0x040u
#define MILTER_F_ADDRCPT_PAR 0x080u
#define MILTER_F_SETSYMLIST 0x100u
#define MILTER_F_ALL 0x1ffu /* everything we apply, as Postfix offers */

/* SMFIP_*: events the milter does not want, replies it will not send. */
#define MILTER_P_NOCONNECT 0x000001u
#define MILTER_P_NOHELO 0x000002u
#define MILTER_P_NOMAIL 0x000004u
#define MILTER_P_NORCPT 0x000008u
#define MILTER_P_NOBODY 0x000010u
#define MILTER_P_NOHDRS 0x000020u
#define MILTER_P_NOEOH 0x000040u
#define MILTER_P_NR_HDR 0x000080u
#define MILTER_P_NOUNKNOWN 0x000100u
#define MILTER_P_NODATA 0x000200u
#define MILTER_P_SKIP 0x000400u
#define MILTER_P_RCPT_REJ 0x000800u
#define MILTER_P_NR_CONN 0x001000u
#define MILTER_P_NR_HELO 0x002000u
#define MILTER_P_NR_MAIL 0x004000u
#define MILTER_P_NR_RCPT 0x008000u
#define MILTER_P_NR_DATA 0x010000u
#define MILTER_P_NR_UNKN 0x020000u
#define MILTER_P_NR_EOH 0x040000u
#define MILTER_P_NR_BODY 0x080000u
#define MILTER_P_HDR_LEADSPC 0x100000u

/* Macro classes of a SETSYMLIST (and of our macro lists). */
enum milter_stage {
	MILTER_STAGE_CONNECT,
	MILTER_STAGE_HELO,
	MILTER_STAGE_MAIL,
	MILTER_STAGE_RCPT,
	MILTER_STAGE_DATA,
	MILTER_STAGE_EOM,
	MILTER_STAGE_EOH,
	MILTER_STAGE_COUNT
};

/* The largest packet accepted from a milter. libmilter sends at most
 * 65535 octets of data by default (1 MiB when built for more); a length
 * past this is refused before any of it is read. */
#define MILTER_PACKET_MAX (1024u * 1024u + 1u)
/* Body octets per BODY packet, as Postfix sends them. */
#define MILTER_CHUNK 65535u

/* The protocol a milter_protocol value asks for: a version (2, 3, 4 or
 * 6) and optionally "no_header_reply". -1 with ERROR_CONFIG naming the
 * word for anything else, or no version, or two. *events is the set of
 * MILTER_P_* bits that version may negotiate. */
int milter_protocol_parse(const char *value, uint32_t *version, uint32_t *events,
			  struct error *err);

/* Append one packet: cmd, then len octets of data. -1 when out of
 * memory. */
int milter_put(struct buf *out, char cmd, const void *data, size_t len);
/* OPTNEG: version, actions (MILTER_F_*), protocol (MILTER_P_*). */
int milter_put_optneg(struct buf *out, uint32_t version, uint32_t actions, uint32_t protocol);
/* cmd with n NUL-terminated strings as its data (MAIL, RCPT, HELO,
 * HEADER; none for DATA, EOH, BODYEOB, ABORT, QUIT). */
int milter_put_strings(struct buf *out, char cmd, const char *const *s, size_t n);
/* MACRO for the event cmd: pairs holds len octets of name NUL value NUL
 * pairs. */
int milter_put_macros(struct buf *out, char cmd, const char *pairs, size_t len);
/* CONNECT: host name, family ('4', '6', 'L' or 'U'), port, address (the
 * port and address are left out for 'U', as the protocol says). */
int milter_put_connect(struct buf *out, const char *host, char family, unsigned port,
		       const char *addr);

/* A packet read from a milter; data points into the caller's bytes. */
struct milter_packet {
	char cmd;
	const char *data;
	size_t len;
};

/* One packet at the start of (p, n): 1 with *pkt and *used (the whole
 * packet's octets), 0 when more input is needed, -1 with ERROR_PROTOCOL
 * for a length of 0 or past MILTER_PACKET_MAX. */
int milter_packet_parse(const char *p, size_t n, struct milter_packet *pkt, size_t *used,
			struct error *err);

/* The OPTNEG reply. */
struct milter_optneg {
	uint32_t version, actions, protocol;
	/* SETSYMLIST macro lists: the names for each stage, NULL where the
	 * milter kept ours; pointers into the packet, NUL-terminated there. */
	const char *macros[MILTER_STAGE_COUNT];
};
/* -1 with ERROR_PROTOCOL for a short packet or a macro list without its
 * NUL; an unknown stage number is skipped. */
int milter_optneg_decode(const struct milter_packet *pkt, struct milter_optneg *o,
			 struct error *err);

/* Any other reply, its arguments checked against its command. */
struct milter_reply {
	char cmd;
	uint32_t index;	   /* CHGHEADER, INSHEADER */
	const char *name;  /* header name; address for ADDRCPT, DELRCPT, CHGFROM */
	const char *value; /* header value; ESMTP arguments ("" when none) */
	const char *data;  /* REPLBODY chunk; REPLYCODE text; QUARANTINE reason */
	size_t len;	   /* of data */
};
/* -1 with ERROR_PROTOCOL for arguments that do not fit the command (a
 * string without its NUL, data after a command that takes none, bytes
 * left over) or an unknown command, naming it. */
int milter_reply_decode(const struct milter_packet *pkt, struct milter_reply *r, struct error *err);

/* true when (p, len) is an SMTP reply a milter may give with REPLYCODE:
 * 4xx or 5xx lines, "ddd-" before the last and "ddd " on it, CRLF
 * between, no NUL (one NUL at the end is allowed, and not counted). */
bool milter_smtp_reply_ok(const char *p, size_t len);

/* A printable name of a reply command for messages ("SMFIR_ADDHEADER",
 * or "0x07" for one we do not know). out needs 24 octets. */
const char *milter_reply_name(char cmd, char *out, size_t size);

#endif

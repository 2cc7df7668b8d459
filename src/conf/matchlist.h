/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Postfix's string match list (util/match_list.c with match_string, as
 * global/string_list.c sets it up): the value of a parameter such as
 * smtp_sasl_mechanism_filter read once into patterns, tables opened and
 * pattern files read, then names tested against it with no I/O. */
#ifndef RELAYMAIL_CONF_MATCHLIST_H
#define RELAYMAIL_CONF_MATCHLIST_H

#include <stdbool.h>

#include "base/error.h"

struct matchlist;

/* Most patterns one list holds, pattern files included. */
#define MATCHLIST_PATTERNS_MAX 10000
/* Most /file/name pattern files one list reads, nested ones included (a
 * file that names itself reaches this). */
#define MATCHLIST_FILES_MAX 20

/* Read value (NULL is "") into a list. Items are separated by commas
 * and/or whitespace; a { } group is kept whole, braces included. Each
 * leading '!' of an item toggles its sense. The rest of the item is
 * - "/file/name": the file is read now, and each item of each logical
 *   line (comments and continuation lines as in table source files) is
 *   read as if written in its place, with the outer sense ("!/f" negates
 *   every item of f; a '!' inside toggles again);
 * - "type:table" (not starting with '['): the table is opened now with
 *   table_flags (conf/table.h); a name matches when the table has it as
 *   a key, whatever the value;
 * - any other text: a name matches when equal to it, ignoring case.
 * An item starting with '#' ends the value (or the file's line), with
 * Postfix's warning "#comment after other text is not allowed".
 * Case: names and patterns are folded as table keys are (casefold_dup,
 * Unicode with TABLE_UTF8), and tables get the folded name as the key.
 * where: context for messages ("smtp_sasl_mechanism_filter
 * (/etc/relaymail/sendmail.conf, line 4)"), may be NULL; it prefixes every
 * error, at open and at match time. NULL with ERROR_CONFIG ('!' with no
 * pattern; a table that cannot be opened; a pattern file that cannot be
 * read, with its name; more than MATCHLIST_PATTERNS_MAX patterns or
 * MATCHLIST_FILES_MAX files; a line of a pattern file longer than 64 KiB)
 * or ERROR_INTERNAL (out of memory). */
struct matchlist *matchlist_open(const char *value, unsigned table_flags, const char *where,
				 struct error *err);
void matchlist_free(struct matchlist *l);

/* Test name against the patterns in order; the first that matches
 * decides: 1 when it is not negated, 0 when it is. 0 when none matches
 * (so a list of only negated patterns matches nothing). -1 when a table
 * lookup failed before a decision (the table's error, class kept: e.g.
 * ERROR_CONFIG for a result that is not UTF-8, ERROR_INTERNAL): Postfix
 * stops there too rather than read the next pattern. */
int matchlist_match(const struct matchlist *l, const char *name, struct error *err);

/* Test a peer, as Postfix's host name and address lists
 * (debug_peer_list) do: each pattern in order, the first that matches
 * decides (1, or 0 when negated). A pattern matches the host name when
 * equal to it or to one of its parent domains ("example.com" matches
 * "mx.example.com"); a table, when it has the name or (not a regexp or
 * pcre table) a parent domain as a key. It matches the address when
 * equal to it, bracketed or not, when it is a network ("192.0.2.0/24",
 * "[2001:db8::]/32") that holds it, or a table has it as a key. name or
 * addr may be NULL or "". -1 as matchlist_match. */
int matchlist_match_host(const struct matchlist *l, const char *name, const char *addr,
			 struct error *err);
/* Every pattern of l that Postfix would read as a network is one: -1
 * with ERROR_CONFIG naming the first that is not (a bad length, bits set
 * past the length). */
int matchlist_check_networks(const struct matchlist *l, struct error *err);

/* The list holds no pattern: its value held only separators, comments, or
 * pattern files without items. Such a list matches nothing. */
bool matchlist_empty(const struct matchlist *l);
/* The value as given to matchlist_open, for messages. */
const char *matchlist_text(const struct matchlist *l);

#endif

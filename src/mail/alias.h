/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Local aliases: alias_maps tables, the hash: family read from aliases(5)
 * source text ("name: value, value", continuation lines, comments, quoted
 * names), and the expansion of local recipients through them, with loop
 * detection and luser_relay for unknown local names. Delivery to commands,
 * files and :include: lists is refused with a warning. */
#ifndef RELAYMAIL_MAIL_ALIAS_H
#define RELAYMAIL_MAIL_ALIAS_H

#include <stdbool.h>

#include "base/error.h"
#include "mail/address.h"
#include "mail/rewrite.h"

struct aliases;

/* Postfix's local(8) stops at 100 levels of its own nesting, four of
 * which each alias takes: in a chain of aliases the 26th bounces ("alias
 * database loop", 5.4.6; measured with Postfix 3.7.11), and what the
 * 25th gives is delivered. */
#define ALIAS_DEPTH_MAX 25
/* Final addresses of one recipient: Postfix's smtpd_recipient_limit, the
 * most a relay running Postfix takes in one transaction by default. */
#define ALIAS_RESULT_MAX 1000

/* Open the tables of an alias_maps value. hash:, btree:, lmdb:, cdb:,
 * dbm: and sdbm: name aliases(5) source files; other types are opened as
 * lookup tables (keys are local names). strict (newaliases): the first
 * syntax error fails with ERROR_CONFIG naming file and line; otherwise
 * bad lines are skipped with a warning. missing_ok: a source file that
 * does not exist is skipped (the default /etc/aliases). */
struct aliases *alias_open(const char *maps, bool strict, bool missing_ok, struct error *err);
/* Parse aliases(5) text (name: where messages say it came from). */
struct aliases *alias_parse(const char *name, const char *text, size_t len, bool strict,
			    struct error *err);
void alias_free(struct aliases *a);
/* The value of a local name (case-insensitive): 1 found (*value
 * malloc'd), 0 not found, -1 error. */
int alias_lookup(const struct aliases *a, const char *name, char **value, struct error *err);
/* The same, and in *source (when found) the file or table that holds the
 * name, as alias_maps gives it; it lives as long as a. */
int alias_lookup_from(const struct aliases *a, const char *name, char **value, const char **source,
		      struct error *err);

struct alias_ctx {
	const struct rewriter *rw; /* locality, local rewrite, recipient_delimiter */
	/* luser_relay as configured, without $name expansion ("" or NULL:
	 * none), and where it was set (config_where; NULL: the default), for
	 * messages. */
	const char *luser_relay;
	const char *luser_relay_where;
	/* true when name is a login on this host (NULL: no name is). A local
	 * name that is neither an alias nor a login goes to luser_relay. */
	bool (*is_user)(const char *name, void *arg);
	void *arg;
};

/* Expand one recipient (external form, qualified): a local one through the
 * aliases, recursively; the final addresses are added to out without
 * duplicates. A name met again while it is being expanded stays as it
 * is; a name already expanded for this recipient adds nothing more, so
 * the work grows with the size of the tables, never exponentially
 * ("a0: a1, a1", "a1: a2, a2", ...). As Postfix's local(8), an alias
 * below ALIAS_DEPTH_MAX others is an error (an alias loop). A local name that is neither an alias
 * nor a login is replaced by luser_relay (when set) as Postfix's local(8) does it: the value
 * expanded with the recipient's $domain, $extension, $local, $recipient,
 * $recipient_delimiter and $user (local part and domain in lower case,
 * the extension split as addrfind_extension_at does, $mailbox the same as
 * $local; $home and $shell are empty), qualified with rewrite_local, and
 * expanded through the aliases in turn, where luser_relay is not applied
 * again. Any other $name expands to nothing, with a warning the first
 * time a call meets it. -1 on lookup errors, too many addresses
 * (ALIAS_RESULT_MAX), too deep a nesting, an alias value that is not a
 * list of addresses (ERROR_CONFIG; the error names the recipient, never
 * a table's contents, which go to a warning with the table's name), and
 * for luser_relay bad macro syntax or a result that is empty or not a
 * valid envelope address (ERROR_CONFIG; luser_relay_where and luser_relay
 * named). */
int alias_expand(const struct aliases *a, const struct alias_ctx *ctx, const char *addr,
		 struct addrlist *out, struct error *err);

#endif

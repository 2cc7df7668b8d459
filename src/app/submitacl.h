/* SPDX-License-Identifier: GPL-3.0-or-later */
/* authorized_submit_users (Postfix's sendmail(1) and postdrop(1)): who
 * may submit mail, a match list of login names checked once, before a
 * message is read. */
#ifndef RELAYMAIL_APP_SUBMITACL_H
#define RELAYMAIL_APP_SUBMITACL_H

#include "base/error.h"
#include "conf/config.h"

struct matchlist;

/* The list of cfg's authorized_submit_users, opened (tables too). NULL
 * with ERROR_CONFIG naming the parameter, or ERROR_INTERNAL. */
struct matchlist *submitacl_open(const struct config *cfg, struct error *err);
/* 0 when the caller's login name (the real user ID's; its number when it
 * has no passwd entry) is on the list; -1 otherwise, ERROR_AUTH (77, as
 * Postfix's EX_NOPERM) in Postfix's words, or a table's error. */
int submitacl_check(const struct matchlist *acl, struct error *err);

#endif

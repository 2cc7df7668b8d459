/* SPDX-License-Identifier: GPL-3.0-or-later */
/* authorized_submit_users: the default static:anyone lets everyone
 * submit; a list such as "root, alice, www-data" or "!nobody,
 * static:anyone" names who may (reference/postfix.md, match lists). */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/submitacl.h"
#include "base/i18n.h"
#include "conf/matchlist.h"
#include "conf/table.h"

struct matchlist *submitacl_open(const struct config *cfg, struct error *err)
{
	char where[512];

	snprintf(where, sizeof(where), "authorized_submit_users (%s)",
		 config_where(cfg, "authorized_submit_users"));
	return matchlist_open(config_get(cfg, "authorized_submit_users"), table_config_flags(cfg),
			      where, err);
}

int submitacl_check(const struct matchlist *acl, struct error *err)
{
	uid_t uid = getuid();
	const struct passwd *pw;
	char number[32];
	const char *name;
	int rc;

	/* The default lets everyone in: no name to look up (a passwd read
	 * and an nsswitch.conf read a run). */
	if (strcmp(matchlist_text(acl), "static:anyone") == 0)
		return 0;
	pw = getpwuid(uid);
	name = pw != NULL ? pw->pw_name : number;
	snprintf(number, sizeof(number), "%ld", (long)uid);
	rc = matchlist_match(acl, name, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		error_set(err, ERROR_AUTH,
			  _("User %s(%ld) is not allowed to submit mail (authorized_submit_users)"),
			  name, (long)uid);
		return -1;
	}
	return 0;
}

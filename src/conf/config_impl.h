/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The inside of struct config, shared by config.c (building it) and
 * config_get.c (reading it). Nothing outside conf includes this. */
#ifndef RELAYMAIL_CONF_CONFIG_IMPL_H
#define RELAYMAIL_CONF_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"
#include "conf/params.h"
#include "conf/textfile.h"

struct config_param {
	char *name;
	char *raw;		       /* as configured, NULL when not set */
	char *where;		       /* where it was set, NULL when not set */
	char *value;		       /* expanded; set for every entry once loaded, but
					* for PARAM_RAW ones only when another refers to them */
	const struct param_info *info; /* NULL for names relaymail lacks */
	int state;		       /* 0 not expanded, 1 being expanded, 2 done */
	bool referenced;
	bool from_env; /* set by a RELAYMAIL_<NAME> variable */
	size_t seq;    /* order of the last definition */
};

struct config {
	char *file;
	struct textfile_info file_info; /* what was seen of file as it was read */
	struct config_param *v;
	size_t n, cap, seq;
	/* Open addressing over v by name: slot holds index + 1, 0 is empty;
	 * nslots is a power of two at least twice n. */
	size_t *slots, nslots;
	/* Only while loading. */
	const char *hostname; /* what gethostname() said; "localhost" in tests */
	bool io;	      /* may read files (myorigin = /etc/mailname) */
	bool env;	      /* apply_env is setting parameters */
	int depth;
	const struct config_param *expanding; /* whose value is being expanded */
};

/* The entry for name (len bytes), or NULL. */
struct config_param *config_param_find(const struct config *c, const char *name, size_t len);
/* Room in the index for one more parameter: 0, or -1 out of memory. */
int config_slots_reserve(struct config *c);
/* Index v[index], whose name is name, in slots (nslots of them, with room). */
void config_slot_put(size_t *slots, size_t nslots, const char *name, size_t index);

#endif

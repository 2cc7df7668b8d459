/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A string-to-string hash map for the fixed-key tables. Values may be
 * passwords, so they are wiped when the map is released. A zeroed struct
 * kvmap is a valid empty map. */
#ifndef RELAYMAIL_CONF_KVMAP_H
#define RELAYMAIL_CONF_KVMAP_H

#include <stdbool.h>
#include <stddef.h>

struct kvmap_slot {
	char *key;
	char *value;
};

struct kvmap {
	struct kvmap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* Insert key (klen bytes) -> value (vlen bytes). When the key exists,
 * replace says whether the new value wins. 1 inserted, 0 key existed,
 * -1 out of memory. */
int kvmap_put(struct kvmap *m, const char *key, size_t klen, const char *value, size_t vlen,
	      bool replace);
/* The value for key, or NULL. */
const char *kvmap_get(const struct kvmap *m, const char *key);
void kvmap_fini(struct kvmap *m);

#endif

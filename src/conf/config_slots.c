/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The index of a configuration's parameters by name, an open-addressing
 * hash table over struct config's array. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "conf/config_impl.h"

/* FNV-1a: every lookup of a $name and every setting goes through the
 * slots, where a walk of the 300 names cost more than the rest of the
 * configuration. */
static size_t name_hash(const char *name, size_t len)
{
	size_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

struct config_param *config_param_find(const struct config *c, const char *name, size_t len)
{
	size_t mask = c->nslots - 1;

	if (c->nslots == 0)
		return NULL;
	for (size_t i = name_hash(name, len) & mask; c->slots[i] != 0; i = (i + 1) & mask) {
		struct config_param *p = &c->v[c->slots[i] - 1];

		if (strncmp(p->name, name, len) == 0 && p->name[len] == '\0')
			return p;
	}
	return NULL;
}

void config_slot_put(size_t *slots, size_t nslots, const char *name, size_t index)
{
	size_t i = name_hash(name, strlen(name)) & (nslots - 1);

	while (slots[i] != 0)
		i = (i + 1) & (nslots - 1);
	slots[i] = index + 1;
}

/* Room in the slots for one more name. */
int config_slots_reserve(struct config *c)
{
	size_t nslots = c->nslots ? c->nslots : 1024;
	size_t *slots;

	if ((c->n + 1) * 2 <= c->nslots)
		return 0;
	while ((c->n + 1) * 2 > nslots)
		nslots *= 2;
	if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
		return -1;
	for (size_t i = 0; i < c->n; i++)
		config_slot_put(slots, nslots, c->v[i].name, i);
	free(c->slots);
	c->slots = slots;
	c->nslots = nslots;
	return 0;
}

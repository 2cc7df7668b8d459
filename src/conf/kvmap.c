/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Open addressing with linear probing, FNV-1a hashes, and a table kept at
 * most half full; tables hold a few hundred keys, so nothing fancier is
 * needed. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "conf/kvmap.h"

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding key, or the empty slot where it would go. */
static struct kvmap_slot *find(const struct kvmap *m, const char *key, size_t klen)
{
	size_t i = (size_t)hash(key, klen) & (m->cap - 1);

	while (m->slots[i].key != NULL) {
		if (strncmp(m->slots[i].key, key, klen) == 0 && m->slots[i].key[klen] == '\0')
			break;
		i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

static int grow(struct kvmap *m)
{
	struct kvmap old = *m;
	size_t cap = m->cap ? m->cap * 2 : 16;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (m->slots == NULL) {
		*m = old;
		return -1;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key != NULL)
			*find(m, old.slots[i].key, strlen(old.slots[i].key)) = old.slots[i];
	free(old.slots);
	return 0;
}

int kvmap_put(struct kvmap *m, const char *key, size_t klen, const char *value, size_t vlen,
	      bool replace)
{
	struct kvmap_slot *s;
	char *v;

	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	s = find(m, key, klen);
	if (s->key != NULL && !replace)
		return 0;
	if ((v = str_ndup(value, vlen)) == NULL)
		return -1;
	if (s->key != NULL) {
		str_wipe(s->value, strlen(s->value));
		free(s->value);
		s->value = v;
		return 0;
	}
	if ((s->key = str_ndup(key, klen)) == NULL) {
		free(v);
		return -1;
	}
	s->value = v;
	m->n++;
	return 1;
}

const char *kvmap_get(const struct kvmap *m, const char *key)
{
	struct kvmap_slot *s;

	if (m->cap == 0)
		return NULL;
	s = find(m, key, strlen(key));
	return s->key != NULL ? s->value : NULL;
}

void kvmap_fini(struct kvmap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].key == NULL)
			continue;
		str_wipe(m->slots[i].value, strlen(m->slots[i].value));
		free(m->slots[i].key);
		free(m->slots[i].value);
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

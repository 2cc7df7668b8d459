/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Splitting Postfix list values (reference/postfix.md §0.1): items apart
 * by commas and/or whitespace, with { } keeping separators inside one
 * item. Used by config_list_split, maps and the inline table forms. */
#ifndef RELAYMAIL_CONF_LIST_H
#define RELAYMAIL_CONF_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* The next item of s[*pos..len): its text in *item and *ilen, *pos moved past
 * it. An item that is one whole "{...}" group comes without the outer
 * braces and the whitespace just inside them, with *braced set. false
 * when no item is left. An unbalanced "{" extends the item to the end. */
bool list_next(const char *s, size_t len, size_t *pos, const char **item, size_t *ilen,
	       bool *braced);
/* Whether s[0..len) is one whole "{...}" group, starting at s[0]: its
 * inside, as list_next gives it, in *in and *ilen. inline:{...},
 * static:{...} and the inline pattern tables are written so. */
bool list_group(const char *s, size_t len, const char **in, size_t *ilen);

#endif

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

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The list tokenizer: one pass over the text with a brace depth counter,
 * no copies; callers decide what an item means. */
#include <config.h>

#include "conf/lines.h"
#include "conf/list.h"

static bool separator(int c)
{
	return c == ',' || lines_is_space(c);
}

bool list_next(const char *s, size_t len, size_t *pos, const char **item, size_t *ilen,
	       bool *braced)
{
	size_t i = *pos, start, depth = 0;

	while (i < len && separator((unsigned char)s[i]))
		i++;
	if (i >= len) {
		*pos = len;
		return false;
	}
	start = i;
	for (; i < len; i++) {
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && depth > 0)
			depth--;
		else if (depth == 0 && separator((unsigned char)s[i]))
			break;
	}
	*pos = i;
	*item = s + start;
	*ilen = i - start;
	*braced = false;
	if (s[start] == '{' && *ilen >= 2 && s[i - 1] == '}') {
		/* Whole group only when the first brace closes at the end. */
		size_t d = 0, k;

		for (k = start; k < i; k++) {
			if (s[k] == '{')
				d++;
			else if (s[k] == '}' && --d == 0)
				break;
		}
		if (k == i - 1) {
			*item = s + start + 1;
			*ilen -= 2;
			while (*ilen > 0 && lines_is_space((unsigned char)**item))
				(*item)++, (*ilen)--;
			while (*ilen > 0 && lines_is_space((unsigned char)(*item)[*ilen - 1]))
				(*ilen)--;
			*braced = true;
		}
	}
	return true;
}

bool list_group(const char *s, size_t len, const char **in, size_t *ilen)
{
	size_t pos = 0;
	bool braced = false;

	if (len == 0 || s[0] != '{')
		return false;
	/* A '{' is no separator: list_next finds the item that starts here. */
	list_next(s, len, &pos, in, ilen, &braced);
	return braced && pos == len;
}

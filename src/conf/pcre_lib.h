/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PCRE2, loaded when the first pcre: table is opened. Few runs have one,
 * and mapping libpcre2-8 at start cost every run about 0.15 ms of CPU in
 * the dynamic loader (issue 12). */
#ifndef RELAYMAIL_CONF_PCRE_LIB_H
#define RELAYMAIL_CONF_PCRE_LIB_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/error.h"

/* The functions pcre: tables call, typed from <pcre2.h>. */
struct pcre_lib {
	__typeof__(pcre2_compile_8) *compile;
	__typeof__(pcre2_code_free_8) *code_free;
	__typeof__(pcre2_get_error_message_8) *get_error_message;
	__typeof__(pcre2_pattern_info_8) *pattern_info;
	__typeof__(pcre2_match_8) *match;
	__typeof__(pcre2_match_data_create_from_pattern_8) *match_data_create_from_pattern;
	__typeof__(pcre2_match_data_free_8) *match_data_free;
	__typeof__(pcre2_get_ovector_pointer_8) *get_ovector_pointer;
};

/* The library, loaded on the first call and kept until exit; NULL with
 * ERROR_CONFIG naming the file and why when it cannot be loaded (a hint
 * names the package to install). */
const struct pcre_lib *pcre_lib(struct error *err);

#endif

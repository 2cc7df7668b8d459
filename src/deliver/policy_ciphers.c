/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Postfix's cipher parameters in GnuTLS's terms (postfix.md §6.4): the
 * grades of smtp_tls_ciphers and smtp_tls_mandatory_ciphers are checked
 * (GnuTLS's NORMAL set, which every priority starts from, holds no cipher
 * below Postfix's "high" grade, so every grade leaves it as it is), and
 * the OpenSSL names of smtp_tls_exclude_ciphers and
 * smtp_tls_mandatory_exclude_ciphers become removals appended to the
 * priority strings. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "deliver/policy.h"

/* OpenSSL names and what GnuTLS calls the same suites. Names of things
 * NORMAL never offers (aNULL, eNULL, EXPORT, LOW, RC4, ...) remove
 * nothing; names relaymail does not know are left alone, as OpenSSL
 * leaves a name that matches nothing. */
static const struct {
	const char *openssl;
	const char *gnutls;
} removals[] = {
	{ "3DES", "-3DES-CBC" },
	{ "DES-CBC3-SHA", "-3DES-CBC" },
	{ "RC4", "-ARCFOUR-128" },
	{ "MD5", "-MD5" },
	{ "SHA1", "-SHA1" },
	{ "SHA", "-SHA1" },
	{ "CAMELLIA", "-CAMELLIA-128-GCM:-CAMELLIA-256-GCM:-CAMELLIA-128-CBC:-CAMELLIA-256-CBC" },
	{ "AES128", "-AES-128-GCM:-AES-128-CBC:-AES-128-CCM" },
	{ "AES256", "-AES-256-GCM:-AES-256-CBC:-AES-256-CCM" },
	{ "CHACHA20", "-CHACHA20-POLY1305" },
	{ "kRSA", "-RSA" },
	{ "DHE", "-DHE-RSA:-DHE-DSS" },
	{ "EDH", "-DHE-RSA:-DHE-DSS" },
	{ "CBC", "-AES-128-CBC:-AES-256-CBC:-CAMELLIA-128-CBC:-CAMELLIA-256-CBC:-3DES-CBC" },
};

static int grade_check(const struct config *cfg, const char *param, struct error *err)
{
	static const char *const grades[] = { "high", "medium", "low", "export" };
	const char *value = config_get(cfg, param);

	for (size_t i = 0; i < sizeof(grades) / sizeof(grades[0]); i++)
		if (str_eq_ci(value, grades[i]))
			return 0;
	config_bad_value(err, cfg, param, value,
			 str_eq_ci(value, "null")
			     ? _("relaymail never uses ciphers that do not encrypt; use high or "
				 "medium")
			     : _("use high, medium, low or export"));
	return -1;
}

/* Append to out the removals for one OpenSSL name ("!name" alike);
 * -1 when out (of size bytes) is full, and then it is left as it was. */
static int removals_for(const char *name, char *out, size_t size)
{
	if (name[0] == '!')
		name++;
	for (size_t k = 0; k < sizeof(removals) / sizeof(removals[0]); k++) {
		size_t len = strlen(out);

		if (!str_eq_ci(name, removals[k].openssl) ||
		    strstr(out, removals[k].gnutls) != NULL)
			continue;
		if ((size_t)snprintf(out + len, size - len, ":%s", removals[k].gnutls) >=
		    size - len) {
			out[len] = '\0';
			return -1;
		}
	}
	return 0;
}

/* Append the removals for param's names to out. */
static int exclude(const struct config *cfg, const char *param, char *out, size_t size,
		   struct error *err)
{
	char **names = config_list_split(config_get(cfg, param));
	int rc = 0;

	if (names == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	for (size_t i = 0; names[i] != NULL && rc == 0; i++) {
		if ((rc = removals_for(names[i], out, size)) < 0)
			config_bad_value(err, cfg, param, config_get(cfg, param),
					 _("it lists too many exclusions"));
	}
	config_list_free(names);
	return rc;
}

int policy_exclude(const char *names, char *out, size_t size)
{
	char name[64];

	while (*names != '\0') {
		size_t len = strcspn(names, ":, \t");

		if (len > 0 && len < sizeof(name)) {
			memcpy(name, names, len);
			name[len] = '\0';
			if (removals_for(name, out, size) < 0)
				return -1;
		}
		names += len;
		names += strspn(names, ":, \t");
	}
	return 0;
}

int policy_ciphers(const struct config *cfg, char *may, char *mandatory, size_t size,
		   struct error *err)
{
	if (grade_check(cfg, "smtp_tls_ciphers", err) < 0 ||
	    grade_check(cfg, "smtp_tls_mandatory_ciphers", err) < 0 ||
	    exclude(cfg, "smtp_tls_exclude_ciphers", may, size, err) < 0 ||
	    exclude(cfg, "smtp_tls_exclude_ciphers", mandatory, size, err) < 0 ||
	    exclude(cfg, "smtp_tls_mandatory_exclude_ciphers", mandatory, size, err) < 0)
		return -1;
	return 0;
}

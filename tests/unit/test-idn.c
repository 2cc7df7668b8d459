/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/idn: UTF-8 domains become A-labels, ASCII passes untouched, invalid
 * names and non-ASCII local parts are ERROR_DATA. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "mail/idn.h"
#include "tap.h"

static void test_domain(void)
{
	struct error e = { 0 };
	char *s;

	s = idn_to_ascii("b\303\274cher.example", &e);
	is_str(s, "xn--bcher-kva.example", "U-label to A-label");
	free(s);
	s = idn_to_ascii("B\303\234CHER.example", &e);
	is_str(s, "xn--bcher-kva.example", "upper case U-label folded (UTS #46 mapping)");
	free(s);
	s = idn_to_ascii("Mixed.Example.COM", &e);
	is_str(s, "Mixed.Example.COM", "ASCII returned unchanged");
	free(s);
	s = idn_to_ascii("[192.0.2.1]", &e);
	is_str(s, "[192.0.2.1]", "domain literal unchanged");
	free(s);
	s = idn_to_ascii("fa\303\237.de", &e);
	is_str(s, "xn--fa-hia.de", "sharp s is non-transitional");
	free(s);
	error_clear(&e);
	s = idn_to_ascii("a\342\200\215b.example", &e);
	ok(s == NULL, "ZWJ outside its context refused");
	is_int(e.cls, ERROR_DATA, "invalid IDN is ERROR_DATA");
	is_str(e.text,
	       "invalid domain name \"a\342\200\215b.example\": string contains a forbidden "
	       "context-j character",
	       "error names the domain and libidn2's reason");
	free(s);
	error_clear(&e);
	s = idn_to_ascii("\377\376.example", &e);
	ok(s == NULL && e.cls == ERROR_DATA, "invalid UTF-8 refused");
	is_str(e.text, "invalid domain name \"??.example\": string encoding error",
	       "bad bytes shown safely");
	free(s);
}

static void test_address(void)
{
	struct error e = { 0 };
	char *s;

	s = idn_address_to_ascii("info@b\303\274cher.example", &e);
	is_str(s, "info@xn--bcher-kva.example", "address domain converted");
	free(s);
	s = idn_address_to_ascii("\"a@b\"@b\303\274cher.example", &e);
	is_str(s, "\"a@b\"@xn--bcher-kva.example", "quoted @ in local part kept");
	free(s);
	s = idn_address_to_ascii("root", &e);
	is_str(s, "root", "address without domain unchanged");
	free(s);
	s = idn_address_to_ascii("j\303\274rgen@example.de", &e);
	ok(s == NULL, "UTF-8 local part refused");
	is_int(e.cls, ERROR_DATA, "as ERROR_DATA");
	is_str(e.text,
	       "address j\303\274rgen@example.de has a non-ASCII local part; the relay must "
	       "support SMTPUTF8",
	       "error says SMTPUTF8 is needed");
	free(s);
	error_clear(&e);
	s = idn_address_to_ascii("x@a\342\200\215b.example", &e);
	ok(s == NULL && e.cls == ERROR_DATA, "invalid domain in address refused");
	free(s);
}

int main(void)
{
	test_domain();
	test_address();
	return tap_done();
}

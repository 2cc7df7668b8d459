/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deliver/policy: what TLS levels mean, SASL password keys and their order
 * (reference/postfix.md §5.2, §9.3), stage timeouts. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "conf/table.h"
#include "deliver/policy.h"
#include "deliver/route.h"
#include "tap.h"

static struct config *conf(const char *text)
{
	struct error err = { 0 };
	char *env[] = { NULL };
	struct config *c = config_parse("test.cf", text, strlen(text), env, &err);

	if (c == NULL)
		diag("config: %s", err.text);
	return c;
}

/* The policy of the last level() call: its tls_policy points into it. */
static struct config *last_cfg;
static struct policy last;

/* policy_load over text, then policy_tls for spec; -1 from either. */
static int level(const char *text, const char *spec, struct tls_policy *p, struct error *err)
{
	struct destination d;
	int rc;

	policy_fini(&last);
	config_free(last_cfg);
	last_cfg = conf(text);
	if (last_cfg == NULL || destination_parse(spec, "smtp", "submission=587", &d, err) < 0)
		return -2;
	rc = policy_load(last_cfg, &last, err);
	if (rc == 0)
		rc = policy_tls(&last, &d, p, err);
	destination_fini(&d);
	return rc;
}

static void test_levels(void)
{
	struct tls_policy p;
	struct error err = { 0 };

	ok(level("relayhost = [r.example]:587\n", "[r.example]:587", &p, &err) == 0,
	   "unset level accepted");
	ok(p.mode == SESSION_TLS_MAY && p.verify == TLS_VERIFY_CHAIN_NAME,
	   "unset level: STARTTLS when offered, certificate verified");
	is_str(p.sni, "r.example", "SNI is the relay's name");
	is_str(p.names[0], "r.example", "certificate must name the relay");
	policy_tls_fini(&p);

	ok(level("smtp_tls_security_level = verify\n", "[r.example]:587", &p, &err) == 0 &&
	       p.mode == SESSION_TLS_REQUIRE && p.verify == TLS_VERIFY_CHAIN_NAME,
	   "verify: STARTTLS required, verified");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = encrypt\n", "[r.example]:587", &p, &err) == 0 &&
	       p.mode == SESSION_TLS_REQUIRE && p.verify == TLS_VERIFY_NONE &&
	       p.explicit_unverified,
	   "encrypt: required, not verified, flagged");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = may\n", "[192.0.2.1]:587", &p, &err) == 0 &&
	       p.mode == SESSION_TLS_MAY && p.sni == NULL,
	   "may: opportunistic; no SNI for an IP literal");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = none\n", "[r.example]:587", &p, &err) == 0 &&
	       p.mode == SESSION_TLS_NONE,
	   "none: never STARTTLS");
	policy_tls_fini(&p);
	ok(level("smtp_tls_wrappermode = yes\n", "[r.example]:465", &p, &err) == 0 &&
	       p.mode == SESSION_TLS_IMPLICIT && p.verify == TLS_VERIFY_CHAIN_NAME,
	   "wrapper mode with the default level: implicit TLS, verified");
	policy_tls_fini(&p);
	ok(level("smtp_tls_wrappermode = yes\nsmtp_tls_security_level = may\n", "[r.example]:465",
		 &p, &err) == -1 &&
	       err.cls == ERROR_CONFIG && strstr(err.text, "smtp_tls_wrappermode") != NULL,
	   "wrapper mode with may is a configuration error");
	ok(level("smtp_tls_security_level = dane\n", "[r.example]:587", &p, &err) == 0 &&
	       p.mode == SESSION_TLS_MAY && p.verify == TLS_VERIFY_NONE,
	   "dane without DNSSEC: may, as Postfix's client makes it (%s)", err.text);
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = dane-only\n", "[r.example]:587", &p, &err) == -1 &&
	       strstr(err.text, "verify") != NULL && strstr(err.text, "test.cf") != NULL,
	   "dane-only refused, naming the supported levels and the file");
	ok(level("smtp_tls_security_level = fingerprint\n", "[r.example]:587", &p, &err) == -1 &&
	       strstr(err.text, "smtp_tls_fingerprint_cert_match") != NULL,
	   "fingerprint without fingerprints refused");
}

static void test_protocols(void)
{
	struct tls_policy p;
	struct error err = { 0 };

	ok(level("smtp_tls_security_level = verify\n", "[r.example]:587", &p, &err) == 0,
	   "default protocols");
	is_str(p.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
	       "TLS 1.2 or newer by default");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = verify\nsmtp_tls_mandatory_protocols = >=TLSv1.3\n",
		 "[r.example]:587", &p, &err) == 0,
	   ">=TLSv1.3");
	is_str(p.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3", "only TLS 1.3");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = encrypt\n"
		 "smtp_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n",
		 "[r.example]:587", &p, &err) == 0,
	   "legacy exclusion syntax");
	is_str(p.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", "exclusions applied");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = may\nsmtp_tls_protocols = >=TLSv1\n", "[r.example]:587",
		 &p, &err) == 0,
	   "may uses smtp_tls_protocols");
	is_str(p.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0",
	       "explicit >=TLSv1 allows TLS 1.0");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = verify\nsmtp_tls_mandatory_protocols = TLSv1.2\n",
		 "[r.example]:587", &p, &err) == 0,
	   "inclusion form");
	is_str(p.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.2", "only the named version");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = verify\nsmtp_tls_mandatory_protocols = >=TLSv9\n",
		 "[r.example]:587", &p, &err) == -1 &&
	       strstr(err.text, "TLSv9") != NULL,
	   "unknown version refused by name");
	ok(level("smtp_tls_security_level = verify\nsmtp_tls_mandatory_protocols = <=TLSv1.1, "
		 ">=TLSv1.2\n",
		 "[r.example]:587", &p, &err) == -1 &&
	       strstr(err.text, "no TLS protocol") != NULL,
	   "an empty set is refused");
}

/* smtp_tls_policy_maps (postfix.md §6.4): the entry for the destination
 * as configured, then a bare domain's parents; its level and attributes
 * override main.cf for that destination only. */
/* smtp_use_tls and smtp_enforce_tls, Postfix's older switches, count
 * only when smtp_tls_security_level is not set. */
static void test_legacy_switches(void)
{
	struct tls_policy p;
	struct error err = { 0 };

	ok(level("smtp_use_tls = yes\n", "[r.example]:587", &p, &err) == 0 &&
	       strcmp(p.level, "may") == 0 && p.mode == SESSION_TLS_MAY &&
	       p.verify == TLS_VERIFY_NONE,
	   "smtp_use_tls = yes: may");
	policy_tls_fini(&p);
	ok(level("smtp_enforce_tls = yes\n", "[r.example]:587", &p, &err) == 0 &&
	       strcmp(p.level, "verify") == 0 && p.verify == TLS_VERIFY_CHAIN_NAME,
	   "smtp_enforce_tls = yes: verify (smtp_tls_enforce_peername defaults to yes)");
	policy_tls_fini(&p);
	ok(level("smtp_enforce_tls = yes\nsmtp_tls_enforce_peername = no\n", "[r.example]:587", &p,
		 &err) == 0 &&
	       strcmp(p.level, "encrypt") == 0,
	   "smtp_enforce_tls without the peer name: encrypt");
	policy_tls_fini(&p);
	ok(level("smtp_use_tls = yes\nsmtp_tls_security_level = verify\n", "[r.example]:587", &p,
		 &err) == 0 &&
	       strcmp(p.level, "verify") == 0,
	   "an explicit level wins over smtp_use_tls");
	policy_tls_fini(&p);
	ok(level("smtp_use_tls = perhaps\n", "[r.example]:587", &p, &err) == -1 &&
	       strstr(err.text, "smtp_use_tls") != NULL,
	   "a bad smtp_use_tls is a configuration error");
}

/* Cipher grades checked; OpenSSL names excluded in GnuTLS's words. */
/* smtp_discard_ehlo_keywords: Postfix's words, and its note of them. */
static void test_discard(void)
{
	struct tls_policy p;
	struct error err = { 0 };

	ok(level("smtp_discard_ehlo_keywords = dsn, Pipelining, etrn, vrfy, verp\n", "[r.example]",
		 &p, &err) == 0 &&
	       strcmp(last.answers.discard_note, "ETRN PIPELINING VERP VRFY DSN") == 0 &&
	       last.answers.discard == (CAPS_DSN | CAPS_PIPELINING),
	   "the keywords in Postfix's order and case (%s)", last.answers.discard_note);
	policy_tls_fini(&p);
	ok(level("smtp_discard_ehlo_keywords = auth silent-discard\n", "[r.example]", &p, &err) ==
		   0 &&
	       last.answers.discard_note[0] == '\0' && last.answers.discard == CAPS_AUTH,
	   "silent-discard: no note");
	policy_tls_fini(&p);
	ok(level("smtp_discard_ehlo_keywords = verb\n", "[r.example]", &p, &err) == -1 &&
	       err.cls == ERROR_CONFIG,
	   "a word Postfix does not know is a configuration error");
}

static void test_ciphers(void)
{
	struct tls_policy p;
	struct error err = { 0 };

	ok(level("smtp_tls_security_level = encrypt\nsmtp_tls_mandatory_ciphers = high\n"
		 "smtp_tls_exclude_ciphers = aNULL, RC4, 3DES, !AES256, nosuchname\n"
		 "smtp_tls_mandatory_exclude_ciphers = CHACHA20\n",
		 "[r.example]:587", &p, &err) == 0,
	   "grades and exclusions accepted (%s)", err.text);
	is_str(p.priority,
	       "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-ARCFOUR-128:-3DES-CBC:-AES-256-GCM:"
	       "-AES-256-CBC:-AES-256-CCM:-CHACHA20-POLY1305",
	       "exclusions appended in GnuTLS's names; unknown names left alone");
	policy_tls_fini(&p);
	ok(level("smtp_tls_security_level = may\nsmtp_tls_mandatory_exclude_ciphers = AES128\n",
		 "[r.example]:587", &p, &err) == 0 &&
	       strstr(p.priority, "AES-128") == NULL,
	   "the mandatory exclusions do not touch may");
	policy_tls_fini(&p);
	ok(level("smtp_tls_ciphers = null\n", "[r.example]:587", &p, &err) == -1 &&
	       err.cls == ERROR_CONFIG && strstr(err.text, "smtp_tls_ciphers") != NULL,
	   "the null grade is refused");
	ok(level("smtp_tls_mandatory_ciphers = strong\n", "[r.example]:587", &p, &err) == -1 &&
	       strstr(err.text, "high, medium, low or export") != NULL,
	   "an unknown grade is refused with the known ones");
}

static void test_policy_maps(void)
{
	static const char maps[] =
	    "smtp_tls_policy_maps = inline:{ {[smtp.isp.example]:465 = encrypt}, "
	    "{[v.example]:587 = verify match=nexthop:mx.other.example}, "
	    "{.example.net = secure}, "
	    "{[fp.example] = fingerprint "
	    "match=5E:9A:F3:75:4E:E5:77:A1:0C:9C:F4:6D:A8:A0:B1:C7:0A:BF:23:4D:2E:E3:3A:7A:3A:1B:"
	    "D4:"
	    "92:EF:3B:8A:8D}, "
	    "{[p.example] = encrypt protocols=>=TLSv1.3 ciphers=high servername=sni.example}, "
	    "{[x.example] = encrypt exclude=AES128:CHACHA20}, {[dane.example] = dane}, "
	    "{[px.example] = may protocols=TLSv1.2}, "
	    "{[none.example] = none}, "
	    "{[bad.example] = maybe}, {[badattr.example] = encrypt tafile=/x}, "
	    "{[badproto.example] = encrypt protocols=>=TLSv9} }\n";
	char text[2048];
	struct tls_policy p;
	struct error err = { 0 };

	snprintf(text, sizeof(text),
		 "smtp_tls_security_level = verify\nsmtp_tls_exclude_ciphers = 3DES\n%s", maps);
	ok(level(text, "[smtp.isp.example]:465", &p, &err) == 0 && p.mode == SESSION_TLS_IMPLICIT &&
	       p.verify == TLS_VERIFY_NONE && strcmp(p.level, "encrypt") == 0 &&
	       p.explicit_unverified,
	   "[host]:465 encrypt: the entry's level, on port 465 at once (%s)", err.text);
	is_str(p.entry_key, "[smtp.isp.example]:465", "the key is the destination as written");
	policy_tls_fini(&p);
	ok(level(text, "[other.example]:587", &p, &err) == 0 && p.verify == TLS_VERIFY_CHAIN_NAME &&
	       p.entry == NULL && strcmp(p.names[0], "other.example") == 0,
	   "no entry: main.cf's level and names");
	policy_tls_fini(&p);
	ok(level(text, "[v.example]:587", &p, &err) == 0 && p.nnames == 2 &&
	       strcmp(p.names[0], "v.example") == 0 && strcmp(p.names[1], "mx.other.example") == 0,
	   "verify match=nexthop:name: the names of the entry");
	policy_tls_fini(&p);
	ok(level(text, "mail.example.net", &p, &err) == 0 && strcmp(p.level, "secure") == 0 &&
	       strcmp(p.entry_key, ".example.net") == 0,
	   "a bare domain finds its parent's .domain entry");
	policy_tls_fini(&p);
	ok(level(text, "[mail.example.net]", &p, &err) == 0 && p.entry == NULL,
	   "a bracketed name does not look up parents");
	policy_tls_fini(&p);
	ok(level(text, "[fp.example]", &p, &err) == 0 && p.verify == TLS_VERIFY_FINGERPRINT &&
	       p.fingerprints[0] != NULL && p.fingerprints[1] == NULL,
	   "fingerprint match=: the entry's fingerprint (%s)", err.text);
	policy_tls_fini(&p);
	ok(level(text, "[p.example]", &p, &err) == 0 &&
	       strcmp(p.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3:-3DES-CBC") == 0 &&
	       strcmp(p.sni, "sni.example") == 0,
	   "protocols= and servername= for this destination");
	policy_tls_fini(&p);
	ok(level(text, "[x.example]", &p, &err) == 0 &&
	       strstr(p.priority, "-AES-128-GCM") != NULL &&
	       strstr(p.priority, "-CHACHA20-POLY1305") != NULL &&
	       strstr(p.priority, "-3DES-CBC") == NULL,
	   "exclude= replaces main.cf's exclusions");
	policy_tls_fini(&p);
	ok(level(text, "[px.example]", &p, &err) == 0 &&
	       strcmp(p.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-3DES-CBC") == 0,
	   "protocols= keeps main.cf's exclusions for the level");
	policy_tls_fini(&p);
	ok(level(text, "[dane.example]", &p, &err) == 0 && p.mode == SESSION_TLS_MAY &&
	       p.verify == TLS_VERIFY_NONE,
	   "a dane entry is may without DNSSEC");
	policy_tls_fini(&p);
	ok(level(text, "[none.example]", &p, &err) == 0 && p.mode == SESSION_TLS_NONE,
	   "none: no TLS for this one");
	policy_tls_fini(&p);
	ok(level(text, "[bad.example]", &p, &err) == -1 && err.cls == ERROR_CONFIG &&
	       strstr(err.text, "\"maybe\" for [bad.example]") != NULL &&
	       strstr(err.text, "smtp_tls_policy_maps (test.cf, line 3)") != NULL,
	   "an unknown level: the entry, the key and where the table is set (%s)", err.text);
	ok(level(text, "[badattr.example]", &p, &err) == -1 && err.cls == ERROR_CONFIG &&
	       strstr(err.text, "attributes") != NULL,
	   "an attribute relaymail does not know is refused");
	ok(level(text, "[badproto.example]", &p, &err) == -1 && err.cls == ERROR_CONFIG,
	   "protocols= that allows nothing is refused");
}

static void test_credentials(void)
{
	struct error err = { 0 };
	struct destination d;
	struct credentials c;
	struct maps *m;

	m = maps_open("inline:{ {[smtp.example.com]:587 = u2:p2}, {smtp.example.com = u1:p:1} }", 0,
		      NULL, &err);
	ok(m != NULL, "password map opens");
	destination_parse("[smtp.example.com]:587", "smtp", "submission=587", &d, &err);
	is_int(policy_credentials(m, &d, d.host, &c, &err), 1, "credentials found");
	is_str(c.user, "u1", "host name key wins over the destination key");
	is_str(c.password, "p:1", "password split at the first colon");
	credentials_wipe(&c);
	destination_fini(&d);
	destination_parse("[smtp.example.com]:submission", "smtp", "submission=587", &d, &err);
	is_int(policy_credentials(m, &d, d.host, &c, &err), 1,
	       "host key found for :submission too");
	destination_fini(&d);
	credentials_wipe(&c);
	maps_free(m);

	m = maps_open("inline:{ {[smtp.example.com]:587 = u2:p2} }", 0, NULL, &err);
	destination_parse("[smtp.example.com]:submission", "smtp", "submission=587", &d, &err);
	is_int(policy_credentials(m, &d, d.host, &c, &err), 0,
	       "[host]:submission does not find [host]:587 (keys are literal)");
	destination_fini(&d);
	destination_parse("[SMTP.example.com]:587", "smtp", "submission=587", &d, &err);
	is_int(policy_credentials(m, &d, d.host, &c, &err), 1, "fixed tables fold case");
	is_str(c.user, "u2", "destination key used when the host key is absent");
	credentials_wipe(&c);
	destination_fini(&d);
	maps_free(m);

	m = maps_open("inline:{ {r.example = nocolon} }", 0, NULL, &err);
	destination_parse("[r.example]:587", "smtp", "submission=587", &d, &err);
	ok(policy_credentials(m, &d, d.host, &c, &err) == -1 &&
	       strstr(err.text, "username:password"),
	   "value without a colon refused");
	destination_fini(&d);
	maps_free(m);
}

/* An address of an MX destination, resolved from host ("" for none). */
static struct net_addr addr_of(const char *host)
{
	struct net_addr a;

	memset(&a, 0, sizeof(a));
	snprintf(a.text, sizeof(a.text), "192.0.2.1");
	snprintf(a.host, sizeof(a.host), "%s", host);
	return a;
}

static void test_server_host(void)
{
	struct error err = { 0 };
	struct destination d;
	struct net_addr a;

	destination_parse("smtp.example.com:587", "smtp", "submission=587", &d, &err);
	a = addr_of("mx1.example.com");
	is_str(policy_server_host(&d, &a), "mx1.example.com", "MX destination: the exchanger");
	a = addr_of("");
	is_str(policy_server_host(&d, &a), "smtp.example.com",
	       "MX destination, address without a name: the destination's host");
	is_str(policy_server_host(&d, NULL), "smtp.example.com",
	       "no address: the destination's host");
	destination_fini(&d);
	destination_parse("[smtp.example.com]:587", "smtp", "submission=587", &d, &err);
	a = addr_of("other.example.com");
	is_str(policy_server_host(&d, &a), "smtp.example.com",
	       "bracketed destination: always the bracketed name");
	destination_fini(&d);
	destination_parse("192.0.2.7:2525", "smtp", "submission=587", &d, &err);
	is_str(policy_server_host(&d, &a), "192.0.2.7", "address literal: the literal");
	destination_fini(&d);
}

/* §9.3: relayhost = smtp.example.com:587 with MX mx1.example.com looks up
 * mx1.example.com, then smtp.example.com:587, never smtp.example.com. */
static void test_mx_credentials(void)
{
	struct error err = { 0 };
	struct destination d;
	struct credentials c;
	struct maps *m;
	struct net_addr a = addr_of("mx1.example.com");

	destination_parse("smtp.example.com:587", "smtp", "submission=587", &d, &err);
	m = maps_open("inline:{ {smtp.example.com:587 = u3:p}, {smtp.example.com = u2:p}, "
		      "{MX1.example.com = u1:p} }",
		      0, NULL, &err);
	is_int(policy_credentials(m, &d, policy_server_host(&d, &a), &c, &err), 1,
	       "MX: credentials found");
	is_str(c.user, "u1", "MX: the exchanger's key comes first");
	is_str(c.key, "mx1.example.com", "MX: the key that found them is reported");
	credentials_wipe(&c);
	ok(c.user == NULL && c.password == NULL && c.key == NULL, "credentials_wipe clears all");
	maps_free(m);

	m = maps_open("inline:{ {smtp.example.com:587 = u3:p}, {smtp.example.com = u2:p} }", 0,
		      NULL, &err);
	is_int(policy_credentials(m, &d, policy_server_host(&d, &a), &c, &err), 1,
	       "MX: destination key found");
	is_str(c.user, "u3", "MX: the destination's bare name is not a key");
	is_str(c.key, "smtp.example.com:587", "MX: found by the destination as configured");
	credentials_wipe(&c);
	a = addr_of("smtp.example.com");
	is_int(policy_credentials(m, &d, policy_server_host(&d, &a), &c, &err), 1,
	       "no MX record: credentials found");
	is_str(c.user, "u2", "no MX record: the name itself is the server host name");
	credentials_wipe(&c);
	maps_free(m);

	m = maps_open("inline:{ {smtp.example.com = u2:p} }", 0, NULL, &err);
	a = addr_of("mx1.example.com");
	is_int(policy_credentials(m, &d, policy_server_host(&d, &a), &c, &err), 0,
	       "MX: no entry for the exchanger nor the destination");
	ok(c.user == NULL && c.key == NULL, "nothing found: nothing set");
	is_int(policy_credentials(NULL, &d, "mx1.example.com", &c, &err), 0,
	       "no password maps: no credentials");
	maps_free(m);
	destination_fini(&d);
}

static void test_timeouts(void)
{
	struct config *c = conf("smtp_connect_timeout = 2m\nsmtp_data_done_timeout = 5\n");
	struct error err = { 0 };
	struct timeouts t;

	ok(c != NULL && policy_timeouts(c, &t, &err) == 0, "timeouts parse");
	is_int(t.connect, 120000, "2m is 120000 ms");
	is_int(t.data_done, 5000, "bare number is seconds");
	is_int(t.helo, 300000, "Postfix default for smtp_helo_timeout");
	is_int(policy_stage_timeout(&t, SESSION_STAGE_DOT), 5000, "final dot uses data_done");
	is_int(policy_stage_timeout(&t, SESSION_STAGE_RCPT), 300000, "RCPT uses rcpt timeout");
	config_free(c);
}

int main(void)
{
	test_levels();
	test_protocols();
	test_legacy_switches();
	test_ciphers();
	test_policy_maps();
	test_discard();
	test_credentials();
	test_server_host();
	test_mx_credentials();
	test_timeouts();
	policy_fini(&last);
	config_free(last_cfg);
	return tap_done();
}

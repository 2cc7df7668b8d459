/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deliver/route_lookup and the sender keys of policy_credentials:
 * sender_dependent_relayhost_maps (§4.3: key order, DUNNO, the null sender
 * key, no $n in regexp results), transport_maps (§4.5: search order,
 * smtp:/relay: next hops, refused transports, recipients that disagree)
 * and the SASL key order of §9.3. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "deliver/policy.h"
#include "deliver/route.h"
#include "capture.h"
#include "tap.h"

static char *const noenv[] = {NULL};

static struct config *conf(const char *extra)
{
	struct error err = {0};
	struct buf text = {0};
	struct config *cfg;

	buf_printf(&text,
	           "myhostname = host.localdomain\nmyorigin = localdomain\n"
	           "mydestination = localhost.localdomain\nrecipient_delimiter = +\n"
	           "relayhost = [default.example]:587\n%s\n",
	           extra);
	cfg = config_parse("test.cf", text.data, text.len, noenv, &err);
	if (cfg == NULL)
		diag("conf: %s", err.text);
	buf_fini(&text);
	return cfg;
}

/* The route's specs joined by spaces, or "(error CLASS: text)". */
static char *route_of(const char *extra, const char *sender, const char *const *rcpts, size_t n)
{
	struct session_envelope env = {.sender = sender, .rcpts = rcpts, .nrcpts = n};
	struct config *cfg = conf(extra);
	struct error err = {0};
	struct buf b = {0};
	struct capture cap;
	struct route r;
	int rc;

	capture_begin(&cap);
	rc = cfg != NULL ? route_build(cfg, &env, &r, &err) : -1;
	free(capture_end(&cap));
	if (rc < 0)
		buf_printf(&b, "(error %s: %s)", error_class_name(err.cls), err.text);
	for (size_t i = 0; rc == 0 && i < r.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", r.v[i].spec);
	if (rc == 0)
		route_fini(&r);
	config_free(cfg);
	return buf_steal(&b);
}

static void check(const char *extra, const char *sender, const char *rcpt, const char *want,
                  const char *name)
{
	const char *rcpts[1] = {rcpt};
	char *got = route_of(extra, sender, rcpts, 1);

	is_str(got, want, "%s", name);
	free(got);
}

static void test_sender_dependent(void)
{
	const char *m = "sender_dependent_relayhost_maps = inline:{ "
	                "{joe@localdomain = [joe.example]:587}, {jane = [jane.example]:465}, "
	                "{@other.example = [other.example]}, {<> = [bounce.example]}, "
	                "{skip@localdomain = DUNNO} }\n"
	                "smtp_fallback_relay = [backup.example]";

	check(m, "joe+x@localdomain", "r@x.example", "[joe.example]:587 [backup.example]",
	      "sender-dependent: address without extension");
	check(m, "jane@localhost.localdomain", "r@x.example", "[jane.example]:465 [backup.example]",
	      "sender-dependent: local part for a local domain");
	check(m, "jane@remote.example", "r@x.example", "[default.example]:587 [backup.example]",
	      "sender-dependent: no local part for a remote domain");
	check(m, "x@other.example", "r@x.example", "[other.example] [backup.example]",
	      "sender-dependent: @domain");
	check(m, "", "r@x.example", "[bounce.example] [backup.example]",
	      "sender-dependent: null sender uses <>");
	check(m, "skip@localdomain", "r@x.example", "[default.example]:587 [backup.example]",
	      "sender-dependent: DUNNO means relayhost");
	check("sender_dependent_relayhost_maps = regexp:{ {/^(.*)@x$$/ [$${1}.example]}, "
	      "{/@x$$/ [plain.example]} }",
	      "a@x", "r@y.example", "[plain.example]", "sender-dependent: $1 rules are skipped");
}

static void test_transport(void)
{
	const char *m =
	    "transport_maps = inline:{ {bob+tag@a.example = smtp:[full.example]}, "
	    "{bob@a.example = relay:[bare.example]:2525}, {a.example = smtp:[dom.example]}, "
	    "{.b.example = smtp:[parent.example]}, {c.example = :[hop.example]}, "
	    "{local.example = local:}, {err.example = error:no mail here}, "
	    "{mx.example = smtp:}, {same.example = smtp:[dom.example]} }";
	const char *two[2] = {"x@a.example", "y@same.example"};
	const char *diff[2] = {"x@a.example", "y@c.example"};
	char *got;

	check(m, "s@x", "bob+tag@a.example", "[full.example]", "transport: full address");
	check(m, "s@x", "bob+other@a.example", "[bare.example]:2525",
	      "transport: address without extension");
	check(m, "s@x", "amy@a.example", "[dom.example]", "transport: domain");
	check(m, "s@x", "amy@sub.b.example", "[parent.example]", "transport: .parent");
	check(m, "s@x", "amy@c.example", "[hop.example]", "transport: empty transport field");
	check(m, "s@x", "amy@none.example", "[default.example]:587",
	      "transport: no entry means relayhost");
	check(m, "s@x", "amy@local.example",
	      "(error config: transport_maps entry for amy@local.example is \"local:\": relaymail "
	      "only relays, so the transport must be smtp: or relay:)",
	      "transport: other transports are configuration errors");
	check(m, "s@x", "amy@err.example",
	      "(error config: transport_maps entry for amy@err.example is \"error:no mail here\": "
	      "relaymail cannot reject or discard recipients itself; remove the entry)",
	      "transport: error: is a configuration error");
	check(m, "s@x", "amy@mx.example",
	      "(error config: transport_maps entry for amy@mx.example is \"smtp:\": without a next "
	      "hop it means delivery to the recipient's domain, which relaymail does not do; write "
	      "smtp:[relay.example]:587)",
	      "transport: smtp: without next hop");
	check("transport_maps = inline:{ {* = smtp:[star.example]:587} }", "s@x", "a@b.example",
	      "[star.example]:587", "transport: *");
	got = route_of(m, "s@x", two, 2);
	is_str(got, "[dom.example]", "transport: recipients that agree");
	free(got);
	got = route_of(m, "s@x", diff, 2);
	is_str(got,
	       "(error config: transport_maps sends x@a.example and y@c.example to different next "
	       "hops; relaymail sends a message through one route, so send it once for each)",
	       "transport: recipients that disagree");
	free(got);
	check(m + 0, "s@x", "amy@a.example", "[dom.example]", "transport wins over relayhost");
}

/* Which key found the password: each map holds one key only. */
static void sasl_order(const char *sender, const char *const *keys, size_t n, bool dependent)
{
	struct config *cfg = conf(dependent ? "smtp_sender_dependent_authentication = yes" : "");
	const char *rcpts[1] = {"r@x.example"};
	struct session_envelope env = {.sender = sender, .rcpts = rcpts, .nrcpts = 1};
	struct error err = {0};
	struct route r;

	if (cfg == NULL || route_build(cfg, &env, &r, &err) < 0) {
		ok(false, "sasl: route for %s", sender);
		config_free(cfg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf spec = {0};
		struct credentials c;
		struct maps *m;

		/* Every key of the list from i on: the one at i must win. */
		buf_append_str(&spec, "inline:{ ");
		for (size_t k = n; k-- > i;)
			buf_printf(&spec, "{%s = u%zu:p}, ", keys[k], k);
		buf_append_str(&spec, "}");
		m = maps_open(spec.data, 0, NULL, &err);
		if (m != NULL && policy_credentials(m, &r.v[0], &c, &err) == 1) {
			char want[32];

			snprintf(want, sizeof(want), "u%zu", i);
			is_str(c.user, want, "sasl key %zu for %s: %s", i + 1, sender, keys[i]);
			credentials_wipe(&c);
		} else {
			ok(false, "sasl key %zu for %s: %s (%s)", i + 1, sender, keys[i], err.text);
		}
		maps_free(m);
		buf_fini(&spec);
	}
	route_fini(&r);
	config_free(cfg);
}

static void test_sasl(void)
{
	const char *off[] = {"default.example", "[default.example]:587"};
	const char *remote[] = {"alice+lists@example.org", "alice@example.org", "@example.org",
	                        "default.example", "[default.example]:587"};
	const char *local[] = {"joe@localdomain", "joe", "@localdomain", "default.example",
	                       "[default.example]:587"};

	sasl_order("Alice+lists@Example.ORG", off, 2, false);
	sasl_order("Alice+lists@Example.ORG", remote, 5, true);
	sasl_order("joe@localdomain", local, 5, true);
	sasl_order("", off, 2, true);
}

int main(void)
{
	test_sender_dependent();
	test_transport();
	test_sasl();
	return tap_done();
}

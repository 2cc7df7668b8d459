/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deliver/route_lookup and the sender keys of policy_credentials:
 * sender_dependent_relayhost_maps (§4.3: key order, DUNNO, the null sender
 * key, no $n in regexp results, address literals of inet_interfaces and
 * proxy_interfaces), transport_maps (§4.5: search order,
 * smtp:/relay: next hops, refused transports, recipients that disagree),
 * the SASL key order of §5.2/§9.3, and the failover walk with injected
 * DNS: credentials per MX exchanger, configuration errors that stop it. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/exitcode.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/log.h"
#include "conf/config.h"
#include "conf/table.h"
#include "deliver/deliver.h"
#include "deliver/locality.h"
#include "deliver/policy.h"
#include "deliver/route.h"
#include "mail/message.h"
#include "net/mx.h"
#include "capture.h"
#include "tap.h"

static char *const noenv[] = { NULL };

static struct config *conf(const char *extra)
{
	struct error err = { 0 };
	struct buf text = { 0 };
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

/* The settings of the walk over cfg, as the context reads them: 0, or -1
 * with err (and nothing to free). */
static int settings(const struct config *cfg, struct locality **loc, struct deliver_settings *set,
		    struct error *err)
{
	*loc = cfg != NULL ? locality_new(cfg, err) : NULL;
	if (*loc == NULL)
		return -1;
	if (deliver_settings_load(cfg, *loc, set, err) < 0) {
		locality_free(*loc);
		return -1;
	}
	return 0;
}

static void settings_fini(struct locality *loc, struct deliver_settings *set)
{
	deliver_settings_fini(set);
	locality_free(loc);
}

/* The route's specs joined by spaces, or "(error CLASS: text)". */
static char *route_of(const char *extra, const char *sender, const char *const *rcpts, size_t n)
{
	struct session_envelope env = { .sender = sender, .rcpts = rcpts, .nrcpts = n };
	struct config *cfg = conf(extra);
	struct deliver_settings set;
	struct error err = { 0 };
	struct locality *loc;
	struct buf b = { 0 };
	struct capture cap;
	struct route r;
	int rc;

	capture_begin(&cap);
	rc = settings(cfg, &loc, &set, &err);
	if (rc == 0) {
		rc = route_build(&set.route, &env, &r, &err);
		settings_fini(loc, &set);
	}
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
	const char *rcpts[1] = { rcpt };
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
	/* Address literals of the host's own addresses are local domains. */
	check("inet_interfaces = 127.0.0.1\n"
	      "proxy_interfaces = 192.0.2.1, [2001:db8::25]\n"
	      "sender_dependent_relayhost_maps = inline:{ {jane = [jane.example]:465} }",
	      "jane@[127.0.0.1]", "r@x.example", "[jane.example]:465",
	      "sender-dependent: local part at an inet_interfaces address");
	check("proxy_interfaces = 192.0.2.1, [2001:db8::25]\n"
	      "sender_dependent_relayhost_maps = inline:{ {jane = [jane.example]:465} }",
	      "jane@[IPv6:2001:DB8:0:0::25]", "r@x.example", "[jane.example]:465",
	      "sender-dependent: local part at a proxy_interfaces address, however written");
	check("inet_interfaces = 127.0.0.1\nproxy_interfaces = 192.0.2.1\n"
	      "sender_dependent_relayhost_maps = inline:{ {jane = [jane.example]:465} }",
	      "jane@[192.0.2.2]", "r@x.example", "[default.example]:587",
	      "sender-dependent: no local part at another address literal");
	check("inet_interfaces = 127.0.0.1, no!way", "jane@[127.0.0.1]", "r@x.example",
	      "(error config: inet_interfaces (test.cf, line 6): \"no!way\" is neither an IP "
	      "address nor a host name)",
	      "a bad inet_interfaces entry is an error naming the parameter");
	check("proxy_interfaces = [localhost]", "jane@remote.example", "r@x.example",
	      "(error config: proxy_interfaces (test.cf, line 6): \"[localhost]\" is neither an "
	      "IP address nor a host name)",
	      "a bad proxy_interfaces entry is an error without any address literal");
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
	const char *two[2] = { "x@a.example", "y@same.example" };
	const char *diff[2] = { "x@a.example", "y@c.example" };
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

/* Which key found the password: each map holds the keys from i on, so
 * the one at i must win. relay: a relayhost line, or "" for the default;
 * mx: the exchanger the address came from, or NULL (not an MX address). */
static void sasl_order(const char *relay, const char *mx, const char *sender,
		       const char *const *keys, size_t n, bool dependent)
{
	struct config *cfg;
	const char *rcpts[1] = { "r@x.example" };
	struct session_envelope env = { .sender = sender, .rcpts = rcpts, .nrcpts = 1 };
	struct deliver_settings set;
	struct error err = { 0 };
	struct net_addr addr = { 0 };
	struct buf extra = { 0 };
	struct locality *loc;
	struct route r;

	buf_printf(&extra, "%s\n%s", relay,
		   dependent ? "smtp_sender_dependent_authentication = yes" : "");
	cfg = conf(extra.data);
	buf_fini(&extra);
	if (settings(cfg, &loc, &set, &err) < 0) {
		ok(false, "sasl: settings for %s: %s", sender, err.text);
		config_free(cfg);
		return;
	}
	if (route_build(&set.route, &env, &r, &err) < 0) {
		ok(false, "sasl: route for %s", sender);
		settings_fini(loc, &set);
		config_free(cfg);
		return;
	}
	snprintf(addr.host, sizeof(addr.host), "%s", mx != NULL ? mx : r.v[0].host);
	for (size_t i = 0; i < n; i++) {
		const char *host = policy_server_host(&r.v[0], &addr);
		struct buf spec = { 0 };
		struct credentials c;
		struct maps *m;

		buf_append_str(&spec, "inline:{ ");
		for (size_t k = n; k-- > i;)
			buf_printf(&spec, "{%s = u%zu:p}, ", keys[k], k);
		buf_append_str(&spec, "}");
		m = maps_open(spec.data, 0, NULL, &err);
		if (m != NULL && policy_credentials(m, &r.v[0], host, &c, &err) == 1) {
			char want[32];

			snprintf(want, sizeof(want), "u%zu", i);
			is_str(c.user, want, "sasl key %zu for %s via %s: %s", i + 1, sender,
			       r.v[0].spec, keys[i]);
			credentials_wipe(&c);
		} else {
			ok(false, "sasl key %zu for %s via %s: %s (%s)", i + 1, sender, r.v[0].spec,
			   keys[i], err.text);
		}
		maps_free(m);
		buf_fini(&spec);
	}
	route_fini(&r);
	settings_fini(loc, &set);
	config_free(cfg);
}

static void test_sasl(void)
{
	const char *off[] = { "default.example", "[default.example]:587" };
	const char *remote[] = { "alice+lists@example.org", "alice@example.org", "@example.org",
				 "default.example", "[default.example]:587" };
	const char *local[] = { "joe@localdomain", "joe", "@localdomain", "default.example",
				"[default.example]:587" };
	const char *literal[] = { "joe@[127.0.0.1]", "joe", "@[127.0.0.1]", "default.example",
				  "[default.example]:587" };
	const char *mx[] = { "alice+lists@example.org", "alice@example.org", "@example.org",
			     "mx1.example.com", "smtp.example.com:587" };
	const char *nomx[] = { "smtp.example.com", "smtp.example.com:587" };
	const char *submission[] = { "smtp.example.com", "[smtp.example.com]:submission" };
	const char *fallback[] = { "backup.example.net", "[backup.example.net]:465" };

	sasl_order("", NULL, "Alice+lists@Example.ORG", off, 2, false);
	sasl_order("", NULL, "Alice+lists@Example.ORG", remote, 5, true);
	sasl_order("", NULL, "joe@localdomain", local, 5, true);
	sasl_order("inet_interfaces = 127.0.0.1", NULL, "joe@[127.0.0.1]", literal, 5, true);
	sasl_order("", NULL, "", off, 2, true);
	/* The bracketed default again, with an exchanger name that must not
	 * matter: no MX lookup happens for brackets. */
	sasl_order("", "mx9.example.com", "a@remote.example", off, 2, false);
	sasl_order("relayhost = smtp.example.com:587", "mx1.example.com", "Alice+lists@Example.ORG",
		   mx, 5, true);
	sasl_order("relayhost = smtp.example.com:587", NULL, "a@remote.example", nomx, 2, false);
	sasl_order("relayhost = [smtp.example.com]:submission", NULL, "a@remote.example",
		   submission, 2, false);
	sasl_order("relayhost = [backup.example.net]:465", NULL, "a@remote.example", fallback, 2,
		   false);
}

/* ---- The failover walk with DNS injected (deliver_request.lookups):
 * mx.example has the exchangers mx1.example.com (127.0.0.1) and
 * mx2.example.com (127.0.0.2); the port is bound on both and never
 * listened on, so every connection is refused at once, on loopback. */

struct fake_dns {
	unsigned port;
	int mx_calls, host_calls;
};

static int fake_mx(void *arg, const char *domain, struct deadline dl, struct dns_mx *out, int max,
		   struct error *err)
{
	struct fake_dns *f = arg;

	(void)dl;
	f->mx_calls++;
	if (strcmp(domain, "mx.example") != 0 || max < 2) {
		error_set(err, ERROR_NOHOST, "%s has no MX record (fake DNS)", domain);
		return -1;
	}
	memset(out, 0, 2 * sizeof(*out));
	out[0].pref = 10;
	snprintf(out[0].host, sizeof(out[0].host), "mx1.example.com");
	out[1].pref = 20;
	snprintf(out[1].host, sizeof(out[1].host), "mx2.example.com");
	return 2;
}

static int fake_host(void *arg, const char *host, unsigned port, enum net_family family,
		     enum net_family prefer, struct net_addr *out, int max, struct error *err)
{
	struct fake_dns *f = arg;
	const char *ip = strcmp(host, "mx1.example.com") == 0	? "127.0.0.1"
			 : strcmp(host, "mx2.example.com") == 0 ? "127.0.0.2"
			 : strcmp(host, "127.0.0.1") == 0	? "127.0.0.1"
								: NULL;
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

	(void)family;
	(void)prefer;
	f->host_calls++;
	if (ip == NULL || max < 1) {
		error_set(err, ERROR_NOHOST, "host %s not found (fake DNS)", host);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	out->len = sizeof(*sin);
	snprintf(out->text, sizeof(out->text), "%s", ip);
	snprintf(out->host, sizeof(out->host), "%s", host);
	return 1;
}

/* A TCP socket bound to ip:port (0: any port) and not listening. */
static int refusing(const char *ip, unsigned *port)
{
	struct sockaddr_in sin = { 0 };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)*port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		diag("cannot bind %s:%u", ip, *port);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/* deliver_run at -v with extra configuration; what it logged, with only
 * the lines that contain filter (every line when NULL). */
static char *walk(const char *extra, struct fake_dns *f, struct deliver_outcome *out, int *rc,
		  const char *filter)
{
	const char *rcpts[1] = { "r@x.example" };
	struct session_envelope env = { .sender = "a@remote.example", .rcpts = rcpts, .nrcpts = 1 };
	struct mx_lookups lk = { fake_mx, fake_host, f };
	struct config *cfg = conf(extra);
	struct deliver_request rq = { 0 };
	struct deliver_settings set;
	struct error err = { 0 };
	struct buf kept = { 0 };
	struct locality *loc;
	struct capture cap;
	char *text, *line, *end;

	rq.msg = message_from_mem("", 0, NULL, &err);
	rq.env = &env;
	rq.run = deadline_in(20000);
	rq.lookups = &lk;
	rq.set = &set;
	*rc = -2;
	log_init("relaymail", 1);
	capture_begin(&cap);
	memset(out, 0, sizeof(*out));
	if (settings(cfg, &loc, &set, &out->err) < 0) {
		*rc = -1;
	} else {
		if (rq.msg != NULL)
			*rc = deliver_run(&rq, out);
		settings_fini(loc, &set);
	}
	text = capture_end(&cap);
	log_init("relaymail", 0);
	for (line = text; *line != '\0'; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line) - 1;
		else
			*end = '\0';
		if (filter == NULL || strstr(line, filter) != NULL)
			buf_printf(&kept, "%s\n", line);
	}
	free(text);
	message_free((struct message *)rq.msg);
	config_free(cfg);
	return buf_steal(&kept);
}

static void test_walk_credentials(unsigned port)
{
	struct fake_dns f = { port, 0, 0 };
	struct deliver_outcome out;
	struct buf extra = { 0 }, want = { 0 };
	char *got;
	int rc;

	buf_printf(&extra,
		   "relayhost = mx.example:%u\nsmtp_sasl_auth_enable = yes\n"
		   "smtp_sasl_password_maps = inline:{ {mx1.example.com = u1:p1}, "
		   "{mx.example:%u = u0:p0}, {mx.example = wrong:p} }\n",
		   port, port);
	got = walk(extra.data, &f, &out, &rc, "credentials");
	buf_printf(&want,
		   "relaymail: credentials for mx1.example.com: the smtp_sasl_password_maps entry "
		   "for \"mx1.example.com\"\n"
		   "relaymail: credentials for mx2.example.com: the smtp_sasl_password_maps entry "
		   "for \"mx.example:%u\"\n",
		   port);
	is_str(got, want.data, "walk: credentials looked up per exchanger, its name first");
	ok(rc == -1 && out.attempts == 2 && out.err.cls == ERROR_TEMP,
	   "walk: both exchangers tried, refused (rc %d, %u attempts, %s)", rc, out.attempts,
	   error_class_name(out.err.cls));
	is_int(f.mx_calls, 1, "walk: one MX lookup");
	free(got);
	buf_fini(&extra);
	buf_fini(&want);

	buf_printf(&extra,
		   "relayhost = mx.example:%u\nsmtp_sasl_auth_enable = yes\n"
		   "smtp_sender_dependent_authentication = yes\n"
		   "smtp_sasl_password_maps = inline:{ {mx.example = wrong:p} }\n",
		   port);
	got = walk(extra.data, &f, &out, &rc, "credentials");
	buf_printf(&want,
		   "relaymail: no credentials for mx1.example.com in smtp_sasl_password_maps (keys "
		   "tried: a@remote.example, @remote.example, mx1.example.com, mx.example:%u); "
		   "sending without authentication\n"
		   "relaymail: no credentials for mx2.example.com in smtp_sasl_password_maps (keys "
		   "tried: a@remote.example, @remote.example, mx2.example.com, mx.example:%u); "
		   "sending without authentication\n",
		   port, port);
	is_str(got, want.data, "walk: every key tried, in order, is listed per exchanger");
	free(got);
	buf_fini(&extra);
	buf_fini(&want);
}

/* A bad DNS setting is a configuration error before the walk starts:
 * no relay is tried, not even the fallback, and the exit status is 78. */
static void test_walk_config_error(unsigned port)
{
	struct fake_dns f = { port, 0, 0 };
	struct deliver_outcome out;
	struct buf extra = { 0 };
	char *got;
	int rc;

	buf_printf(&extra,
		   "relayhost = mx.example\nsmtp_dns_support_level = bogus\n"
		   "smtp_fallback_relay = [127.0.0.1]:%u\n",
		   port);
	got = walk(extra.data, &f, &out, &rc, NULL);
	is_int(rc, -1, "bad smtp_dns_support_level: the walk fails");
	is_str(error_class_name(out.err.cls), error_class_name(ERROR_CONFIG),
	       "bad smtp_dns_support_level: a configuration error");
	is_int(exitcode_for(out.err.cls), 78, "bad smtp_dns_support_level: exit 78");
	is_str(out.err.text,
	       "bad value \"bogus\" for parameter smtp_dns_support_level (test.cf, line 7): use "
	       "disabled, enabled or dnssec",
	       "bad smtp_dns_support_level: the error names the value, the line and the choices");
	ok(out.attempts == 0 && f.mx_calls == 0 && f.host_calls == 0,
	   "bad smtp_dns_support_level: no lookup, no attempt, no fallback");
	is_str(out.relay, "", "bad smtp_dns_support_level: no destination was tried");
	is_str(got, "", "bad smtp_dns_support_level: nothing printed by the walk itself");
	free(got);
	buf_fini(&extra);

	/* A destination DNS does not know is passed over for the fallback. */
	buf_printf(&extra, "relayhost = nowhere.example\nsmtp_fallback_relay = [127.0.0.1]:%u\n",
		   port);
	got = walk(extra.data, &f, &out, &rc, NULL);
	ok(rc == -1 && out.attempts == 1 && out.err.cls == ERROR_TEMP,
	   "unknown host: the fallback relay is tried (rc %d, %u attempts, %s)", rc, out.attempts,
	   error_class_name(out.err.cls));
	is_int(exitcode_for(out.err.cls), 75, "unknown host, refused fallback: exit 75");
	free(got);
	buf_fini(&extra);
}

/* smtp_mx_session_limit: the exchangers accept the connection (the
 * kernel does, for a listening socket) and never greet, so each address
 * is a session that failed; the limit stops the walk after that many. */
static void test_session_limit(void)
{
	unsigned port = 0;
	int fd1 = refusing("127.0.0.1", &port), fd2 = fd1 >= 0 ? refusing("127.0.0.2", &port) : -1;
	struct fake_dns f = { 0 };
	struct deliver_outcome out;
	char extra[256], *log;
	int rc;

	if (fd1 < 0 || fd2 < 0 || listen(fd1, 4) < 0 || listen(fd2, 4) < 0) {
		ok(false, "listening loopback ports for the session limit");
		goto done;
	}
	f.port = port;
	snprintf(extra, sizeof(extra),
		 "relayhost = mx.example:%u\nsmtp_helo_timeout = 1s\nsmtp_mx_session_limit = 1\n",
		 port);
	log = walk(extra, &f, &out, &rc, "connecting to");
	ok(rc == -1 && strstr(log, "mx1.example.com") != NULL &&
	       strstr(log, "mx2.example.com") == NULL,
	   "smtp_mx_session_limit = 1: one session, the second exchanger not tried (%s)", log);
	free(log);
	snprintf(extra, sizeof(extra),
		 "relayhost = mx.example:%u\nsmtp_helo_timeout = 1s\nsmtp_mx_session_limit = 2\n",
		 port);
	log = walk(extra, &f, &out, &rc, "connecting to");
	ok(rc == -1 && strstr(log, "mx1.example.com") != NULL &&
	       strstr(log, "mx2.example.com") != NULL,
	   "smtp_mx_session_limit = 2: both exchangers (%s)", log);
	free(log);
done:
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
}

static void test_walk(void)
{
	unsigned port = 0;
	int fd1 = refusing("127.0.0.1", &port), fd2 = fd1 >= 0 ? refusing("127.0.0.2", &port) : -1;

	if (fd1 < 0 || fd2 < 0) {
		ok(false, "loopback ports for the walk");
	} else {
		test_walk_credentials(port);
		test_walk_config_error(port);
	}
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
}

int main(void)
{
	test_sender_dependent();
	test_transport();
	test_sasl();
	test_walk();
	test_session_limit();
	return tap_done();
}

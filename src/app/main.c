/* SPDX-License-Identifier: GPL-3.0-or-later */
/* relaymail: one invocation from command line to exit status (DESIGN.md,
 * "One invocation"). The only place that calls exit statuses into being;
 * every failure goes through fail() so the reason is one line on stderr. */
#include <config.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sysexits.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "app/cli.h"
#include "app/context.h"
#include "app/exitcode.h"
#include "app/resend.h"
#include "app/query.h"
#include "app/smtpd.h"
#include "app/submitacl.h"
#include "app/submit.h"
#include "app/verify.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/stop.h"
#include "conf/config.h"
#include "mail/message.h"

static int fail(const struct error *err)
{
	log_failure(err);
	return exitcode_for(err->cls);
}

/* The version and what this build can do, one feature a line. */
static void print_version(void)
{
	static const char *const features[] = {
		"tls: GnuTLS (STARTTLS, SMTPS)",
		"sasl: GNU SASL",
		"idn: libidn2",
#ifdef HAVE_PCRE2
		"tables: texthash hash btree lmdb cdb dbm sdbm inline static regexp pcre",
#else
		"tables: texthash hash btree lmdb cdb dbm sdbm inline static regexp",
#endif
#if ENABLE_NLS
		"nls: yes",
#else
		"nls: no",
#endif
	};

	printf("relaymail %s\n", PACKAGE_VERSION);
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		printf("%s\n", features[i]);
}

/* Passwords and tokens are in memory from the configuration on: no core
 * file may hold them, and no other process of the same user may read our
 * memory (ptrace, /proc/PID/mem: Linux lets neither touch a process that
 * is not dumpable, and makes its /proc/PID files root's). A program the
 * token command runs is dumpable again after its exec. */
static int protect_secrets(struct error *err)
{
	const struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) < 0) {
		error_set_errno(err, ERROR_OS, errno, _("cannot turn core files off"));
		return -1;
	}
#ifdef HAVE_SYS_PRCTL_H
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		error_set_errno(err, ERROR_OS, errno,
				_("cannot keep other processes out of this one's memory"));
		return -1;
	}
#endif
	return 0;
}

/* Modes that need neither configuration nor message. -1: go on. */
static int simple_mode(const struct options *o)
{
	switch (o->mode) {
	case CLI_HELP:
		fputs(cli_usage(), stdout);
		return EX_OK;
	case CLI_VERSION:
		print_version();
		return EX_OK;
	case CLI_QUEUE:
		puts("Mail queue is empty");
		return EX_OK;
	case CLI_NOOP:
		return EX_OK;
	case CLI_FLUSH:
		log_error(_("no queue to run: each message is sent when it is submitted"));
		return EX_OK;
	case CLI_DAEMON:
		log_error(_("relaymail has no daemon mode: it sends each message when it is "
			    "called, so there is nothing to start"));
		return EX_USAGE;
	default:
		return -1;
	}
}

static int deliver_mode(const struct options *o, const struct context *ctx)
{
	struct submission sub;
	struct submit_result res;
	struct error err = { 0 };
	struct message *m;
	int rc;

	m = submit_read(ctx, o->dot_ok, &err);
	if (m == NULL)
		return fail(&err);
	submit_from_options(o, &sub);
	if (message_incomplete(m)) {
		char reason[sizeof(err.text) + 128];

		snprintf(reason, sizeof(reason),
			 _("the message was not sent: it is incomplete (%s while reading it)"),
			 err.text);
		submit_keep(ctx, &sub, m, reason, true);
		message_free(m);
		return exitcode_for(err.cls);
	}
	rc = submit_message(ctx, &sub, m, &res);
	message_free(m);
	return rc == 0 ? EX_OK : exitcode_for(res.err.cls);
}

/* The modes that send, or would: every setting is read first (the
 * context), and a configuration that cannot be used still gets the
 * message read and kept (-bm) or a 421 (-bs). */
static int send_mode(const struct options *o, struct config *cfg)
{
	struct submission sub;
	struct error err = { 0 };
	struct context *ctx;
	int status;

	ctx = context_open(cfg, &err);
	if (ctx == NULL) {
		status = fail(&err);
		if (o->mode == CLI_DELIVER) {
			struct deadletter_places pl;

			submit_from_options(o, &sub);
			context_places(cfg, &pl);
			submit_salvage(o->dot_ok, &sub, &pl, err.text);
		} else if (o->mode == CLI_SMTP) {
			smtpd_refuse();
		}
		config_free(cfg);
		return status;
	}
	/* Postfix checks before it reads the message; so does relaymail. */
	if (o->mode != CLI_VERIFY && submitacl_check(ctx->submit_acl, &err) < 0) {
		status = fail(&err);
		if (o->mode == CLI_SMTP)
			smtpd_refuse();
		context_free(ctx);
		return status;
	}
	if (o->mode == CLI_DELIVER) {
		status = deliver_mode(o, ctx);
	} else if (o->mode == CLI_SMTP) {
		status = smtpd_run(ctx);
	} else if (o->mode == CLI_RESEND) {
		status = resend_run(ctx, o->rcpts);
	} else {
		submit_from_options(o, &sub);
		status = verify_run(ctx, &sub, stdout, &err) == 0 ? EX_OK : fail(&err);
	}
	context_free(ctx);
	return status;
}

static int run(const struct options *o)
{
	struct error err = { 0 };
	struct config *cfg;
	int status = EX_OK;

	cfg = config_load(o->config, NULL, &err);
	if (cfg == NULL) {
		status = fail(&err);
		if (o->mode == CLI_DELIVER) {
			struct deadletter_places pl = { NULL, SPOOLDIR };
			struct submission sub;

			submit_from_options(o, &sub);
			submit_salvage(o->dot_ok, &sub, &pl, err.text);
		} else if (o->mode == CLI_SMTP)
			smtpd_refuse();
		return status;
	}
	if (o->mode == CLI_DELIVER || o->mode == CLI_SMTP || o->mode == CLI_VERIFY ||
	    o->mode == CLI_RESEND) {
		return send_mode(o, cfg);
	} else if (o->mode == CLI_ALIASES) {
		status = query_aliases(cfg);
	} else if (o->mode == CLI_EXPAND) {
		status = query_expand(o, cfg);
	} else if (o->mode == CLI_QUERY) {
		status = query_tables(o, cfg);
	} else {
		error_set(&err, ERROR_INTERNAL, _("internal error: mode %d has no handler"),
			  (int)o->mode);
		status = fail(&err);
	}
	config_free(cfg);
	return status;
}

/* The modes that read a message or talk to relays: every wait of theirs
 * goes through stop_poll, so a stop signal ends them with the message
 * kept (base/stop.h). The others keep the signals' usual dispositions. */
static bool sends(enum cli_mode mode)
{
	return mode == CLI_DELIVER || mode == CLI_SMTP || mode == CLI_VERIFY || mode == CLI_RESEND;
}

int main(int argc, char **argv)
{
	struct error err = { 0 };
	struct options o;
	int status;

	log_init(argc > 0 ? argv[0] : NULL, 0);
	stop_ignore_sigpipe();
	if (getuid() != geteuid() || getgid() != getegid()) {
		log_error(_("refusing to run set-user-ID or set-group-ID: install relaymail "
			    "as an ordinary program"));
		return EX_NOPERM;
	}
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
#if ENABLE_NLS
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
#endif
	if (protect_secrets(&err) < 0)
		return fail(&err);
	if (cli_parse(argc, argv, &o, &err) < 0)
		return fail(&err);
	log_init(argv[0], o.verbose);
	if (o.mode == CLI_SMTP && o.verbose == 0)
		log_quiet_warnings(true);
	status = simple_mode(&o);
	if (status < 0 && sends(o.mode) && stop_install() < 0) {
		error_set_errno(&err, ERROR_OS, errno, _("cannot set up the signal handlers"));
		return fail(&err);
	}
	if (status < 0)
		status = run(&o);
	return status;
}

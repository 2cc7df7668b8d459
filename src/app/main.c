/* SPDX-License-Identifier: GPL-3.0-or-later */
/* relaymail: one invocation from command line to exit status (DESIGN.md,
 * "One invocation"). The only place that calls exit statuses into being;
 * every failure goes through fail() so the reason is one line on stderr. */
#include <config.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/deadletter.h"
#include "app/envelope.h"
#include "app/exitcode.h"
#include "base/i18n.h"
#include "base/log.h"
#include "conf/config.h"
#include "deliver/deliver.h"
#include "mail/message.h"

static int fail(const struct error *err)
{
	log_error("%s", err->text);
	return exitcode_for(err->cls);
}

static void print_version(void)
{
	printf("relaymail %s\n", PACKAGE_VERSION);
	printf(_("features: TLS (GnuTLS), SASL (GNU SASL), IDN (libidn2), pcre: tables %s, "
		 "translations %s\n"),
#ifdef HAVE_PCRE2
	       _("yes"),
#else
	       _("no"),
#endif
#if ENABLE_NLS
	       _("yes"));
#else
	       _("no"));
#endif
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
	case CLI_DAEMON:
		log_error(_("relaymail has no daemon mode: it sends each message when it is "
			    "called, so there is nothing to start"));
		return EX_USAGE;
	default:
		return -1;
	}
}

static struct message *read_message(const struct options *o, const struct config *cfg,
				    struct error *err)
{
	struct message_opts mo = { 0 };
	unsigned long header_max, size_max;

	if (config_get_ulong(cfg, "header_size_limit", &header_max, err) < 0 ||
	    config_get_ulong(cfg, "message_size_limit", &size_max, err) < 0)
		return NULL;
	mo.dot_ends = !o->dot_ok;
	mo.header_max = header_max;
	mo.size_max = size_max;
	return message_read(STDIN_FILENO, &mo, err);
}

static int send_message(const struct options *o, const struct config *cfg,
			const struct message *m, const struct envelope *env, struct error *err)
{
	struct session_envelope senv = { 0 };
	struct deliver_request rq = { 0 };
	struct deliver_outcome out;
	long deadline;

	if (config_get_time(cfg, "relaymail_deadline", &deadline, err) < 0)
		return -1;
	senv.sender = env->sender;
	senv.rcpts = (const char *const *)env->rcpts.v;
	senv.nrcpts = env->rcpts.n;
	senv.size = message_size(m);
	senv.eightbit = env->eightbit;
	senv.smtputf8 = env->smtputf8;
	senv.dsn_notify = o->notify;
	senv.dsn_ret = o->ret;
	senv.dsn_envid = o->envid;
	rq.cfg = cfg;
	rq.msg = m;
	rq.env = &senv;
	rq.run = deadline_in(deadline * 1000);
	if (deliver_run(&rq, &out) < 0) {
		*err = out.err;
		if (out.maybe_delivered)
			log_warning(_("the connection was lost after the message was sent; it may "
				      "have been delivered, and sending it again may duplicate it"));
		return -1;
	}
	log_verbose(_("delivered to %zu recipient(s) through %s: %s"), env->rcpts.n, out.relay,
		    out.reply);
	return 0;
}

/* Nothing lost: keep the message in the dead letter file and say where. */
static void save(const struct config *cfg, const struct message *m, const char *sender,
		 const struct addrlist *rcpts)
{
	struct error err = { 0 };
	char path[4096];

	if (deadletter_path(cfg, path, sizeof(path), &err) < 0 ||
	    (path[0] != '\0' && deadletter_save(path, m, sender, rcpts, &err) < 0)) {
		log_error(_("the message could not be saved: %s"), err.text);
		return;
	}
	if (path[0] == '\0')
		log_error(_("the message was not saved (dead_letter_file is empty)"));
	else
		log_error(_("the message was saved in %s"), path);
}

/* The configuration is unusable: read the message anyway and keep it. */
static void salvage(const struct options *o)
{
	struct message_opts mo = { .dot_ends = !o->dot_ok };
	struct error err = { 0 };
	struct message *m = message_read(STDIN_FILENO, &mo, &err);

	if (m == NULL) {
		log_error(_("the message could not be read: %s"), err.text);
		return;
	}
	if (message_size(m) > 0)
		save(NULL, m, o->sender, NULL);
	message_free(m);
}

static int deliver_mode(const struct options *o, const struct config *cfg)
{
	struct error err = { 0 };
	struct envelope env = { 0 };
	struct message *m;
	int status = EX_OK;

	m = read_message(o, cfg, &err);
	if (m == NULL)
		return fail(&err);
	if (envelope_build(o, cfg, m, &env, &err) < 0 ||
	    send_message(o, cfg, m, &env, &err) < 0) {
		status = fail(&err);
		save(cfg, m, env.sender != NULL ? env.sender : o->sender,
		     env.rcpts.n > 0 ? &env.rcpts : NULL);
	}
	envelope_fini(&env);
	message_free(m);
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
		if (o->mode == CLI_DELIVER)
			salvage(o);
		return status;
	}
	if (o->mode == CLI_DELIVER) {
		status = deliver_mode(o, cfg);
	} else if (o->mode != CLI_ALIASES) {
		error_set(&err, ERROR_USAGE, _("mode -b%c is not available yet"),
			  o->mode == CLI_SMTP ? 's' : 'v');
		status = fail(&err);
	}
	config_free(cfg);
	return status;
}

int main(int argc, char **argv)
{
	struct error err = { 0 };
	struct options o;
	int status;

	log_init(argc > 0 ? argv[0] : NULL, 0);
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
	if (cli_parse(argc, argv, &o, &err) < 0)
		return fail(&err);
	log_init(argv[0], o.verbose);
	status = simple_mode(&o);
	if (status < 0)
		status = run(&o);
	return status;
}

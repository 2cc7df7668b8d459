/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sendmail command line (reference/postfix.md §1.1-§1.3) into a
 * struct options. Option processing stops at the first recipient or "--".
 * argv[0] "mailq" means -bp, "newaliases" means -bi. */
#ifndef RELAYMAIL_APP_CLI_H
#define RELAYMAIL_APP_CLI_H

#include <stdbool.h>

#include "base/error.h"

enum cli_mode {
	CLI_DELIVER, /* -bm, the default */
	CLI_SMTP,    /* -bs */
	CLI_VERIFY,  /* -bv */
	CLI_QUEUE,   /* -bp, mailq */
	CLI_ALIASES, /* -bi, -I, newaliases */
	CLI_DAEMON,  /* -bd, -bl */
	CLI_NOOP,    /* -bh, -bH: nothing to do, silently */
	CLI_HELP,    /* --help */
	CLI_VERSION, /* --version */
	CLI_QUERY,   /* --query KEY TYPE:NAME...: like postmap -q */
	CLI_EXPAND,  /* --expand NAME...: like postconf -x -h */
	CLI_FLUSH,   /* -q, -q<interval>, -qR<site>, -qI<id>: no queue to run */
	CLI_RESEND,  /* --resend [FILE...]: send the kept messages again */
};

#define CLI_ENVID_MAX 100 /* -V: printable characters (Postfix's limit) */

struct options {
	enum cli_mode mode;
	bool extract;	      /* -t */
	bool dot_ok;	      /* -i, -oi: a lone "." does not end the input */
	const char *sender;   /* -f / -r as given, NULL when absent */
	const char *fullname; /* -F */
	const char *config;   /* -C */
	const char *notify;   /* -N, upper-cased DSN NOTIFY list */
	const char *ret;      /* -R: FULL or HDRS */
	const char *envid;    /* -V, xtext-encoded (RFC 3461 §4) for ENVID= */
	bool body_7bit;	      /* -B 7BIT */
	bool body_8bit;	      /* -B 8BITMIME */
	bool smtputf8;	      /* -O smtputf8=yes: the message needs SMTPUTF8 */
	int verbose;	      /* -v count */
	char **rcpts;	      /* the rest of argv */
	int nrcpts;
	char notify_buf[64];
	char envid_buf[3 * CLI_ENVID_MAX + 1];
	const char *query_key; /* --query KEY ("-": keys on stdin) */
};

/* Parse and check; -1 with ERROR_USAGE naming the option or argument:
 * unknown or malformed options, conflicts Postfix diagnoses (-t, -N or -R
 * with -bv; recipients given to -bp, -bi, -bd, -bs or -q), and hostile
 * arguments: -f, -F or a recipient holding a control character (CR, LF),
 * or an address that cannot be an envelope address (address_check_envelope).
 * Warnings (ignored -X, bad -N, -R or -V values) go to the log. */
int cli_parse(int argc, char **argv, struct options *o, struct error *err);
/* The usage text for --help (translated). */
const char *cli_usage(void);

#endif

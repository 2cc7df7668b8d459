/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sendmail command line (reference/postfix.md §1.1-§1.3) into a
 * struct options. Option processing stops at the first recipient or "--".
 * argv[0] "mailq" means -bp, "newaliases" means -bi. */
#ifndef RELAYMAIL_APP_CLI_H
#define RELAYMAIL_APP_CLI_H

#include <stdbool.h>

#include "base/error.h"

enum cli_mode {
	CLI_DELIVER,  /* -bm, the default */
	CLI_SMTP,     /* -bs */
	CLI_VERIFY,   /* -bv */
	CLI_QUEUE,    /* -bp, mailq */
	CLI_ALIASES,  /* -bi, -I, newaliases */
	CLI_DAEMON,   /* -bd, -bl */
	CLI_NOOP,     /* -bh, -bH, -q...: nothing to do */
	CLI_HELP,     /* --help */
	CLI_VERSION,  /* --version */
	CLI_QUERY,    /* --query KEY TYPE:NAME...: like postmap -q */
	CLI_EXPAND,   /* --expand NAME...: like postconf -x -h */
};

struct options {
	enum cli_mode mode;
	bool extract;          /* -t */
	bool dot_ok;           /* -i, -oi: a lone "." does not end the input */
	const char *sender;    /* -f / -r as given, NULL when absent */
	const char *fullname;  /* -F */
	const char *config;    /* -C */
	const char *notify;    /* -N, upper-cased DSN NOTIFY list */
	const char *ret;       /* -R: FULL or HDRS */
	const char *envid;     /* -V */
	bool body_7bit;        /* -B 7BIT */
	int verbose;           /* -v count */
	char **rcpts;          /* the rest of argv */
	int nrcpts;
	char notify_buf[64];
	const char *query_key; /* --query KEY ("-": keys on stdin) */
};

/* Parse; -1 with ERROR_USAGE naming the option. Warnings (ignored -X,
 * bad -N values) go to the log. */
int cli_parse(int argc, char **argv, struct options *o, struct error *err);
/* The usage text for --help (translated). */
const char *cli_usage(void);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Command-line parsing without getopt's global state. Postfix's option
 * letters are all accepted; those without a meaning for a queue-less
 * client are ignored, as Postfix ignores them. */
#include <config.h>

#include <string.h>

#include "app/cli.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"

/* Letters that take an argument (Postfix: A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q:tvx). */
static bool takes_arg(char c)
{
	return c != '\0' && strchr("ABCFLNORVXbefhopqr", c) != NULL;
}

static int set_mode(struct options *o, const char *arg, struct error *err)
{
	switch (arg[0]) {
	case 'm':
		o->mode = CLI_DELIVER;
		return 0;
	case 's':
		o->mode = CLI_SMTP;
		return 0;
	case 'v':
		o->mode = CLI_VERIFY;
		return 0;
	case 'p':
		o->mode = CLI_QUEUE;
		return 0;
	case 'i':
		o->mode = CLI_ALIASES;
		return 0;
	case 'd':
	case 'l':
		o->mode = CLI_DAEMON;
		return 0;
	case 'h':
	case 'H':
		o->mode = CLI_NOOP;
		return 0;
	}
	error_set(err, ERROR_USAGE, _("unsupported option: -b%s"), arg);
	return -1;
}

static int set_notify(struct options *o, const char *arg)
{
	char copy[64];
	size_t len = strlen(arg);
	bool never = false, other = false;

	if (len == 0 || len >= sizeof(copy))
		return -1;
	memcpy(copy, arg, len + 1);
	for (char *item = copy, *comma; item != NULL; item = comma ? comma + 1 : NULL) {
		comma = strchr(item, ',');
		if (comma != NULL)
			*comma = '\0';
		if (str_eq_ci(item, "never"))
			never = true;
		else if (str_eq_ci(item, "success") || str_eq_ci(item, "failure") ||
			 str_eq_ci(item, "delay"))
			other = true;
		else
			return -1;
	}
	if (never && other)
		return -1;
	memcpy(o->notify_buf, arg, len + 1);
	for (char *p = o->notify_buf; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	o->notify = o->notify_buf;
	return 0;
}

static int option_o(struct options *o, const char *arg)
{
	/* -oi is -i; -oem -oep -oeq -om and every other -o letter are
	 * accepted and have no effect without a queue. */
	if (strcmp(arg, "i") == 0)
		o->dot_ok = true;
	return 0;
}

static int option_arg(struct options *o, char c, const char *arg, struct error *err)
{
	switch (c) {
	case 'f':
	case 'r':
		o->sender = arg;
		return 0;
	case 'F':
		o->fullname = arg;
		return 0;
	case 'C':
		o->config = arg;
		return 0;
	case 'b':
		return set_mode(o, arg, err);
	case 'o':
		return option_o(o, arg);
	case 'q':
		o->mode = CLI_NOOP;
		return 0;
	case 'N':
		if (set_notify(o, arg) < 0)
			log_warning(_("bad -N option value \"%s\" ignored (use never, or a list "
				      "of success, failure, delay)"), arg);
		return 0;
	case 'R':
		if (str_eq_ci(arg, "full"))
			o->ret = "FULL";
		else if (str_eq_ci(arg, "hdrs"))
			o->ret = "HDRS";
		else
			log_warning(_("bad -R option value \"%s\" ignored (use full or hdrs)"), arg);
		return 0;
	case 'V':
		o->envid = arg;
		return 0;
	case 'B':
		if (strcmp(arg, "7BIT") == 0 || strcmp(arg, "8BITMIME") == 0) {
			o->body_7bit = arg[0] == '7';
			return 0;
		}
		error_set(err, ERROR_USAGE, _("-B option needs 8BITMIME or 7BIT, not \"%s\""), arg);
		return -1;
	case 'X':
		log_warning(_("option -X %s ignored: relaymail writes no log files for callers"), arg);
		return 0;
	default: /* -A -L -O -e -h -p: accepted and ignored */
		return 0;
	}
}

static int option_flag(struct options *o, char c, struct error *err)
{
	switch (c) {
	case 't':
		o->extract = true;
		return 0;
	case 'i':
		o->dot_ok = true;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'I':
		o->mode = CLI_ALIASES;
		return 0;
	case 'n':
		error_set(err, ERROR_USAGE, _("-n option not supported"));
		return -1;
	case 'G': case 'U': case 'c': case 'm': case 'x':
		return 0;
	}
	error_set(err, ERROR_USAGE, _("unknown option -%c; see relaymail --help"), c);
	return -1;
}

/* --query KEY (the tables follow as operands) or --expand (the names
 * follow). */
static int query_option(int argc, char **argv, int *i, struct options *o, struct error *err)
{
	o->mode = argv[*i][2] == 'q' ? CLI_QUERY : CLI_EXPAND;
	if (o->mode == CLI_EXPAND)
		return 0;
	if (*i + 1 >= argc) {
		error_set(err, ERROR_USAGE, _("option --query needs a key (or - to read keys)"));
		return -1;
	}
	o->query_key = argv[++*i];
	return 0;
}

/* One "-xyz" word; *i advances past a separate argument. */
static int parse_word(int argc, char **argv, int *i, struct options *o, struct error *err)
{
	const char *w = argv[*i] + 1;

	if (strcmp(argv[*i], "-q") == 0) {
		o->mode = CLI_NOOP;
		return 0;
	}
	for (; *w != '\0'; w++) {
		if (!takes_arg(*w)) {
			if (option_flag(o, *w, err) < 0)
				return -1;
			continue;
		}
		if (w[1] != '\0')
			return option_arg(o, *w, w + 1, err);
		if (*i + 1 >= argc) {
			error_set(err, ERROR_USAGE, _("option -%c needs an argument"), *w);
			return -1;
		}
		return option_arg(o, *w, argv[++*i], err);
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct options *o, struct error *err)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int i;

	memset(o, 0, sizeof(*o));
	base = base != NULL ? base + 1 : argc > 0 ? argv[0] : "";
	if (strcmp(base, "mailq") == 0)
		o->mode = CLI_QUEUE;
	else if (strcmp(base, "newaliases") == 0)
		o->mode = CLI_ALIASES;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "--version") == 0) {
			o->mode = argv[i][2] == 'h' ? CLI_HELP : CLI_VERSION;
			continue;
		}
		if (strcmp(argv[i], "--expand") == 0 || strcmp(argv[i], "--query") == 0) {
			if (query_option(argc, argv, &i, o, err) < 0)
				return -1;
			continue;
		}
		if (parse_word(argc, argv, &i, o, err) < 0)
			return -1;
	}
	o->rcpts = argv + i;
	o->nrcpts = argc - i;
	return 0;
}

const char *cli_usage(void)
{
	return _("Usage: relaymail [options] [--] [recipient ...] < message\n"
		 "Send a message through the configured relay, like sendmail(1).\n"
		 "\n"
		 "  -t            add the recipients of the To, Cc and Bcc headers\n"
		 "  -i, -oi       a line with a single dot does not end the message\n"
		 "  -f ADDRESS    envelope sender (-r is the same; '<>' is the null sender)\n"
		 "  -F NAME       full name for a From header that relaymail adds\n"
		 "  -C FILE       configuration file (main.cf syntax)\n"
		 "  -N LIST       DSN notify: never, or success,failure,delay\n"
		 "  -R full|hdrs  DSN return\n"
		 "  -V ENVID      DSN envelope identifier\n"
		 "  -B 7BIT|8BITMIME  body type\n"
		 "  -v            show the SMTP dialogue on stderr (secrets masked)\n"
		 "  -bp           list the queue (there is none)\n"

		 "  --help        this text\n"
		 "  --version     version and compiled features\n");
}

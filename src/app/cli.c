/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Command-line parsing without getopt's global state. Postfix's option
 * letters are all accepted; those without a meaning for a queue-less
 * client are ignored, as Postfix ignores them. Hostile arguments (control
 * characters, things that are not addresses) are refused here, before any
 * input is read, so nothing is ever sent for them. */
#include <config.h>

#include <string.h>

#include "app/cli.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "mail/address.h"

#define SHOWN_MAX 128 /* how much of a bad argument a message quotes */

/* Letters that take an argument (Postfix: A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q:tvx). */
static bool takes_arg(char c)
{
	return c != '\0' && strchr("ABCFLNORVXbefhopqr", c) != NULL;
}

/* arg made safe to quote in a message. */
static const char *shown(char *dst, size_t size, const char *arg)
{
	str_printable(dst, size, arg, strlen(arg));
	return dst;
}

static int set_mode(struct options *o, const char *arg, struct error *err)
{
	static const struct {
		char letter;
		enum cli_mode mode;
	} modes[] = {
		{ 'm', CLI_DELIVER }, { 's', CLI_SMTP },    { 'v', CLI_VERIFY },
		{ 'p', CLI_QUEUE },   { 'i', CLI_ALIASES }, { 'd', CLI_DAEMON },
		{ 'l', CLI_DAEMON },  { 'h', CLI_NOOP },    { 'H', CLI_NOOP },
	};
	char safe[SHOWN_MAX];

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (arg[0] == modes[i].letter) {
			o->mode = modes[i].mode;
			return 0;
		}
	}
	error_set(err, ERROR_USAGE, _("unsupported option: -b%s"), shown(safe, sizeof(safe), arg));
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

/* -V: at most CLI_ENVID_MAX printable characters (Postfix), kept in xtext
 * (RFC 3461 §4): '+', '=' and anything outside '!'..'~' become "+XX". */
static int set_envid(struct options *o, const char *arg)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(arg), n = 0;

	if (len == 0 || len > CLI_ENVID_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)arg[i];

		if (c < 0x20 || c > 0x7e)
			return -1;
		if (c == ' ' || c == '+' || c == '=') {
			o->envid_buf[n++] = '+';
			o->envid_buf[n++] = hex[c >> 4];
			o->envid_buf[n++] = hex[c & 0xf];
		} else {
			o->envid_buf[n++] = (char)c;
		}
	}
	o->envid_buf[n] = '\0';
	o->envid = o->envid_buf;
	return 0;
}

static int option_o(struct options *o, const char *arg, struct error *err)
{
	/* -oi is -i (Postfix looks at the first letter only); -oA needs a
	 * path; -oem -oep -oeq -om and every other -o letter are accepted and
	 * have no effect without a queue. */
	if (arg[0] == 'i')
		o->dot_ok = true;
	if (arg[0] == 'A' && arg[1] == '\0') {
		error_set(err, ERROR_USAGE, _("-oA requires pathname"));
		return -1;
	}
	return 0;
}

/* -O option=value: only smtputf8 means something (Postfix 3.11). */
static void option_O(struct options *o, const char *arg)
{
	char safe[SHOWN_MAX];

	if (!str_prefix_ci(arg, "smtputf8="))
		return;
	if (str_eq_ci(arg + 9, "yes"))
		o->smtputf8 = true;
	else if (str_eq_ci(arg + 9, "no"))
		o->smtputf8 = false;
	else
		log_warning(_("bad -O option value \"%s\" ignored (use smtputf8=yes or no)"),
			    shown(safe, sizeof(safe), arg));
}

/* -q, -q<interval>, -qR<site>, -qI<id>: accepted, there is no queue. */
static int option_q(struct options *o, const char *arg, struct error *err)
{
	if (arg[0] == 'R' && arg[1] == '\0') {
		error_set(err, ERROR_USAGE, _("specify: -qRsitename"));
		return -1;
	}
	if (arg[0] == 'I' && arg[1] == '\0') {
		error_set(err, ERROR_USAGE, _("specify: -qIqueueid"));
		return -1;
	}
	if (arg[0] != '\0' && !(arg[0] >= '0' && arg[0] <= '9') && arg[0] != 'R' && arg[0] != 'I') {
		error_set(err, ERROR_USAGE, _("-q%c is not implemented"),
			  (unsigned char)arg[0] >= 0x21 && (unsigned char)arg[0] <= 0x7e ? arg[0]
											 : '?');
		return -1;
	}
	if (o->mode == CLI_DELIVER)
		o->mode = CLI_FLUSH;
	return 0;
}

static int verp_refused(struct error *err)
{
	error_set(err, ERROR_USAGE,
		  _("VERP (-XV) is not supported: relaymail sends one "
		    "message with one envelope sender"));
	return -1;
}

/* -X FILE is ignored: it has been used to write web shells through mail()
 * (DESIGN.md). -XV and the old -Vxy form ask for VERP. */
static int option_X(const char *arg, struct error *err)
{
	char safe[SHOWN_MAX];

	if (arg[0] == 'V')
		return verp_refused(err);
	log_warning(_("option -X %s ignored: relaymail writes no log files for callers"),
		    shown(safe, sizeof(safe), arg));
	return 0;
}

static void option_dsn(struct options *o, char c, const char *arg)
{
	char safe[SHOWN_MAX];

	shown(safe, sizeof(safe), arg);
	if (c == 'N' && set_notify(o, arg) < 0)
		log_warning(_("bad -N option value \"%s\" ignored (use never, or a list of "
			      "success, failure, delay)"),
			    safe);
	if (c == 'R') {
		if (str_eq_ci(arg, "full"))
			o->ret = "FULL";
		else if (str_eq_ci(arg, "hdrs"))
			o->ret = "HDRS";
		else
			log_warning(_("bad -R option value \"%s\" ignored (use full or hdrs)"),
				    safe);
	}
	if (c == 'V' && set_envid(o, arg) < 0)
		log_warning(_("bad -V option value \"%s\" ignored (at most %d printable "
			      "characters)"),
			    safe, CLI_ENVID_MAX);
}

static int option_B(struct options *o, const char *arg, struct error *err)
{
	char safe[SHOWN_MAX];

	if (strcmp(arg, "7BIT") == 0 || strcmp(arg, "8BITMIME") == 0) {
		o->body_7bit = arg[0] == '7';
		o->body_8bit = arg[0] == '8';
		return 0;
	}
	error_set(err, ERROR_USAGE, _("-B option needs 8BITMIME or 7BIT, not \"%s\""),
		  shown(safe, sizeof(safe), arg));
	return -1;
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
		return option_o(o, arg, err);
	case 'O':
		option_O(o, arg);
		return 0;
	case 'q':
		return option_q(o, arg, err);
	case 'V':
		/* Postfix reads a two-character -V argument as the old VERP form. */
		if (strlen(arg) == 2)
			return verp_refused(err);
		option_dsn(o, c, arg);
		return 0;
	case 'N':
	case 'R':
		option_dsn(o, c, arg);
		return 0;
	case 'B':
		return option_B(o, arg, err);
	case 'X':
		return option_X(arg, err);
	default: /* -A -L -e -h -p: accepted and ignored */
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
	case 'G':
	case 'U':
	case 'c':
	case 'm':
	case 'x':
		return 0;
	}
	if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e)
		c = '?';
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

	if (strcmp(argv[*i], "-q") == 0)
		return option_q(o, "", err);
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

static int long_option(int argc, char **argv, int *i, struct options *o, struct error *err)
{
	const char *word = argv[*i];
	char safe[SHOWN_MAX];

	if (strcmp(word, "--help") == 0) {
		o->mode = CLI_HELP;
		return 0;
	}
	if (strcmp(word, "--version") == 0) {
		o->mode = CLI_VERSION;
		return 0;
	}
	if (strcmp(word, "--expand") == 0 || strcmp(word, "--query") == 0)
		return query_option(argc, argv, i, o, err);
	if (strcmp(word, "--resend") == 0) {
		o->mode = CLI_RESEND;
		return 0;
	}
	error_set(err, ERROR_USAGE, _("unknown option %s; see relaymail --help"),
		  shown(safe, sizeof(safe), word));
	return -1;
}

/* ---- conflicts and hostile arguments ---- */

static const char *mode_name(enum cli_mode mode)
{
	switch (mode) {
	case CLI_SMTP:
		return "-bs";
	case CLI_QUEUE:
		return "-bp";
	case CLI_ALIASES:
		return "-bi";
	case CLI_DAEMON:
		return "-bd";
	case CLI_FLUSH:
		return "-q";
	default:
		return NULL;
	}
}

/* Postfix's fatal combinations (reference/postfix.md §1.3). */
static int check_conflicts(const struct options *o, struct error *err)
{
	const char *name = mode_name(o->mode);

	if (o->mode == CLI_VERIFY && (o->extract || o->notify != NULL || o->ret != NULL)) {
		error_set(err, ERROR_USAGE, _("-%c option cannot be used with -bv"),
			  o->extract	      ? 't'
			  : o->notify != NULL ? 'N'
					      : 'R');
		return -1;
	}
	if (name != NULL && o->extract) {
		error_set(err, ERROR_USAGE, _("-t can be used only in delivery mode, not with %s"),
			  name);
		return -1;
	}
	if (name != NULL && o->nrcpts > 0) {
		error_set(err, ERROR_USAGE, _("%s mode requires no recipient"), name);
		return -1;
	}
	return 0;
}

/* Control characters other than TAB: CR and LF would split an SMTP
 * command or a header line. */
static const char *control_problem(const char *arg)
{
	for (const unsigned char *p = (const unsigned char *)arg; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n')
			return _("it contains a line break");
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return _("it contains a control character");
	}
	return NULL;
}

/* An address argument (-f when is_sender, else a recipient) as the
 * envelope will read it: a list whose members must be envelope addresses. */
static int check_address_arg(const char *arg, bool is_sender, struct error *err)
{
	struct addrlist list = { 0 };
	const char *why = control_problem(arg);
	char safe[SHOWN_MAX];
	int rc = 0;

	shown(safe, sizeof(safe), arg);
	if (why != NULL) {
		error_set(err, ERROR_USAGE,
			  is_sender ? _("invalid -f argument \"%s\": %s")
				    : _("invalid recipient \"%s\": %s"),
			  safe, why);
		return -1;
	}
	if (address_parse_list(arg, strlen(arg), &list, err) < 0)
		rc = -1;
	/* A sender list counts by its first member only (postfix.md §1.3). */
	for (size_t i = 0; rc == 0 && i < list.n && !(is_sender && i > 0); i++)
		rc = address_check_envelope(list.v[i], is_sender, err);
	addrlist_fini(&list);
	if (rc < 0 && err->cls != ERROR_INTERNAL) {
		err->cls = ERROR_USAGE;
		if (is_sender)
			error_prefix(err, _("invalid -f argument \"%s\""), safe);
		else
			error_prefix(err, _("invalid recipient \"%s\""), safe);
	}
	return rc;
}

static int check_arguments(const struct options *o, struct error *err)
{
	const char *why;
	char safe[SHOWN_MAX];

	if (o->sender != NULL && check_address_arg(o->sender, true, err) < 0)
		return -1;
	if (o->fullname != NULL && (why = control_problem(o->fullname)) != NULL) {
		error_set(err, ERROR_USAGE, _("invalid -F argument \"%s\": %s"),
			  shown(safe, sizeof(safe), o->fullname), why);
		return -1;
	}
	for (int i = 0; i < o->nrcpts; i++)
		if (check_address_arg(o->rcpts[i], false, err) < 0)
			return -1;
	return 0;
}

int cli_parse(int argc, char **argv, struct options *o, struct error *err)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int i, rc = 0;

	memset(o, 0, sizeof(*o));
	base = base != NULL ? base + 1 : argc > 0 ? argv[0] : "";
	if (strcmp(base, "mailq") == 0)
		o->mode = CLI_QUEUE;
	else if (strcmp(base, "newaliases") == 0)
		o->mode = CLI_ALIASES;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0' && rc == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][1] == '-')
			rc = long_option(argc, argv, &i, o, err);
		else
			rc = parse_word(argc, argv, &i, o, err);
	}
	if (rc < 0)
		return -1;
	o->rcpts = argv + i;
	o->nrcpts = argc - i;
	/* --query and --expand take table and parameter names, --resend
	 * files, not recipients. */
	if (o->mode == CLI_HELP || o->mode == CLI_VERSION || o->mode == CLI_QUERY ||
	    o->mode == CLI_EXPAND || o->mode == CLI_RESEND)
		return 0;
	if (check_conflicts(o, err) < 0 || check_arguments(o, err) < 0)
		return -1;
	return 0;
}

const char *cli_usage(void)
{
	return _("Usage: relaymail [options] [--] [recipient ...] < message\n"
		 "Send a message through the configured relay, like sendmail(1).\n"
		 "\n"
		 "  -t            add the recipients of the To, Cc and Bcc headers\n"
		 "                (only the Resent- ones when the message has any)\n"
		 "  -i, -oi       a line with a single dot does not end the message\n"
		 "  -f ADDRESS    envelope sender (-r is the same; '<>' is the null sender)\n"
		 "  -F NAME       full name for a From header that relaymail adds\n"
		 "  -C FILE       configuration file (main.cf syntax)\n"
		 "  -N LIST       DSN notify: never, or success,failure,delay\n"
		 "  -R full|hdrs  DSN return\n"
		 "  -V ENVID      DSN envelope identifier (up to 100 printable characters)\n"
		 "  -B 7BIT|8BITMIME  body type\n"
		 "  -O smtputf8=yes   the message needs SMTPUTF8\n"
		 "  -v            show the SMTP dialogue on stderr (secrets masked)\n"
		 "\n"
		 "Modes:\n"
		 "  -bm           read the message and send it (the default)\n"
		 "  -bs           speak SMTP on standard input and output\n"
		 "  -bv           show the envelope and the relays that would be used,\n"
		 "                without sending anything\n"
		 "  -bi           check the alias tables (newaliases)\n"
		 "  -bp           list the queue: there is none (mailq)\n"
		 "  -q...         run the queue: there is none, nothing to do\n"
		 "  -bd           refused: relaymail has no daemon\n"
		 "\n"
		 "Accepted and ignored: -A -c -e -G -h -L -m -o... -O... -p -U -x;\n"
		 "-X FILE is ignored with a warning.\n"
		 "\n"
		 "  --query KEY TYPE:NAME...  look KEY up in tables, like postmap -q\n"
		 "                (KEY - reads keys from standard input)\n"
		 "  --expand NAME...  parameter values, like postconf -x -h\n"
		 "  --resend [FILE...]  send the messages kept after a failure again\n"
		 "  --help        this text\n"
		 "  --version     version and compiled features\n");
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conf/textfile's rule for files that hold secrets, every mode against
 * every kind of owner (the caller, root, someone else) and caller (root,
 * the owner, another user: seteuid when run as root), the container
 * secret mount, and the exact advice; then the rule through real files,
 * tables and a sendmail.conf that holds a password inline. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "conf/textfile.h"
#include "capture.h"
#include "tap.h"

#define NOBODY 65534
#define OTHER 4242 /* a user ID with no name */

static char dir[] = "/tmp/test-secret.XXXXXX";

static const char *put(const char *name, const char *text, mode_t mode)
{
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(p, mode);
	return p;
}

/* The rule's verdict on a file of this mode and owner: "" when allowed,
 * else the message. */
static const char *verdict(unsigned mode, uid_t owner, bool ro)
{
	static struct error err;
	struct textfile_info info = {
		.known = true, .mode = mode, .uid = owner, .readonly_mount = ro
	};

	error_clear(&err);
	return textfile_check_secret("/s/pw", &info, &err) == 0 ? "" : err.text;
}

static bool has(const char *text, const char *want)
{
	if (strstr(text, want) != NULL)
		return true;
	diag("text: %s", text);
	diag("lacks: %s", want);
	return false;
}

struct mode_case {
	unsigned mode;
	const char *want; /* "" allowed; else a part of the message */
};

/* The caller owns the file (or is root: the same advice). */
static const struct mode_case own[] = {
	{ 0600, "" },
	{ 0400, "" },
	{ 0640, "" },
	{ 0440, "" },
	{ 0700, "" },
	{ 0750, "" },
	{ 0644, "must not be readable by others (mode 0644); fix it with: chmod 0640 /s/pw" },
	{ 0604, "must not be readable by others (mode 0604); fix it with: chmod 0600 /s/pw" },
	{ 0444, "must not be readable by others (mode 0444); fix it with: chmod 0440 /s/pw" },
	{ 0601, "must not be readable by others (mode 0601); fix it with: chmod 0600 /s/pw" },
	{ 0660, "only its owner may write to it (mode 0660); fix it with: chmod 0640 /s/pw" },
	{ 0620, "only its owner may write to it (mode 0620); fix it with: chmod 0600 /s/pw" },
	{ 0602, "only its owner may write to it (mode 0602); fix it with: chmod 0600 /s/pw" },
	{ 0666, "only its owner may write to it (mode 0666); fix it with: chmod 0640 /s/pw" },
	{ 0777, "only its owner may write to it (mode 0777); fix it with: chmod 0740 /s/pw" },
};

static void test_owner_and_root(void)
{
	uid_t me = geteuid();

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		const char *v = verdict(own[i].mode, me, false);

		if (*own[i].want == '\0')
			is_str(v, "", "owner, %04o: allowed", own[i].mode);
		else
			ok(has(v, own[i].want), "owner, %04o: refused with the chmod to run",
			   own[i].mode);
		v = verdict(own[i].mode, 0, false);
		if (*own[i].want == '\0')
			is_str(v, "", "root's file, %04o: allowed", own[i].mode);
		else
			ok(*v != '\0', "root's file, %04o: refused", own[i].mode);
	}
	ok(has(verdict(0644, me, false), "/s/pw holds passwords and must not be readable"),
	   "the message starts with the file");
	ok(strchr(verdict(0666, me, false), '\n') == NULL, "the message is one line");
}

/* Docker secrets are 0444 root:root, Kubernetes' 0644, on a read-only
 * mount of their own. */
static void test_container_mount(void)
{
	is_str(verdict(0444, 0, true), "", "root's 0444 on a read-only mount: allowed");
	is_str(verdict(0644, 0, true), "", "root's 0644 on a read-only mount: allowed");
	ok(*verdict(0444, NOBODY, true) != '\0',
	   "somebody else's 0444 on a read-only mount: refused");
	ok(has(verdict(0666, 0, true), "only its owner may write to it"),
	   "root's 0666 on a read-only mount: still refused (writable)");
	ok(*verdict(0444, 0, false) != '\0', "root's 0444 on a writable file system: refused");
}

/* As another user than root: the owner's advice differs from the
 * stranger's, and a group may read only root's or the caller's file. */
static void test_other_callers(void)
{
	const char *v;

	if (geteuid() != 0 || seteuid(OTHER) < 0) {
		diag("not root: the cases of another caller are left out");
		return;
	}
	v = verdict(0644, 0, false);
	ok(has(v, "(mode 0644); it belongs to root: ask an administrator to run: chmod 0640 /s/pw"),
	   "not the owner, world-readable: says who owns it and what to ask");
	v = verdict(0664, 0, false);
	ok(has(v, "only its owner may write to it (mode 0664); it belongs to root: ask an "
		  "administrator to run: chmod 0640 /s/pw"),
	   "not the owner, root's writable file: ask an administrator");
	v = verdict(0644, NOBODY, false);
	ok(has(v, "it belongs to nobody: ask them to run: chmod 0640 /s/pw"),
	   "the owner is named by user name");
	v = verdict(0664, 4343, false);
	ok(has(v, "only its owner may write to it (mode 0664); it belongs to 4343: ask them to "
		  "run: chmod 0640 /s/pw"),
	   "not the owner, writable: an owner without a name is its number");
	is_str(verdict(0640, 0, false), "", "root's 0640 read through the group: allowed");
	is_str(verdict(0440, 0, false), "", "root's 0440 read through the group: allowed");
	is_str(verdict(0640, OTHER, false), "", "the caller's own 0640: allowed");
	v = verdict(0640, NOBODY, false);
	ok(has(v, "is readable by its group, which is allowed only when it belongs to root or to "
		  "you (it belongs to nobody, mode 0640); ask an administrator to run: chown root "
		  "/s/pw"),
	   "somebody else's 0640: refused, naming the owner and the fix to ask for");
	is_str(verdict(0600, NOBODY, false), "", "somebody else's 0600 (only root could read it)");
	ok(has(verdict(0644, OTHER, false), "(mode 0644); fix it with: chmod 0640 /s/pw"),
	   "a user's own world-readable file: the chmod to run");
	if (seteuid(0) < 0) {
		printf("Bail out! cannot become root again\n");
		exit(1);
	}
	ok(has(verdict(0640, NOBODY, false), "(it belongs to nobody, mode 0640); fix it with: "
					     "chown root /s/pw"),
	   "root, somebody else's 0640: refused with the chown to run");
}

/* Through textfile_read and the tables: the check runs on the file as
 * opened, and only for secrets. */
static void test_files(void)
{
	const char *path = put("passwd", "[relay]:587 u:p\n", 0644);
	char spec[300], want[1024];
	struct error err = { 0 };
	struct table *t;

	snprintf(spec, sizeof(spec), "hash:%s", path);
	t = table_open(spec, TABLE_SECRET, "smtp_sasl_password_maps in x.cf, line 3", &err);
	ok(t == NULL && err.cls == ERROR_CONFIG, "0644 secret table refused");
	snprintf(want, sizeof(want),
		 "smtp_sasl_password_maps in x.cf, line 3: %s holds passwords and must not be "
		 "readable by others (mode 0644); fix it with: chmod 0640 %s",
		 path, path);
	is_str(err.text, want, "refusal names the parameter, the file, the mode and the fix");
	t = table_open(spec, 0, NULL, &err);
	ok(t != NULL, "the same file is fine when it holds no secret");
	table_free(t);
	chmod(path, 0640);
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	ok(t != NULL, "0640 owned by the caller: opened");
	table_free(t);
	chmod(path, 0660);
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	ok(t == NULL && has(err.text, "only its owner may write to it (mode 0660)"),
	   "0660: refused, group-writable");
	snprintf(spec, sizeof(spec), "regexp:%s", put("re", "/x/ u:p\n", 0604));
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	ok(t == NULL && has(err.text, "chmod 0600"), "the rule applies to regexp: too");
}

static struct config *load(const char *text, mode_t mode, char *const *env, struct error *err)
{
	const char *path = put("sendmail.conf", text, mode);

	return config_load(path, env, err);
}

/* A password inside sendmail.conf itself puts it under the same rule. */
static void test_inline_in_config(void)
{
	static char *const no_env[] = { NULL };
	static char *const env_inline[] = {
		"RELAYMAIL_SMTP_SASL_PASSWORD_MAPS=inline:{ [relay]:587=u:p }", NULL
	};
	static char *const env_ref[] = { "RELAYMAIL_SMTP_SASL_PASSWORD_MAPS=$pw", NULL };
	static const char *const kinds[] = { "inline:{ [relay]:587=u:p }", "static:u:p",
					     "proxy:inline:{ x=u:p }" };
	struct error err = { 0 };
	struct config *cfg;
	struct maps *m;
	char text[256];

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(text, sizeof(text), "smtp_sasl_password_maps = %s\n", kinds[i]);
		cfg = load(text, 0644, no_env, &err);
		m = cfg != NULL
			? maps_open_param(cfg, "smtp_sasl_password_maps", TABLE_SECRET, &err)
			: NULL;
		ok(m == NULL && err.cls == ERROR_CONFIG &&
		       has(err.text, "smtp_sasl_password_maps (") &&
		       has(err.text, "sendmail.conf, line 1) holds a password in the configuration "
				     "file itself: ") &&
		       has(err.text, "must not be readable by others (mode 0644); fix it with: "
				     "chmod 0640 "),
		   "%s in a 0644 sendmail.conf: refused", kinds[i]);
		maps_free(m);
		m = cfg != NULL ? maps_open_param(cfg, "smtp_sasl_password_maps", 0, &err) : NULL;
		ok(m != NULL, "%s: the same value is fine when it is no secret", kinds[i]);
		maps_free(m);
		config_free(cfg);
		cfg = load(text, 0640, no_env, &err);
		m = cfg != NULL
			? maps_open_param(cfg, "smtp_sasl_password_maps", TABLE_SECRET, &err)
			: NULL;
		ok(m != NULL, "%s in a 0640 sendmail.conf: accepted", kinds[i]);
		maps_free(m);
		config_free(cfg);
	}
	cfg = load("smtp_sasl_password_maps = texthash:/nonexistent-but-not-opened\n"
		   "relayhost = [relay]:587\n",
		   0644, no_env, &err);
	ok(cfg != NULL && config_check_secret(cfg, "relayhost", &err) < 0,
	   "config_check_secret refuses the world-readable file for any parameter");
	config_free(cfg);

	cfg = load("relayhost = [relay]:587\n", 0644, env_inline, &err);
	m = cfg != NULL ? maps_open_param(cfg, "smtp_sasl_password_maps", TABLE_SECRET, &err)
			: NULL;
	ok(m != NULL, "inline: from the environment leaves a 0644 sendmail.conf alone");
	maps_free(m);
	config_free(cfg);
	cfg = load("pw = inline:{ [relay]:587=u:p }\n", 0644, env_ref, &err);
	m = cfg != NULL ? maps_open_param(cfg, "smtp_sasl_password_maps", TABLE_SECRET, &err)
			: NULL;
	ok(m == NULL && has(err.text, "environment variable RELAYMAIL_SMTP_SASL_PASSWORD_MAPS) "
				      "holds a password in the configuration file"),
	   "from the environment through $pw set in a 0644 file: refused");
	maps_free(m);
	config_free(cfg);
	cfg = load("smtp_sasl_password_maps = texthash:/no/such/file\n", 0644, no_env, &err);
	m = cfg != NULL ? maps_open_param(cfg, "smtp_sasl_password_maps", TABLE_SECRET, &err)
			: NULL;
	ok(m == NULL && has(err.text, "cannot open /no/such/file"),
	   "a table in a file of its own leaves sendmail.conf's mode alone");
	maps_free(m);
	config_free(cfg);
}

/* No message quotes what a secret table holds: its lines, its values,
 * an inline: or static: spec. */
static void test_no_quoting(void)
{
	const char *path = put("quoted",
			       " u:pass2\n"
			       "[relay]:587 u:p\xe9ss1\n"
			       "\"[other]:25 u:pass3\n"
			       "[good]:25 u:pass4\n",
			       0600);
	struct capture cap;
	struct error err = { 0 };
	struct table *t;
	char spec[300], *out, *v = NULL;

	snprintf(spec, sizeof(spec), "texthash:%s", path);
	capture_begin(&cap);
	t = table_open(spec, TABLE_SECRET | TABLE_UTF8, NULL, &err);
	out = capture_end(&cap);
	ok(t != NULL, "a secret table with bad lines opens");
	ok(has(out, "line 2: non-UTF-8 input -- ignoring this line") &&
	       has(out, "line 1: ignoring a line that starts with whitespace") &&
	       has(out, "line 3: unbalanced '\"' -- ignoring this line"),
	   "each bad line is warned about by number");
	ok(strstr(out, "pass") == NULL && strstr(out, "u:p") == NULL,
	   "... and no warning quotes a password");
	free(out);
	table_free(t);

	t = table_open("inline:{ k=u:pa\xe9ss }", TABLE_SECRET | TABLE_UTF8, NULL, &err);
	ok(t == NULL && has(err.text, "inline:{...}: the inline table is not valid UTF-8") &&
	       strstr(err.text, "pa") == NULL,
	   "a bad inline: secret is named by its type only");
	t = table_open("inline:{ k=u:pass5, nokey }", TABLE_SECRET, NULL, &err);
	ok(t == NULL && has(err.text, "inline:{...}: expected key=value or {key = value}") &&
	       strstr(err.text, "pass5") == NULL,
	   "a bad inline: item of a secret is not quoted");
	t = table_open("inline:{ k=u:pass5, nokey }", 0, NULL, &err);
	ok(t == NULL && has(err.text, "found \"nokey\""), "... but it is when it is no secret");
	t = table_open("static:{u:pass6", TABLE_SECRET, NULL, &err);
	ok(t == NULL && has(err.text, "static:{...}: unbalanced braces") &&
	       strstr(err.text, "pass6") == NULL,
	   "a bad static: secret is named by its type only");

	t = table_open("static:u:pa\xe9ss7", TABLE_SECRET | TABLE_UTF8, NULL, &err);
	capture_begin(&cap);
	ok(t != NULL && table_lookup(t, "any", &v, &err) == -1 && has(err.text, "static:{...}") &&
	       strstr(err.text, "pa") == NULL,
	   "a non-UTF-8 secret value: the error names the table by its type only");
	out = capture_end(&cap);
	ok(has(out, "static:{...}: key \"any\": non-UTF-8 value: malformed UTF-8") &&
	       strstr(out, "pa") == NULL,
	   "... and the warning leaves the value out");
	free(out);
	free(v);
	table_free(t);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	test_owner_and_root();
	test_container_mount();
	test_other_callers();
	test_files();
	test_inline_in_config();
	test_no_quoting();
	for (const char *const *n =
		 (const char *const[]){ "passwd", "re", "sendmail.conf", "quoted", NULL };
	     *n != NULL; n++) {
		char p[256];

		snprintf(p, sizeof(p), "%s/%s", dir, *n);
		unlink(p);
	}
	rmdir(dir);
	return tap_done();
}

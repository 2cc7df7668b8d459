/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The envelope commands. Parameters are added only when the relay
 * announced the extension; whether a missing extension is fatal
 * (SMTPUTF8, SIZE) is the session's decision, not this file's. */
#include <config.h>

#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "smtp/command.h"

static bool address_ok(const char *a)
{
	return !str_has_crlfnul(a, strlen(a));
}

/* ESMTP parameter values are xchar/xtext: printable ASCII, no blank
 * (RFC 5321 §4.1.2, RFC 3461 §4). */
static bool param_ok(const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f || *v == '=')
			return false;
	return true;
}

static int bad_address(const char *a, struct error *err)
{
	char safe[300];

	str_printable(safe, sizeof(safe), a, strlen(a));
	error_set(err, ERROR_DATA, _("the envelope address <%s> contains a line break"), safe);
	return -1;
}

static int bad_param(const char *name, const char *v, struct error *err)
{
	char safe[300];

	str_printable(safe, sizeof(safe), v, strlen(v));
	error_set(err, ERROR_DATA, _("the DSN value %s=%s is not valid"), name, safe);
	return -1;
}

int command_check_envelope(const struct session_envelope *env, struct error *err)
{
	const char *sender = env->sender != NULL ? env->sender : "";

	if (env->nrcpts == 0 || env->rcpts == NULL) {
		error_set(err, ERROR_DATA, "%s", _("the message has no recipients"));
		return -1;
	}
	if (!address_ok(sender))
		return bad_address(sender, err);
	for (size_t i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i] == NULL || !address_ok(env->rcpts[i]))
			return bad_address(env->rcpts[i] != NULL ? env->rcpts[i] : "", err);
	if (env->dsn_notify != NULL && !param_ok(env->dsn_notify))
		return bad_param("NOTIFY", env->dsn_notify, err);
	if (env->dsn_ret != NULL && !param_ok(env->dsn_ret))
		return bad_param("RET", env->dsn_ret, err);
	if (env->dsn_envid != NULL && !param_ok(env->dsn_envid))
		return bad_param("ENVID", env->dsn_envid, err);
	return 0;
}

int command_mail(struct buf *out, const struct session_envelope *env, const struct caps *caps)
{
	int rc = buf_printf(out, "MAIL FROM:<%s>", env->sender != NULL ? env->sender : "");

	if (rc == 0 && caps->size && env->size > 0)
		rc = buf_printf(out, " SIZE=%zu", env->size);
	if (rc == 0 && env->eightbit && caps->eightbitmime)
		rc = buf_append_str(out, " BODY=8BITMIME");
	if (rc == 0 && (env->smtputf8 || env->smtputf8_if_offered) && caps->smtputf8)
		rc = buf_append_str(out, " SMTPUTF8");
	if (rc == 0 && caps->dsn && env->dsn_ret != NULL)
		rc = buf_printf(out, " RET=%s", env->dsn_ret);
	if (rc == 0 && caps->dsn && env->dsn_envid != NULL)
		rc = buf_printf(out, " ENVID=%s", env->dsn_envid);
	if (rc == 0)
		rc = buf_append_str(out, "\r\n");
	return rc;
}

int command_rcpt(struct buf *out, const char *rcpt, const struct session_envelope *env,
		 const struct caps *caps)
{
	int rc = buf_printf(out, "RCPT TO:<%s>", rcpt);

	if (rc == 0 && caps->dsn && env->dsn_notify != NULL)
		rc = buf_printf(out, " NOTIFY=%s", env->dsn_notify);
	if (rc == 0)
		rc = buf_append_str(out, "\r\n");
	return rc;
}

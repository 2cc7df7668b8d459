/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a fake SMTP server script: one command per line, escapes in the
 * text undone once here, "connection" lines splitting the sections. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fake/fakescript.h"

void fakescript_die(const char *fmt, ...)
{
	va_list ap;

	fputs("fakesmtp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Unescape in place; returns the length. */
static size_t unescape(char *s)
{
	size_t o = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] != '\\' || s[i + 1] == '\0') {
			s[o++] = s[i];
			continue;
		}
		i++;
		if (s[i] == 'r')
			s[o++] = '\r';
		else if (s[i] == 'n')
			s[o++] = '\n';
		else if (s[i] == 't')
			s[o++] = '\t';
		else if (s[i] == 'x' && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

static const struct {
	const char *name;
	enum op op;
	bool arg;
} ops[] = {
	{ "send", OP_SEND, true },	{ "raw", OP_RAW, true },
	{ "flush", OP_FLUSH, false },	{ "bytewise", OP_BYTEWISE, false },
	{ "expect", OP_EXPECT, true },	{ "data", OP_DATA, false },
	{ "auth", OP_AUTH, true },	{ "tls", OP_TLS, false },
	{ "badtls", OP_BADTLS, false }, { "delay", OP_DELAY, true },
	{ "stall", OP_STALL, false },	{ "eof", OP_EOF, false },
	{ "close", OP_CLOSE, false },	{ "connection", OP_CONNECTION, false },
};

static char *dup_word(char **p)
{
	char *w = *p, *sp;

	while (*w == ' ')
		w++;
	sp = strchr(w, ' ');
	if (sp != NULL) {
		*sp = '\0';
		*p = sp + 1;
	} else {
		*p = w + strlen(w);
	}
	return *w != '\0' ? strdup(w) : NULL;
}

static void parse_args(struct step *s, char *arg, const char *line)
{
	char *end;

	switch (s->op) {
	case OP_SEND:
	case OP_RAW:
		s->len = unescape(arg);
		s->arg = malloc(s->len + 3);
		if (s->arg == NULL)
			fakescript_die("%s", "out of memory");
		memcpy(s->arg, arg, s->len);
		if (s->op == OP_SEND) {
			memcpy(s->arg + s->len, "\r\n", 2);
			s->len += 2;
		}
		s->arg[s->len] = '\0';
		break;
	case OP_DELAY:
		errno = 0;
		s->num = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || s->num < 0)
			fakescript_die("bad delay: %s", line);
		break;
	case OP_AUTH:
		s->mech = dup_word(&arg);
		s->user = dup_word(&arg);
		s->secret = dup_word(&arg);
		if (s->secret == NULL)
			fakescript_die("auth needs MECH USER SECRET: %s", line);
		break;
	default:
		s->arg = strdup(arg);
		s->len = strlen(arg);
		break;
	}
}

static void parse_line(struct script *sc, char *line)
{
	char *arg = strchr(line, ' ');
	struct step *s;
	size_t i;

	if (arg != NULL)
		*arg++ = '\0';
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(line, ops[i].name) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		fakescript_die("unknown script command: %s", line);
	if (ops[i].arg && arg == NULL)
		fakescript_die("%s needs an argument", line);
	s = realloc(sc->v, (sc->n + 1) * sizeof(*sc->v));
	if (s == NULL)
		fakescript_die("%s", "out of memory");
	sc->v = s;
	s = &sc->v[sc->n++];
	memset(s, 0, sizeof(*s));
	s->op = ops[i].op;
	if (s->op == OP_CONNECTION)
		sc->sections++;
	parse_args(s, arg != NULL ? arg : (char *)"", line);
}

void fakescript_load(const char *path, struct script *sc)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (fp == NULL)
		fakescript_die("cannot open the script %s", path);
	memset(sc, 0, sizeof(*sc));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (sc->n == 0 && strcmp(line, "connection") != 0)
			sc->sections = 1;
		parse_line(sc, line);
	}
	free(line);
	fclose(fp);
	if (sc->sections == 0)
		sc->sections = 1;
}

void fakescript_free(struct script *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->v[i].arg);
		free(sc->v[i].mech);
		free(sc->v[i].user);
		free(sc->v[i].secret);
	}
	free(sc->v);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* -bv: what relaymail would do with a message, without reading one and
 * without connecting: the envelope sender and recipients after rewriting,
 * and the relays in the order they would be tried, each with its TLS
 * level and whether AUTH would be used. */
#ifndef RELAYMAIL_APP_VERIFY_H
#define RELAYMAIL_APP_VERIFY_H

#include <stdio.h>

#include "app/context.h"
#include "app/envelope.h"
#include "base/error.h"

/* Print to out, one fact a line:
 *   sender: <a@b>
 *   recipient: <c@d>
 *   relay 1: [smtp.example]:587 (tls: verify, auth: yes as login@isp)
 *   relay 2: backup.example (fallback, tls: may, auth: no)
 * Lines are keys, not prose: they are not translated. 0, or -1 with err
 * (ERROR_USAGE for addresses, ERROR_CONFIG for the route or the tables). */
int verify_run(const struct context *ctx, const struct submission *sub, FILE *out,
	       struct error *err);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GNU SASL, loaded when a mechanism first needs it (SCRAM, CRAM-MD5 and
 * the rest; PLAIN, LOGIN and OAuth are relaymail's own). libgsasl brings
 * libidn, libntlm and GSS-API with it: loading them costs a one-message
 * run about a twentieth of its CPU, for a run that logs in with PLAIN. */
#ifndef RELAYMAIL_AUTH_GSASL_LIB_H
#define RELAYMAIL_AUTH_GSASL_LIB_H

#include <gsasl.h>

#include "base/error.h"

/* The functions relaymail calls, typed from <gsasl.h>. */
struct gsasl_lib {
	__typeof__(gsasl_init) *init;
	__typeof__(gsasl_done) *done;
	__typeof__(gsasl_client_support_p) *client_support_p;
	__typeof__(gsasl_client_start) *client_start;
	__typeof__(gsasl_finish) *finish;
	__typeof__(gsasl_property_set) *property_set;
	__typeof__(gsasl_property_fast) *property_fast;
	__typeof__(gsasl_step) *step;
	__typeof__(gsasl_mechanism_name) *mechanism_name;
	__typeof__(gsasl_strerror) *strerror;
	__typeof__(gsasl_free) *free;
};

/* The library, loaded on the first call and kept until exit; NULL with
 * ERROR_CONFIG naming the file and why when it cannot be loaded. */
const struct gsasl_lib *gsasl_lib(struct error *err);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exit statuses are a contract with callers: 75 means "try again later",
 * everything else that is not 0 means "this will not work as it is". */
#include <config.h>

#include <sysexits.h>

#include "app/exitcode.h"

int exitcode_for(enum error_class cls)
{
	switch (cls) {
	case ERROR_NONE:
		return EX_OK;
	case ERROR_USAGE:
		return EX_USAGE;
	case ERROR_DATA:
		return EX_DATAERR;
	case ERROR_RECIPIENT:
		return EX_NOUSER;
	case ERROR_NOHOST:
		return EX_NOHOST;
	case ERROR_REJECTED:
		return EX_UNAVAILABLE;
	case ERROR_INTERNAL:
		return EX_SOFTWARE;
	case ERROR_OS:
		return EX_OSERR;
	case ERROR_IO:
		return EX_IOERR;
	case ERROR_TEMP:
		return EX_TEMPFAIL;
	case ERROR_PROTOCOL:
		return EX_PROTOCOL;
	case ERROR_AUTH:
		return EX_NOPERM;
	case ERROR_CONFIG:
		return EX_CONFIG;
	}
	return EX_SOFTWARE;
}

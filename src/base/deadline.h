/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Absolute deadlines on the monotonic clock, handed down call chains so
 * that nothing waits without a bound. A zeroed struct deadline means
 * "no deadline". Only drivers read the clock; parsers never do. */
#ifndef RELAYMAIL_BASE_DEADLINE_H
#define RELAYMAIL_BASE_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

struct deadline {
	int64_t at_ms; /* monotonic milliseconds; 0 = none */
};

int64_t deadline_now_ms(void);
/* A deadline ms milliseconds from now; ms <= 0 gives "none". */
struct deadline deadline_in(int64_t ms);
/* The earlier of two deadlines (a "none" loses to any real one). */
struct deadline deadline_min(struct deadline a, struct deadline b);
bool deadline_expired(struct deadline d);
/* Milliseconds left, clamped to [0, INT32_MAX]; -1 for "none" (poll's
 * infinite timeout). */
int deadline_poll_ms(struct deadline d);

#endif

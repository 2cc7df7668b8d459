/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Monotonic deadlines (CLOCK_MONOTONIC is immune to clock changes). */
#include <config.h>

#include <time.h>

#include "base/deadline.h"

int64_t deadline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct deadline deadline_in(int64_t ms)
{
	struct deadline d = { 0 };

	if (ms > 0)
		d.at_ms = deadline_now_ms() + ms;
	return d;
}

struct deadline deadline_min(struct deadline a, struct deadline b)
{
	if (a.at_ms == 0)
		return b;
	if (b.at_ms == 0)
		return a;
	return a.at_ms < b.at_ms ? a : b;
}

bool deadline_expired(struct deadline d)
{
	return d.at_ms != 0 && deadline_now_ms() >= d.at_ms;
}

int deadline_poll_ms(struct deadline d)
{
	int64_t left;

	if (d.at_ms == 0)
		return -1;
	left = d.at_ms - deadline_now_ms();
	if (left < 0)
		return 0;
	if (left > INT32_MAX)
		return INT32_MAX;
	return (int)left;
}

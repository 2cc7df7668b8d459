/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Entry point (placeholder until the app layer lands). */
#include <config.h>

int main(void)
{
	return 0;
}

/* clock.c - monotonic clocks (see clock.h). */
#include <time.h>

#include "util/clock.h"

static int64_t read_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t cw_now_ms(void)
{
	return read_us(CLOCK_MONOTONIC_COARSE) / 1000;
}

int64_t cw_clock_ms(void)
{
	return read_us(CLOCK_MONOTONIC) / 1000;
}

int64_t cw_clock_us(void)
{
	return read_us(CLOCK_MONOTONIC);
}

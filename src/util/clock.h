/* clock.h - the library's monotonic clocks, in one place: a coarse one for
 * deadlines (a vDSO read, 1-4 ms steps, read on every park) and a precise
 * one for latencies and for telling a slow request from a fast one. */
#ifndef CW_UTIL_CLOCK_H
#define CW_UTIL_CLOCK_H

#include <stdint.h>

/* Coarse monotonic milliseconds (CLOCK_MONOTONIC_COARSE). */
int64_t cw_now_ms(void);

/* Precise monotonic milliseconds and microseconds (CLOCK_MONOTONIC). */
int64_t cw_clock_ms(void);
int64_t cw_clock_us(void);

#endif

/* tbucket.h - a token bucket: bytes a transfer may send now, at a rate,
 * for the `throttle` option. Pure arithmetic on times the caller passes
 * in (milliseconds of a monotonic clock), so it is tested without
 * waiting; the connection code does the waiting.
 *
 * Credit accrues continuously at the rate and is kept in thousandths of
 * a byte, so no fraction is lost however often it is asked. A transfer
 * starts with a tenth of a second of credit and can save up at most a
 * fifth of a second: a waiting connection that is woken late (the timer
 * runs every 50 ms or so) still keeps the average rate, and a client
 * that stops reading for a while cannot get a burst afterwards. Credit
 * may go below zero (a response head is never held back): what was sent
 * beyond the rate is paid back by waiting. */
#ifndef CW_UTIL_TBUCKET_H
#define CW_UTIL_TBUCKET_H

#include <stddef.h>
#include <stdint.h>

struct cw_tbucket {
	int rate;       /* bytes per second, 0: no limit */
	int64_t credit; /* thousandths of a byte, may be negative */
	int64_t at;     /* ms the credit was last brought up to date */
};

/* Start a transfer at rate (0: no limit) at time now. */
void cw_tbucket_start(struct cw_tbucket *b, int rate, int64_t now);

/* How many of want bytes may go at time now (0: none yet). */
size_t cw_tbucket_allow(struct cw_tbucket *b, int64_t now, size_t want);

/* n bytes went out. */
void cw_tbucket_spend(struct cw_tbucket *b, size_t n);

/* The ms from now until enough credit for a useful write (want bytes, at
 * most a tenth of a second's worth) has accrued; 0 if it has. */
int64_t cw_tbucket_wait_ms(struct cw_tbucket *b, int64_t now, size_t want);

#endif

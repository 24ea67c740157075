/* tbucket.c - the token bucket behind `throttle` (see tbucket.h). */
#include "util/tbucket.h"

/* In ms of the rate: the credit a transfer starts with, the most it may
 * save up, and the write a waiting transfer waits for. */
#define START_MS 100
#define CAP_MS   200
#define STEP_MS  100

void cw_tbucket_start(struct cw_tbucket *b, int rate, int64_t now)
{
	b->rate = rate > 0 ? rate : 0;
	b->credit = (int64_t)b->rate * START_MS;
	b->at = now;
}

/* Credit up to now: rate bytes per second is rate thousandths per ms. */
static void refill(struct cw_tbucket *b, int64_t now)
{
	int64_t dt = now - b->at, cap = (int64_t)b->rate * CAP_MS;

	if (dt <= 0)
		return;
	b->at = now;
	if (dt > 3600000) /* no overflow, whatever the clock did */
		dt = 3600000;
	b->credit += (int64_t)b->rate * dt;
	if (b->credit > cap)
		b->credit = cap;
}

size_t cw_tbucket_allow(struct cw_tbucket *b, int64_t now, size_t want)
{
	int64_t bytes;

	if (b->rate <= 0)
		return want;
	refill(b, now);
	bytes = b->credit / 1000;
	if (bytes <= 0)
		return 0;
	return (uint64_t)bytes < want ? (size_t)bytes : want;
}

void cw_tbucket_spend(struct cw_tbucket *b, size_t n)
{
	if (b->rate <= 0)
		return;
	/* a debt of more than an hour at the rate is not kept */
	if (n > (size_t)b->rate * (size_t)3600)
		n = (size_t)b->rate * (size_t)3600;
	b->credit -= (int64_t)n * 1000;
}

int64_t cw_tbucket_wait_ms(struct cw_tbucket *b, int64_t now, size_t want)
{
	int64_t step = (int64_t)b->rate * STEP_MS, need;

	if (b->rate <= 0)
		return 0;
	refill(b, now);
	if (step < 1000)
		step = 1000; /* at least a byte */
	need = want > (size_t)(step / 1000) ? step : (int64_t)want * 1000;
	if (need < 1000)
		need = 1000;
	if (b->credit >= need)
		return 0;
	return (need - b->credit + b->rate - 1) / b->rate;
}

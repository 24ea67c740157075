/* nonces.h - the nonces of digest authentication (RFC 7616), shared by
 * every worker process of a server so that a nonce one worker issued is
 * accepted by any other, and replayed by none.
 *
 * A nonce names a slot of a table in shared memory and carries the time
 * it was made and a MAC under a key made at random with the table, so a
 * client can neither forge one nor bring one from an earlier server. The
 * slot keeps which request counters (nc) were seen with the nonce: the
 * highest, and the 64 below it, so that requests of parallel connections
 * may arrive out of order but no counter is accepted twice (older ones
 * are refused as replays). A nonce expires after CW_NONCE_LIFETIME_S, or
 * earlier when its slot is reused by a newer one (the table holds the
 * CW_NONCE_SLOTS newest); either way the client is told it is stale and
 * retries with a fresh one. One short per-slot lock per check. */
#ifndef CW_CORE_NONCES_H
#define CW_CORE_NONCES_H

#include <stddef.h>
#include <stdint.h>

#define CW_NONCE_SLOTS      65536
#define CW_NONCE_LIFETIME_S 600
/* The text of a nonce: 8 hex digits of time, 16 of sequence, 16 of MAC. */
#define CW_NONCE_LEN 40

struct cw_nonces;

/* A table in shared memory (anonymous, inherited across fork), with a
 * fresh random key; NULL on failure. */
struct cw_nonces *cw_nonces_new_shared(void);
void cw_nonces_free_shared(struct cw_nonces *t);

/* Issue a nonce: out receives CW_NONCE_LEN characters and a NUL. 0, or
 * -1 if the MAC cannot be made. */
int cw_nonce_issue(struct cw_nonces *t, char out[CW_NONCE_LEN + 1]);

enum cw_nonce_check {
	CW_NONCE_OK,     /* valid, and nc counts up: accepted and recorded */
	CW_NONCE_STALE,  /* ours, but expired or pushed out of the table */
	CW_NONCE_REPLAY, /* ours and current, but nc was seen already */
	CW_NONCE_BAD     /* not a nonce this table made */
};

/* Check nonce (len bytes, as the client sent it) with request counter nc
 * (1 or more) and, when it passes, record nc as seen. */
enum cw_nonce_check cw_nonce_check(struct cw_nonces *t, const char *nonce,
                                   size_t len, uint32_t nc);

#endif

/* ticket_keys.h - the keys that encrypt TLS session tickets. The prefork
 * master makes them in memory it shares with its workers, so that a client
 * resumes on whichever worker its next connection lands, and rotates them
 * on a schedule (the previous key still decrypts); or it reads them from
 * ssl_ticket_key_file (nginx's ssl_session_ticket_key format), so that
 * several servers behind one load balancer resume each other's sessions.
 * Readers copy the keys under a sequence counter: the writer never waits
 * for them. */
#ifndef CW_CORE_TICKET_KEYS_H
#define CW_CORE_TICKET_KEYS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define CW_TICKET_KEYS_MAX 4

struct cw_ticket_key {
	unsigned char name[16];
	unsigned char hmac[32]; /* SHA-256 HMAC key (16 bytes used if aes128) */
	unsigned char aes[32];  /* AES-256-CBC key (AES-128 if aes128) */
	int aes128;             /* a 48-byte key file */
};

struct cw_ticket_keys {
	_Atomic uint32_t seq; /* odd while the writer changes the keys */
	int n;                /* keys in k; k[0] encrypts, all decrypt */
	int rotating;         /* made here (rotated), not read from files */
	struct cw_ticket_key k[CW_TICKET_KEYS_MAX];
};

/* Shared memory (anonymous, inherited across fork) holding no key yet;
 * NULL on failure. Free with cw_ticket_keys_free_shared. */
struct cw_ticket_keys *cw_ticket_keys_new_shared(void);
void cw_ticket_keys_free_shared(struct cw_ticket_keys *k);

/* A new random key becomes k[0]; the one before stays, to decrypt
 * tickets it made (at most two keys are kept). 0, or -1 if the system
 * gives no random bytes (nothing changes then). */
int cw_ticket_keys_rotate(struct cw_ticket_keys *k);

/* Read the keys from files: list is a comma-separated list of paths of
 * 80-byte (AES-256) or 48-byte (AES-128) files, as nginx reads them; the
 * first one encrypts. 0, or -1 with "ssl_ticket_key_file: FILE: reason"
 * in err (k unchanged). */
int cw_ticket_keys_load(struct cw_ticket_keys *k, const char *list, char *err,
                        size_t errlen);

/* How long a session may be resumed, in seconds: ssl_cache_timeout (the
 * option's text) when it is > 0, else 300 (OpenSSL's default). Keys are
 * rotated as often, so a ticket stays decryptable for its whole life. */
int cw_ticket_lifetime(const char *ssl_cache_timeout);

/* A consistent copy of k into out (a reader's view). */
void cw_ticket_keys_read(const struct cw_ticket_keys *k,
                         struct cw_ticket_keys *out);

#endif

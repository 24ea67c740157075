/* keys.c - the session ticket keys the master shares with its workers
 * (core/ticket_keys.h): read from ssl_ticket_key_file when it is set, else
 * made here and rotated every ticket lifetime, the previous key still
 * decrypting. The memory is mapped once, before the first fork, and every
 * generation of workers reads the same keys. */
#include <stdio.h>
#include <string.h>

#include "master.h"
#include "util/clock.h"

int cw_master_keys_check(const struct cw_config *cfg, char *err, size_t errlen)
{
	const char *files = cw_config_get(cfg, CW_OPT_SSL_TICKET_KEY_FILE);
	struct cw_ticket_keys probe = {0};
	int r = 0;

	if (*files != '\0')
		r = cw_ticket_keys_load(&probe, files, err, errlen);
	explicit_bzero(&probe, sizeof probe);
	return r;
}

int cw_master_keys_apply(struct cw_master *m, const struct cw_config *cfg,
                         char *err, size_t errlen)
{
	const char *files = cw_config_get(cfg, CW_OPT_SSL_TICKET_KEY_FILE);

	if (m->keys == NULL &&
	    (m->keys = cw_ticket_keys_new_shared()) == NULL) {
		snprintf(err, errlen, "cannot map the session ticket keys");
		return -1;
	}
	if (*files != '\0')
		return cw_ticket_keys_load(m->keys, files, err, errlen);
	if (m->keys->rotating)
		return 0;
	if (cw_ticket_keys_rotate(m->keys) != 0) {
		snprintf(err, errlen,
		         "no random bytes for the session ticket "
		         "keys");
		return -1;
	}
	m->keys_rotated_ms = cw_now_ms();
	return 0;
}

void cw_master_keys_tick(struct cw_master *m, int64_t now)
{
	int64_t life;

	if (m->keys == NULL || !m->keys->rotating)
		return;
	life = cw_ticket_lifetime(
	           cw_config_get(&m->cfg, CW_OPT_SSL_CACHE_TIMEOUT)) *
	       1000LL;
	if (now - m->keys_rotated_ms >= life &&
	    cw_ticket_keys_rotate(m->keys) == 0)
		m->keys_rotated_ms = now;
}

void cw_master_keys_free(struct cw_master *m)
{
	cw_ticket_keys_free_shared(m->keys);
	m->keys = NULL;
}

/* tls_tickets.c - session tickets encrypted with civetd's keys
 * (core/ticket_keys.h) instead of OpenSSL's per-process ones: a ticket one
 * worker process issued resumes on any other, and, with
 * ssl_ticket_key_file, on another server. A ticket made with a key that is
 * no longer the first is accepted and replaced by a new one, as is every
 * TLS 1.3 ticket. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <string.h>

#include "net/tls.h"

static int keys_index = -1;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void make_index(void)
{
	keys_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int init_hmac(EVP_MAC_CTX *hctx, const struct cw_ticket_key *k)
{
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	                                             (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	return EVP_MAC_init(hctx, k->hmac, k->aes128 ? 16 : 32, params);
}

static const EVP_CIPHER *cipher_of(const struct cw_ticket_key *k)
{
	return k->aes128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

/* OpenSSL's ticket callback: enc 1 makes a ticket with the first key
 * (1, or -1 on failure); enc 0 finds the ticket's key: 1 found, 2 found
 * but not the first (renew the ticket), 0 unknown (a full handshake). */
static int ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
                     EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	const struct cw_ticket_keys *shared =
	    SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), keys_index);
	struct cw_ticket_keys keys;
	int r = 0;

	if (shared == NULL)
		return enc ? -1 : 0;
	cw_ticket_keys_read(shared, &keys);
	if (enc) {
		const struct cw_ticket_key *k = &keys.k[0];

		if (keys.n == 0 ||
		    RAND_bytes(iv, EVP_CIPHER_get_iv_length(cipher_of(k))) != 1)
			r = -1;
		else if (EVP_EncryptInit_ex(cctx, cipher_of(k), NULL, k->aes,
		                            iv) != 1 ||
		         init_hmac(hctx, k) != 1)
			r = -1;
		else {
			memcpy(name, k->name, 16);
			r = 1;
		}
	} else {
		for (int i = 0; i < keys.n; i++) {
			const struct cw_ticket_key *k = &keys.k[i];

			if (memcmp(name, k->name, 16) != 0)
				continue;
			if (EVP_DecryptInit_ex(cctx, cipher_of(k), NULL, k->aes,
			                       iv) != 1 ||
			    init_hmac(hctx, k) != 1)
				break;
			/* 2: send a new ticket. Always in TLS 1.3, whose
			 * tickets are for one use: without a new one the
			 * client's next connection could not resume. */
			r = i == 0 && SSL_version(ssl) != TLS1_3_VERSION ? 1
			                                                 : 2;
			break;
		}
	}
	OPENSSL_cleanse(&keys, sizeof keys);
	return r;
}

int cw_tls_tickets_install(void *ssl_ctx, const struct cw_ticket_keys *keys)
{
	pthread_once(&index_once, make_index);
	if (keys_index < 0 ||
	    !SSL_CTX_set_ex_data(ssl_ctx, keys_index, (void *)keys))
		return -1;
	return SSL_CTX_set_tlsext_ticket_key_evp_cb(ssl_ctx, ticket_cb) == 1
	           ? 0
	           : -1;
}

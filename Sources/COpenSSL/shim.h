// OpenSSL 3 (Debian's libssl-dev), for TLS on the transport seam. Swift cannot
// import function-like macros, so the ones Fulcrum calls are wrapped here as
// static inline functions with the `co_` prefix; everything else is imported
// as OpenSSL declares it.
#ifndef C_OPENSSL_SHIM_H
#define C_OPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>
#include <openssl/ocsp.h>

// Context settings (SSL_CTX_ctrl macros).
static inline uint64_t co_ctx_set_options(SSL_CTX *ctx, uint64_t op) { return SSL_CTX_set_options(ctx, op); }
static inline uint64_t co_ctx_clear_options(SSL_CTX *ctx, uint64_t op) { return SSL_CTX_clear_options(ctx, op); }
static inline long co_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline int co_ctx_set_min_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_min_proto_version(ctx, v); }
static inline int co_ctx_set_max_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_max_proto_version(ctx, v); }
static inline int co_ctx_set1_groups_list(SSL_CTX *ctx, const char *list) { return (int)SSL_CTX_set1_groups_list(ctx, list); }
static inline int co_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *x) { return (int)SSL_CTX_add1_chain_cert(ctx, x); }
static inline long co_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
static inline long co_ctx_sess_set_cache_size(SSL_CTX *ctx, long size) { return SSL_CTX_sess_set_cache_size(ctx, size); }
static inline long co_ctx_sess_number(SSL_CTX *ctx) { return SSL_CTX_sess_number(ctx); }
static inline int co_ctx_set_num_tickets(SSL_CTX *ctx, size_t n) { return SSL_CTX_set_num_tickets(ctx, n); }
static inline long co_ctx_set_tlsext_ticket_keys(SSL_CTX *ctx, void *keys, long len) { return SSL_CTX_set_tlsext_ticket_keys(ctx, keys, len); }

// The context's owner (the TLSContext object), for callbacks that get only the SSL_CTX.
static inline int co_ctx_set_app_data(SSL_CTX *ctx, void *data) { return SSL_CTX_set_app_data(ctx, data); }
static inline void *co_ctx_get_app_data(const SSL_CTX *ctx) { return SSL_CTX_get_app_data(ctx); }

// Session tickets under keys the caller picks (rotation, keys shared by workers).
typedef int (*co_ticket_cb)(SSL *s, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int enc);
static inline long co_ctx_set_ticket_key_cb(SSL_CTX *ctx, co_ticket_cb cb) {
    return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, cb);
}
// One ticket's AES-CBC (128 or 256 by the key's length) and HMAC-SHA256
// (RFC 5077's construction, as OpenSSL's own keys and HAProxy's
// tls-ticket-keys use); a new ticket gets a random IV.
static inline int co_ticket_crypto_init(EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, const unsigned char *aes_key, int aes_len,
                                        const unsigned char *hmac_key, int hmac_len, unsigned char *iv, int enc) {
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)hmac_key, (size_t)hmac_len);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    if (enc && RAND_bytes(iv, 16) != 1) return 0;
    const EVP_CIPHER *c = aes_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
    if (EVP_CipherInit_ex(cipher, c, NULL, aes_key, iv, enc) != 1) return 0;
    return EVP_MAC_CTX_set_params(mac, params) == 1;
}

// OCSP stapling: the server's status callback and the response it staples.
typedef int (*co_status_cb)(SSL *ssl, void *arg);
static inline long co_ctx_set_tlsext_status_cb(SSL_CTX *ctx, co_status_cb cb) { return SSL_CTX_set_tlsext_status_cb(ctx, cb); }
static inline long co_ctx_set_tlsext_status_arg(SSL_CTX *ctx, void *arg) { return SSL_CTX_set_tlsext_status_arg(ctx, arg); }
static inline long co_set_tlsext_status_ocsp_resp(SSL *ssl, unsigned char *resp, long len) {
    return SSL_set_tlsext_status_ocsp_resp(ssl, resp, len);
}

// DH parameters for DHE: a named FFDHE group ("ffdhe2048"), or PEM text.
static inline EVP_PKEY *co_dh_named_group(const char *name) {
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (pctx == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_paramgen_init(pctx) != 1 || EVP_PKEY_CTX_set_params(pctx, params) != 1 || EVP_PKEY_paramgen(pctx, &pkey) != 1) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(pctx);
    return pkey;
}
static inline int co_pkey_is_dh(const EVP_PKEY *pkey) { return EVP_PKEY_is_a(pkey, "DH"); }
static inline int co_pkey_is_rsa_or_dsa(const EVP_PKEY *pkey) { return EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "DSA"); }
static inline int co_ctx_set0_tmp_dh_pkey(SSL_CTX *ctx, EVP_PKEY *dh) { return SSL_CTX_set0_tmp_dh_pkey(ctx, dh); }

// SNI: the server's callback and its argument, the client's name.
typedef int (*co_servername_cb)(SSL *ssl, int *alert, void *arg);
static inline long co_ctx_set_tlsext_servername_callback(SSL_CTX *ctx, co_servername_cb cb) {
    return SSL_CTX_set_tlsext_servername_callback(ctx, cb);
}
static inline long co_ctx_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg) {
    return SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}
static inline int co_set_tlsext_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }

// Per connection.
static inline long co_set_mode(SSL *ssl, long mode) { return SSL_set_mode(ssl, mode); }
static inline uint64_t co_set_options(SSL *ssl, uint64_t op) { return SSL_set_options(ssl, op); }
static inline int co_set_app_data(SSL *ssl, void *data) { return SSL_set_app_data(ssl, data); }
static inline void *co_get_app_data(const SSL *ssl) { return SSL_get_app_data(ssl); }

// BIO macros.
static inline long co_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
static inline int co_bio_reset(BIO *b) { return (int)BIO_reset(b); }

// Stacks (typed macros over OPENSSL_sk_*).
static inline int co_sk_general_name_num(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }
static inline GENERAL_NAME *co_sk_general_name_value(const GENERAL_NAMES *names, int i) { return sk_GENERAL_NAME_value(names, i); }
static inline void co_general_names_free(GENERAL_NAMES *names) { GENERAL_NAMES_free(names); }
static inline STACK_OF(X509_NAME) *co_load_client_ca_file(const char *file) { return SSL_load_client_CA_file(file); }

// Constants Swift imports poorly (64-bit option words built from macros).
static const uint64_t CO_OP_ALL = SSL_OP_ALL;
static const uint64_t CO_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
static const uint64_t CO_OP_NO_TICKET = SSL_OP_NO_TICKET;
static const uint64_t CO_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;
static const uint64_t CO_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t CO_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION = SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION;
static const uint64_t CO_OP_SINGLE_DH_USE = SSL_OP_SINGLE_DH_USE;
static const uint64_t CO_OP_SINGLE_ECDH_USE = SSL_OP_SINGLE_ECDH_USE;
static const uint64_t CO_OP_IGNORE_UNEXPECTED_EOF = SSL_OP_IGNORE_UNEXPECTED_EOF;
static const long CO_MODE_ENABLE_PARTIAL_WRITE = SSL_MODE_ENABLE_PARTIAL_WRITE;
static const long CO_MODE_ACCEPT_MOVING_WRITE_BUFFER = SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
static const long CO_MODE_RELEASE_BUFFERS = SSL_MODE_RELEASE_BUFFERS;

// Errors: the reason text of the queue's oldest entry, consumed.
static inline unsigned long co_err_get_error(void) { return ERR_get_error(); }
static inline int co_err_is_unexpected_eof(unsigned long e) {
    return ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

#endif

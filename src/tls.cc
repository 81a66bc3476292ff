/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTTPS: one SSL_CTX, swapped whole on reload so no connection drops. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "apid.h"
#include "tls.h"

#define TLS_SESSION_CACHE	256	/* TLS 1.2 sessions kept for resumption */

static SSL_CTX	*tls_ctx;

static void
tls_error(const char *what, const char *path, char **cause)
{
	char	 buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
	xasprintf(cause, "%s %s: %s", what, path, buf);
	ERR_clear_error();
}

/* The certificate, then the rest of the chain, from a PEM file already
 * open (the root helper may have opened it for us). */
static int
tls_use_chain(SSL_CTX *ctx, BIO *bio)
{
	X509	*x;

	if ((x = PEM_read_bio_X509_AUX(bio, nullptr, nullptr, nullptr)) ==
	    nullptr)
		return -1;
	if (SSL_CTX_use_certificate(ctx, x) != 1) {
		X509_free(x);
		return -1;
	}
	X509_free(x);
	SSL_CTX_clear_chain_certs(ctx);
	while ((x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) !=
	    nullptr) {
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			X509_free(x);
			return -1;
		}
	}
	/* The end of the file is the one error that is not. */
	if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE)
		ERR_clear_error();
	return ERR_peek_error() == 0 ? 0 : -1;
}

static int
tls_use_key(SSL_CTX *ctx, BIO *bio)
{
	EVP_PKEY	*pk;
	int		 rv;

	if ((pk = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)) ==
	    nullptr)
		return -1;
	rv = SSL_CTX_use_PrivateKey(ctx, pk) == 1 ? 0 : -1;
	EVP_PKEY_free(pk);
	return rv;
}

int
tls_load_fd(const char *cert, int cert_fd, const char *key, int key_fd,
    char **cause)
{
	SSL_CTX	*ctx;
	BIO	*cb = nullptr, *kb = nullptr;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == nullptr) {
		tls_error("SSL_CTX_new", "", cause);
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* OpenSSL keeps up to 20480 TLS 1.2 sessions by default, some 20 MiB
	 * on a box that must not notice us; TLS 1.3 tickets need none. */
	SSL_CTX_sess_set_cache_size(ctx, TLS_SESSION_CACHE);
	if ((cb = BIO_new_fd(cert_fd, BIO_NOCLOSE)) == nullptr ||
	    tls_use_chain(ctx, cb) == -1) {
		tls_error("TLS_CERT", cert, cause);
		goto fail;
	}
	if ((kb = BIO_new_fd(key_fd, BIO_NOCLOSE)) == nullptr ||
	    tls_use_key(ctx, kb) == -1 || SSL_CTX_check_private_key(ctx) != 1) {
		tls_error("TLS_KEY", key, cause);
		goto fail;
	}
	BIO_free(cb);
	BIO_free(kb);
	/* Each SSL holds a reference: open connections keep the old one. */
	SSL_CTX_free(tls_ctx);
	tls_ctx = ctx;
	return 0;
fail:
	BIO_free(cb);
	BIO_free(kb);
	SSL_CTX_free(ctx);
	return -1;
}

int
tls_load(const char *cert, const char *key, char **cause)
{
	int	 cfd, kfd, rv;

	if ((cfd = open(cert, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "TLS_CERT %s: %s", cert, strerror(errno));
		return -1;
	}
	if ((kfd = open(key, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "TLS_KEY %s: %s", key, strerror(errno));
		close(cfd);
		return -1;
	}
	rv = tls_load_fd(cert, cfd, key, kfd, cause);
	close(cfd);
	close(kfd);
	return rv;
}

int
tls_enabled(void)
{
	return tls_ctx != nullptr;
}

struct bufferevent *
tls_bevcb(struct event_base *base, void *)
{
	SSL	*ssl;

	if ((ssl = SSL_new(tls_ctx)) == nullptr)
		return nullptr;
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

void
tls_free(void)
{
	SSL_CTX_free(tls_ctx);
	tls_ctx = nullptr;
}

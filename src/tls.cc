/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTTPS: one SSL_CTX, swapped whole on reload so no connection drops. */
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
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

int
tls_load(const char *cert, const char *key, char **cause)
{
	SSL_CTX	*ctx;

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
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_error("TLS_CERT", cert, cause);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		tls_error("TLS_KEY", key, cause);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_error("TLS_KEY", key, cause);
		goto fail;
	}
	/* Each SSL holds a reference: open connections keep the old one. */
	SSL_CTX_free(tls_ctx);
	tls_ctx = ctx;
	return 0;
fail:
	SSL_CTX_free(ctx);
	return -1;
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

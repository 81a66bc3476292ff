/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTTPS for the TCP listeners: OpenSSL through libevent_openssl. */
#ifndef TLS_H
#define TLS_H

struct bufferevent;
struct event_base;

/* Load the certificate chain and key (TLS 1.2 and later). A new context
 * replaces the old one only when it loaded whole; connections already open
 * keep theirs. Returns 0, or -1 with *cause. */
int	 tls_load(const char *cert, const char *key, char **cause);
/* The same from files already open (by the root helper), read from where
 * they are; the names are for messages. */
int	 tls_load_fd(const char *cert, int cert_fd, const char *key,
	    int key_fd, char **cause);
int	 tls_enabled(void);
/* evhttp's bufferevent callback: a server-side TLS bufferevent. */
struct bufferevent *tls_bevcb(struct event_base *, void *);
void	 tls_free(void);

#endif

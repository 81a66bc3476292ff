/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Connections from accept to close: caps that hold before any request is
 * read, so that neither idle nor slow clients can hold every descriptor. */
/*
 * evhttp (libevent 2.1) accepts and frees its connections itself and has
 * no hook for a new one. Its bufferevent callback is one: each accepted
 * connection gets its bufferevent from us. Its socket is not set yet then;
 * a deferred event, later in the same turn of the loop, reads the peer,
 * applies the caps, and sets the connection's close callback, which runs
 * when evhttp frees it. The connection is found from its bufferevent:
 * evhttp's callbacks on it carry the connection as their argument (checked
 * both ways before use). The close callback is ours for the connection's
 * whole life; a request that wants to hear of its client leaving asks
 * through conn_busy.
 *
 * We never free evhttp's connections: to close one, we shut its socket
 * down, evhttp reads the end of file and frees it, and the close callback
 * does the accounting, the one place where a connection leaves.
 * (A filter bufferevent's free callback would be a public way to hear of
 * the end, but evhttp over a filter stalls on request bodies that arrive
 * with their headers.)
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "apid.h"
#include "clientip.h"
#include "conn.h"

#define CONN_ADDR_BUCKETS	1024
#define CONN_WARN_SECONDS	10	/* between two log lines of a cap */

enum conn_state {
	CONN_FRESH,		/* accepted, socket not known yet */
	CONN_ADMITTING,		/* being looked at, on no list */
	CONN_WAITING,		/* reading a request (or between two) */
	CONN_BUSY,		/* a request is with us */
	CONN_CLOSING,		/* shut down by us, evhttp to free it */
};

struct conn_addr;

struct conn {
	struct bufferevent	*bev;		/* the one evhttp holds */
	struct evhttp_connection *evcon;	/* once admitted */
	int			 fd;
	enum conn_state		 state;
	int			 reject;	/* close it at once (no TLS) */
	struct conn_addr	*addr;		/* while no request came yet */
	void			(*gone)(void *); /* of the request with us */
	void			*gone_arg;
	TAILQ_ENTRY(conn)	 entry;		/* conn_fresh, or conn_idle */
};
TAILQ_HEAD(conn_list, conn);

/* Connections of one address that have not sent a request yet. */
struct conn_addr {
	char			 key[64];
	int			 n;
	LIST_ENTRY(conn_addr)	 entry;
};
LIST_HEAD(conn_addr_list, conn_addr);

static struct event_base	*conn_base;
static struct event		*conn_fresh_ev;
static struct conn_list		 conn_fresh = TAILQ_HEAD_INITIALIZER(conn_fresh);
static struct conn_list		 conn_idle_list =
				    TAILQ_HEAD_INITIALIZER(conn_idle_list);
static struct conn_addr_list	 conn_addrs[CONN_ADDR_BUCKETS];
static struct conn		**conn_by_fd;
static size_t			 conn_nfd;
static int			 conn_n;		/* not yet freed */
static int			 conn_nclosing;	/* of them, shut down */
static int			 conn_max = 1024;
static int			 conn_max_per_addr = 16;
static int			 conn_prefix6 = 64;
static unsigned long long	 conn_nclosed;
static time_t			 conn_warned_full, conn_warned_addr;

static struct conn_addr_list *
conn_bucket(const char *key)
{
	uint32_t	 h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return &conn_addrs[h % CONN_ADDR_BUCKETS];
}

/* The count of not-yet-requested connections of key, made if missing. */
static struct conn_addr *
conn_addr_get(const char *key)
{
	struct conn_addr_list	*b = conn_bucket(key);
	struct conn_addr	*a;

	LIST_FOREACH(a, b, entry) {
		if (strcmp(a->key, key) == 0)
			return a;
	}
	a = XCALLOC(struct conn_addr);
	snprintf(a->key, sizeof a->key, "%s", key);
	LIST_INSERT_HEAD(b, a, entry);
	return a;
}

/* The connection sent its first request, or is gone: it no longer counts
 * against its address. */
static void
conn_addr_leave(struct conn *c)
{
	if (c->addr == nullptr)
		return;
	if (--c->addr->n == 0) {
		LIST_REMOVE(c->addr, entry);
		free(c->addr);
	}
	c->addr = nullptr;
}

static void
conn_set_fd(struct conn *c, int fd)
{
	size_t	 n;

	if (fd < 0)
		return;
	if ((size_t)fd >= conn_nfd) {
		n = conn_nfd != 0 ? conn_nfd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		conn_by_fd = XREALLOCARRAY(conn_by_fd, n, struct conn *);
		memset(conn_by_fd + conn_nfd, 0,
		    (n - conn_nfd) * sizeof *conn_by_fd);
		conn_nfd = n;
	}
	conn_by_fd[fd] = c;
	c->fd = fd;
}

static struct conn *
conn_find(int fd)
{
	if (fd < 0 || (size_t)fd >= conn_nfd)
		return nullptr;
	return conn_by_fd[fd];
}

/* Take a connection off the list it is on (fresh or idle). */
static void
conn_unlist(struct conn *c)
{
	if (c->state == CONN_FRESH)
		TAILQ_REMOVE(&conn_fresh, c, entry);
	else if (c->state == CONN_WAITING)
		TAILQ_REMOVE(&conn_idle_list, c, entry);
}

/* Close a connection: evhttp sees the end of file and frees it. */
static void
conn_close(struct conn *c)
{
	conn_unlist(c);
	conn_addr_leave(c);
	log_debug("%s: fd %d", __func__, c->fd);
	c->state = CONN_CLOSING;
	conn_nclosing++;
	conn_nclosed++;
	if (c->fd != -1)
		shutdown(c->fd, SHUT_RDWR);
}

/* evhttp frees the connection: the request with us hears of it first. */
static void
conn_gone_cb(struct evhttp_connection *evcon, void *arg)
{
	struct conn	*c = (struct conn *)arg;

	evhttp_connection_set_closecb(evcon, nullptr, nullptr);
	if (c->gone != nullptr)
		c->gone(c->gone_arg);
	conn_unlist(c);
	conn_addr_leave(c);
	if (conn_find(c->fd) == c)
		conn_by_fd[c->fd] = nullptr;
	if (c->state == CONN_CLOSING)
		conn_nclosing--;
	conn_n--;
	free(c);
}

/* The peer's address as counted (clientip_key), or "unix". */
static void
conn_peer(int fd, char *out, size_t outlen, char *peer, size_t peerlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 text[INET6_ADDRSTRLEN];

	snprintf(peer, peerlen, "unix");
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
			    text, sizeof text);
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6,
			    &((struct sockaddr_in6 *)&ss)->sin6_addr, text,
			    sizeof text);
		else
			text[0] = '\0';
		if (text[0] != '\0' &&
		    clientip_canonical(text, peer, peerlen) == -1)
			snprintf(peer, peerlen, "%s", text);
	}
	clientip_key(peer, conn_prefix6, out, outlen);
}

static int
conn_warn_due(time_t *last)
{
	time_t	 now = time(nullptr);

	if (now - *last < CONN_WARN_SECONDS)
		return 0;
	*last = now;
	return 1;
}

/* The connection evhttp made around bev, or nullptr when evhttp has
 * freed it already (bufferevent_free clears the callbacks). */
static struct evhttp_connection *
conn_evcon(struct bufferevent *bev)
{
	struct evhttp_connection	*evcon;
	bufferevent_data_cb		 readcb = nullptr;
	void				*arg = nullptr;

	bufferevent_getcb(bev, &readcb, nullptr, nullptr, &arg);
	if (readcb == nullptr)
		return nullptr;
	evcon = (struct evhttp_connection *)arg;
	if (evcon == nullptr || evhttp_connection_get_bufferevent(evcon) != bev)
		fatalx("%s: evhttp's connection is not where libevent 2.1 "
		    "keeps it", __func__);
	return evcon;
}

/* A new connection's socket is known now: apply the caps. */
static void
conn_admit(struct conn *c)
{
	struct conn	*oldest;
	char		 key[64], peer[64];

	evhttp_connection_set_closecb(c->evcon, conn_gone_cb, c);
	conn_set_fd(c, bufferevent_getfd(c->bev));
	if (c->fd == -1 || c->reject) {
		conn_close(c);
		return;
	}
	conn_peer(c->fd, key, sizeof key, peer, sizeof peer);
	c->state = CONN_WAITING;
	TAILQ_INSERT_TAIL(&conn_idle_list, c, entry);
	if (!clientip_trusted_peer(peer)) {
		c->addr = conn_addr_get(key);
		if (++c->addr->n > conn_max_per_addr) {
			if (conn_warn_due(&conn_warned_addr))
				log_warnx("%s: more than %d connections "
				    "without a request (MAX_CONNS_PER_IP): "
				    "closing the new ones", key,
				    conn_max_per_addr);
			conn_close(c);
			return;
		}
	}
	if (conn_n - conn_nclosing <= conn_max)
		return;
	/* Full: the connection idle for longest makes room, this one if
	 * every other is busy. */
	oldest = TAILQ_FIRST(&conn_idle_list);
	if (conn_warn_due(&conn_warned_full))
		log_warnx("%d connections open (MAX_CONNS): closing the one "
		    "idle for longest", conn_max);
	conn_close(oldest != nullptr ? oldest : c);
}

static void
conn_fresh_cb(evutil_socket_t, short, void *)
{
	struct bufferevent	*bev;
	struct conn		*c;

	while ((c = TAILQ_FIRST(&conn_fresh)) != nullptr) {
		TAILQ_REMOVE(&conn_fresh, c, entry);
		c->state = CONN_ADMITTING;
		bev = c->bev;
		/* Our reference kept bev alive if evhttp gave up on it. */
		if ((c->evcon = conn_evcon(bev)) == nullptr) {
			conn_n--;
			free(c);
		} else
			conn_admit(c);
		bufferevent_decref(bev);
	}
}

struct bufferevent *
conn_bevcb(struct event_base *base, void *arg)
{
	struct bufferevent	*(*tls)(struct event_base *, void *) =
				    (struct bufferevent *(*)(struct event_base *,
				    void *))arg;
	struct bufferevent	*bev = nullptr;
	struct conn		*c;

	c = XCALLOC(struct conn);
	c->fd = -1;
	if (tls != nullptr && (bev = tls(base, nullptr)) == nullptr)
		c->reject = 1;		/* never plain HTTP on a TLS port */
	if (bev == nullptr)
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == nullptr)
		fatalx("%s: bufferevent_socket_new failed", __func__);
	/* Held until admitted: evhttp may free it before (on an error). */
	bufferevent_incref(bev);
	c->bev = bev;
	c->state = CONN_FRESH;
	TAILQ_INSERT_TAIL(&conn_fresh, c, entry);
	conn_n++;
	event_active(conn_fresh_ev, EV_TIMEOUT, 0);
	return bev;
}

void
conn_busy(int fd, void (*gone)(void *), void *arg)
{
	struct conn	*c;

	/* Admitted in the same turn as accepted, but be sure. */
	if (!TAILQ_EMPTY(&conn_fresh))
		conn_fresh_cb(-1, 0, nullptr);
	if ((c = conn_find(fd)) == nullptr)
		return;
	c->gone = gone;
	c->gone_arg = arg;
	if (c->state != CONN_WAITING)
		return;
	TAILQ_REMOVE(&conn_idle_list, c, entry);
	conn_addr_leave(c);
	c->state = CONN_BUSY;
}

void
conn_idle(int fd)
{
	struct conn	*c = conn_find(fd);

	if (c == nullptr)
		return;
	c->gone = nullptr;
	c->gone_arg = nullptr;
	if (c->state != CONN_BUSY)
		return;
	c->state = CONN_WAITING;
	TAILQ_INSERT_TAIL(&conn_idle_list, c, entry);
}

int
conn_init(struct event_base *base, int max_conns, int max_per_addr,
    int prefix6)
{
	size_t	 i;

	conn_max = max_conns;
	conn_max_per_addr = max_per_addr;
	conn_prefix6 = prefix6;
	if (conn_base != nullptr)
		return 0;
	conn_base = base;
	for (i = 0; i < CONN_ADDR_BUCKETS; i++)
		LIST_INIT(&conn_addrs[i]);
	conn_fresh_ev = event_new(base, -1, 0, conn_fresh_cb, nullptr);
	return conn_fresh_ev != nullptr ? 0 : -1;
}

void
conn_shutdown(void)
{
	/* evhttp_free has freed every connection, and with it ours. */
	if (conn_fresh_ev != nullptr)
		event_free(conn_fresh_ev);
	conn_fresh_ev = nullptr;
	free(conn_by_fd);
	conn_by_fd = nullptr;
	conn_nfd = 0;
	conn_base = nullptr;
}

int
conn_count(void)
{
	return conn_n - conn_nclosing;
}

unsigned long long
conn_closed(void)
{
	return conn_nclosed;
}

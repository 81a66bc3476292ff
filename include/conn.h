/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Open connections, counted from accept to close: at most MAX_CONNS (the
 * oldest idle one makes room), and at most MAX_CONNS_PER_IP of one client
 * address that have not sent a whole request yet. */
#ifndef CONN_H
#define CONN_H

struct bufferevent;
struct event_base;

/* max_per_addr applies to peers that are not trusted proxies; prefix6 is
 * LOCKOUT_V6_PREFIX (an IPv6 peer counts as its network). Call again to
 * change the numbers (SIGHUP); connections already open stay. */
int	 conn_init(struct event_base *, int max_conns, int max_per_addr,
	    int prefix6);
void	 conn_shutdown(void);

/* evhttp's bufferevent callback for every listener: arg is nullptr for
 * plain HTTP, or tls_bevcb for HTTPS. Every connection is counted here. */
struct bufferevent *conn_bevcb(struct event_base *, void *arg);

/* A whole request of the connection on fd is with us (not idle): gone,
 * if not nullptr, is called with arg should the connection close before
 * conn_idle. Then it has been answered (idle again, waiting for the
 * next). */
void	 conn_busy(int fd, void (*gone)(void *), void *arg);
void	 conn_idle(int fd);

/* Connections open, and closed by us to make room or for their address. */
int	 conn_count(void);
unsigned long long conn_closed(void);

#endif

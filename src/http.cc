/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTTP server: listeners, the endpoint table, and one request's life
 * from arrival to its single answer. */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "apid.h"
#include "audit.h"
#include "authz.h"
#include "clientip.h"
#include "cmd.h"
#include "cmdinfo.h"
#include "config.h"
#include "conn.h"
#include "gate.h"
#include "hconf.h"
#include "http.h"
#include "job.h"
#include "key.h"
#include "listener.h"
#include "sdnotify.h"
#include "tls.h"
#include "verify.h"

/* Every path we serve; anything else is a 404. */
static const struct {
	const char		*path;
	const struct endpoint	*ep;
} http_routes[] = {
	{ "/api/",		&endpoint_hestia },
	{ "/api",		&endpoint_hestia },
	{ "/api/index.php",	&endpoint_hestia },
	{ "/api/v1/exec",	&endpoint_exec },
	{ "/healthz",		&endpoint_healthz },
	{ "/metrics",		&endpoint_metrics },
	{ "/api/v1/openapi.json", &endpoint_openapi },
};

/* Requests answered, by endpoint (the last row: none) and status. */
static const struct endpoint *const http_counted[] = {
	&endpoint_hestia, &endpoint_exec, &endpoint_healthz, &endpoint_metrics,
	&endpoint_openapi,
};
#define HTTP_STATUS_MIN		100
#define HTTP_STATUS_MAX		599
static uint64_t		 http_nrequests[nitems(http_counted) + 1]
			    [HTTP_STATUS_MAX - HTTP_STATUS_MIN + 1];

#define HTTP_MAX_LISTENERS	16
#define PATH_MAX_UNIX		(sizeof(((struct sockaddr_un *)0)->sun_path))

#define HTTP_ACCEPT_PAUSE_MS	250	/* after EMFILE */

/* TCP listeners (HTTPS when TLS_CERT is set), and unix-socket listeners,
 * which are always plain: two servers with one request callback. */
static struct evhttp	*http_server;
static struct evhttp	*http_server_unix;
static struct event	*http_accept_timer;
struct http_listener {
	char	 host[PATH_MAX_UNIX];
	int	 port;		/* -1: a unix socket */
	int	 unlink;	/* a socket file of ours, removed at stop */
	struct evhttp		*server;
	struct evhttp_bound_socket *sock;
};
static struct http_listener	 http_bound[HTTP_MAX_LISTENERS];
static int		 http_nbound;
static int		 http_closing;	/* stopping: answer 503 at once */
#define HTTP_MAX_HEADERS	16384	/* bytes of request line + headers */
#define HTTP_AUDIT_CMD_MAX	64	/* a longer name is audited as "?" */
#define HTTP_IO_TIMEOUT		30	/* s without progress on a read */
static int		 http_npending;
static struct request	*http_dispatching;	/* alive while dispatched */
static TAILQ_HEAD(, request) http_requests =
    TAILQ_HEAD_INITIALIZER(http_requests);

static void	 http_request_free(struct request *);

/* The socket of the request's connection, or -1. */
static int
http_fd(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;

	if (req == nullptr ||
	    (evcon = evhttp_request_get_connection(req)) == nullptr ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == nullptr)
		return -1;
	return bufferevent_getfd(bev);
}

/*
 * The one way a request's pending work ends early: the client went or
 * left, or the daemon stops. Its verification, its command and a hold
 * for the key sync are cancelled, so that no callback finds it, and it
 * is answered unless it was already: through its endpoint with why, or
 * bare (for a client that is gone, the answer only frees it).
 */
static void
http_abort(struct request *r, int status, const char *why)
{
	if (r->verify != nullptr) {
		verify_cancel(r->verify);
		r->verify = nullptr;
	}
	if (r->job != nullptr) {
		job_cancel(r->job);
		r->job = nullptr;
	}
	if (r->hold != nullptr)
		evtimer_del(r->hold);
	if (r->answered)
		return;
	if (why != nullptr && r->ep != nullptr && r->ep->refuse != nullptr)
		r->ep->refuse(r, status, why);
	else
		http_reply(r, status, "text/plain", "", 0, nullptr);
}

static void
http_close_cb(void *arg)
{
	struct request	*r = (struct request *)arg;

	/*
	 * The client went away before its answer. libevent has already
	 * detached the request from the connection; answering it now only
	 * frees it. Pending work is cancelled so no callback finds it.
	 */
	r->gone = 1;
	if (!r->answered)
		log_debug("%s: client %s gone before its answer", __func__,
		    r->peer);
	http_abort(r, 503, nullptr);
}

/*
 * libevent reads nothing from a connection while its request is with us,
 * so a client that hangs up mid-command would go unnoticed until the
 * answer is written. Watch the socket ourselves: a peek that reads end of
 * file means the client left, and its command is cancelled (its process
 * group killed) instead of running on for nobody.
 */
static void
http_watch_cb(evutil_socket_t fd, short, void *arg)
{
	struct request	*r = (struct request *)arg;
	char		 c;
	ssize_t		 n;

	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		event_add(r->watch, nullptr);
		return;
	}
	if (n > 0)
		return;		/* a pipelined request: stop watching */
	log_debug("%s: client %s left before its answer", __func__,
	    r->client);
	r->left = 1;
	http_abort(r, 503, nullptr);
}

static void
http_watch(struct request *r, struct event_base *base)
{
	evutil_socket_t	 fd;

	if ((fd = http_fd(r->req)) == -1)
		return;
	r->watch = event_new(base, fd, EV_READ, http_watch_cb, r);
	if (r->watch != nullptr)
		event_add(r->watch, nullptr);
}

static void
http_peer(struct request *r)
{
	struct evhttp_connection	*evcon;
	const struct sockaddr		*sa;
	char				*p;

	r->peer[0] = '\0';
	evcon = evhttp_request_get_connection(r->req);
	if (evcon == nullptr)
		return;
	sa = evhttp_connection_get_addr(evcon);
	if (sa == nullptr)
		return;
	switch (sa->sa_family) {
	case AF_INET:
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    r->peer, sizeof r->peer);
		break;
	case AF_INET6:
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, r->peer,
		    sizeof r->peer);
		/* A v4 client on a v6 socket is the v4 address. */
		if (strncmp(r->peer, "::ffff:", 7) == 0 &&
		    strchr(r->peer, '.') != nullptr) {
			p = r->peer + 7;
			memmove(r->peer, p, strlen(p) + 1);
		}
		break;
	case AF_UNIX:
		snprintf(r->peer, sizeof r->peer, "unix");
		break;
	}
}

static void
http_request_cb(struct evhttp_request *req, void *)
{
	const struct evhttp_uri	*uri;
	const char		*path;
	struct request		*r;
	struct timespec		 now;
	size_t			 i;

	r = XCALLOC(struct request);
	r->req = req;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	clock_gettime(CLOCK_REALTIME, &now);
	r->start_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	r->exit_code = -1;
	http_npending++;
	TAILQ_INSERT_TAIL(&http_requests, r, entry);
	conn_busy(http_fd(req), http_close_cb, r);
	http_peer(r);
	clientip_resolve(r->peer, evhttp_request_get_input_headers(req),
	    r->client, sizeof r->client);
	clientip_key(r->client, env->conf->lockout_v6_prefix, r->addr,
	    sizeof r->addr);

	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != nullptr ? evhttp_uri_get_path(uri) : nullptr;
	for (i = 0; path != nullptr && i < nitems(http_routes); i++) {
		if (strcmp(path, http_routes[i].path) == 0) {
			r->ep = http_routes[i].ep;
			break;
		}
	}
	if (http_closing) {
		static const char *const close_hdrs[] = { "Connection",
		    "close", nullptr };

		http_reply(r, 503, "text/plain; charset=utf-8",
		    "Error: service is stopping\n", 27, close_hdrs);
		return;
	}
	if (r->ep == nullptr) {
		http_reply(r, 404, "text/plain; charset=utf-8",
		    "Error: not found\n", 17, nullptr);
		return;
	}
	if (r->ep->parse(r) == -1)
		return;
	/* Most answers come at once and free r; one that waits (argon2, a
	 * command) gets a watch on its client, who may leave meanwhile. */
	http_dispatching = r;
	gate_begin(r);
	if (http_dispatching == r && !r->answered)
		http_watch(r, evhttp_connection_get_base(
		    evhttp_request_get_connection(req)));
	http_dispatching = nullptr;
}

const char *
http_body(struct request *r, size_t *len)
{
	struct evbuffer	*buf = evhttp_request_get_input_buffer(r->req);

	*len = evbuffer_get_length(buf);
	if (*len == 0)
		return "";
	return (const char *)evbuffer_pullup(buf, -1);
}

const char *
http_header(struct request *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    name);
}

int
http_method(struct request *r)
{
	return evhttp_request_get_command(r->req);
}

/*
 * One audit row per API request, whatever its outcome; secrets never reach
 * it. A request refused before authentication leaves only what is bounded
 * and cannot mislead: a key ID or user name only if it is well formed, a
 * command name only if it is one, its arguments counted but hidden; and
 * such rows are rationed per client (audit.h). Arguments of a command
 * whose options are unknown are hidden too: any of them may be a password.
 */
static void
http_audit(struct request *r, int status)
{
	/* v-make-tmp-file's content is a password or a zone file. */
	static char *const	 tmpfile_names[HTTP_MAX_ARGS] = {
				    (char *)"PASSWORD", (char *)"FILE" };
	const struct cmdinfo	*info = nullptr;
	struct audit_row	 row;
	struct timespec		 now;
	char			*args;
	char *const		*names = nullptr;
	const char		*id = r->cred.id;
	int			 prelogin = r->who.who == nullptr, hide;

	if (r->cmd != nullptr && strcmp(r->cmd, CMD_MAKE_TMP_FILE) == 0)
		names = tmpfile_names;
	else if (r->cmd_path != nullptr &&
	    (info = cmdinfo_get_id(r->cmd_path, &r->cmd_id)) != nullptr)
		names = info->options;
	/* Both lists hold nullptr past their names: unnamed arguments. */
	hide = prelogin || names == nullptr;
	args = audit_args_json(r->args, r->nargs, names, env->conf->tmp_dir,
	    hide);
	clock_gettime(CLOCK_MONOTONIC, &now);
	memset(&row, 0, sizeof row);
	row.at_ms = r->start_ms;
	if (!prelogin)
		row.who = r->who.who;
	else if (r->cred.kind == CRED_LEGACY_KEY)
		row.who = "api";
	else if (id != nullptr && (key_id_valid(id) || hconf_user_valid(id)))
		row.who = id;
	else
		row.who = "-";
	row.key_id = !prelogin && r->cred.kind == CRED_ACCESS_KEY ?
	    r->who.who : nullptr;
	row.peer_ip = r->peer;
	row.client_ip = r->client;
	row.cmd = r->cmd == nullptr || r->cmd[0] == '\0' ? "" :
	    strlen(r->cmd) <= HTTP_AUDIT_CMD_MAX && authz_cmd_valid(r->cmd) ?
	    r->cmd : "?";
	row.args = args;
	row.exit_code = r->exit_code;
	row.http_status = status;
	row.duration_ms = (now.tv_sec - r->start.tv_sec) * 1000 +
	    (now.tv_nsec - r->start.tv_nsec) / 1000000;
	row.prelogin = prelogin;
	row.addr = r->addr;
	audit_add(&row);
	free(args);
}

static void
http_count(const struct endpoint *ep, int status)
{
	size_t	 i;

	for (i = 0; i < nitems(http_counted); i++) {
		if (http_counted[i] == ep)
			break;
	}
	if (status >= HTTP_STATUS_MIN && status <= HTTP_STATUS_MAX)
		http_nrequests[i][status - HTTP_STATUS_MIN]++;
}

void
http_requests_each(void (*cb)(const char *, int, uint64_t, void *),
    void *arg)
{
	size_t	 i;
	int	 s;

	for (i = 0; i <= nitems(http_counted); i++) {
		for (s = HTTP_STATUS_MIN; s <= HTTP_STATUS_MAX; s++) {
			if (http_nrequests[i][s - HTTP_STATUS_MIN] != 0)
				cb(i < nitems(http_counted) ?
				    http_counted[i]->path : "other", s,
				    http_nrequests[i][s - HTTP_STATUS_MIN],
				    arg);
		}
	}
}

/* RFC 7231's IMF-fixdate of now, kept for the second it names. */
static const char *
http_date(void)
{
	static char	 date[40];
	static time_t	 at;
	time_t		 now = time(nullptr);
	struct tm	 tm;

	if (now != at && gmtime_r(&now, &tm) != nullptr) {
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		at = now;
	}
	return date;
}

void
http_reply(struct request *r, int status, const char *ctype,
    const char *body, size_t len, const char *const *headers)
{
	struct evkeyvalq	*h;
	struct evbuffer		*buf;
	int			 fd;

	if (r->answered) {
		log_warnx("a request answered twice (a bug): ignored");
		return;
	}
	r->answered = 1;
	http_count(r->ep, r->gone || r->left ? 499 : status);
	/* API requests, those that name credentials, are audited. */
	if (r->ep != nullptr && r->ep->level != GATE_PUBLIC &&
	    r->ep->level != GATE_NETWORK)
		http_audit(r, r->gone || r->left ? 499 : status);

	h = evhttp_request_get_output_headers(r->req);
	/* Ours, formatted once a second: evhttp formats its own for every
	 * answer that has none. */
	evhttp_add_header(h, "Date", http_date());
	if (ctype != nullptr)
		evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Cache-Control", "no-store");
	for (; headers != nullptr && headers[0] != nullptr; headers += 2)
		evhttp_add_header(h, headers[0], headers[1]);

	buf = evhttp_request_get_output_buffer(r->req);
	if (len > 0)
		evbuffer_add(buf, body, len);
	/* The connection may serve other requests: forget this one. */
	fd = r->gone ? -1 : http_fd(r->req);
	conn_idle(fd);
	evhttp_send_reply(r->req, status, nullptr, nullptr);
	r->req = nullptr;
	/* Only now: while the watch reads the socket, evhttp taking it back
	 * for the answer costs one epoll_ctl(2), not three. */
	if (r->watch != nullptr) {
		event_free(r->watch);
		r->watch = nullptr;
	}

	if (r->verify == nullptr && r->job == nullptr)
		http_request_free(r);
}

static void
http_request_free(struct request *r)
{
	if (r == http_dispatching)
		http_dispatching = nullptr;
	if (r->ep != nullptr && r->ep->free != nullptr)
		r->ep->free(r);
	cred_free(&r->cred);
	principal_free(&r->who);
	free(r->cmd);
	if (r->watch != nullptr)
		event_free(r->watch);
	if (r->hold != nullptr)
		event_free(r->hold);
	free(r->cmd_path);
	for (int i = 0; i < r->nargs; i++)
		free(r->args[i]);
	TAILQ_REMOVE(&http_requests, r, entry);
	http_npending--;
	free(r);
}

int
http_pending(void)
{
	return http_npending;
}

/* Out of file descriptors: stop accepting for a moment instead of
 * spinning on a listener that stays readable. */
static void
http_accept_resume_cb(evutil_socket_t, short, void *)
{
	int	 i;

	for (i = 0; i < http_nbound; i++) {
		if (http_bound[i].sock != nullptr)
			evconnlistener_enable(evhttp_bound_socket_get_listener(
			    http_bound[i].sock));
	}
}

static void
http_accept_error_cb(struct evconnlistener *, void *)
{
	struct timeval	 tv = { 0, HTTP_ACCEPT_PAUSE_MS * 1000 };
	int		 i, saved = errno;

	if (saved != EMFILE && saved != ENFILE && saved != ENOBUFS &&
	    saved != ENOMEM) {
		log_debug("accept: %s", strerror(saved));
		return;
	}
	log_warnx("accept: %s; pausing %d ms", strerror(saved),
	    HTTP_ACCEPT_PAUSE_MS);
	for (i = 0; i < http_nbound; i++) {
		if (http_bound[i].sock != nullptr)
			evconnlistener_disable(evhttp_bound_socket_get_listener(
			    http_bound[i].sock));
	}
	evtimer_add(http_accept_timer, &tv);
}

/* The socket's directory, /run/hestia-apid by default, made when it is
 * missing (its last part only: /run is emptied at boot), mode 0755, and
 * given to USER, so that the network side can remove its socket at stop.
 * The socket's own mode and group decide who may connect. */
static int
http_unix_dir(const char *path, char **cause)
{
	char		 dir[PATH_MAX_UNIX], *slash;
	struct passwd	*pw;

	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1) {
		if (errno == EEXIST)
			return 0;
		xasprintf(cause, "LISTEN: unix:%s: %s: %s", path, dir,
		    strerror(errno));
		return -1;
	}
	/* Our umask (077) took the bits away. */
	if (chmod(dir, 0755) == -1)
		log_warn("LISTEN: chmod %s", dir);
	if (geteuid() == 0 && env->conf->user[0] != '\0' &&
	    (pw = getpwnam(env->conf->user)) != nullptr &&
	    chown(dir, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("LISTEN: chown %s", dir);
	return 0;
}

/* unix:/path, mode 0660, of SOCKET_GROUP when set; a stale socket file is
 * replaced. */
static int
http_listen_unix(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	struct group		*gr;
	const char		*group = env->conf->socket_group;
	char			*spec;
	int			 fd, state;

	if (listener_unix_addr(path, &sun, cause) == -1)
		return -1;
	/* A socket file is replaced only when nobody answers on it: a live
	 * daemon's would be taken from it without a word. */
	xasprintf(&spec, "unix:%s", path);
	state = listener_check(spec, cause);
	free(spec);
	if (state != LISTENER_FREE)
		return -1;
	if (lstat(path, &st) == 0)
		unlink(path);
	else if (http_unix_dir(path, cause) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		xasprintf(cause, "LISTEN: unix:%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* The group first: until the mode is set, only we may connect. */
	if (group[0] != '\0' && ((gr = getgrnam(group)) == nullptr ||
	    chown(path, (uid_t)-1, gr->gr_gid) == -1)) {
		xasprintf(cause, "LISTEN: unix:%s: SOCKET_GROUP %s: %s", path,
		    group, gr == nullptr ? "no such group" : strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (chmod(path, 0660) == -1 || listen(fd, 128) == -1) {
		xasprintf(cause, "LISTEN: unix:%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	http_bound[http_nbound].sock = evhttp_accept_socket_with_handle(
	    http_server_unix, fd);
	if (http_bound[http_nbound].sock == nullptr) {
		xasprintf(cause, "LISTEN: unix:%s: cannot accept", path);
		close(fd);
		return -1;
	}
	http_bound[http_nbound].server = http_server_unix;
	snprintf(http_bound[http_nbound].host,
	    sizeof http_bound[http_nbound].host, "unix:%s", path);
	http_bound[http_nbound].port = -1;
	http_bound[http_nbound].unlink = 1;
	return 0;
}

/* "fd:3,fd:4,...": the listeners systemd passed, as LISTEN specs. */
static char *
http_fd_list(int n)
{
	char	*list = xstrdup(""), *more;

	for (int i = 0; i < n; i++) {
		xasprintf(&more, "%s%sfd:%d", list, i > 0 ? "," : "", 3 + i);
		free(list);
		list = more;
	}
	return list;
}

/* A listener systemd passed (socket activation): TCP, with TLS when it
 * is on, or a unix socket, whichever it is. */
static int
http_listen_fd(int fd, char **cause)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	struct http_listener	*l = &http_bound[http_nbound];
	char			 addr[INET6_ADDRSTRLEN];
	int			 type;
	socklen_t		 tlen = sizeof type;

	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    type != SOCK_STREAM || evutil_make_socket_nonblocking(fd) == -1) {
		xasprintf(cause, "LISTEN_FDS: descriptor %d: not a stream "
		    "socket", fd);
		return -1;
	}
	l->server = ss.ss_family == AF_UNIX ? http_server_unix : http_server;
	if ((l->sock = evhttp_accept_socket_with_handle(l->server, fd)) ==
	    nullptr) {
		xasprintf(cause, "LISTEN_FDS: descriptor %d: cannot accept", fd);
		return -1;
	}
	l->port = -1;
	if (ss.ss_family == AF_UNIX) {
		snprintf(l->host, sizeof l->host, "unix:%.*s",
		    (int)(sizeof l->host - 6),
		    ((struct sockaddr_un *)&ss)->sun_path);
	} else if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    addr, sizeof addr);
		snprintf(l->host, sizeof l->host, "[%s]", addr);
		l->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    addr, sizeof addr);
		snprintf(l->host, sizeof l->host, "%s", addr);
		l->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	return 0;
}

static int
http_listen(const char *spec, char **cause)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof ss;
	char				 host[INET6_ADDRSTRLEN + 2];
	int				 port, fd, e;

	if (http_nbound == HTTP_MAX_LISTENERS) {
		xasprintf(cause, "LISTEN: more than %d listeners",
		    HTTP_MAX_LISTENERS);
		return -1;
	}
	if (strncmp(spec, "unix:", 5) == 0) {
		if (http_listen_unix(spec + 5, cause) == -1)
			return -1;
		goto bound;
	}
	if (strncmp(spec, "fd:", 3) == 0) {
		if (http_listen_fd(atoi(spec + 3), cause) == -1)
			return -1;
		goto bound;
	}
	if (listener_split(spec, host, sizeof host, &port) == -1) {
		xasprintf(cause, "LISTEN: %s: expected HOST:PORT, [V6]:PORT "
		    "or unix:/path", spec);
		return -1;
	}
	bs = evhttp_bind_socket_with_handle(http_server, host, port);
	if (bs == nullptr) {
		/* Name the process that holds it, when it is taken. */
		e = errno;
		if (e != EADDRINUSE ||
		    listener_check(spec, cause) == LISTENER_FREE)
			xasprintf(cause, "LISTEN: %s: cannot bind: %s", spec,
			    strerror(e));
		return -1;
	}
	fd = evhttp_bound_socket_get_fd(bs);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0) {
		if (ss.ss_family == AF_INET6)
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		else
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	if (strchr(host, ':') != nullptr)
		snprintf(http_bound[http_nbound].host,
		    sizeof http_bound[http_nbound].host, "[%s]", host);
	else
		snprintf(http_bound[http_nbound].host,
		    sizeof http_bound[http_nbound].host, "%s", host);
	http_bound[http_nbound].port = port;
	http_bound[http_nbound].sock = bs;
	http_bound[http_nbound].server = http_server;
bound:
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(
	    http_bound[http_nbound].sock), http_accept_error_cb);
	if (http_bound[http_nbound].port == -1)
		log_info("listening on %s", http_bound[http_nbound].host);
	else
		log_info("listening on %s:%d%s", http_bound[http_nbound].host,
		    http_bound[http_nbound].port, tls_enabled() ? " (TLS)" :
		    "");
	http_nbound++;
	return 0;
}

static struct evhttp *
http_server_new(struct event_base *base)
{
	struct evhttp	*h;

	if ((h = evhttp_new(base)) == nullptr)
		return nullptr;
	evhttp_set_max_body_size(h, env->conf->max_body);
	evhttp_set_max_headers_size(h, HTTP_MAX_HEADERS);
	evhttp_set_timeout(h, HTTP_IO_TIMEOUT);
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h, http_request_cb, nullptr);
	return h;
}

/* What SIGHUP may change without dropping connections. */
int
http_reload(const struct config *conf, int cert_fd, int key_fd,
    char **cause)
{
	/* The listeners were made plain or TLS at start. */
	if ((conf->tls_cert[0] != '\0') != tls_enabled()) {
		xasprintf(cause, "TLS_CERT: turning TLS on or off needs a "
		    "restart");
		return -1;
	}
	if (conf->tls_cert[0] != '\0' && (cert_fd != -1 ?
	    tls_load_fd(conf->tls_cert, cert_fd, conf->tls_key, key_fd,
	    cause) : tls_load(conf->tls_cert, conf->tls_key, cause)) == -1)
		return -1;
	if (clientip_init(conf->trusted_proxies, conf->proxy_header,
	    cause) == -1)
		return -1;
	evhttp_set_max_body_size(http_server, conf->max_body);
	evhttp_set_max_body_size(http_server_unix, conf->max_body);
	conn_init(nullptr, conf->max_conns, conf->max_conns_per_ip,
	    conf->lockout_v6_prefix);
	return 0;
}

int
http_init(struct event_base *base, char **cause)
{
	char	*list, *p, *spec;
	int	 rv = -1, nfds;

	if ((http_server = http_server_new(base)) == nullptr ||
	    (http_server_unix = http_server_new(base)) == nullptr) {
		xasprintf(cause, "evhttp_new failed");
		return -1;
	}
	http_accept_timer = evtimer_new(base, http_accept_resume_cb, nullptr);
	if (conn_init(base, env->conf->max_conns, env->conf->max_conns_per_ip,
	    env->conf->lockout_v6_prefix) == -1) {
		xasprintf(cause, "conn_init failed");
		return -1;
	}
	evhttp_set_bevcb(http_server, conn_bevcb, nullptr);
	evhttp_set_bevcb(http_server_unix, conn_bevcb, nullptr);
	if (clientip_init(env->conf->trusted_proxies,
	    env->conf->proxy_header, cause) == -1)
		return -1;
	if (env->conf->tls_cert[0] != '\0') {
		if (tls_load(env->conf->tls_cert, env->conf->tls_key,
		    cause) == -1)
			return -1;
		evhttp_set_bevcb(http_server, conn_bevcb, (void *)tls_bevcb);
	}

	/* Socket activation: systemd's listeners, not LISTEN's. */
	if ((nfds = sdnotify_listen_fds()) > 0)
		log_info("%d listener(s) from systemd; LISTEN is not used",
		    nfds);
	p = list = nfds > 0 ? http_fd_list(nfds) :
	    xstrdup(env->conf->listen);
	while ((spec = strsep(&p, ",")) != nullptr) {
		while (*spec == ' ')
			spec++;
		if (*spec == '\0')
			continue;
		if (http_listen(spec, cause) == -1)
			goto done;
	}
	if (http_nbound == 0) {
		xasprintf(cause, "LISTEN: no listener");
		goto done;
	}
	rv = 0;
done:
	free(list);
	return rv;
}

int
http_write_ports(const char *path, char **cause)
{
	FILE	*f;
	char	*tmp;
	int	 i;

	/* Written whole, then renamed, so a reader never sees half. */
	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == nullptr) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	for (i = 0; i < http_nbound; i++) {
		if (http_bound[i].port == -1)
			fprintf(f, "%s\n", http_bound[i].host);
		else
			fprintf(f, "%s:%d\n", http_bound[i].host,
			    http_bound[i].port);
	}
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

void
http_stop_accepting(void)
{
	int	 i;

	for (i = 0; i < http_nbound; i++) {
		if (http_bound[i].sock != nullptr)
			evhttp_del_accept_socket(http_bound[i].server,
			    http_bound[i].sock);
		http_bound[i].sock = nullptr;
		/* Never systemd's: its socket unit still listens there. */
		if (http_bound[i].unlink)
			unlink(http_bound[i].host + 5);
		http_bound[i].unlink = 0;
	}
}

void
http_answer_pending(int status, const char *why)
{
	struct request	*r, *next;

	http_closing = 1;
	/* Answered before evhttp_free, which would free them under us. */
	for (r = TAILQ_FIRST(&http_requests); r != nullptr; r = next) {
		next = TAILQ_NEXT(r, entry);
		http_abort(r, status, why);
	}
}

void
http_shutdown(void)
{
	http_answer_pending(503, "Service is stopping");
	http_stop_accepting();
	if (http_server != nullptr)
		evhttp_free(http_server);
	if (http_server_unix != nullptr)
		evhttp_free(http_server_unix);
	http_server = http_server_unix = nullptr;
	conn_shutdown();
	if (http_accept_timer != nullptr)
		event_free(http_accept_timer);
	http_accept_timer = nullptr;
	clientip_free();
	tls_free();
}

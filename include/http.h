/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTTP side: listeners, the endpoint table, one request's life; every
 * request passes the gate (gate.h) at its endpoint's level. */
#ifndef HTTP_H
#define HTTP_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cmdinfo.h"

struct event;
struct evhttp_request;
struct evkeyvalq;
struct request;
struct verify;
struct job;

enum cred_kind {
	CRED_NONE,
	CRED_ACCESS_KEY,	/* access_key + secret_key, or hash=ID:SECRET */
	CRED_LEGACY_KEY,	/* hash=KEY (API=yes only) */
	CRED_PASSWORD,		/* user + password (API=yes, ROOT_USER) */
};

struct cred {
	enum cred_kind	 kind;
	char		*id;		/* access key ID, or the user */
	char		*secret;	/* secret, legacy key or password */
	int		 has_password;	/* password parameter present */
};

/* Who the gate found behind the credentials. */
struct principal {
	char		*who;		/* key ID, "api", or a user name */
	char		*user;		/* the Hestia user it acts for */
	int		 is_root;	/* user == ROOT_USER */
};

/*
 * What the gate checks before an endpoint runs. The zero value is the
 * strictest, so an endpoint that does not say is a command endpoint.
 */
/* Its own int type, so that any value (a stray one too) is well defined
 * and falls to the strictest. */
enum gate_level : int {
	GATE_COMMAND = 0,	/* credentials, and may run this command */
	GATE_KEY,		/* credentials only */
	GATE_NETWORK,		/* API switch, allowlist, lockout; no key */
	GATE_PUBLIC,		/* nothing: anyone */
};
static_assert(GATE_COMMAND == 0, "an undeclared level is the strictest");

struct endpoint {
	const char	*path;
	/* Read the request: fill req->cred and req->cmd. Returns 0 to go on
	 * to the gate, -1 when it has answered already. */
	int		(*parse)(struct request *);
	/* Answer a refusal decided by the gate, in the endpoint's form. */
	void		(*refuse)(struct request *, int code, const char *msg);
	/* Answer "too busy now, try again": 503, E_LA, Retry-After. */
	void		(*busy)(struct request *);
	/* Serve the request once the gate let it through. */
	void		(*run)(struct request *);
	/* Free the endpoint's own state. */
	void		(*free)(struct request *);
	/* Last, so that an initializer that leaves it out gets the zero
	 * value, GATE_COMMAND. */
	enum gate_level	 level;
};

/* The endpoints, one file each (api_*.cc). */
extern const struct endpoint endpoint_hestia;
extern const struct endpoint endpoint_healthz;
extern const struct endpoint endpoint_exec;
extern const struct endpoint endpoint_metrics;
extern const struct endpoint endpoint_openapi;

#define HTTP_MAX_ARGS	13

struct request {
	struct evhttp_request	*req;
	const struct endpoint	*ep;
	char			 peer[64];	/* socket peer address */
	char			 client[64];	/* the client's address */
	char			 addr[64];	/* what it is counted under:
						 * clientip_key() */
	struct timespec		 start;		/* monotonic, for durations */
	int64_t			 start_ms;	/* wall clock, for the audit */
	int			 exit_code;	/* what the answer says, for the
						 * audit: the command's or ours */
	int			 gone;		/* connection closed */
	int			 left;		/* client hung up, seen by us */
	struct event		*watch;		/* for the client hanging up */
	int			 answered;

	struct cred		 cred;
	char			*cmd;
	char			*cmd_path;	/* script, when it exists */
	struct cmdinfo_id	 cmd_id;	/* which version of it */
	char			*args[HTTP_MAX_ARGS];	/* as the command gets them */
	int			 argpos[HTTP_MAX_ARGS];	/* each one's argN */
	int			 nargs;
	struct principal	 who;

	struct verify		*verify;	/* pending argon2 */
	struct event		*hold;		/* its key is being synced */
	int			 holds;
	struct job		*job;		/* pending command */
	void			*state;		/* the endpoint's */
	TAILQ_ENTRY(request)	 entry;		/* pending requests */
};

int	 http_init(struct event_base *, char **cause);
/* Apply what SIGHUP may change: trusted proxies, TLS, body limit. The
 * TLS files are read from cert_fd and key_fd when they are not -1 (opened
 * by the root helper), else from their paths. */
struct config;
int	 http_reload(const struct config *, int cert_fd, int key_fd,
	    char **cause);
/* Write the bound listeners, one HOST:PORT (or unix:/path) a line. */
int	 http_write_ports(const char *path, char **cause);
/* Stop accepting new connections (SIGTERM). */
void	 http_stop_accepting(void);
/* Cancel pending work and answer every pending request with status (503
 * at a stop, 500 when the root helper is gone); from then on new requests
 * get 503 at once (the last loop turns flush them). */
void	 http_answer_pending(int status, const char *why);
/* Answer what is still pending, free the servers. */
void	 http_shutdown(void);
int	 http_pending(void);
/* Requests answered since start, counted by endpoint (its path, "other"
 * for none) and status (499 when the client left first): cb once for
 * each pair counted. */
void	 http_requests_each(void (*cb)(const char *endpoint, int status,
	    uint64_t n, void *arg), void *arg);

/* Answer once: status, content type, body, and extra headers as
 * name, value, ..., nullptr (or headers nullptr). Frees the request
 * context when no asynchronous work is left. */
void	 http_reply(struct request *, int status, const char *ctype,
	    const char *body, size_t len, const char *const *headers);
/* The request body as one contiguous buffer (not NUL-terminated). */
const char *http_body(struct request *, size_t *len);
const char *http_header(struct request *, const char *name);
int	 http_method(struct request *);

void	 cred_free(struct cred *);
void	 principal_free(struct principal *);

#endif

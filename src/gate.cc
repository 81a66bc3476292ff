/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one auth gate: every authenticated endpoint passes here before it may
 * run anything. Checks run cheapest first; argon2 runs last, off the loop. */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/sha.h>

#include "apid.h"
#include "allow.h"
#include "authlog.h"
#include "cmd.h"
#include "cmdinfo.h"
#include "config.h"
#include "db.h"
#include "hconf.h"
#include "hestia.h"
#include "hsync.h"
#include "http.h"
#include "key.h"
#include "lockout.h"
#include "verify.h"

#define GATE_AUTH_FAILED	"Authentication failed"
#define GATE_HOLD_MS		10	/* a key being synced: look again */
#define GATE_HOLD_MAX		200	/* times, then it is unknown */
#define GATE_DEMO_MSG \
	"ERROR: Unable to perform operation due to security restrictions " \
	"that are in place."

static void	 gate_access_key(struct request *);
static void	 gate_legacy_key(struct request *);
static void	 gate_key_verified(struct request *, struct db_key *);
static void	 gate_authorized(struct request *);

int
gate_cmd_valid(const char *cmd)
{
	const char	*p;

	if (*cmd == '\0')
		return 0;
	for (p = cmd; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	}
	return 1;
}

void
cred_free(struct cred *c)
{
	key_wipe(c->secret);
	free(c->secret);
	free(c->id);
	memset(c, 0, sizeof *c);
}

void
principal_free(struct principal *p)
{
	free(p->who);
	free(p->user);
	memset(p, 0, sizeof *p);
}

/* PHP's empty(): "" and "0" are empty. */
static int
gate_empty(const char *s)
{
	return s == nullptr || s[0] == '\0' || strcmp(s, "0") == 0;
}

/* Returns 0 when cmd is usable, else refuses and returns -1. */
static int
gate_check_cmd(struct request *r)
{
	if (gate_empty(r->cmd)) {
		r->ep->refuse(r, E_INVALID, "Command not provided");
		return -1;
	}
	/* Hestia echoed the bad name back; we never reflect input here. */
	if (!gate_cmd_valid(r->cmd)) {
		r->ep->refuse(r, E_INVALID, "Command invalid");
		return -1;
	}
	return 0;
}

/* Seconds on a clock that never steps back, for the lockout table. */
static time_t
gate_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* A failed or abandoned attempt: Hestia's fail2ban line, and the lockout
 * count of the address it is counted under. */
static void
gate_failed(const char *who, const char *client, const char *addr)
{
	authlog_failed(who, client);
	if (lockout_failure(addr, gate_now()))
		log_warnx("%s: banned after repeated login failures (LOCKOUT "
		    "%s)", addr, env->conf->lockout);
}

void
gate_settle(const char *who, const char *client, const char *addr,
    int result)
{
	if (result != VERIFY_OK)
		gate_failed(who, client, addr);
}

/* Count a credential failure against the client's address. */
static void
gate_count_failure(struct request *r, const char *who)
{
	gate_failed(who, r->client, r->addr);
}

/* A credential failure: Hestia's fail2ban line and one message for all. */
static void
gate_login_failed(struct request *r, const char *who)
{
	gate_count_failure(r, who);
	r->ep->refuse(r, E_PASSWORD, GATE_AUTH_FAILED);
}

/*
 * Start a verification, counted against the client's address before any
 * CPU is spent: the failures it has plus the runs it has in flight may not
 * reach LOCKOUT's FAILURES, and the runs in flight are capped per address
 * and overall. Beyond: 503 and Retry-After, and no work. (A run that fails
 * or is abandoned is counted by gate_settle; a waiter's cb hears only the
 * result.)
 */
static void
gate_verify(struct request *r, struct verify_req *vr, verify_cb cb)
{
	int	 busy = 0;

	vr->addr = r->addr;
	vr->client = r->client;
	if (lockout_failures(r->addr, gate_now()) + verify_inflight(r->addr) >=
	    lockout_max_failures()) {
		log_debug("%s: %s: attempts in flight reach LOCKOUT", __func__,
		    r->addr);
		r->ep->busy(r);
		return;
	}
	if ((r->verify = verify_start(vr, cb, r, &busy)) == nullptr) {
		log_debug("%s: %s: too many verifications %s", __func__,
		    r->addr, busy == VERIFY_BUSY_ALL ? "in flight" :
		    "from this address");
		r->ep->busy(r);
	}
}

static void
gate_verify_cb(int result, void *arg)
{
	struct request	*r = (struct request *)arg;
	struct db_key	 key;
	char		*cause = nullptr;
	int		 found;

	r->verify = nullptr;
	if (result != VERIFY_OK) {
		/* Counted and logged once per run, by gate_settle. */
		r->ep->refuse(r, E_PASSWORD, GATE_AUTH_FAILED);
		return;
	}
	/* The row may have changed while argon2 ran: read it again. */
	found = db_key_get(env->db, r->cred.id, &key, &cause);
	if (found == -1) {
		log_warnx("key database: %s; answered 500", cause);
		free(cause);
		r->ep->refuse(r, 500, "Key database unavailable");
		return;
	}
	if (found == 0) {
		r->ep->refuse(r, E_PASSWORD, GATE_AUTH_FAILED);
		return;
	}
	gate_key_verified(r, &key);
	db_key_free(&key);
}

/*
 * A key that Hestia's tools are writing, changing or deleting right now
 * (hsync_pending: its access key ID, or a legacy key's lookup) is not
 * judged by a row about to change: its request waits for the sync,
 * looking again every GATE_HOLD_MS, GATE_HOLD_MAX times at most. So a key
 * works, or is refused, on the request that follows the tool.
 */
static void
gate_hold_cb(evutil_socket_t, short, void *arg)
{
	struct request	*r = (struct request *)arg;

	if (r->answered)
		return;
	if (r->cred.kind == CRED_LEGACY_KEY)
		gate_legacy_key(r);
	else
		gate_access_key(r);
}

static int
gate_hold(struct request *r, const char *name)
{
	struct timeval	 tv = { 0, GATE_HOLD_MS * 1000 };

	if (r->holds >= GATE_HOLD_MAX || !hsync_pending(name))
		return 0;
	if (r->hold == nullptr &&
	    (r->hold = evtimer_new(env->base, gate_hold_cb, r)) == nullptr)
		return 0;
	r->holds++;
	evtimer_add(r->hold, &tv);
	return 1;
}

/*
 * Cheap checks of an access key, then argon2 (or the cache). An unknown,
 * disabled or expired key, or one refused by its own allowlist, goes to a
 * dummy verification, which fails after as long as a real one takes
 * (verify.cc), so a key ID cannot be told to exist by the time.
 */
static void
gate_access_key(struct request *r)
{
	struct verify_req	 vr;
	struct db_key		 key;
	char			*cause = nullptr;
	int			 found, usable;

	if (!key_id_valid(r->cred.id) || !key_secret_valid(r->cred.secret)) {
		gate_login_failed(r, r->cred.id);
		return;
	}
	found = db_key_get(env->db, r->cred.id, &key, &cause);
	if (found == -1) {
		log_warnx("key database: %s; answered 500", cause);
		free(cause);
		r->ep->refuse(r, 500, "Key database unavailable");
		return;
	}
	if (gate_hold(r, r->cred.id)) {
		if (found == 1)
			db_key_free(&key);
		return;
	}
	usable = found == 1 && !key.disabled &&
	    (key.expires_at == 0 || key.expires_at > time(nullptr)) &&
	    allow_key(key.allow, r->client);
	if (usable && verify_cached(key.id, key.secret_hash, r->cred.secret)) {
		gate_key_verified(r, &key);
		db_key_free(&key);
		return;
	}
	memset(&vr, 0, sizeof vr);
	vr.id = r->cred.id;
	vr.encoded = usable ? key.secret_hash : nullptr;
	vr.secret = r->cred.secret;
	vr.who = r->cred.id;
	gate_verify(r, &vr, gate_verify_cb);
	if (found == 1)
		db_key_free(&key);
}

/*
 * A non-admin key may name only its own user in the command's USER
 * argument (position from the script's "# options:" line). Hestia checks
 * the request's argN but runs the compacted argv, so leaving out an
 * earlier argument shifts another value into the USER slot; we require
 * both the argN sent and the argument the command receives to match.
 */
static int
gate_user_arg_ok(struct request *r)
{
	const struct cmdinfo	*info;
	const char		*sent = nullptr;
	int			 pos, i;

	if (r->cmd_path == nullptr)
		return 1;	/* the built-in v-make-tmp-file */
	if ((info = cmdinfo_get_id(r->cmd_path, &r->cmd_id)) == nullptr)
		return 0;
	if ((pos = info->user_pos) == 0)
		return 1;	/* Hestia: no USER option, no restriction */
	for (i = 0; i < r->nargs; i++) {
		if (r->argpos[i] == pos)
			sent = r->args[i];
	}
	return sent != nullptr && strcmp(sent, r->who.user) == 0 &&
	    pos <= r->nargs && strcmp(r->args[pos - 1], r->who.user) == 0;
}

/* The command's script, and which version of it (for its "# options:"
 * line, read by path and version without another stat). */
static int
gate_resolve(struct request *r)
{
	struct stat	 st;

	if ((r->cmd_path = cmd_resolve_stat(env->conf, r->cmd, &st)) ==
	    nullptr)
		return -1;
	cmdinfo_id_set(&r->cmd_id, &st);
	return 0;
}

/* The key's secret matched: now its owner and what it may run. */
static void
gate_key_verified(struct request *r, struct db_key *key)
{
	const struct hestia_switches	*sw = hconf_get();
	char				*msg, *cause = nullptr;
	int				 may;

	if (key->disabled ||
	    (key->expires_at != 0 && key->expires_at <= time(nullptr))) {
		gate_login_failed(r, key->id);
		return;
	}
	switch (hconf_user_state(key->user)) {
	case HCONF_USER_OK:
		break;
	case HCONF_USER_INVALID:
		xasprintf(&msg, "invalid user format :: %s", key->user);
		goto refuse9;
	case HCONF_USER_MISSING:
		xasprintf(&msg, "user %s doesn't exist", key->user);
		goto refuse9;
	case HCONF_USER_SUSPENDED:
		xasprintf(&msg, "user %s is suspended", key->user);
		goto refuse9;
	}
	r->who.who = xstrdup(key->id);
	r->who.user = xstrdup(key->user);
	r->who.is_root = strcmp(key->user, sw->root_user) == 0;

	if (strcmp(r->cmd, CMD_MAKE_TMP_FILE) != 0) {
		if (gate_resolve(r) == -1) {
			xasprintf(&msg, "Command %s not found", r->cmd);
			r->ep->refuse(r, E_FORBIDEN, msg);
			free(msg);
			return;
		}
	}
	if (key->nperms == 0)
		may = r->who.is_root;
	else if ((may = db_key_may_run(env->db, key->id, r->cmd,
	    &cause)) == -1) {
		log_warnx("key database: %s; answered 500", cause);
		free(cause);
		r->ep->refuse(r, 500, "Key database unavailable");
		return;
	}
	if (!may) {
		xasprintf(&msg, "Key %s don't have permission to run the "
		    "command %s", key->id, r->cmd);
		r->ep->refuse(r, E_FORBIDEN, msg);
		free(msg);
		return;
	}
	if (!r->who.is_root && sw->api_system < 2) {
		r->ep->refuse(r, E_API_DISABLED, "API has been disabled");
		return;
	}
	if (!r->who.is_root && !gate_user_arg_ok(r)) {
		/* Hestia's text, its literal backslashes included. */
		xasprintf(&msg, "Key %s - the \"user\" argument doesn\\'t "
		    "match the key\\'s user", key->id);
		r->ep->refuse(r, E_FORBIDEN, msg);
		free(msg);
		return;
	}
	gate_authorized(r);
	return;
refuse9:
	r->ep->refuse(r, E_PASSWORD, msg);
	free(msg);
}

/* Every check passed. */
static void
gate_authorized(struct request *r)
{
	/* Hestia's own success lines, one per kind of login. */
	switch (r->cred.kind) {
	case CRED_LEGACY_KEY:
		authlog_line("api", r->client, "successfully launched");
		break;
	case CRED_PASSWORD:
		authlog_line(r->who.who, r->client, "successfully logged in");
		break;
	default:
		authlog_launched(r->who.who, r->client, r->cmd);
		break;
	}
	r->ep->run(r);
}

/* Legacy logins act for ROOT_USER with every right, as in Hestia. */
static void
gate_legacy_ok(struct request *r, const char *who)
{
	const struct hestia_switches	*sw = hconf_get();

	r->who.who = xstrdup(who);
	r->who.user = xstrdup(sw->root_user);
	r->who.is_root = 1;
	/* Hestia checks the command only once the login succeeded. */
	if (gate_check_cmd(r) == -1)
		return;
	if (strcmp(r->cmd, CMD_MAKE_TMP_FILE) != 0)
		gate_resolve(r);
	gate_authorized(r);
}

static void
gate_legacy_cb(int result, void *arg)
{
	struct request	*r = (struct request *)arg;

	r->verify = nullptr;
	if (result != VERIFY_OK) {
		/* Counted and logged once per run, by gate_settle. */
		r->ep->refuse(r, E_PASSWORD, "authentication failed");
		return;
	}
	gate_legacy_ok(r, r->cred.kind == CRED_LEGACY_KEY ? "api" :
	    r->cred.id);
}

/* hash=KEY: Hestia takes basename(KEY), at least 16 characters; we find
 * it by its SHA-256 and verify the argon2id hash stored for it (a dummy
 * verification when there is none, so that a key cannot be told to exist
 * by the time). */
static void
gate_legacy_key(struct request *r)
{
	const struct hestia_switches	*sw = hconf_get();
	struct verify_req		 vr;
	const char			*key, *slash;
	char				 lookup[2 * SHA256_DIGEST_LENGTH + 1];
	char				*hash = nullptr, *cause = nullptr;
	int				 found;

	slash = strrchr(r->cred.secret, '/');
	key = slash != nullptr ? slash + 1 : r->cred.secret;
	if (sw->demo_mode || strlen(key) < 16) {
		gate_count_failure(r, "api");
		r->ep->refuse(r, E_PASSWORD, "authentication failed");
		return;
	}
	key_sha256_hex(key, lookup);
	found = db_legacy_get(env->db, lookup, &hash, &cause);
	if (found == -1) {
		log_warnx("key database: %s; answered 500", cause);
		free(cause);
		r->ep->refuse(r, 500, "Key database unavailable");
		return;
	}
	if (gate_hold(r, lookup)) {
		free(hash);
		return;
	}
	/* The cache is keyed by the first 20 hex digits of the lookup. */
	lookup[KEY_ID_LEN] = '\0';
	if (found == 1 && verify_cached(lookup, hash, key)) {
		gate_legacy_ok(r, "api");
		free(hash);
		return;
	}
	memset(&vr, 0, sizeof vr);
	vr.id = lookup;
	vr.encoded = hash;	/* nullptr: a dummy */
	vr.secret = key;
	vr.who = "api";
	gate_verify(r, &vr, gate_legacy_cb);
	free(hash);
}

/* user + password: ROOT_USER only, checked against SHADOW_FILE. */
static void
gate_password(struct request *r)
{
	const struct hestia_switches	*sw = hconf_get();
	struct verify_req		 vr;

	/* ROOT_USER is empty when hestia.conf could not say who it is. */
	if (r->cred.id == nullptr || sw->root_user[0] == '\0' ||
	    strcmp(r->cred.id, sw->root_user) != 0) {
		/* Hestia neither logs this nor says more. */
		r->ep->refuse(r, E_FORBIDEN, "authentication failed");
		return;
	}
	if (!r->cred.has_password) {
		r->ep->refuse(r, E_PASSWORD, "authentication failed");
		return;
	}
	memset(&vr, 0, sizeof vr);
	vr.id = r->cred.id;
	vr.secret = r->cred.secret;
	vr.shadow_file = env->conf->shadow_file;
	vr.user = r->cred.id;
	vr.who = r->cred.id;
	gate_verify(r, &vr, gate_legacy_cb);
}

/* A banned address is refused before any lookup or hash: the answer of a
 * failed login, in the form of its kind of login. */
static int
gate_banned(struct request *r)
{
	if (lockout_banned(r->addr, gate_now()) == 0)
		return 0;
	r->ep->refuse(r, E_PASSWORD, r->cred.kind == CRED_ACCESS_KEY ?
	    GATE_AUTH_FAILED : "authentication failed");
	return 1;
}

void
gate_begin(struct request *r)
{
	const struct hestia_switches	*sw = hconf_get();

	switch (r->cred.kind) {
	case CRED_ACCESS_KEY:
		if (sw->api_system < 1) {
			r->ep->refuse(r, E_DISABLED, "API has been disabled");
			return;
		}
		if (!allow_global(sw->allowed_ip, r->client, 1)) {
			r->ep->refuse(r, E_FORBIDEN,
			    "IP is not allowed to connect with API");
			return;
		}
		if (gate_banned(r))
			return;
		if (gate_check_cmd(r) == -1)
			return;
		if (sw->demo_mode) {
			r->ep->refuse(r, E_ARGS, GATE_DEMO_MSG);
			return;
		}
		if (gate_empty(r->cred.id) || gate_empty(r->cred.secret)) {
			r->ep->refuse(r, E_PASSWORD, GATE_AUTH_FAILED);
			return;
		}
		gate_access_key(r);
		return;
	case CRED_LEGACY_KEY:
	case CRED_PASSWORD:
		if (!sw->api) {
			r->ep->refuse(r, E_DISABLED, "API has been disabled");
			return;
		}
		if (!allow_global(sw->allowed_ip, r->client, 0)) {
			r->ep->refuse(r, E_FORBIDEN,
			    "IP is not allowed to connect with API");
			return;
		}
		if (gate_banned(r))
			return;
		if (r->cred.kind == CRED_LEGACY_KEY)
			gate_legacy_key(r);
		else
			gate_password(r);
		return;
	case CRED_NONE:
		break;
	}
	r->ep->refuse(r, E_PASSWORD, GATE_AUTH_FAILED);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one gate, "who is this": every request passes here, and gets the
 * checks its endpoint's level asks for, cheapest first; argon2 runs last,
 * off the loop. "May this key run this command" is authz.cc's. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/sha.h>

#include "apid.h"
#include "allow.h"
#include "authlog.h"
#include "authz.h"
#include "config.h"
#include "db.h"
#include "gate.h"
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

static uint64_t	 gate_nfailed;	/* for metrics */

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

/* Anything but the key level asks authz.cc about the command: a level
 * left out, or unknown, fails closed. */
static int
gate_wants_command(const struct request *r)
{
	return r->ep->level != GATE_KEY;
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
	gate_nfailed++;
	authlog_failed(who, client);
	if (lockout_failure(addr, gate_now()))
		log_warnx("%s: banned after repeated login failures (LOCKOUT "
		    "%s)", addr, env->conf->lockout);
}

uint64_t
gate_login_failures(void)
{
	return gate_nfailed;
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
gate_hold(struct request *r, enum admin_kind kind, const char *name)
{
	struct timeval	 tv = { 0, GATE_HOLD_MS * 1000 };

	if (r->holds >= GATE_HOLD_MAX || !hsync_pending(kind, name))
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
	if (gate_hold(r, ADMIN_KEY, r->cred.id)) {
		if (found == 1)
			db_key_free(&key);
		return;
	}
	/* Keys the sync just hashed are known good for their secret. */
	hsync_fresh_take(verify_remember);
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

/* The key's secret matched: now its owner, and for a command endpoint
 * whether it may run this one. */
static void
gate_key_verified(struct request *r, struct db_key *key)
{
	const struct hestia_switches	*sw = hconf_get();
	char				*msg;

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

	if (gate_wants_command(r)) {
		if (authz_key(r, sw, key->id, key->nperms) == -1)
			return;
	} else if (authz_api_system(r, sw) == -1)
		return;
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
		if (r->cmd != nullptr)
			authlog_launched(r->who.who, r->client, r->cmd);
		else
			authlog_line(r->who.who, r->client,
			    "successfully logged in");
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
	if (gate_wants_command(r) && authz_legacy(r) == -1)
		return;
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
	if (gate_hold(r, ADMIN_LEGACY, lookup)) {
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

/*
 * The network checks, for the switch and allowlist of a kind of login:
 * the API switch, the client address in the global allowlist, and not
 * banned. A banned address is refused before any lookup or hash; with
 * credentials, in the form of a failed login of their kind. Returns 0,
 * or -1 when refused.
 */
static int
gate_network(struct request *r, const struct hestia_switches *sw,
    int access_key)
{
	if (access_key ? sw->api_system < 1 : !sw->api) {
		r->ep->refuse(r, E_DISABLED, "API has been disabled");
		return -1;
	}
	if (!allow_global(sw->allowed_ip, r->client, access_key)) {
		r->ep->refuse(r, E_FORBIDEN,
		    "IP is not allowed to connect with API");
		return -1;
	}
	if (lockout_banned(r->addr, gate_now()) == 0)
		return 0;
	if (r->ep->level == GATE_NETWORK)
		r->ep->refuse(r, E_FORBIDEN,
		    "IP is not allowed to connect with API");
	else
		r->ep->refuse(r, E_PASSWORD, r->cred.kind == CRED_ACCESS_KEY ?
		    GATE_AUTH_FAILED : "authentication failed");
	return -1;
}

/*
 * By the endpoint's level: public runs at once; network passes the
 * checks of an access key's address (the switch of access keys and
 * /api/v1, API_SYSTEM, and its allowlist) and runs with no credentials;
 * key and command need credentials, and command, what any other value
 * is taken for, also authz.cc's word on the command.
 */
void
gate_begin(struct request *r)
{
	const struct hestia_switches	*sw;

	switch (r->ep->level) {
	case GATE_PUBLIC:
		r->ep->run(r);
		return;
	case GATE_NETWORK:
		if (gate_network(r, hconf_get(), 1) == 0)
			r->ep->run(r);
		return;
	default:
		break;
	}
	sw = hconf_get();
	switch (r->cred.kind) {
	case CRED_ACCESS_KEY:
		if (gate_network(r, sw, 1) == -1)
			return;
		if (gate_wants_command(r) && authz_check_cmd(r) == -1)
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
		if (gate_network(r, sw, 0) == -1)
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The audit writer: rows queued by the loop, committed in batches by a
 * thread of its own, so that no reply ever waits on disk. */
/*
 * The writer goes through db.cc's layer on a connection that nothing else
 * uses: the daemon's belongs to the event loop,
 * and a SQLITE_OPEN_NOMUTEX connection must stay on one thread. audit_init
 * opens it and prepares the statements before the thread starts; from then
 * on only the writer thread touches audit_db and audit_q, until
 * audit_shutdown has joined it.
 */
#include <sys/random.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "apid.h"
#include "audit.h"
#include "db.h"
#include "utf8.h"

#define AUDIT_BATCH		256	/* queued rows that wake the writer */
#define AUDIT_DELAY_MS		1000	/* longest a lone row waits */
#define AUDIT_RETRY_MS		1000	/* after a failed transaction */
#define AUDIT_SHUTDOWN_TRIES	5	/* failed attempts before giving up */
#define AUDIT_REPORT_MS		1000	/* between two "dropped" warnings */
#define AUDIT_FOLD_SLOTS	1024	/* clients whose refusals are rationed */
#define AUDIT_FOLD_MS		1000	/* a folded row covers this long */
#define AUDIT_PRUNE_EVERY_MS	(3600 * 1000)	/* AUDIT_KEEP applied hourly */
#define AUDIT_PRUNE_SLICE	5000	/* rows deleted a transaction */

/* A queued row: the struct and its strings in one allocation. */
struct audit_entry {
	struct audit_entry	*next;
	size_t			 size;		/* of the allocation */
	int64_t			 count;		/* requests it stands for */
	int64_t			 at_ms;
	int64_t			 duration_ms;
	int			 exit_code;
	int			 http_status;
	const char		*who;
	const char		*key_id;	/* nullptr: no usage to bump */
	const char		*peer_ip;
	const char		*client_ip;
	const char		*cmd;
	const char		*args;
};

/* A client's ration of refused rows (GCRA: a row is due at tat_ms, and
 * may come up to a burst early), and what it folded meanwhile. */
struct audit_fold {
	char			 addr[64];	/* "": a free slot */
	int64_t			 tat_ms;	/* monotonic */
	int64_t			 count;		/* refusals folded */
	int64_t			 since_ms;	/* monotonic, first folded */
	int64_t			 at_ms;		/* wall clock, first folded */
	char			 peer[64];
	char			 client[64];
	int			 exit_code;	/* of the last folded */
	int			 http_status;
};

/* A growing string for audit_args_json. */
struct audit_buf {
	char	*p;
	size_t	 len;
	size_t	 size;
};

enum {
	AUDIT_BEGIN,
	AUDIT_INSERT,
	AUDIT_KEY_USED,
	AUDIT_COMMIT,
	AUDIT_NSTMT
};

static const char *const audit_sql[AUDIT_NSTMT] = {
	/* AUDIT_BEGIN: take the write lock now, not halfway through. */
	"BEGIN IMMEDIATE",
	/* AUDIT_INSERT */
	"INSERT INTO audit (at_ms, who, peer_ip, client_ip, cmd, args,"
	" exit_code, http_status, duration_ms, count) VALUES (:at_ms, :who,"
	" :peer_ip, :client_ip, :cmd, :args, :exit_code, :http_status,"
	" :duration_ms, :count)",
	/* AUDIT_KEY_USED: once per key and batch (audit_write) */
	"UPDATE keys SET last_used_at = :at, last_ip = :ip,"
	" use_count = use_count + :n WHERE id = :id",
	/* AUDIT_COMMIT */
	"COMMIT",
};

/* AUDIT_KEEP, in days (0: keep for ever); the next prune, writer clock. */
static int		 audit_keep_days;
static int64_t		 audit_prune_ms;

/* The writer's own connection (see the comment at the top). */
static struct db	*audit_db;
static struct db_q	 audit_q[AUDIT_NSTMT];

/* Shared between the loop and the writer, all under audit_lock. */
static pthread_mutex_t	 audit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 audit_cond;		/* CLOCK_MONOTONIC */
static pthread_t	 audit_thread;
static int		 audit_running;		/* started, not yet joined */
static int		 audit_stopping;
static struct audit_entry *audit_queue;
static struct audit_entry **audit_queue_tail = &audit_queue;
static size_t		 audit_nqueued;
static size_t		 audit_nheld;		/* in an uncommitted batch */
static size_t		 audit_nbytes;		/* of both */
static struct audit_fold audit_folds[AUDIT_FOLD_SLOTS];
static struct audit_fold audit_fold_all;	/* "*": everyone else */
static int64_t		 audit_all_tat_ms;	/* the overall ration */
static size_t		 audit_nfolding;	/* folds with a count */
static uint64_t		 audit_nfolded;
static uint64_t		 audit_fold_key;	/* of the slot hash */
static int64_t		 audit_first_ms;	/* when the queue filled */
static uint64_t		 audit_nwritten;
static uint64_t		 audit_ndropped;
static uint64_t		 audit_ncommits;
static uint64_t		 audit_unreported;	/* dropped, not yet logged */
static int64_t		 audit_reported_ms;

static int64_t
audit_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Called with audit_lock held: how many drops to log now, if any. */
static uint64_t
audit_report_due(int64_t now, int force)
{
	uint64_t	 n = audit_unreported;

	if (n == 0 || (!force && now - audit_reported_ms < AUDIT_REPORT_MS))
		return 0;
	audit_unreported = 0;
	audit_reported_ms = now;
	return n;
}

static void
audit_report(uint64_t n)
{
	if (n != 0)
		log_warnx("audit: %llu rows dropped: no writer, or %d rows"
		    " (%d MiB) already wait for the database",
		    (unsigned long long)n, AUDIT_MAX_PENDING,
		    AUDIT_MAX_BYTES >> 20);
}

static void
audit_free_list(struct audit_entry *e)
{
	struct audit_entry	*next;

	for (; e != nullptr; e = next) {
		next = e->next;
		free(e);
	}
}

static const char *
audit_copy(char **p, const char *s)
{
	const char	*r = *p;
	size_t		 len = strlen(s) + 1;

	memcpy(*p, s, len);
	*p += len;
	return r;
}

/* A row as one allocation, its strings after the struct. */
static struct audit_entry *
audit_entry_new(const struct audit_row *row, int64_t count)
{
	struct audit_entry	*e;
	const char		*who, *peer, *client, *cmd, *args;
	char			*p;
	size_t			 size;

	who = row->who != nullptr ? row->who : "";
	peer = row->peer_ip != nullptr ? row->peer_ip : "";
	client = row->client_ip != nullptr ? row->client_ip : "";
	cmd = row->cmd != nullptr ? row->cmd : "";
	args = row->args != nullptr ? row->args : "[]";

	size = sizeof *e + strlen(who) + strlen(peer) + strlen(client) +
	    strlen(cmd) + strlen(args) + 5;
	if (row->key_id != nullptr)
		size += strlen(row->key_id) + 1;
	e = (struct audit_entry *)xmalloc(size);
	p = (char *)(e + 1);
	e->next = nullptr;
	e->size = size;
	e->count = count;
	e->at_ms = row->at_ms;
	e->duration_ms = row->duration_ms;
	e->exit_code = row->exit_code;
	e->http_status = row->http_status;
	e->who = audit_copy(&p, who);
	e->key_id = row->key_id != nullptr ? audit_copy(&p, row->key_id) :
	    nullptr;
	e->peer_ip = audit_copy(&p, peer);
	e->client_ip = audit_copy(&p, client);
	e->cmd = audit_copy(&p, cmd);
	e->args = audit_copy(&p, args);
	return e;
}

/* With audit_lock held: queue an entry, or count it dropped when the
 * queue is full (the caller frees it). Returns 0 or -1. */
static int
audit_enqueue(struct audit_entry *e)
{
	if (audit_nqueued + audit_nheld >= AUDIT_MAX_PENDING ||
	    audit_nbytes + e->size > AUDIT_MAX_BYTES) {
		audit_ndropped += e->count;
		audit_unreported += e->count;
		return -1;
	}
	*audit_queue_tail = e;
	audit_queue_tail = &e->next;
	audit_nbytes += e->size;
	/* Wake the writer to start its 1 s clock, or for a batch. */
	if (audit_nqueued++ == 0) {
		audit_first_ms = audit_now_ms();
		pthread_cond_signal(&audit_cond);
	} else if (audit_nqueued == AUDIT_BATCH)
		pthread_cond_signal(&audit_cond);
	return 0;
}

/* GCRA: may a row come now, at rate rows a second with this burst? */
static int
audit_ration(int64_t *tat, int64_t now, int rate, int burst)
{
	int64_t	 interval = 1000 / rate;

	if (*tat > now + (int64_t)(burst - 1) * interval)
		return 0;
	*tat = (*tat > now ? *tat : now) + interval;
	return 1;
}

/* Count a refusal into a fold (under audit_lock). */
static void
audit_fold_add(struct audit_fold *f, const struct audit_row *row,
    int64_t count, int64_t now)
{
	if (f->count == 0) {
		f->since_ms = now;
		f->at_ms = row->at_ms;
		audit_nfolding++;
	}
	f->count += count;
	snprintf(f->peer, sizeof f->peer, "%s", row->peer_ip != nullptr ?
	    row->peer_ip : "");
	snprintf(f->client, sizeof f->client, "%s", row->client_ip !=
	    nullptr ? row->client_ip : "");
	f->exit_code = row->exit_code;
	f->http_status = row->http_status;
}

/* A fold as a row of its own: what the folded requests have in common. */
static struct audit_entry *
audit_fold_entry(struct audit_fold *f)
{
	struct audit_row	 row;
	struct audit_entry	*e;

	memset(&row, 0, sizeof row);
	row.at_ms = f->at_ms;
	row.who = "-";
	row.peer_ip = f->peer;
	row.client_ip = f->client;
	row.args = "[]";
	row.exit_code = f->exit_code;
	row.http_status = f->http_status;
	e = audit_entry_new(&row, f->count);
	f->count = 0;
	audit_nfolding--;
	return e;
}

/* Queue a fold's row (under audit_lock). */
static void
audit_fold_flush(struct audit_fold *f)
{
	struct audit_entry	*e = audit_fold_entry(f);

	if (audit_enqueue(e) == -1)
		free(e);
}

/* Move a client's fold into the one for "*" (its slot is wanted). */
static void
audit_fold_merge(struct audit_fold *f, int64_t now)
{
	struct audit_row	 row;

	if (f->count == 0)
		return;
	memset(&row, 0, sizeof row);
	row.at_ms = f->at_ms;
	row.peer_ip = row.client_ip = "*";
	row.exit_code = f->exit_code;
	row.http_status = f->http_status;
	audit_fold_add(&audit_fold_all, &row, f->count, now);
	f->count = 0;
	audit_nfolding--;
}

/* With audit_lock held: folds a second old (all, at the end) become rows,
 * each on the overall ration, else into "*"; "*" itself once a second. */
static void
audit_fold_sweep(int64_t now, int all)
{
	struct audit_fold	*f;
	size_t			 i;

	if (audit_nfolding == 0)
		return;
	for (i = 0; i < AUDIT_FOLD_SLOTS && audit_nfolding > 0; i++) {
		f = &audit_folds[i];
		if (f->count == 0 || (!all && now - f->since_ms < AUDIT_FOLD_MS))
			continue;
		if (all || audit_ration(&audit_all_tat_ms, now,
		    AUDIT_FOLD_ALL_RATE, AUDIT_FOLD_ALL_BURST))
			audit_fold_flush(f);
		else
			audit_fold_merge(f, now);
	}
	f = &audit_fold_all;
	if (f->count > 0 && (all || now - f->since_ms >= AUDIT_FOLD_MS))
		audit_fold_flush(f);
}

static struct audit_fold *
audit_fold_slot(const char *addr)
{
	uint64_t	 h = 1469598103934665603ULL ^ audit_fold_key;

	for (; *addr != '\0'; addr++)
		h = (h ^ (uint8_t)*addr) * 1099511628211ULL;
	return &audit_folds[h % AUDIT_FOLD_SLOTS];
}

/* With audit_lock held: whether a refused client may write this row now;
 * if not, it is folded. */
static int
audit_rationed(const struct audit_row *row, int64_t now)
{
	struct audit_fold	*f;
	const char		*addr = row->addr != nullptr ? row->addr : "";

	f = audit_fold_slot(addr);
	if (strcmp(f->addr, addr) != 0) {
		/* Another client's slot (or a free one): it is pushed out. */
		audit_fold_merge(f, now);
		memset(f, 0, sizeof *f);
		snprintf(f->addr, sizeof f->addr, "%s", addr);
	}
	if (audit_ration(&f->tat_ms, now, AUDIT_FOLD_RATE, AUDIT_FOLD_BURST) &&
	    audit_ration(&audit_all_tat_ms, now, AUDIT_FOLD_ALL_RATE,
	    AUDIT_FOLD_ALL_BURST))
		return 1;
	audit_fold_add(f, row, 1, now);
	audit_nfolded++;
	return 0;
}

void
audit_add(const struct audit_row *row)
{
	struct audit_entry	*e;
	uint64_t		 report = 0;
	int64_t			 now = audit_now_ms();
	int			 kept = 0;

	e = audit_entry_new(row, 1);
	pthread_mutex_lock(&audit_lock);
	if (!audit_running || audit_stopping) {
		audit_ndropped++;
		audit_unreported++;
		report = audit_report_due(now, 0);
	} else if (!row->prelogin || audit_rationed(row, now)) {
		kept = audit_enqueue(e) == 0;
		if (!kept)
			report = audit_report_due(now, 0);
	} else {
		/* Folded. The writer sweeps while any fold is open; wake it
		 * only for the first, not on every refusal of a flood. */
		if (audit_nfolding == 1 && audit_nqueued == 0)
			pthread_cond_signal(&audit_cond);
		free(e);
		kept = 1;
	}
	pthread_mutex_unlock(&audit_lock);

	if (!kept) {
		free(e);
		audit_report(report);
	}
}

/* Step a statement to its end; the first error wins *cause. */
static int
audit_step(int which, char **cause)
{
	char	*why = nullptr;
	int	 rv;

	rv = db_done(&audit_q[which], audit_sql[which], &why);
	if (rv == -1 && *cause == nullptr)
		*cause = why;
	else
		free(why);
	return rv == -1 ? -1 : 0;
}

/*
 * The keys a batch used: one UPDATE per key and batch, not per row. The
 * batch is one transaction, so nobody sees the difference: the count goes
 * up by the key's rows, and the last row of each key leaves its time and
 * address, as row after row would have.
 */
#define AUDIT_KEYS	16	/* keys told apart per flush */
struct audit_key_use {
	const struct audit_entry	*last;
	int64_t				 n;
};

static int
audit_keys_flush(struct audit_key_use *keys, int *nkeys, char **cause)
{
	struct db_q	*q = &audit_q[AUDIT_KEY_USED];
	int		 i, rv = 0;

	for (i = 0; i < *nkeys && rv == 0; i++) {
		db_bind_int64(q, ":at", keys[i].last->at_ms / 1000);
		db_bind_text(q, ":ip", keys[i].last->client_ip);
		db_bind_int64(q, ":n", keys[i].n);
		db_bind_text(q, ":id", keys[i].last->key_id);
		rv = audit_step(AUDIT_KEY_USED, cause);
	}
	*nkeys = 0;
	return rv;
}

static int
audit_keys_add(struct audit_key_use *keys, int *nkeys,
    const struct audit_entry *e, char **cause)
{
	int	 i;

	for (i = 0; i < *nkeys; i++) {
		if (strcmp(keys[i].last->key_id, e->key_id) == 0) {
			keys[i].last = e;
			keys[i].n++;
			return 0;
		}
	}
	if (*nkeys == AUDIT_KEYS && audit_keys_flush(keys, nkeys, cause) == -1)
		return -1;
	keys[*nkeys].last = e;
	keys[*nkeys].n = 1;
	(*nkeys)++;
	return 0;
}

/* Write a batch in one transaction: all of it, or nothing (and it is kept
 * for a retry). Runs on the writer thread, without audit_lock. */
static int
audit_write(struct audit_entry *batch, char **cause)
{
	struct audit_key_use	 keys[AUDIT_KEYS];
	struct audit_entry	*e;
	struct db_q		*q;
	int			 nkeys = 0;

	/* A ROLLBACK that failed last time would block every BEGIN. */
	db_rollback(audit_db);
	if (audit_step(AUDIT_BEGIN, cause) == -1)
		return -1;
	for (e = batch; e != nullptr; e = e->next) {
		q = &audit_q[AUDIT_INSERT];
		db_bind_int64(q, ":at_ms", e->at_ms);
		db_bind_text(q, ":who", e->who);
		db_bind_text(q, ":peer_ip", e->peer_ip);
		db_bind_text(q, ":client_ip", e->client_ip);
		db_bind_text(q, ":cmd", e->cmd);
		db_bind_text(q, ":args", e->args);
		db_bind_int64(q, ":exit_code", e->exit_code);
		db_bind_int64(q, ":http_status", e->http_status);
		db_bind_int64(q, ":duration_ms", e->duration_ms);
		db_bind_int64(q, ":count", e->count);
		if (audit_step(AUDIT_INSERT, cause) == -1)
			goto fail;
		if (e->key_id != nullptr &&
		    audit_keys_add(keys, &nkeys, e, cause) == -1)
			goto fail;
	}
	if (audit_keys_flush(keys, &nkeys, cause) == -1 ||
	    audit_step(AUDIT_COMMIT, cause) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(audit_db);
	return -1;
}

/*
 * AUDIT_KEEP: rows older than that many days go, a slice at a time so
 * that the loop's own key lookups never wait long on the write lock.
 * Writer thread, without audit_lock.
 */
static void
audit_prune(int days)
{
	struct db_q	 q;
	struct timespec	 ts;
	char		*cause = nullptr;
	int64_t		 total = 0, now_ms;
	int		 n = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	do {
		if (db_prepare(audit_db, &q, "DELETE FROM audit WHERE id IN"
		    " (SELECT id FROM audit WHERE at_ms < :cut ORDER BY id"
		    " LIMIT :n)", &cause) == -1)
			break;
		db_bind_int64(&q, ":cut", now_ms - (int64_t)days * 86400000);
		db_bind_int64(&q, ":n", AUDIT_PRUNE_SLICE);
		if ((n = db_done(&q, "pruning the audit", &cause)) > 0)
			total += n;
	} while (n == AUDIT_PRUNE_SLICE);
	if (cause != nullptr) {
		log_warnx("audit: %s; tried again in an hour", cause);
		free(cause);
	}
	if (total > 0)
		log_info("audit: %lld rows older than %d days pruned "
		    "(AUDIT_KEEP)", (long long)total, days);
}

static void
audit_timedwait(int64_t deadline_ms)
{
	struct timespec	 ts;

	ts.tv_sec = deadline_ms / 1000;
	ts.tv_nsec = (deadline_ms % 1000) * 1000000;
	pthread_cond_timedwait(&audit_cond, &audit_lock, &ts);
}

/*
 * The writer thread. It sleeps until AUDIT_BATCH rows wait, the oldest has
 * waited AUDIT_DELAY_MS, or shutdown; then takes the whole queue under the
 * lock and writes it outside. A failed batch is kept, grows with what comes
 * meanwhile, and is tried again after AUDIT_RETRY_MS: a transient error
 * (SQLITE_BUSY past the busy timeout, a full disk) never loses a row. At
 * shutdown it flushes, giving up only after AUDIT_SHUTDOWN_TRIES failures.
 */
static void *
audit_writer(void *)
{
	struct audit_entry	*batch = nullptr, **tail = &batch, *e;
	size_t			 nbatch = 0, wbytes;
	int64_t			 now, deadline = 0, retry_ms = 0;
	uint64_t		 report, lost = 0;
	char			*cause = nullptr;
	int			 stopping, failed, tries = 0, keep;

	pthread_mutex_lock(&audit_lock);
	for (;;) {
		for (;;) {
			now = audit_now_ms();
			audit_fold_sweep(now, audit_stopping);
			/* Time to prune (not while a batch is kept for a
			 * retry: the database may be failing). */
			if (audit_keep_days > 0 && !audit_stopping &&
			    batch == nullptr && now >= audit_prune_ms)
				break;
			if (batch != nullptr) {
				if (now >= retry_ms)
					break;
				deadline = retry_ms;
			} else if (audit_stopping && audit_nqueued == 0)
				goto done;
			else if (audit_stopping ||
			    audit_nqueued >= AUDIT_BATCH)
				break;
			else if (audit_nqueued > 0) {
				deadline = audit_first_ms + AUDIT_DELAY_MS;
				if (now >= deadline)
					break;
			} else if (audit_nfolding > 0)
				deadline = now + AUDIT_FOLD_MS / 4;
			else if (audit_keep_days > 0)
				deadline = audit_prune_ms;
			else {
				pthread_cond_wait(&audit_cond, &audit_lock);
				continue;
			}
			audit_timedwait(deadline);
		}

		if (audit_keep_days > 0 && !audit_stopping &&
		    batch == nullptr && now >= audit_prune_ms) {
			keep = audit_keep_days;
			pthread_mutex_unlock(&audit_lock);
			audit_prune(keep);
			pthread_mutex_lock(&audit_lock);
			audit_prune_ms = audit_now_ms() + AUDIT_PRUNE_EVERY_MS;
			continue;
		}

		/* The whole queue, behind a batch kept from a failure. */
		if (audit_queue != nullptr) {
			*tail = audit_queue;
			tail = audit_queue_tail;
			nbatch += audit_nqueued;
			audit_queue = nullptr;
			audit_queue_tail = &audit_queue;
			audit_nqueued = 0;
		}
		audit_nheld = nbatch;
		wbytes = audit_nbytes;	/* all of it is in the batch now */
		stopping = audit_stopping;
		pthread_mutex_unlock(&audit_lock);

		failed = audit_write(batch, &cause) == -1;
		if (failed) {
			log_warnx("audit: %zu rows kept for a retry: %s",
			    nbatch, cause);
		} else {
			audit_free_list(batch);
			batch = nullptr;
			tail = &batch;
		}
		free(cause);
		cause = nullptr;

		pthread_mutex_lock(&audit_lock);
		if (!failed) {
			audit_nwritten += nbatch;
			audit_ncommits++;
			audit_nheld = nbatch = 0;
			audit_nbytes -= wbytes;
			tries = 0;
		} else {
			retry_ms = audit_now_ms() + AUDIT_RETRY_MS;
			if (stopping && ++tries >= AUDIT_SHUTDOWN_TRIES)
				goto done;
		}
		if ((report = audit_report_due(audit_now_ms(), 0)) != 0) {
			pthread_mutex_unlock(&audit_lock);
			audit_report(report);
			pthread_mutex_lock(&audit_lock);
		}
	}
done:
	/* Only after repeated failures at exit: say how many rows are lost. */
	if (audit_queue != nullptr) {
		*tail = audit_queue;
		nbatch += audit_nqueued;
		audit_queue = nullptr;
		audit_queue_tail = &audit_queue;
		audit_nqueued = 0;
	}
	for (e = batch; e != nullptr; e = e->next)
		lost += e->count;
	audit_nheld = 0;
	audit_nbytes = 0;
	audit_ndropped += lost;
	pthread_mutex_unlock(&audit_lock);
	if (nbatch != 0)
		log_warnx("audit: %zu rows (%llu requests) lost: the database"
		    " refused them %d times at exit", nbatch,
		    (unsigned long long)lost, AUDIT_SHUTDOWN_TRIES);
	audit_free_list(batch);
	return nullptr;
}

void
audit_set_keep(int days)
{
	pthread_mutex_lock(&audit_lock);
	if (days != audit_keep_days)
		audit_prune_ms = 0;	/* apply a new AUDIT_KEEP at once */
	audit_keep_days = days;
	pthread_cond_signal(&audit_cond);
	pthread_mutex_unlock(&audit_lock);
}

static void
audit_close(void)
{
	int	 i;

	for (i = 0; i < AUDIT_NSTMT; i++)
		db_unkeep(&audit_q[i]);
	db_close(audit_db);
	audit_db = nullptr;
}

int
audit_init(const char *dbpath, char **cause)
{
	pthread_condattr_t	 attr;
	sigset_t		 all, old;
	char			*why = nullptr;
	int			 i, rc;

	pthread_mutex_lock(&audit_lock);
	rc = audit_running;
	pthread_mutex_unlock(&audit_lock);
	if (rc) {
		xasprintf(cause, "audit writer already running");
		return -1;
	}
	if (!sqlite3_threadsafe()) {
		xasprintf(cause, "SQLite built without thread support");
		return -1;
	}
	/* Attached, not opened: the daemon has made the schema. */
	if ((audit_db = db_attach(dbpath, &why)) == nullptr) {
		xasprintf(cause, "%s", why);
		free(why);
		goto fail;
	}
	for (i = 0; i < AUDIT_NSTMT; i++) {
		if (db_keep(audit_db, &audit_q[i], audit_sql[i], &why) == -1) {
			xasprintf(cause, "%s: %s: %s", dbpath, audit_sql[i],
			    why);
			free(why);
			goto fail;
		}
	}

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&audit_cond, &attr);
	pthread_condattr_destroy(&attr);

	pthread_mutex_lock(&audit_lock);
	audit_running = 1;
	audit_stopping = 0;
	audit_prune_ms = 0;
	audit_nwritten = audit_ndropped = audit_ncommits = 0;
	audit_nfolded = 0;
	audit_nfolding = 0;
	audit_nbytes = 0;
	audit_all_tat_ms = 0;
	memset(audit_folds, 0, sizeof audit_folds);
	memset(&audit_fold_all, 0, sizeof audit_fold_all);
	if (getrandom(&audit_fold_key, sizeof audit_fold_key, 0) == -1)
		audit_fold_key = (uint64_t)audit_now_ms();
	pthread_mutex_unlock(&audit_lock);

	/* Signals are for the loop: the writer blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&audit_thread, nullptr, audit_writer, nullptr);
	pthread_sigmask(SIG_SETMASK, &old, nullptr);
	if (rc != 0) {
		xasprintf(cause, "pthread_create: %s", strerror(rc));
		pthread_mutex_lock(&audit_lock);
		audit_running = 0;
		pthread_mutex_unlock(&audit_lock);
		pthread_cond_destroy(&audit_cond);
		goto fail;
	}
	return 0;
fail:
	audit_close();
	return -1;
}

void
audit_shutdown(void)
{
	uint64_t	 report;

	pthread_mutex_lock(&audit_lock);
	if (!audit_running) {
		pthread_mutex_unlock(&audit_lock);
		return;
	}
	audit_stopping = 1;
	pthread_cond_signal(&audit_cond);
	pthread_mutex_unlock(&audit_lock);

	pthread_join(audit_thread, nullptr);

	pthread_mutex_lock(&audit_lock);
	audit_running = 0;
	report = audit_report_due(audit_now_ms(), 1);
	pthread_mutex_unlock(&audit_lock);
	audit_report(report);
	pthread_cond_destroy(&audit_cond);
	audit_close();
}

uint64_t
audit_written(void)
{
	uint64_t	 n;

	pthread_mutex_lock(&audit_lock);
	n = audit_nwritten;
	pthread_mutex_unlock(&audit_lock);
	return n;
}

size_t
audit_pending(void)
{
	size_t	 n;

	pthread_mutex_lock(&audit_lock);
	n = audit_nqueued + audit_nheld;
	pthread_mutex_unlock(&audit_lock);
	return n;
}

uint64_t
audit_dropped(void)
{
	uint64_t	 n;

	pthread_mutex_lock(&audit_lock);
	n = audit_ndropped;
	pthread_mutex_unlock(&audit_lock);
	return n;
}

uint64_t
audit_folded(void)
{
	uint64_t	 n;

	pthread_mutex_lock(&audit_lock);
	n = audit_nfolded;
	pthread_mutex_unlock(&audit_lock);
	return n;
}

uint64_t
audit_commits(void)
{
	uint64_t	 n;

	pthread_mutex_lock(&audit_lock);
	n = audit_ncommits;
	pthread_mutex_unlock(&audit_lock);
	return n;
}

static void
audit_buf_add(struct audit_buf *b, const char *s, size_t n)
{
	size_t	 size;

	if (b->size - b->len <= n) {
		size = b->size != 0 ? b->size : 64;
		while (size - b->len <= n)
			size *= 2;
		b->p = XREALLOCARRAY(b->p, size, char);
		b->size = size;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append len bytes of s as the inside of a JSON string. */
static void
audit_buf_escape(struct audit_buf *b, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len;
	char			 hex[8];
	size_t			 n;

	while (p < end) {
		if (*p >= 0x80) {
			if ((n = utf8_seq(p, end - p)) == 0) {
				/* U+FFFD, the replacement character */
				audit_buf_add(b, "\xef\xbf\xbd", 3);
				n = 1;
			} else
				audit_buf_add(b, (const char *)p, n);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			audit_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			audit_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			audit_buf_add(b, "\\n", 2);
			break;
		case '\r':
			audit_buf_add(b, "\\r", 2);
			break;
		case '\t':
			audit_buf_add(b, "\\t", 2);
			break;
		case '\b':
			audit_buf_add(b, "\\b", 2);
			break;
		case '\f':
			audit_buf_add(b, "\\f", 2);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(hex, sizeof hex, "\\u%04x", *p);
				audit_buf_add(b, hex, 6);
			} else
				audit_buf_add(b, (const char *)p, 1);
			break;
		}
		p++;
	}
}

/* Whether an option name says its value is a secret. */
static int
audit_secret_name(const char *name)
{
	static const char *const words[] = {
		"PASSWORD", "PASS", "SECRET", "HASH"
	};
	size_t	 i;

	if (name == nullptr)
		return 0;
	for (i = 0; i < nitems(words); i++) {
		if (strcasestr(name, words[i]) != nullptr)
			return 1;
	}
	return 0;
}

char *
audit_args_json(char *const *args, int nargs, char *const *names,
    const char *tmp_dir, int hide)
{
	struct audit_buf	 b = { nullptr, 0, 0 };
	const char		*arg;
	size_t			 tmplen = 0, len;
	int			 i;

	/* "/tmp/" is "/tmp"; "" or "/" masks nothing. */
	if (tmp_dir != nullptr) {
		tmplen = strlen(tmp_dir);
		while (tmplen > 0 && tmp_dir[tmplen - 1] == '/')
			tmplen--;
	}
	audit_buf_add(&b, "[", 1);
	for (i = 0; i < nargs; i++) {
		arg = args[i] != nullptr ? args[i] : "";
		if (i != 0)
			audit_buf_add(&b, ",", 1);
		audit_buf_add(&b, "\"", 1);
		if (hide || (names != nullptr && audit_secret_name(names[i])))
			audit_buf_add(&b, "***", 3);
		else if (tmplen > 0 && strncmp(arg, tmp_dir, tmplen) == 0 &&
		    arg[tmplen] == '/' && arg[tmplen + 1] != '\0') {
			audit_buf_escape(&b, tmp_dir, tmplen);
			audit_buf_add(&b, "/***", 4);
		} else if ((len = strlen(arg)) > AUDIT_ARG_MAX) {
			/* A cut inside a character is repaired as U+FFFD. */
			audit_buf_escape(&b, arg, AUDIT_ARG_MAX);
			audit_buf_add(&b, "\xe2\x80\xa6", 3);	/* … */
		} else
			audit_buf_escape(&b, arg, len);
		audit_buf_add(&b, "\"", 1);
	}
	audit_buf_add(&b, "]", 1);
	return b.p;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The audit writer: one row per API request, written in batches by a thread
 * of its own, so that no reply waits on disk. */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>
#include <stdint.h>

/* A row as the request path hands it over; audit_add copies it whole. */
struct audit_row {
	int64_t		 at_ms;		/* unix time, milliseconds */
	const char	*who;		/* key ID, "api", or a user name */
	const char	*key_id;	/* key to bump usage of, or nullptr */
	const char	*peer_ip;
	const char	*client_ip;
	const char	*cmd;
	const char	*args;		/* JSON array text, already masked */
	int		 exit_code;
	int		 http_status;
	int64_t		 duration_ms;
	int		 prelogin;	/* refused before authentication */
	const char	*addr;		/* what the client is counted under */
};

/* At most this many rows, and this many bytes of them, wait for the disk;
 * above it a row is dropped, counted and logged (once a second). It only
 * happens when the disk is far slower than the request rate, or the
 * database refuses writes for long. */
#define AUDIT_MAX_PENDING	100000
#define AUDIT_MAX_BYTES		(16 << 20)

/* Bytes of one argument kept in a row; a longer one is cut and marked. */
#define AUDIT_ARG_MAX		1024

/*
 * Rows of requests refused before authentication (row->prelogin) are what
 * anyone can send, so they are rationed: a client (row->addr) writes
 * AUDIT_FOLD_BURST rows at once and AUDIT_FOLD_RATE a second after that,
 * all clients together AUDIT_FOLD_ALL_BURST and AUDIT_FOLD_ALL_RATE.
 * Beyond, its refusals are folded into one row per client and second,
 * whose count says how many requests it stands for (clients pushed out of
 * the table, or over the overall share, into one row for "*"). Nothing is
 * lost: the sum of count is the requests seen.
 */
#define AUDIT_FOLD_BURST	10
#define AUDIT_FOLD_RATE		2
#define AUDIT_FOLD_ALL_BURST	200
#define AUDIT_FOLD_ALL_RATE	100

/* Open a second SQLite connection of its own on dbpath (the schema exists
 * already: the daemon opened it first) and start the writer thread. Call it
 * after daemon(3): a thread does not survive fork. 0, or -1 with *cause. */
int	 audit_init(const char *dbpath, char **cause);
/* Copy the row into the queue; never blocks on disk (a malloc, a memcpy and
 * a mutex). A nullptr string is stored as "" (args as "[]"). Rows come in
 * between audit_init and audit_shutdown; outside, they are dropped. */
void	 audit_add(const struct audit_row *);
/* Flush everything queued and stop the thread (at exit, SIGTERM path). */
void	 audit_shutdown(void);
/* AUDIT_KEEP: rows older than days are pruned, at once and then hourly,
 * by the writer (0: kept for ever). */
void	 audit_set_keep(int days);
/* Since the last audit_init: rows written, rows waiting (queued or in a
 * batch not yet committed), rows dropped (above AUDIT_MAX_PENDING, with no
 * writer running, or refused at exit), transactions committed. For tests
 * and metrics. */
uint64_t audit_written(void);
size_t	 audit_pending(void);
uint64_t audit_dropped(void);
uint64_t audit_commits(void);
/* Requests folded into another row's count (see AUDIT_FOLD_BURST). */
uint64_t audit_folded(void);
/* The JSON array text of args, masked: every argument "***" when hide is
 * set (a request refused before authentication, or a command whose
 * options are unknown); else an argument whose option name (names[i];
 * names or names[i] may be nullptr) contains PASSWORD, PASS, SECRET or
 * HASH, in any case, becomes "***"; a path under tmp_dir (such as
 * "/tmp/x") becomes tmp_dir, a slash and "***"; any other stays as is, cut
 * after AUDIT_ARG_MAX bytes (and "…" added), JSON-escaped, each byte of
 * invalid UTF-8 replaced by U+FFFD. Allocated. */
char	*audit_args_json(char *const *args, int nargs, char *const *names,
	    const char *tmp_dir, int hide);

#endif

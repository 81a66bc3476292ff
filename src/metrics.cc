/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Prometheus text exposition of what the modules count: one snapshot
 * of their stats, then a table of families walked in order. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "audit.h"
#include "conn.h"
#include "gate.h"
#include "http.h"
#include "job.h"
#include "lockout.h"
#include "metrics.h"
#include "verify.h"

#define METRICS_UNKNOWN	UINT64_MAX	/* no sample: could not be read */

/* What every module says, read once per scrape. */
struct metrics_snap {
	struct job_stats	 job;
	struct verify_stats	 verify;
	uint64_t		 login_failures;
	uint64_t		 audit_written;
	uint64_t		 audit_pending;
	uint64_t		 audit_dropped;
	uint64_t		 lockout_entries;
	uint64_t		 connections;
	uint64_t		 rss_bytes;
	uint64_t		 open_fds;
};

struct metrics_family {
	const char	*name;
	const char	*type;		/* "counter" or "gauge" */
	const char	*help;		/* no backslash, no newline */
	size_t		 off;		/* of a uint64_t in the snapshot */
	/* Or labelled samples, written by a function of their own. */
	void		(*samples)(FILE *, const char *,
			    const struct metrics_snap *);
};

#define METRICS_VALUE(field)	offsetof(struct metrics_snap, field), nullptr
#define METRICS_EACH(fn)	0, fn

static void	 metrics_requests(FILE *, const char *,
		    const struct metrics_snap *);
static void	 metrics_ended(FILE *, const char *,
		    const struct metrics_snap *);

static const struct metrics_family metrics_families[] = {
	{ "hestia_apid_requests_total", "counter",
	  "Requests answered, by endpoint (its path; other: none) and HTTP "
	  "status (499: the client left before its answer).",
	  METRICS_EACH(metrics_requests) },
	{ "hestia_apid_login_failures_total", "counter",
	  "Failed logins counted against a client address, as LOCKOUT "
	  "counts them and auth.log says them.",
	  METRICS_VALUE(login_failures) },
	{ "hestia_apid_argon2_runs_total", "counter",
	  "Secrets verified with argon2id on a worker thread.",
	  METRICS_VALUE(verify.argon2_runs) },
	{ "hestia_apid_shadow_runs_total", "counter",
	  "Passwords of ROOT_USER checked against SHADOW_FILE.",
	  METRICS_VALUE(verify.shadow_runs) },
	{ "hestia_apid_verify_dummy_waits_total", "counter",
	  "Unknown keys refused after as long as a verification takes, "
	  "without argon2.",
	  METRICS_VALUE(verify.dummy_waits) },
	{ "hestia_apid_verify_cache_hits_total", "counter",
	  "Secrets accepted from the verification cache (AUTH_CACHE), "
	  "without argon2.",
	  METRICS_VALUE(verify.cache_hits) },
	{ "hestia_apid_commands_running", "gauge",
	  "Commands running now.",
	  METRICS_VALUE(job.running) },
	{ "hestia_apid_commands_queued", "gauge",
	  "Commands waiting for a free slot (MAX_JOBS).",
	  METRICS_VALUE(job.queued) },
	{ "hestia_apid_commands_started_total", "counter",
	  "Commands given a slot and asked to start.",
	  METRICS_VALUE(job.started) },
	{ "hestia_apid_commands_ended_total", "counter",
	  "Commands ended, by outcome: ok (exit 0), nonzero (another exit "
	  "code), killed (a signal), timeout (CMD_TIMEOUT), cancelled (stopped "
	  "on request, or its client left), spawn_failed (never ran).",
	  METRICS_EACH(metrics_ended) },
	{ "hestia_apid_commands_rejected_total", "counter",
	  "Commands refused with code 14 and HTTP 503: QUEUE was full.",
	  METRICS_VALUE(job.rejected) },
	{ "hestia_apid_spawn_failures_total", "counter",
	  "Commands that could not be started.",
	  METRICS_VALUE(job.spawn_failed) },
	{ "hestia_apid_command_timeouts_total", "counter",
	  "Commands whose process group got SIGTERM at CMD_TIMEOUT.",
	  METRICS_VALUE(job.timeouts) },
	{ "hestia_apid_output_truncations_total", "counter",
	  "Commands whose standard output was cut at MAX_OUTPUT.",
	  METRICS_VALUE(job.truncated) },
	{ "hestia_apid_audit_rows_written_total", "counter",
	  "Audit rows committed to the database.",
	  METRICS_VALUE(audit_written) },
	{ "hestia_apid_audit_rows_pending", "gauge",
	  "Audit rows waiting for the writer thread.",
	  METRICS_VALUE(audit_pending) },
	{ "hestia_apid_audit_rows_dropped_total", "counter",
	  "Audit rows dropped: the queue was full, or no writer ran.",
	  METRICS_VALUE(audit_dropped) },
	{ "hestia_apid_lockout_entries", "gauge",
	  "Client addresses held in the lockout table, with failures or "
	  "a ban.",
	  METRICS_VALUE(lockout_entries) },
	{ "hestia_apid_connections_open", "gauge",
	  "Client connections open.",
	  METRICS_VALUE(connections) },
	{ "hestia_apid_process_resident_memory_bytes", "gauge",
	  "Resident memory of the network process, from /proc/self/statm.",
	  METRICS_VALUE(rss_bytes) },
	{ "hestia_apid_process_open_fds", "gauge",
	  "File descriptors open in the network process.",
	  METRICS_VALUE(open_fds) },
};

/* A label value as the format quotes it: backslash, quote, newline. */
static void
metrics_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

struct metrics_each {
	FILE		*f;
	const char	*name;
};

static void
metrics_request_cb(const char *endpoint, int status, uint64_t n, void *arg)
{
	struct metrics_each	*e = (struct metrics_each *)arg;

	fprintf(e->f, "%s{endpoint=\"", e->name);
	metrics_label(e->f, endpoint);
	fprintf(e->f, "\",status=\"%d\"} %llu\n", status,
	    (unsigned long long)n);
}

static void
metrics_requests(FILE *f, const char *name, const struct metrics_snap *)
{
	struct metrics_each	 e = { f, name };

	http_requests_each(metrics_request_cb, &e);
}

/* Every outcome, 0 included: a rate needs the series before it moves. */
static void
metrics_ended(FILE *f, const char *name, const struct metrics_snap *s)
{
	int	 i;

	for (i = 0; i < JOB_NOUTCOMES; i++)
		fprintf(f, "%s{outcome=\"%s\"} %llu\n", name,
		    job_outcome_name((enum job_outcome)i),
		    (unsigned long long)s->job.ended[i]);
}

/* Resident pages, the second number of statm, in bytes. */
static uint64_t
metrics_rss(void)
{
	FILE			*f;
	unsigned long long	 size, resident;
	long			 page = sysconf(_SC_PAGESIZE);
	int			 n;

	if (page <= 0 || (f = fopen("/proc/self/statm", "re")) == nullptr)
		return METRICS_UNKNOWN;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	return n == 2 ? resident * (uint64_t)page : METRICS_UNKNOWN;
}

/* The entries of /proc/self/fd, less the one reading it. */
static uint64_t
metrics_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	uint64_t	 n = 0;

	if ((d = opendir("/proc/self/fd")) == nullptr)
		return METRICS_UNKNOWN;
	while ((de = readdir(d)) != nullptr) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n > 0 ? n - 1 : 0;
}

static void
metrics_snapshot(struct metrics_snap *s)
{
	memset(s, 0, sizeof *s);
	job_stats_get(&s->job);
	verify_stats_get(&s->verify);
	s->login_failures = gate_login_failures();
	s->audit_written = audit_written();
	s->audit_pending = audit_pending();
	s->audit_dropped = audit_dropped();
	s->lockout_entries = lockout_size();
	s->connections = (uint64_t)conn_count();
	s->rss_bytes = metrics_rss();
	s->open_fds = metrics_fds();
}

char *
metrics_render(size_t *len)
{
	const struct metrics_family	*m;
	struct metrics_snap		 s;
	FILE				*f;
	char				*text = nullptr;
	uint64_t			 v;
	size_t				 i;

	metrics_snapshot(&s);
	if ((f = open_memstream(&text, len)) == nullptr)
		fatal("%s: open_memstream", __func__);
	for (i = 0; i < nitems(metrics_families); i++) {
		m = &metrics_families[i];
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
		    m->name, m->type);
		if (m->samples != nullptr) {
			m->samples(f, m->name, &s);
			continue;
		}
		memcpy(&v, (const char *)&s + m->off, sizeof v);
		if (v != METRICS_UNKNOWN)
			fprintf(f, "%s %llu\n", m->name,
			    (unsigned long long)v);
	}
	if (fclose(f) != 0)
		fatal("%s: open_memstream", __func__);
	return text;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Commands run as jobs: a concurrency limit with a FIFO queue, a timeout
 * (SIGTERM to the process group, SIGKILL after a grace period), an output
 * cap, stdout and stderr read through pipes on the event loop. */
#ifndef JOB_H
#define JOB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct job;

struct job_limits {
	int	 max_jobs;	/* running at once, >= 1 */
	int	 queue;		/* waiting for a slot, >= 0 */
	int	 timeout;	/* seconds before SIGTERM, >= 1 */
	int	 kill_grace;	/* seconds between SIGTERM and SIGKILL */
	size_t	 max_output;	/* stdout bytes kept; more is cut */
	size_t	 max_stderr;	/* stderr bytes kept; more is cut */
};

struct job_result {
	int		 exit_code;	/* 0..255; 128+N when killed by signal N
					 * (what a shell would report); -1 when
					 * the command could not be started */
	int		 timed_out;	/* killed by the timeout */
	int		 killed;	/* job_kill: someone asked */
	int		 truncated;	/* stdout was cut at max_output */
	const char	*out;		/* stdout, NUL-terminated */
	size_t		 outlen;
	const char	*err;		/* stderr, NUL-terminated, cut too */
	size_t		 errlen;
	long		 duration_ms;	/* from start (not queueing) to exit */
	const char	*cause;		/* why it could not start, or nullptr */
};

/* Called exactly once on the event loop when the job has ended: both its
 * pipes are at EOF and it has been reaped. The result is valid only during
 * the call; the job is freed after it returns. */
typedef void (*job_done_cb)(struct job *, const struct job_result *,
	    void *arg);

/* Output as it is read, fd 1 (stdout) or 2 (stderr): what is kept of it,
 * never past the caps. Like tmux's job update callback. */
typedef void (*job_output_cb)(struct job *, int fd, const char *buf,
	    size_t len, void *arg);

/* A job's id: random, JOB_ID_LEN characters of [0-9A-Za-z] (119 bits). */
#define JOB_ID_LEN	20

void	 job_init(struct event_base *, const struct job_limits *);
void	 job_set_limits(const struct job_limits *);

/* Queue the command name (in BIN_DIR, see spawn.h) with args (copied).
 * Starts at once if a slot is free. Returns nullptr when the queue is full
 * (the caller answers E_LA). */
struct job *job_submit(const char *name, char *const args[], int nargs,
	    job_done_cb, void *arg);

/* Output as it comes, to the done callback's arg; nullptr: no more. */
void	 job_set_output(struct job *, job_output_cb);

/* Someone asked the job to stop: a queued job ends without starting, a
 * running one gets SIGTERM on its process group and SIGKILL after the
 * grace. The done callback still runs, with killed set. */
void	 job_kill(struct job *);
/* Whoever watched left: no callback runs any more; the job runs on to
 * its end and is freed then. */
void	 job_detach(struct job *);
/* Both (client gone, shutdown): the callback will not run; a queued job
 * is dropped at once, a running one is killed and freed once reaped. */
void	 job_cancel(struct job *);

/* The job's id, and who it belongs to (a key ID; "" until set). */
const char *job_id(const struct job *);
void	 job_set_owner(struct job *, const char *owner);
const char *job_owner(const struct job *);
/* A queued or running job by id, or nullptr. */
struct job *job_find(const char *id);

/* Running and queued counts, for /healthz and metrics. */
int	 job_running(void);
int	 job_queued(void);

/* How a command ended, for metrics. */
enum job_outcome {
	JOB_OK,			/* exit 0 */
	JOB_NONZERO,		/* another exit code */
	JOB_KILLED,		/* a signal we did not send */
	JOB_TIMEOUT,		/* killed at the deadline */
	JOB_CANCELLED,		/* stopped on request (job_kill), or its
				 * caller lost interest */
	JOB_SPAWN_FAILED,	/* never ran */
	JOB_NOUTCOMES
};

/* Counts since start (plain integers: the loop's alone). */
struct job_stats {
	uint64_t	 running;
	uint64_t	 queued;
	uint64_t	 started;		/* given a slot */
	uint64_t	 ended[JOB_NOUTCOMES];
	uint64_t	 rejected;		/* the queue was full */
	uint64_t	 spawn_failed;
	uint64_t	 timeouts;		/* SIGTERM at the deadline */
	uint64_t	 truncated;		/* stdout cut at max_output */
};
void	 job_stats_get(struct job_stats *);
/* "ok", "nonzero", "killed" (by a signal, unasked), "timeout", "cancelled"
 * (job_kill, or its caller lost interest), "spawn_failed". */
const char *job_outcome_name(enum job_outcome);

/* At shutdown: stop starting queued jobs; returns the number still running. */
int	 job_drain(void);

#endif

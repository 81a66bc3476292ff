/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Commands as jobs on the event loop: a slot limit with a FIFO queue, a
 * timeout, output caps; done when both EOF and exit have happened. */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "apid.h"
#include "job.h"
#include "key.h"
#include "spawn.h"

#define JOB_LINGER	1	/* seconds the pipes may outlive the child */
#define JOB_DRAIN_READS	16	/* reads when giving up on lingering pipes */

enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE	/* completing: off every list, callback running */
};

/* One of the child's output pipes and what was kept of it. */
struct job_pipe {
	struct job	*job;
	int		 fd;
	struct event	*ev;
	char		*data;		/* NUL-terminated when not nullptr */
	size_t		 len;
	size_t		 size;
	size_t		 max;
	int		 truncated;
};

struct job {
	enum job_state		 state;
	struct job_list		*list;
	int			 cancelled;
	int			 killed;
	char			 id[JOB_ID_LEN + 1];
	char			*owner;
	job_output_cb		 output;

	char			*name;		/* the command, in BIN_DIR */
	char			**args;
	int			 nargs;
	job_done_cb		 cb;
	void			*arg;

	struct spawn		*spawn;
	int			 exited;
	int			 status;
	int			 timed_out;
	char			*cause;		/* could not start */
	struct timespec		 start;
	struct timespec		 end;
	int			 kill_grace;

	struct job_pipe		 out;
	struct job_pipe		 err;
	struct event		*timeout_ev;	/* SIGTERM at the deadline */
	struct event		*kill_ev;	/* SIGKILL after the grace */
	struct event		*linger_ev;	/* pipes held by a grandchild */
	struct event		*fail_ev;	/* report a failed start */

	TAILQ_ENTRY(job)	 entry;
};
TAILQ_HEAD(job_list, job);

static struct event_base	*job_base;
static struct job_limits	 job_limits;
static struct job_list		 job_queue = TAILQ_HEAD_INITIALIZER(job_queue);
static struct job_list		 job_active =
    TAILQ_HEAD_INITIALIZER(job_active);
static int			 job_nqueued;
static int			 job_nrunning;
static int			 job_draining;
static struct job_stats		 job_counts;	/* but running and queued */
static char			 job_scratch[65536];

static void	job_start(struct job *);
static void	job_check(struct job *);

/* For log lines: the command's name. */
static const char *
job_name(struct job *job)
{
	return job->name;
}

/* spawn_init or spawn_init_helper first. */
void
job_init(struct event_base *base, const struct job_limits *limits)
{
	job_base = base;
	job_draining = 0;
	job_set_limits(limits);
}

static void
job_list_add(struct job *job, struct job_list *list)
{
	TAILQ_INSERT_TAIL(list, job, entry);
	job->list = list;
	if (list == &job_queue)
		job_nqueued++;
	else
		job_nrunning++;
}

static void
job_list_remove(struct job *job)
{
	if (job->list == nullptr)
		return;
	TAILQ_REMOVE(job->list, job, entry);
	if (job->list == &job_queue)
		job_nqueued--;
	else
		job_nrunning--;
	job->list = nullptr;
}

/* Start queued jobs while there are free slots, oldest first. */
static void
job_start_queued(void)
{
	struct job	*job;

	while (!job_draining && job_nrunning < job_limits.max_jobs &&
	    (job = TAILQ_FIRST(&job_queue)) != nullptr) {
		job_list_remove(job);
		job_start(job);
	}
}

void
job_set_limits(const struct job_limits *limits)
{
	job_limits = *limits;
	if (job_limits.max_jobs < 1)
		job_limits.max_jobs = 1;
	if (job_limits.queue < 0)
		job_limits.queue = 0;
	if (job_limits.timeout < 1)
		job_limits.timeout = 1;
	if (job_limits.kill_grace < 0)
		job_limits.kill_grace = 0;
	if (job_base != nullptr)
		job_start_queued();
}


static void
job_pipe_close(struct job_pipe *p)
{
	if (p->ev != nullptr)
		event_free(p->ev);
	p->ev = nullptr;
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
}

static void
job_free(struct job *job)
{
	job_list_remove(job);
	job_pipe_close(&job->out);
	job_pipe_close(&job->err);
	free(job->out.data);
	free(job->err.data);
	if (job->timeout_ev != nullptr)
		event_free(job->timeout_ev);
	if (job->kill_ev != nullptr)
		event_free(job->kill_ev);
	if (job->linger_ev != nullptr)
		event_free(job->linger_ev);
	if (job->fail_ev != nullptr)
		event_free(job->fail_ev);
	spawn_free(job->spawn);
	for (int i = 0; i < job->nargs; i++)
		free(job->args[i]);
	free(job->args);
	free(job->name);
	free(job->cause);
	free(job->owner);
	free(job);
}

struct job *
job_submit(const char *name, char *const args[], int nargs, job_done_cb cb,
    void *arg)
{
	struct job	*job;

	if (job_base == nullptr) {
		log_warnx("commands: job_init not called");
		return nullptr;
	}
	if (job_draining)
		return nullptr;
	/* Queued jobs go first, so FIFO order holds even for a job submitted
	 * from a completion callback. */
	if (job_nrunning >= job_limits.max_jobs ||
	    !TAILQ_EMPTY(&job_queue)) {
		if (job_nqueued >= job_limits.queue) {
			job_counts.rejected++;
			return nullptr;
		}
	}

	job = XCALLOC(struct job);
	if (key_random(job->id, JOB_ID_LEN, KEY_ID_ALPHABET) == -1) {
		log_warn("commands: no random id for %s", name);
		free(job);
		return nullptr;
	}
	job->owner = xstrdup("");
	job->state = JOB_QUEUED;
	job->out.job = job->err.job = job;
	job->out.fd = job->err.fd = -1;
	job->name = xstrdup(name);
	job->args = XCALLOCARRAY(nargs + 1, char *);
	for (int i = 0; i < nargs; i++)
		job->args[i] = xstrdup(args[i]);
	job->nargs = nargs;
	job->cb = cb;
	job->arg = arg;

	if (job_nrunning < job_limits.max_jobs && TAILQ_EMPTY(&job_queue))
		job_start(job);
	else
		job_list_add(job, &job_queue);
	return job;
}

static struct event *
job_timer(void (*cb)(evutil_socket_t, short, void *), struct job *job)
{
	struct event	*ev;

	if ((ev = evtimer_new(job_base, cb, job)) == nullptr)
		fatalx("%s: evtimer_new", __func__);
	return ev;
}

static void
job_timer_add(struct event *ev, int seconds)
{
	struct timeval	 tv;

	tv.tv_sec = seconds;
	tv.tv_usec = 0;
	evtimer_add(ev, &tv);
}

/* Keep what fits under the cap and drop the rest, marking the cut. */
static void
job_pipe_keep(struct job_pipe *p, const char *buf, size_t n)
{
	size_t	 need, size;

	if (n > p->max - p->len) {
		p->truncated = 1;
		n = p->max - p->len;
	}
	if (n == 0)
		return;
	need = p->len + n + 1;
	if (need > p->size) {
		size = p->size == 0 ? 4096 : p->size;
		while (size < need)
			size = size > SIZE_MAX / 2 ? need : size * 2;
		if (size - 1 > p->max)
			size = p->max + 1;
		p->data = XREALLOCARRAY(p->data, size, char);
		p->size = size;
	}
	memcpy(p->data + p->len, buf, n);
	p->len += n;
	p->data[p->len] = '\0';
}

/*
 * Read what is there: 1 on data, 0 on EOF or error, -1 when it would
 * block. Past the cap the bytes are still read, so the child never blocks
 * on a full pipe. The pipes may be blocking (spawn.h): one read per
 * readiness, never more.
 */
static int
job_pipe_read(struct job_pipe *p)
{
	struct job	*job;
	ssize_t		 n;
	size_t		 kept;

	n = read(p->fd, job_scratch, sizeof job_scratch);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return -1;
		log_warn("command %s: reading its output", job_name(p->job));
		return 0;
	}
	if (n == 0)
		return 0;
	kept = p->len;
	job_pipe_keep(p, job_scratch, (size_t)n);
	job = p->job;
	if (job->output != nullptr && p->len > kept)
		job->output(job, p == &job->out ? 1 : 2, p->data + kept,
		    p->len - kept, job->arg);
	return 1;
}

/* Whether a read of the pipe would return at once. */
static int
job_pipe_ready(struct job_pipe *p)
{
	struct pollfd	 pfd;

	pfd.fd = p->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 1;
}

static void
job_read_cb(evutil_socket_t, short, void *arg)
{
	struct job_pipe	*p = (struct job_pipe *)arg;
	struct job	*job = p->job;

	if (job_pipe_read(p) != 0)
		return;
	job_pipe_close(p);
	job_check(job);
}

/* What became of it, once it is over. */
static enum job_outcome
job_outcome(struct job *job)
{
	/* Stopped on request (job_kill), queued or running: cancelled. */
	if (job->killed)
		return JOB_CANCELLED;
	if (job->cause != nullptr)
		return JOB_SPAWN_FAILED;
	if (job->timed_out)
		return JOB_TIMEOUT;
	if (WIFSIGNALED(job->status))
		return job->cancelled ? JOB_CANCELLED : JOB_KILLED;
	if (WIFEXITED(job->status) && WEXITSTATUS(job->status) == 0)
		return JOB_OK;
	return JOB_NONZERO;
}

/* Report and free the job; runs once, then gives its slot away. */
static void
job_complete(struct job *job)
{
	struct job_result	 res;
	int			 st = job->status;

	job_list_remove(job);
	job->state = JOB_DONE;

	memset(&res, 0, sizeof res);
	if (job->cause != nullptr) {
		res.exit_code = -1;
		res.cause = job->cause;
	} else {
		if (WIFEXITED(st))
			res.exit_code = WEXITSTATUS(st);
		else if (WIFSIGNALED(st))
			res.exit_code = 128 + WTERMSIG(st);
		else
			res.exit_code = -1;
		res.duration_ms = (long)(job->end.tv_sec - job->start.tv_sec) *
		    1000 + (job->end.tv_nsec - job->start.tv_nsec) / 1000000;
	}
	res.timed_out = job->timed_out;
	res.killed = job->killed;
	res.truncated = job->out.truncated;
	res.out = job->out.data != nullptr ? job->out.data : "";
	res.outlen = job->out.len;
	res.err = job->err.data != nullptr ? job->err.data : "";
	res.errlen = job->err.len;
	job_counts.ended[job_outcome(job)]++;
	if (res.truncated)
		job_counts.truncated++;
	log_debug("%s: %s: exit %d%s%s, %ld ms", __func__, job_name(job),
	    res.exit_code, res.timed_out ? ", timed out" : "",
	    job->cancelled ? ", cancelled" : "", res.duration_ms);

	if (!job->cancelled && job->cb != nullptr)
		job->cb(job, &res, job->arg);
	job_free(job);
	job_start_queued();
}

/* Done once reaped and both pipes are closed, in whichever order. */
static void
job_check(struct job *job)
{
	if (job->state != JOB_RUNNING || !job->exited)
		return;
	if (job->out.fd != -1 || job->err.fd != -1)
		return;
	job_complete(job);
}

static void
job_exited_cb(struct spawn *, int status, void *arg)
{
	struct job	*job = (struct job *)arg;

	clock_gettime(CLOCK_MONOTONIC, &job->end);
	job->exited = 1;
	job->status = status;
	evtimer_del(job->timeout_ev);
	if (job->out.fd != -1 || job->err.fd != -1)
		job_timer_add(job->linger_ev, JOB_LINGER);
	job_check(job);
}

/* A grandchild (sh -c 'x &') may hold the pipes long after the child is
 * gone; take what is there and stop waiting for it. */
static void
job_linger_cb(evutil_socket_t, short, void *arg)
{
	struct job	*job = (struct job *)arg;
	int		 i;

	log_debug("%s: %s: output still open after exit", __func__,
	    job_name(job));
	for (i = 0; i < JOB_DRAIN_READS && job->out.fd != -1; i++)
		if (!job_pipe_ready(&job->out) || job_pipe_read(&job->out) != 1)
			break;
	for (i = 0; i < JOB_DRAIN_READS && job->err.fd != -1; i++)
		if (!job_pipe_ready(&job->err) || job_pipe_read(&job->err) != 1)
			break;
	job_pipe_close(&job->out);
	job_pipe_close(&job->err);
	job_check(job);
}

/* The grace is over: SIGKILL to the group. If the child has exited but
 * the job is not complete, a grandchild still holds the pipes; it goes too
 * (the group cannot be reused while it has a member). */
static void
job_kill_cb(evutil_socket_t, short, void *arg)
{
	struct job	*job = (struct job *)arg;

	log_debug("%s: %s: SIGKILL to its group", __func__, job_name(job));
	if (spawn_kill(job->spawn, SIGKILL) == -1 && errno != ESRCH)
		log_warn("command %s: kill", job_name(job));
}

/* SIGTERM to the group now, SIGKILL after the grace if still there. */
static void
job_terminate(struct job *job)
{
	if (spawn_kill(job->spawn, SIGTERM) == -1 && errno != ESRCH)
		log_warn("command %s: kill", job_name(job));
	if (!evtimer_pending(job->kill_ev, nullptr))
		job_timer_add(job->kill_ev, job->kill_grace);
}

static void
job_timeout_cb(evutil_socket_t, short, void *arg)
{
	struct job	*job = (struct job *)arg;

	log_warnx("command %s: timed out; SIGTERM to its process group",
	    job_name(job));
	job->timed_out = 1;
	job_counts.timeouts++;
	job_terminate(job);
}

static void
job_fail_cb(evutil_socket_t, short, void *arg)
{
	struct job	*job = (struct job *)arg;

	job_complete(job);
}

static struct event *
job_pipe_event(struct job_pipe *p)
{
	struct event	*ev;

	ev = event_new(job_base, p->fd, EV_READ|EV_PERSIST, job_read_cb, p);
	if (ev == nullptr)
		fatalx("%s: event_new", __func__);
	event_add(ev, nullptr);
	return ev;
}

/* Running, or could not start: a failed start is reported from the loop,
 * never from inside job_submit (this may run inside spawn_start). */
static void
job_started_cb(struct spawn *sp, int out_fd, int err_fd, const char *cause,
    void *arg)
{
	struct job	*job = (struct job *)arg;

	job->spawn = sp;
	if (cause != nullptr) {
		log_warnx("command %s: not started: %s", job_name(job), cause);
		job->cause = xstrdup(cause);
		job_counts.spawn_failed++;
		evtimer_del(job->timeout_ev);
		job->fail_ev = job_timer(job_fail_cb, job);
		job_timer_add(job->fail_ev, 0);
		return;
	}
	job->out.fd = out_fd;
	job->err.fd = err_fd;
	job->out.ev = job_pipe_event(&job->out);
	job->err.ev = job_pipe_event(&job->err);
}

/* Give the job a slot and spawn it; its time starts now. */
static void
job_start(struct job *job)
{
	job->state = JOB_RUNNING;
	job_list_add(job, &job_active);
	job_counts.started++;
	job->kill_grace = job_limits.kill_grace;
	job->out.max = job_limits.max_output;
	job->err.max = job_limits.max_stderr;
	clock_gettime(CLOCK_MONOTONIC, &job->start);
	job->timeout_ev = job_timer(job_timeout_cb, job);
	job->kill_ev = job_timer(job_kill_cb, job);
	job->linger_ev = job_timer(job_linger_cb, job);
	job_timer_add(job->timeout_ev, job_limits.timeout);
	job->spawn = spawn_start(job->name, job->args, job->nargs,
	    job_started_cb, job_exited_cb, job);
}

/* The callback will not run. A queued job goes now; a running one is
 * killed and freed when it completes (never here, so this is safe from any
 * callback, including the job's own). */
void
job_cancel(struct job *job)
{
	if (job == nullptr)
		return;
	if (job->state == JOB_QUEUED) {
		job_free(job);
		return;
	}
	if (job->state != JOB_RUNNING || job->cancelled)
		return;
	job->cancelled = 1;
	if (job->cause != nullptr || job->exited)
		return;		/* fail_ev or linger_ev finishes it soon */
	evtimer_del(job->timeout_ev);
	job_terminate(job);
}

void
job_set_output(struct job *job, job_output_cb output)
{
	job->output = output;
}

void
job_kill(struct job *job)
{
	if (job == nullptr || job->killed || job->state == JOB_DONE)
		return;
	job->killed = 1;
	if (job->state == JOB_QUEUED) {
		/* Ends without starting, reported from the loop. */
		job_list_remove(job);
		job->cause = xstrdup("stopped before it started");
		job->fail_ev = job_timer(job_fail_cb, job);
		job_timer_add(job->fail_ev, 0);
		return;
	}
	if (job->cause != nullptr || job->exited)
		return;		/* fail_ev or linger_ev finishes it soon */
	log_info("command %s: stopped on request; SIGTERM to its process "
	    "group", job_name(job));
	evtimer_del(job->timeout_ev);
	job_terminate(job);
}

void
job_detach(struct job *job)
{
	if (job == nullptr)
		return;
	job->cb = nullptr;
	job->output = nullptr;
}

const char *
job_id(const struct job *job)
{
	return job->id;
}

void
job_set_owner(struct job *job, const char *owner)
{
	free(job->owner);
	job->owner = xstrdup(owner);
}

const char *
job_owner(const struct job *job)
{
	return job->owner;
}

/* Linear: at most MAX_JOBS + QUEUE jobs are alive. */
struct job *
job_find(const char *id)
{
	struct job_list	*lists[] = { &job_active, &job_queue };
	struct job	*job;

	for (size_t i = 0; i < nitems(lists); i++) {
		TAILQ_FOREACH(job, lists[i], entry) {
			if (strcmp(job->id, id) == 0)
				return job;
		}
	}
	return nullptr;
}

int
job_running(void)
{
	return job_nrunning;
}

int
job_queued(void)
{
	return job_nqueued;
}

void
job_stats_get(struct job_stats *st)
{
	*st = job_counts;
	st->running = (uint64_t)job_nrunning;
	st->queued = (uint64_t)job_nqueued;
}

const char *
job_outcome_name(enum job_outcome o)
{
	static const char *const names[JOB_NOUTCOMES] = {
		"ok", "nonzero", "killed", "timeout", "cancelled",
		"spawn_failed",
	};

	return o >= 0 && o < JOB_NOUTCOMES ? names[o] : "unknown";
}

int
job_drain(void)
{
	struct job	*job;

	job_draining = 1;
	while ((job = TAILQ_FIRST(&job_queue)) != nullptr)
		job_free(job);
	return job_nrunning;
}

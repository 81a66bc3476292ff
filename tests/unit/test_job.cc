/* SPDX-License-Identifier: GPL-3.0-or-later */
/* job.cc on a real event loop with small sh scripts in a temporary dir. */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "job.h"
#include "key.h"
#include "config.h"
#include "spawn.h"

/* What a done callback saw, copied (the result dies with the call). */
struct test_done {
	int	 called;
	int	 order;
	int	 exit_code;
	int	 timed_out;
	int	 truncated;
	char	*out;
	size_t	 outlen;
	char	*err;
	size_t	 errlen;
	long	 duration_ms;
	char	*cause;
	int	 killed;
	char	 streamed[256];	/* job_set_output: "1:out 2:err ..." */
};

static char			 test_dir[] = "/tmp/test_job.XXXXXX";
static char			 test_paths[16][PATH_MAX];
static int			 test_npaths;
static struct event_base	*test_base;
static struct event		*test_tick;
static int			 test_seq;

static const struct job_limits test_defaults = {
	4,		/* max_jobs */
	4,		/* queue */
	5,		/* timeout */
	1,		/* kill_grace */
	1 << 20,	/* max_output */
	4096,		/* max_stderr */
};

static struct config		 test_conf;

static double
test_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Write an executable #!/bin/sh script and return its path. */
static const char *
test_script(const char *name, const char *body)
{
	char	*path;
	FILE	*f;

	assert_true(test_npaths < (int)nitems(test_paths));
	path = test_paths[test_npaths++];
	snprintf(path, PATH_MAX, "%s/%s", test_dir, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static int
test_group_setup(void **)
{
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(test_dir) == nullptr)
		return -1;
	return 0;
}

static int
test_group_teardown(void **)
{
	int	 i;

	for (i = 0; i < test_npaths; i++)
		unlink(test_paths[i]);
	rmdir(test_dir);
	return 0;
}

static void
test_tick_cb(evutil_socket_t, short, void *)
{
}

static void
test_begin(const struct job_limits *limits)
{
	struct timeval	 tv = { 0, 50000 };

	test_base = event_base_new();
	assert_non_null(test_base);
	/* A tick, so EVLOOP_ONCE always comes back to check the deadline. */
	test_tick = event_new(test_base, -1, EV_PERSIST, test_tick_cb, nullptr);
	event_add(test_tick, &tv);
	test_conf.bin_dir = test_dir;
	test_conf.exec_prefix = (char *)"";
	test_conf.hestia_conf = (char *)"";
	assert_int_equal(spawn_init(test_base, &test_conf), 0);
	job_init(test_base, limits);
	test_seq = 0;
}

/* Run the loop until no job is running or queued, at most secs. */
static int
test_run_idle(int secs)
{
	double	 deadline = test_now() + secs;

	while ((job_running() > 0 || job_queued() > 0) &&
	    test_now() < deadline)
		event_base_loop(test_base, EVLOOP_ONCE);
	return job_running() == 0 && job_queued() == 0;
}

static int
test_teardown(void **)
{
	if (test_base == nullptr)
		return 0;
	test_run_idle(5);
	spawn_shutdown();
	event_free(test_tick);
	event_base_free(test_base);
	test_base = nullptr;
	return 0;
}

static void
test_done_cb(struct job *, const struct job_result *res, void *arg)
{
	struct test_done	*d = (struct test_done *)arg;

	d->called++;
	d->order = ++test_seq;
	d->exit_code = res->exit_code;
	d->timed_out = res->timed_out;
	d->truncated = res->truncated;
	d->killed = res->killed;
	assert_non_null(res->out);
	assert_non_null(res->err);
	assert_int_equal(res->out[res->outlen], '\0');
	assert_int_equal(res->err[res->errlen], '\0');
	d->out = (char *)xmalloc(res->outlen + 1);
	memcpy(d->out, res->out, res->outlen + 1);
	d->outlen = res->outlen;
	d->err = xstrdup(res->err);
	d->errlen = res->errlen;
	d->duration_ms = res->duration_ms;
	d->cause = res->cause != nullptr ? xstrdup(res->cause) : nullptr;
}

static void
test_done_free(struct test_done *d)
{
	free(d->out);
	free(d->err);
	free(d->cause);
}

/* Commands run by name from BIN_DIR: a system program gets a wrapper
 * script there, named after it, that execs it. */
static struct job *
test_submit_cb(const char **argv, job_done_cb cb, void *arg)
{
	const char	*name = strrchr(argv[0], '/') + 1;
	char		 path[PATH_MAX], body[PATH_MAX + 32];
	int		 nargs = 0;

	snprintf(path, sizeof path, "%s/%s", test_dir, name);
	if (strncmp(argv[0], test_dir, strlen(test_dir)) != 0 &&
	    access(argv[0], X_OK) == 0 && access(path, F_OK) == -1) {
		snprintf(body, sizeof body, "exec %s \"$@\"", argv[0]);
		test_script(name, body);
	}
	while (argv[1 + nargs] != nullptr)
		nargs++;
	return job_submit(name, (char *const *)argv + 1, nargs, cb, arg);
}

static struct job *
test_submit(const char **argv, struct test_done *d)
{
	return test_submit_cb(argv, test_done_cb, d);
}

/* Alive means present in /proc and not a zombie. */
static int
test_alive(pid_t pid)
{
	char	 path[64], buf[512], *p;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == nullptr)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == nullptr || p[1] == '\0')
		return 0;
	return p[2] != 'Z' && p[2] != 'X';
}

/* Wait a little for pid to die: signal delivery is asynchronous. */
static int
test_dies(pid_t pid, int secs)
{
	double	 deadline = test_now() + secs;

	while (test_alive(pid) && test_now() < deadline)
		usleep(20000);
	return !test_alive(pid);
}

static void
test_job_output(void **)
{
	const char		*argv[] = { test_script("output",
				    "echo out; echo err >&2; echo more"),
				    nullptr };
	struct test_done	 d = {};

	test_begin(&test_defaults);
	assert_non_null(test_submit(argv, &d));
	assert_int_equal(job_running(), 1);
	assert_true(test_run_idle(5));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.exit_code, 0);
	assert_string_equal(d.out, "out\nmore\n");
	assert_int_equal(d.outlen, 9);
	assert_string_equal(d.err, "err\n");
	assert_int_equal(d.timed_out, 0);
	assert_int_equal(d.truncated, 0);
	assert_null(d.cause);
	assert_true(d.duration_ms >= 0);
	assert_int_equal(spawn_count(), 0);
	test_done_free(&d);
}

static void
test_job_exit_codes(void **)
{
	const char		*a0[] = { "/bin/sh", "-c", "exit 0", nullptr };
	const char		*a3[] = { "/bin/sh", "-c", "exit 3", nullptr };
	const char		*a255[] = { "/bin/sh", "-c", "exit 255",
				    nullptr };
	struct test_done	 d0 = {}, d3 = {}, d255 = {};

	test_begin(&test_defaults);
	assert_non_null(test_submit(a0, &d0));
	assert_non_null(test_submit(a3, &d3));
	assert_non_null(test_submit(a255, &d255));
	assert_true(test_run_idle(5));
	assert_int_equal(d0.called, 1);
	assert_int_equal(d0.exit_code, 0);
	assert_int_equal(d3.exit_code, 3);
	assert_int_equal(d255.exit_code, 255);
	test_done_free(&d0);
	test_done_free(&d3);
	test_done_free(&d255);
}

static void
test_job_signalled(void **)
{
	const char		*term[] = { "/bin/sh", "-c", "kill -TERM $$",
				    nullptr };
	const char		*kill9[] = { "/bin/sh", "-c", "kill -KILL $$",
				    nullptr };
	struct test_done	 dt = {}, dk = {};

	test_begin(&test_defaults);
	assert_non_null(test_submit(term, &dt));
	assert_non_null(test_submit(kill9, &dk));
	assert_true(test_run_idle(5));
	assert_int_equal(dt.exit_code, 128 + SIGTERM);
	assert_int_equal(dk.exit_code, 128 + SIGKILL);
	assert_int_equal(dt.timed_out, 0);
	test_done_free(&dt);
	test_done_free(&dk);
}

/* The timeout kills the whole process group, a background grandchild too. */
static void
test_job_timeout(void **)
{
	const char		*argv[] = { test_script("timeout",
				    "sleep 30 &\necho $!\nsleep 30"), nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 d = {};
	pid_t			 gpid;

	l.timeout = 1;
	test_begin(&l);
	assert_non_null(test_submit(argv, &d));
	assert_true(test_run_idle(5));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.timed_out, 1);
	assert_int_equal(d.exit_code, 128 + SIGTERM);
	assert_true(d.duration_ms >= 900);
	gpid = (pid_t)atol(d.out);
	assert_true(gpid > 1);
	assert_true(test_dies(gpid, 3));
	test_done_free(&d);
}

/* A child that ignores SIGTERM gets SIGKILL after the grace. */
static void
test_job_kill_grace(void **)
{
	const char		*argv[] = { test_script("noterm",
				    "trap '' TERM\nsleep 30"), nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 d = {};

	l.timeout = 1;
	l.kill_grace = 1;
	test_begin(&l);
	assert_non_null(test_submit(argv, &d));
	assert_true(test_run_idle(6));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.timed_out, 1);
	assert_int_equal(d.exit_code, 128 + SIGKILL);
	assert_true(d.duration_ms >= 1900);
	test_done_free(&d);
}

/* Past max_output stdout is cut and marked, but still drained: the child
 * writes 1 MiB and exits normally. stderr has its own cap. */
static void
test_job_truncate(void **)
{
	const char		*argv[] = { test_script("big",
				    "head -c 1048576 /dev/zero\n"
				    "echo 0123456789abcdef >&2"), nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 d = {};

	l.max_output = 1000;
	l.max_stderr = 10;
	test_begin(&l);
	assert_non_null(test_submit(argv, &d));
	assert_true(test_run_idle(5));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.exit_code, 0);
	assert_int_equal(d.timed_out, 0);
	assert_int_equal(d.truncated, 1);
	assert_int_equal(d.outlen, 1000);
	assert_string_equal(d.err, "0123456789");
	assert_int_equal(d.errlen, 10);
	test_done_free(&d);
}

/* Exactly max_output bytes is not a cut. */
static void
test_job_truncate_exact(void **)
{
	const char		*argv[] = { "/usr/bin/printf", "abc", nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 d = {};

	l.max_output = 3;
	test_begin(&l);
	assert_non_null(test_submit(argv, &d));
	assert_true(test_run_idle(5));
	assert_int_equal(d.truncated, 0);
	assert_string_equal(d.out, "abc");
	test_done_free(&d);
}

/* One slot, one queue place: the third is refused, the queued one runs
 * after the first, and argv was copied at submission. */
static void
test_job_queue(void **)
{
	const char		*a[] = { "/bin/sleep", "0.2", nullptr };
	char			 word[] = "b";
	const char		*b[] = { "/bin/echo", word, nullptr };
	const char		*c[] = { "/bin/true", nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 da = {}, db = {}, dc = {};

	l.max_jobs = 1;
	l.queue = 1;
	test_begin(&l);
	assert_non_null(test_submit(a, &da));
	assert_non_null(test_submit(b, &db));
	word[0] = 'X';
	assert_null(test_submit(c, &dc));
	assert_int_equal(job_running(), 1);
	assert_int_equal(job_queued(), 1);
	assert_true(test_run_idle(5));
	assert_int_equal(da.called, 1);
	assert_int_equal(db.called, 1);
	assert_int_equal(dc.called, 0);
	assert_int_equal(da.order, 1);
	assert_int_equal(db.order, 2);
	assert_string_equal(db.out, "b\n");
	test_done_free(&da);
	test_done_free(&db);
}

static void
test_job_cancel_queued(void **)
{
	const char		*a[] = { "/bin/sleep", "0.1", nullptr };
	const char		*b[] = { "/bin/echo", "b", nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 da = {}, db = {};
	struct job		*jb;

	l.max_jobs = 1;
	test_begin(&l);
	assert_non_null(test_submit(a, &da));
	assert_non_null(jb = test_submit(b, &db));
	assert_int_equal(job_queued(), 1);
	job_cancel(jb);
	job_cancel(nullptr);
	assert_int_equal(job_queued(), 0);
	assert_true(test_run_idle(5));
	assert_int_equal(da.called, 1);
	assert_int_equal(db.called, 0);
	test_done_free(&da);
}

/* A cancelled running job is killed (SIGKILL after the grace if it ignores
 * SIGTERM), reaped and freed without a callback. */
static void
test_job_cancel_running(void **)
{
	const char		*a[] = { "/bin/sleep", "30", nullptr };
	const char		*b[] = { test_script("noterm2",
				    "trap '' TERM\nsleep 30"), nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 da = {}, db = {};
	struct job		*ja, *jb;

	l.timeout = 30;
	test_begin(&l);
	assert_non_null(ja = test_submit(a, &da));
	assert_non_null(jb = test_submit(b, &db));
	/* Let sh install its trap before the SIGTERM. */
	event_base_loop(test_base, EVLOOP_ONCE);
	usleep(200000);
	job_cancel(ja);
	job_cancel(jb);
	job_cancel(jb);
	assert_true(test_run_idle(5));
	assert_int_equal(da.called, 0);
	assert_int_equal(db.called, 0);
	assert_int_equal(spawn_count(), 0);
}

struct test_reenter {
	struct test_done	 done;
	struct job		*victim;
	struct test_done	 next;
};

/* From inside a done callback: cancel another running job, cancel the
 * job being reported (a no-op) and submit a new one. */
static void
test_reenter_cb(struct job *job, const struct job_result *res, void *arg)
{
	struct test_reenter	*r = (struct test_reenter *)arg;
	const char		*c[] = { "/bin/echo", "c", nullptr };

	test_done_cb(job, res, &r->done);
	job_cancel(r->victim);
	job_cancel(job);
	assert_non_null(test_submit(c, &r->next));
}

static void
test_job_cancel_in_callback(void **)
{
	const char		*a[] = { "/bin/true", nullptr };
	const char		*b[] = { "/bin/sleep", "30", nullptr };
	struct job_limits	 l = test_defaults;
	struct test_reenter	 r = {};
	struct test_done	 db = {};

	l.max_jobs = 2;
	test_begin(&l);
	assert_non_null(test_submit_cb(a, test_reenter_cb, &r));
	assert_non_null(r.victim = test_submit(b, &db));
	assert_true(test_run_idle(5));
	assert_int_equal(r.done.called, 1);
	assert_int_equal(db.called, 0);
	assert_int_equal(r.next.called, 1);
	assert_string_equal(r.next.out, "c\n");
	test_done_free(&r.done);
	test_done_free(&r.next);
}

/* A missing command is reported through the callback, from the loop and
 * never from inside job_submit. */
static void
test_job_missing(void **)
{
	const char		*argv[] = { "/nonexistent/cmd", nullptr };
	struct test_done	 d = {}, d2 = {};
	struct job		*j2;

	test_begin(&test_defaults);
	assert_non_null(test_submit(argv, &d));
	assert_int_equal(d.called, 0);
	assert_non_null(j2 = test_submit(argv, &d2));
	job_cancel(j2);
	assert_true(test_run_idle(5));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.exit_code, -1);
	assert_non_null(d.cause);
	assert_string_equal(d.cause, "Command cmd not found");
	assert_string_equal(d.out, "");
	assert_int_equal(d2.called, 0);
	test_done_free(&d);
}

/* stdin is /dev/null: cat sees EOF at once. */
static void
test_job_stdin(void **)
{
	const char		*argv[] = { "/bin/cat", nullptr };
	struct test_done	 d = {};

	test_begin(&test_defaults);
	assert_non_null(test_submit(argv, &d));
	assert_true(test_run_idle(4));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.exit_code, 0);
	assert_int_equal(d.timed_out, 0);
	assert_int_equal(d.outlen, 0);
	test_done_free(&d);
}

/* The environment is the fixed one: nothing of ours leaks through. */
static void
test_job_env(void **)
{
	const char		*argv[] = { test_script("env-print",
				    "echo \"$PATH|$HESTIA|$LANG|"
				    "${TEST_JOB_LEAK-none}\""), nullptr };
	struct test_done	 d = {};

	setenv("TEST_JOB_LEAK", "1", 1);
	test_begin(&test_defaults);
	assert_non_null(test_submit(argv, &d));
	assert_true(test_run_idle(5));
	assert_string_equal(d.out, "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
	    "/usr/bin:/sbin:/bin|/usr/local/hestia|C.UTF-8|none\n");
	test_done_free(&d);
}

/* A grandchild holding the pipes open does not hang the job. */
static void
test_job_grandchild_pipe(void **)
{
	const char		*argv[] = { test_script("bg",
				    "sleep 100 &\necho $!\necho done >&2"),
				    nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 d = {};
	pid_t			 gpid;

	l.timeout = 30;
	test_begin(&l);
	assert_non_null(test_submit(argv, &d));
	assert_true(test_run_idle(8));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.exit_code, 0);
	assert_int_equal(d.timed_out, 0);
	assert_string_equal(d.err, "done\n");
	gpid = (pid_t)atol(d.out);
	assert_true(gpid > 1);
	kill(gpid, SIGKILL);
	test_done_free(&d);
}

/* Draining drops the queue and refuses new jobs; running ones finish. */
static void
test_job_drain(void **)
{
	const char		*a[] = { "/bin/sleep", "0.1", nullptr };
	const char		*b[] = { "/bin/true", nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 da = {}, db = {}, dc = {};

	l.max_jobs = 1;
	test_begin(&l);
	assert_non_null(test_submit(a, &da));
	assert_non_null(test_submit(b, &db));
	assert_int_equal(job_drain(), 1);
	assert_int_equal(job_queued(), 0);
	assert_null(test_submit(b, &dc));
	assert_true(test_run_idle(5));
	assert_int_equal(da.called, 1);
	assert_int_equal(db.called, 0);
	assert_int_equal(dc.called, 0);
	test_done_free(&da);
}

/* Raising max_jobs starts queued jobs at once. */
static void
test_job_set_limits(void **)
{
	const char		*a[] = { "/bin/sleep", "0.3", nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 d[3] = {};
	int			 i;

	l.max_jobs = 1;
	test_begin(&l);
	for (i = 0; i < 3; i++)
		assert_non_null(test_submit(a, &d[i]));
	assert_int_equal(job_running(), 1);
	assert_int_equal(job_queued(), 2);
	l.max_jobs = 3;
	job_set_limits(&l);
	assert_int_equal(job_running(), 3);
	assert_int_equal(job_queued(), 0);
	assert_true(test_run_idle(5));
	for (i = 0; i < 3; i++) {
		assert_int_equal(d[i].called, 1);
		test_done_free(&d[i]);
	}
}

static void
test_output_cb(struct job *, int fd, const char *buf, size_t len, void *arg)
{
	struct test_done	*d = (struct test_done *)arg;
	size_t			 n = strlen(d->streamed);

	snprintf(d->streamed + n, sizeof d->streamed - n, "%d:%.*s|", fd,
	    (int)len, buf);
}

/* Output reaches the output callback as it is read, before the end, and
 * never past the cap; the done callback still gets all of it. */
static void
test_job_output_cb(void **)
{
	const char		*argv[] = { test_script("stream",
				    "echo one; sleep 0.3; echo two >&2; "
				    "echo 0123456789"), nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 d = {};
	struct job		*job;
	double			 deadline;

	l.max_output = 8;	/* "one\n" and 4 bytes of the last line */
	test_begin(&l);
	assert_non_null(job = test_submit(argv, &d));
	job_set_output(job, test_output_cb);
	deadline = test_now() + 5;
	while (d.streamed[0] == '\0' && test_now() < deadline)
		event_base_loop(test_base, EVLOOP_ONCE);
	assert_string_equal(d.streamed, "1:one\n|");
	assert_int_equal(d.called, 0);		/* still running */
	assert_true(test_run_idle(5));
	assert_int_equal(d.called, 1);
	assert_string_equal(d.streamed, "1:one\n|2:two\n|1:0123|");
	assert_string_equal(d.out, "one\n0123");
	assert_int_equal(d.truncated, 1);
	test_done_free(&d);
}

/* job_kill: a running job is stopped (SIGKILL after the grace when it
 * ignores SIGTERM) and its callback says so; a queued one ends without
 * starting. */
static void
test_job_kill(void **)
{
	const char		*a[] = { test_script("noterm3",
				    "trap '' TERM\nsleep 30"), nullptr };
	const char		*b[] = { "/bin/echo", "never", nullptr };
	struct job_limits	 l = test_defaults;
	struct test_done	 da = {}, db = {};
	struct job_stats	 before, after;
	struct job		*ja, *jb;

	l.max_jobs = 1;
	l.timeout = 30;
	test_begin(&l);
	job_stats_get(&before);
	assert_non_null(ja = test_submit(a, &da));
	assert_non_null(jb = test_submit(b, &db));
	assert_int_equal(job_queued(), 1);
	event_base_loop(test_base, EVLOOP_ONCE);
	usleep(200000);
	job_kill(jb);
	assert_int_equal(job_queued(), 0);
	job_kill(ja);
	job_kill(ja);
	assert_true(test_run_idle(5));
	assert_int_equal(da.called, 1);
	assert_int_equal(da.killed, 1);
	assert_int_equal(da.exit_code, 128 + SIGKILL);
	assert_int_equal(da.timed_out, 0);
	assert_int_equal(db.called, 1);
	assert_int_equal(db.killed, 1);
	assert_int_equal(db.exit_code, -1);
	assert_string_equal(db.out, "");
	assert_int_equal(spawn_count(), 0);
	/* Both count as cancelled: asked for, not a spawn failure or a
	 * signal from elsewhere. */
	job_stats_get(&after);
	assert_int_equal(after.ended[JOB_CANCELLED] -
	    before.ended[JOB_CANCELLED], 2);
	assert_int_equal(after.ended[JOB_SPAWN_FAILED] -
	    before.ended[JOB_SPAWN_FAILED], 0);
	assert_int_equal(after.ended[JOB_KILLED] - before.ended[JOB_KILLED], 0);
	test_done_free(&da);
	test_done_free(&db);
}

/* job_detach: the job runs to its end with nobody told. */
static void
test_job_detach(void **)
{
	char			 path[PATH_MAX], body[PATH_MAX + 64];
	const char		*argv[2] = { nullptr, nullptr };
	struct test_done	 d = {};
	struct job		*job;

	snprintf(path, sizeof path, "%s/detached.out", test_dir);
	snprintf(body, sizeof body, "sleep 0.2; echo ran > %s", path);
	argv[0] = test_script("detached", body);
	test_begin(&test_defaults);
	assert_non_null(job = test_submit(argv, &d));
	job_set_output(job, test_output_cb);
	job_detach(job);
	assert_int_equal(job_running(), 1);
	assert_true(test_run_idle(5));
	assert_int_equal(d.called, 0);
	assert_string_equal(d.streamed, "");
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

/* Ids: random, of the documented form, and found while the job lives. */
static void
test_job_ids(void **)
{
	const char		*argv[] = { "/bin/sleep", "0.2", nullptr };
	struct test_done	 d1 = {}, d2 = {};
	struct job		*j1, *j2;
	char			 id[JOB_ID_LEN + 1];

	test_begin(&test_defaults);
	assert_non_null(j1 = test_submit(argv, &d1));
	assert_non_null(j2 = test_submit(argv, &d2));
	assert_int_equal(strlen(job_id(j1)), JOB_ID_LEN);
	assert_int_equal(strspn(job_id(j1), KEY_ID_ALPHABET), JOB_ID_LEN);
	assert_string_not_equal(job_id(j1), job_id(j2));
	assert_ptr_equal(job_find(job_id(j2)), j2);
	assert_null(job_find("nosuchjobnosuchjob00"));
	assert_string_equal(job_owner(j1), "");
	job_set_owner(j1, "AbCdEfGhIjKlMnOp0123");
	assert_string_equal(job_owner(j1), "AbCdEfGhIjKlMnOp0123");
	snprintf(id, sizeof id, "%s", job_id(j1));
	assert_true(test_run_idle(5));
	assert_null(job_find(id));
	test_done_free(&d1);
	test_done_free(&d2);
}

#define TEST(f) cmocka_unit_test_teardown(f, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_job_output),
		TEST(test_job_exit_codes),
		TEST(test_job_signalled),
		TEST(test_job_timeout),
		TEST(test_job_kill_grace),
		TEST(test_job_truncate),
		TEST(test_job_truncate_exact),
		TEST(test_job_queue),
		TEST(test_job_cancel_queued),
		TEST(test_job_cancel_running),
		TEST(test_job_cancel_in_callback),
		TEST(test_job_missing),
		TEST(test_job_stdin),
		TEST(test_job_env),
		TEST(test_job_grandchild_pipe),
		TEST(test_job_drain),
		TEST(test_job_set_limits),
		TEST(test_job_output_cb),
		TEST(test_job_kill),
		TEST(test_job_detach),
		TEST(test_job_ids),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}

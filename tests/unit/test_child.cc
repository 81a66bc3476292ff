/* SPDX-License-Identifier: GPL-3.0-or-later */
/* spawn.cc against real children: pipes, exit status, child-side state. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
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
#include "child.h"

extern char **environ;

struct test_exit {
	int	 called;
	pid_t	 pid;
	int	 status;
};

static struct event_base	*test_base;
static struct event		*test_tick;
static int			 test_exits;

static void
test_tick_cb(evutil_socket_t, short, void *)
{
}

static int
test_setup(void **)
{
	struct timeval	 tv = { 0, 50000 };

	test_base = event_base_new();
	assert_non_null(test_base);
	/* A tick, so EVLOOP_ONCE always comes back to check the deadline. */
	test_tick = event_new(test_base, -1, EV_PERSIST, test_tick_cb, nullptr);
	event_add(test_tick, &tv);
	assert_int_equal(child_init(test_base), 0);
	test_exits = 0;
	return 0;
}

static int
test_teardown(void **)
{
	child_shutdown();
	event_free(test_tick);
	event_base_free(test_base);
	return 0;
}

static double
test_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_exit_cb(pid_t pid, int status, void *arg)
{
	struct test_exit	*e = (struct test_exit *)arg;

	e->called++;
	e->pid = pid;
	e->status = status;
	test_exits++;
}

/* Run the loop until n exit callbacks have run or secs have passed. */
static int
test_wait_exits(int n, int secs)
{
	double	 deadline = test_now() + secs;

	while (test_exits < n && test_now() < deadline)
		event_base_loop(test_base, EVLOOP_ONCE);
	return test_exits >= n;
}

/* Read both pipes to EOF (bounded by secs); closes them. */
static int
test_read_both(struct child_proc *p, char *out, size_t outsz, char *err,
    size_t errsz, int secs)
{
	struct pollfd	 pfd[2];
	double		 deadline = test_now() + secs;
	size_t		 len[2] = { 0, 0 };
	char		*buf[2] = { out, err };
	size_t		 sz[2] = { outsz, errsz };
	ssize_t		 n;
	int		 i, open = 2;

	pfd[0].fd = p->out_fd;
	pfd[1].fd = p->err_fd;
	pfd[0].events = pfd[1].events = POLLIN;
	while (open > 0 && test_now() < deadline) {
		if (poll(pfd, 2, 100) == -1) {
			if (errno == EINTR)	/* SIGCHLD */
				continue;
			return -1;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, buf[i] + len[i],
			    sz[i] - 1 - len[i]);
			if (n == -1 && errno == EAGAIN)
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open--;
				continue;
			}
			len[i] += n;
		}
	}
	out[len[0]] = '\0';
	err[len[1]] = '\0';
	for (i = 0; i < 2; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	return open == 0 ? 0 : -1;
}

/* Spawn argv, collect stdout, wait for exit. */
static void
test_run(const char **argv, char *out, size_t outsz, struct test_exit *e)
{
	struct child_proc	 p;
	char			*cause, err[4096];

	assert_int_equal(child_start((char *const *)argv, environ, test_exit_cb,
	    e, &p, &cause), 0);
	assert_null(cause);
	assert_int_equal(test_read_both(&p, out, outsz, err, sizeof err, 5),
	    0);
	assert_true(test_wait_exits(test_exits + 1, 5));
	assert_int_equal(e->called, 1);
	assert_int_equal(e->pid, p.pid);
}

static void
test_child_pipes_and_status(void **)
{
	const char		*argv[] = { "/bin/sh", "-c",
				    "echo out; echo err >&2; exit 3", nullptr };
	struct child_proc	 p;
	struct test_exit	 e = {};
	char			*cause, out[64], err[64];

	assert_int_equal(child_start((char *const *)argv, environ, test_exit_cb,
	    &e, &p, &cause), 0);
	assert_true(p.pid > 0);
	assert_int_equal(child_count(), 1);
	assert_int_equal(test_read_both(&p, out, sizeof out, err, sizeof err,
	    5), 0);
	assert_string_equal(out, "out\n");
	assert_string_equal(err, "err\n");
	assert_true(test_wait_exits(1, 5));
	assert_int_equal(e.pid, p.pid);
	assert_true(WIFEXITED(e.status));
	assert_int_equal(WEXITSTATUS(e.status), 3);
	assert_int_equal(child_count(), 0);
}

static void
test_spawn_missing(void **)
{
	const char		*argv[] = { "/nonexistent/prog", nullptr };
	struct child_proc	 p;
	struct test_exit	 e = {};
	char			*cause;

	assert_int_equal(child_start((char *const *)argv, environ, test_exit_cb,
	    &e, &p, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "posix_spawn /nonexistent/prog: "));
	assert_non_null(strstr(cause, strerror(ENOENT)));
	assert_int_equal(p.pid, -1);
	assert_int_equal(p.out_fd, -1);
	assert_int_equal(p.err_fd, -1);
	assert_int_equal(child_count(), 0);
	free(cause);
}

static void
test_spawn_not_executable(void **)
{
	const char		*argv[] = { "/etc/passwd", nullptr };
	struct child_proc	 p;
	char			*cause;

	assert_int_equal(child_start((char *const *)argv, environ, test_exit_cb,
	    nullptr, &p, &cause), -1);
	assert_non_null(strstr(cause, "posix_spawn /etc/passwd: "));
	assert_non_null(strstr(cause, strerror(EACCES)));
	free(cause);
}

static void
test_spawn_relative(void **)
{
	const char		*argv[] = { "bin/true", nullptr };
	const char		*empty[] = { nullptr };
	struct child_proc	 p;
	char			*cause;

	assert_int_equal(child_start((char *const *)argv, environ, test_exit_cb,
	    nullptr, &p, &cause), -1);
	assert_non_null(strstr(cause, "not an absolute path"));
	free(cause);
	assert_int_equal(child_start((char *const *)empty, environ,
	    test_exit_cb, nullptr, &p, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(child_count(), 0);
}

/* The child leads a new session and process group. */
static void
test_spawn_session(void **)
{
	const char		*argv[] = { "/bin/cat", "/proc/self/stat",
				    nullptr };
	struct test_exit	 e = {};
	char			 out[4096], *p;
	long			 ppid, pgrp, sid;
	char			 state;

	test_run(argv, out, sizeof out, &e);
	assert_non_null(p = strrchr(out, ')'));
	assert_int_equal(sscanf(p + 1, " %c %ld %ld %ld", &state, &ppid, &pgrp,
	    &sid), 4);
	assert_int_equal(pgrp, e.pid);
	assert_int_equal(sid, e.pid);
	assert_int_equal(ppid, getpid());
}

/* Only 0, 1 and 2 are open (3 is ls's own directory handle), stdin is
 * /dev/null. */
static void
test_spawn_fds(void **)
{
	const char		*ls[] = { "/bin/ls", "/proc/self/fd", nullptr };
	const char		*rl[] = { "/bin/readlink", "/proc/self/fd/0",
				    nullptr };
	struct test_exit	 e1 = {}, e2 = {};
	char			 out[4096];
	int			 fd;

	/* An inheritable fd of ours must not reach the child. */
	assert_true((fd = dup(STDERR_FILENO)) > 2);
	test_run(ls, out, sizeof out, &e1);
	close(fd);
	assert_string_equal(out, "0\n1\n2\n3\n");
	test_run(rl, out, sizeof out, &e2);
	assert_string_equal(out, "/dev/null\n");
}

/* Signal mask empty and nothing ignored, though we ignore SIGPIPE and
 * block SIGUSR1. glibc's posix_spawn itself leaves its two internal signals
 * (32, 33) ignored; the exec'd program's libc installs its own. */
static void
test_spawn_signals(void **)
{
	const char		*argv[] = { "/bin/grep", "^Sig[BI]",
				    "/proc/self/status", nullptr };
	struct test_exit	 e = {};
	sigset_t		 set, old;
	void			 (*oldpipe)(int);
	char			 out[4096];
	unsigned long long	 blk, ign;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	oldpipe = signal(SIGPIPE, SIG_IGN);
	test_run(argv, out, sizeof out, &e);
	signal(SIGPIPE, oldpipe);
	sigprocmask(SIG_SETMASK, &old, nullptr);
	assert_int_equal(sscanf(out, "SigBlk:\t%llx\nSigIgn:\t%llx", &blk,
	    &ign), 2);
	assert_int_equal(blk, 0);
	assert_int_equal(ign & ~((1ULL << 31) | (1ULL << 32)), 0);
}

/* child_kill reaches the whole group: the pipes reach EOF only when the
 * background grandchild has died too. */
static void
test_child_kill_group(void **)
{
	const char		*argv[] = { "/bin/sh", "-c",
				    "sleep 30 & sleep 30", nullptr };
	struct child_proc	 p;
	struct test_exit	 e = {};
	char			*cause, out[64], err[64];

	assert_int_equal(child_start((char *const *)argv, environ, test_exit_cb,
	    &e, &p, &cause), 0);
	usleep(100000);
	assert_int_equal(child_kill(p.pid, SIGTERM), 0);
	assert_int_equal(test_read_both(&p, out, sizeof out, err, sizeof err,
	    5), 0);
	assert_true(test_wait_exits(1, 5));
	assert_true(WIFSIGNALED(e.status));
	assert_int_equal(WTERMSIG(e.status), SIGTERM);
}

static void
test_child_kill_bad_pid(void **)
{
	errno = 0;
	assert_int_equal(child_kill(0, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(child_kill(1, 0), -1);
	assert_int_equal(child_kill(-5, 0), -1);
}

/* SIGCHLD coalesces: many children exiting together are all reaped and
 * each callback runs once. */
static void
test_spawn_many(void **)
{
	const char		*argv[] = { "/bin/true", nullptr };
	struct child_proc	 p[20];
	struct test_exit	 e[20] = {};
	char			*cause;
	size_t			 i;

	for (i = 0; i < nitems(p); i++) {
		assert_int_equal(child_start((char *const *)argv, environ,
		    test_exit_cb, &e[i], &p[i], &cause), 0);
		close(p[i].out_fd);
		close(p[i].err_fd);
	}
	assert_int_equal(child_count(), (int)nitems(p));
	assert_true(test_wait_exits(nitems(p), 5));
	for (i = 0; i < nitems(p); i++) {
		assert_int_equal(e[i].called, 1);
		assert_int_equal(e[i].pid, p[i].pid);
		assert_int_equal(e[i].status, 0);
	}
	assert_int_equal(child_count(), 0);
}

/* Pipes come and go in every order, so their descriptors pair up anew
 * and again (the file actions are kept per pair of write ends): every
 * child still writes its stdout and stderr to its own two pipes. */
static void
test_spawn_pipes_reused(void **)
{
	const char		*argv[] = { "/bin/sh", "-c",
				    "echo out $1; echo err $1 >&2", "sh",
				    nullptr, nullptr };
	struct child_proc	 p[8];
	struct test_exit	 e[8];
	char			*cause, num[16], out[64], err[64], want[64];
	int			 round, i, k, done = 0;

	for (round = 0; round < 6; round++) {
		memset(e, 0, sizeof e);
		for (i = 0; i < 8; i++) {
			snprintf(num, sizeof num, "%d.%d", round, i);
			argv[4] = num;
			assert_int_equal(child_start((char *const *)argv,
			    environ, test_exit_cb, &e[i], &p[i], &cause), 0);
		}
		/* Read them back in an order that changes each round. */
		for (k = 0; k < 8; k++) {
			i = (k * (round % 2 == 0 ? 3 : 5) + round) % 8;
			assert_int_equal(test_read_both(&p[i], out, sizeof out,
			    err, sizeof err, 5), 0);
			snprintf(want, sizeof want, "out %d.%d\n", round, i);
			assert_string_equal(out, want);
			snprintf(want, sizeof want, "err %d.%d\n", round, i);
			assert_string_equal(err, want);
		}
		done += 8;
		assert_true(test_wait_exits(done, 5));
	}
	assert_int_equal(child_count(), 0);
}

/* A child we did not start is reaped and ignored. */
static void
test_spawn_unknown_child(void **)
{
	const char		*argv[] = { "/bin/true", nullptr };
	const char		*argv2[] = { "/bin/sleep", "0.2", nullptr };
	struct child_proc	 p;
	struct test_exit	 e = {};
	char			*cause;
	pid_t			 other;

	assert_int_equal(posix_spawn(&other, argv[0], nullptr, nullptr,
	    (char *const *)argv, environ), 0);
	assert_int_equal(child_start((char *const *)argv2, environ,
	    test_exit_cb, &e, &p, &cause), 0);
	close(p.out_fd);
	close(p.err_fd);
	assert_true(test_wait_exits(1, 5));
	assert_int_equal(e.called, 1);
	assert_int_equal(e.pid, p.pid);
	assert_int_equal(waitpid(other, nullptr, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void
test_child_init_twice(void **)
{
	struct event_base	*other;

	assert_int_equal(child_init(test_base), 0);
	other = event_base_new();
	assert_int_equal(child_init(other), -1);
	event_base_free(other);
}

static void
test_spawn_not_initialised(void **)
{
	const char		*argv[] = { "/bin/true", nullptr };
	struct child_proc	 p;
	char			*cause;

	child_shutdown();
	assert_int_equal(child_start((char *const *)argv, environ, test_exit_cb,
	    nullptr, &p, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(child_init(test_base), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_child_pipes_and_status,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_missing,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_not_executable,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_relative,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_session,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_fds,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_signals,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_child_kill_group,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_child_kill_bad_pid,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_many,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_pipes_reused,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_unknown_child,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_child_init_twice,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_spawn_not_initialised,
		    test_setup, test_teardown),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}

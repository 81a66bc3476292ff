/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The yardstick for bench/run.sh: a bare evhttp server that runs one command
 * per request with posix_spawn and answers with its exit code (or, with -s,
 * answers at once), so hestia-apid's overhead can be measured against it. */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

/* One request waiting for its child: done when both EOF and exit are seen. */
struct baseline_job {
	LIST_ENTRY(baseline_job)	 entry;
	pid_t				 pid;
	int				 fd;
	struct event			*ev;
	struct evhttp_request		*req;
	int				 status;
	bool				 exited;
	bool				 eof;
};
LIST_HEAD(baseline_jobs, baseline_job);

static struct baseline_jobs	 baseline_jobs =
    LIST_HEAD_INITIALIZER(baseline_jobs);
static struct event_base	*baseline_base;
static char			**baseline_argv;
static posix_spawnattr_t	 baseline_attr;

[[noreturn]] static void
baseline_usage(void)
{
	fprintf(stderr, "usage: baseline [-s] [-p portfile] -- command "
	    "[arg ...]\n");
	exit(2);
}

/* Answer a request with a status and a short body. */
static void
baseline_reply(struct evhttp_request *req, int code, const char *reason,
    const char *body)
{
	struct evbuffer	*buf;

	buf = evbuffer_new();
	if (buf == nullptr)
		errx(1, "evbuffer_new");
	evbuffer_add(buf, body, strlen(body));
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain");
	evhttp_send_reply(req, code, reason, buf);
	evbuffer_free(buf);
}

static void
baseline_job_free(struct baseline_job *job)
{
	if (job->ev != nullptr)
		event_free(job->ev);
	if (job->fd != -1)
		close(job->fd);
	free(job);
}

/* Reply once the child has both exited and closed its output. */
static void
baseline_job_check(struct baseline_job *job)
{
	char	body[16];
	int	rc;

	if (!job->exited || !job->eof)
		return;
	if (WIFEXITED(job->status))
		rc = WEXITSTATUS(job->status);
	else
		rc = 128 + WTERMSIG(job->status);
	snprintf(body, sizeof body, "%d", rc);
	baseline_reply(job->req, 200, "OK", body);
	LIST_REMOVE(job, entry);
	baseline_job_free(job);
}

/* Drain the child's output; only its end matters here. */
static void
baseline_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct baseline_job	*job = (struct baseline_job *)arg;
	char			 buf[4096];
	ssize_t			 n;

	(void)events;
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n > 0)
			continue;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		break;
	}
	if (n == -1)
		warn("read");
	event_del(job->ev);
	job->eof = true;
	baseline_job_check(job);
}

/* Reap every child that has exited and hand its status to its job. */
static void
baseline_sigchld_cb(evutil_socket_t sig, short events, void *arg)
{
	struct baseline_job	*job;
	pid_t			 pid;
	int			 status;

	(void)sig;
	(void)events;
	(void)arg;
	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			break;
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				warn("waitpid");
			break;
		}
		LIST_FOREACH(job, &baseline_jobs, entry) {
			if (job->pid == pid)
				break;
		}
		if (job == nullptr)
			continue;
		job->status = status;
		job->exited = true;
		baseline_job_check(job);
	}
}

static void
baseline_quit_cb(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	(void)arg;
	event_base_loopbreak(baseline_base);
}

/* Start the command for req with stdin from /dev/null and stdout and stderr
 * on one non-blocking pipe, as hestia-apid does. */
static int
baseline_spawn(struct evhttp_request *req)
{
	posix_spawn_file_actions_t	 fa;
	struct baseline_job		*job;
	int				 p[2] = { -1, -1 }, rc = -1, error;
	bool				 fa_ok = false;

	job = (struct baseline_job *)calloc(1, sizeof *job);
	if (job == nullptr)
		err(1, "calloc");
	job->fd = -1;
	job->req = req;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		warn("pipe2");
		goto done;
	}
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto done;
	fa_ok = true;
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
	    0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, p[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, p[1], 2) != 0 ||
	    posix_spawn_file_actions_addclosefrom_np(&fa, 3) != 0)
		goto done;
	error = posix_spawn(&job->pid, baseline_argv[0], &fa, &baseline_attr,
	    baseline_argv, environ);
	if (error != 0) {
		errno = error;
		warn("posix_spawn %s", baseline_argv[0]);
		goto done;
	}
	close(p[1]);
	p[1] = -1;
	job->fd = p[0];
	p[0] = -1;
	job->ev = event_new(baseline_base, job->fd, EV_READ | EV_PERSIST,
	    baseline_read_cb, job);
	if (job->ev == nullptr || event_add(job->ev, nullptr) == -1)
		errx(1, "event_new");
	LIST_INSERT_HEAD(&baseline_jobs, job, entry);
	job = nullptr;
	rc = 0;

done:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	if (job != nullptr)
		baseline_job_free(job);
	return rc;
}

static void
baseline_request_cb(struct evhttp_request *req, void *arg)
{
	bool	nospawn = *(bool *)arg;

	if (nospawn) {
		baseline_reply(req, 200, "OK", "0");
		return;
	}
	if (baseline_spawn(req) == -1)
		baseline_reply(req, 500, "Internal Server Error", "spawn");
}

/* Write "127.0.0.1:PORT" atomically so a reader never sees half of it. */
static void
baseline_write_port(const char *path, evutil_socket_t fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	char			 tmp[4096];
	FILE			*f;

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		err(1, "getsockname");
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		errx(1, "%s: path too long", path);
	if ((f = fopen(tmp, "w")) == nullptr)
		err(1, "%s", tmp);
	fprintf(f, "127.0.0.1:%u\n", (unsigned)ntohs(sin.sin_port));
	if (fclose(f) == EOF)
		err(1, "%s", tmp);
	if (rename(tmp, path) == -1)
		err(1, "rename %s", path);
}

int
main(int argc, char **argv)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*ev_chld, *ev_int, *ev_term;
	struct baseline_job		*job;
	sigset_t			 mask;
	const char			*portfile = nullptr;
	bool				 nospawn = false;
	int				 ch;

	while ((ch = getopt(argc, argv, "p:s")) != -1) {
		switch (ch) {
		case 'p':
			portfile = optarg;
			break;
		case 's':
			nospawn = true;
			break;
		default:
			baseline_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (!nospawn && argc == 0)
		baseline_usage();
	baseline_argv = argv;

	/* The child gets an empty mask and default dispositions. */
	if (posix_spawnattr_init(&baseline_attr) != 0)
		errx(1, "posix_spawnattr_init");
	sigemptyset(&mask);
	posix_spawnattr_setsigmask(&baseline_attr, &mask);
	sigfillset(&mask);
	sigdelset(&mask, SIGKILL);
	sigdelset(&mask, SIGSTOP);
	posix_spawnattr_setsigdefault(&baseline_attr, &mask);
	posix_spawnattr_setflags(&baseline_attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);

	signal(SIGPIPE, SIG_IGN);
	if ((baseline_base = event_base_new()) == nullptr)
		errx(1, "event_base_new");
	ev_chld = evsignal_new(baseline_base, SIGCHLD, baseline_sigchld_cb,
	    nullptr);
	ev_int = evsignal_new(baseline_base, SIGINT, baseline_quit_cb, nullptr);
	ev_term = evsignal_new(baseline_base, SIGTERM, baseline_quit_cb,
	    nullptr);
	if (ev_chld == nullptr || ev_int == nullptr || ev_term == nullptr ||
	    evsignal_add(ev_chld, nullptr) == -1 ||
	    evsignal_add(ev_int, nullptr) == -1 ||
	    evsignal_add(ev_term, nullptr) == -1)
		errx(1, "evsignal_new");

	if ((http = evhttp_new(baseline_base)) == nullptr)
		errx(1, "evhttp_new");
	evhttp_set_gencb(http, baseline_request_cb, &nospawn);
	bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (bound == nullptr)
		errx(1, "cannot listen on 127.0.0.1");
	if (portfile != nullptr)
		baseline_write_port(portfile, evhttp_bound_socket_get_fd(bound));

	event_base_dispatch(baseline_base);

	/* Every pending request is answered before evhttp_free. */
	while ((job = LIST_FIRST(&baseline_jobs)) != nullptr) {
		baseline_reply(job->req, 503, "Service Unavailable", "shutdown");
		LIST_REMOVE(job, entry);
		baseline_job_free(job);
	}
	evhttp_free(http);
	event_free(ev_chld);
	event_free(ev_int);
	event_free(ev_term);
	posix_spawnattr_destroy(&baseline_attr);
	event_base_free(baseline_base);
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The root helper (privilege separation, OpenSMTPD style). */
#include <sys/types.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "apid.h"
#include "child.h"
#include "cmd.h"
#include "config.h"
#include "hconf.h"
#include "helper.h"
#include "hsync.h"
#include "privsep.h"

/*
 * Design. main() binds the listeners, loads the TLS key and opens AUTH_LOG
 * as root, then forks this helper and drops to USER (the network side).
 * The helper keeps root and does only what needs it:
 *
 *  - spawn channel (asynchronous, like OpenSMTPD's IMSG_MDA_FORK, _DONE and
 *    _KILL): PRIV_SPAWN id name args -> the helper checks the name itself
 *    (priv_name_ok, then an executable regular file inside BIN_DIR after
 *    symlinks), builds argv (EXEC_PREFIX) and the fixed environment,
 *    posix_spawns (own session and group, stdin /dev/null) and answers
 *    PRIV_STARTED id pid with the stdout and stderr pipes (SCM_RIGHTS), or
 *    PRIV_FAILED id why. PRIV_EXITED id status follows each exit.
 *    PRIV_KILL id sig reaches a group only by id; a group is remembered
 *    while it has members, since a grandchild may outlive the command.
 *  - control channel (synchronous, rare): PRIV_AUTHLOG and PRIV_RELOAD
 *    answer PRIV_FILES with descriptors opened as root (AUTH_LOG after
 *    logrotate made it 0600 root; the config file, the TLS certificate
 *    and key for SIGHUP), or PRIV_REFUSED why. The helper opens only the
 *    files its own reading of its own config names, never a path sent to
 *    it.
 *
 * Authorization stays on the network side: it decides which allowed
 * command runs; the helper decides what a command is. A malformed message
 * closes the channel: the helper kills everything it started and exits,
 * and so does the network side (systemd restarts the daemon). EOF on the
 * spawn channel (the network side exited or died) does the same. The
 * helper is a child subreaper, so commands that daemonise come back to it
 * and are killed too: no orphans, no zombies.
 *
 * The helper never blocks on the network side: what it cannot send at
 * once waits in a queue (bounded by the commands it runs).
 *
 * It spawns from its one thread. A pool of spawner threads (one a CPU,
 * the loop keeping the reaping and the kills by id) was measured on 2
 * vCPUs: 2-7% fewer commands a second and about 20% more CPU a command
 * (thread hand-offs, TLB shootdowns of posix_spawn's stack), for a p99
 * 30% lower at 64 connections. Not worth its locks in root code there.
 */

#define HELPER_CHILDREN_MAX	4096	/* commands remembered at once */
#define HELPER_ASK_TIMEOUT	5	/* s the network side waits for us */
#define HELPER_REAP_WAIT	5	/* s to reap what we killed at exit */

struct helper_child {
	uint32_t			 id;
	pid_t				 pid;	/* and its group */
	int				 exited;
	TAILQ_ENTRY(helper_child)	 entry;
};
TAILQ_HEAD(helper_children, helper_child);

struct helper_out {
	struct priv_hdr			 hdr;
	char				*payload;
	int				 fds[2];
	int				 nfds;
	TAILQ_ENTRY(helper_out)		 entry;
};
TAILQ_HEAD(helper_outq, helper_out);

static struct config		 helper_conf;
static char			**helper_envp;	/* helper_conf's */
static struct event_base	*helper_base;
static int			 helper_spawn_fd = -1;
static int			 helper_ctl_fd = -1;
static struct event		*helper_write_ev;
static struct helper_children	 helper_children =
    TAILQ_HEAD_INITIALIZER(helper_children);
static int			 helper_nchildren;
static struct helper_outq	 helper_outq = TAILQ_HEAD_INITIALIZER(helper_outq);
static char			*helper_buf;

[[noreturn]] static void	helper_finish(int code);

/* --- sending, never blocking --- */

static void
helper_out_free(struct helper_out *o)
{
	for (int i = 0; i < o->nfds; i++)
		close(o->fds[i]);
	free(o->payload);
	free(o);
}

static void
helper_flush(void)
{
	struct helper_out	*o;

	while ((o = TAILQ_FIRST(&helper_outq)) != nullptr) {
		if (priv_send(helper_spawn_fd, o->hdr.type, o->hdr.id,
		    o->hdr.value, o->payload, o->hdr.len, o->fds,
		    o->nfds) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				event_add(helper_write_ev, nullptr);
				return;
			}
			log_warn("helper: sendmsg");
			helper_finish(1);
		}
		TAILQ_REMOVE(&helper_outq, o, entry);
		helper_out_free(o);
	}
}

static void
helper_write_cb(evutil_socket_t, short, void *)
{
	helper_flush();
}

/* Queue a message; the descriptors are the queue's (closed once sent). */
static void
helper_send(uint32_t type, uint32_t id, int32_t value, const char *text,
    int out_fd, int err_fd)
{
	struct helper_out	*o;

	o = XCALLOC(struct helper_out);
	o->hdr.type = type;
	o->hdr.id = id;
	o->hdr.value = value;
	if (text != nullptr) {
		o->hdr.len = (uint32_t)strnlen(text, 1024);
		o->payload = xstrndup(text, o->hdr.len);
	}
	if (out_fd != -1) {
		o->fds[o->nfds++] = out_fd;
		o->fds[o->nfds++] = err_fd;
	}
	TAILQ_INSERT_TAIL(&helper_outq, o, entry);
	helper_flush();
}

/* --- commands --- */

/* The commands' environment depends on the config alone. */
static void
helper_envp_build(void)
{
	char	 dir[PATH_MAX];

	cmd_vfree(helper_envp);
	config_hestia_dir(&helper_conf, dir, sizeof dir);
	helper_envp = cmd_envp(dir);
}

static struct helper_child *
helper_find(uint32_t id)
{
	struct helper_child	*c;

	TAILQ_FOREACH(c, &helper_children, entry) {
		if (c->id == id)
			return c;
	}
	return nullptr;
}

/* Forget exited commands whose group has no member left. */
static void
helper_prune(void)
{
	struct helper_child	*c, *next;

	for (c = TAILQ_FIRST(&helper_children); c != nullptr; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!c->exited || kill(-c->pid, 0) == 0 || errno != ESRCH)
			continue;
		TAILQ_REMOVE(&helper_children, c, entry);
		helper_nchildren--;
		free(c);
	}
}

static void
helper_exit_cb(pid_t, int status, void *arg)
{
	struct helper_child	*c = (struct helper_child *)arg;

	c->exited = 1;
	helper_send(PRIV_EXITED, c->id, status, nullptr, -1, -1);
	helper_prune();
}

static void
helper_spawn(const struct priv_msg *msg)
{
	struct helper_child	*c;
	struct child_proc	 proc;
	char			*path, *cause = nullptr;
	char			**argv;

	if (helper_find(msg->hdr.id) != nullptr) {
		log_warnx("helper: command id %u twice", msg->hdr.id);
		helper_finish(1);
	}
	if (helper_nchildren >= HELPER_CHILDREN_MAX) {
		helper_prune();
		if (helper_nchildren >= HELPER_CHILDREN_MAX) {
			helper_send(PRIV_FAILED, msg->hdr.id, 0,
			    "too many commands", -1, -1);
			return;
		}
	}
	if ((path = cmd_resolve(&helper_conf, msg->name)) == nullptr) {
		xasprintf(&cause, "Command %s not found", msg->name);
		helper_send(PRIV_FAILED, msg->hdr.id, 0, cause, -1, -1);
		free(cause);
		return;
	}
	argv = cmd_argv(&helper_conf, path, (char *const *)msg->args,
	    msg->nargs);
	c = XCALLOC(struct helper_child);
	c->id = msg->hdr.id;
	if (child_start(argv, helper_envp, helper_exit_cb, c, &proc,
	    &cause) == 0) {
		c->pid = proc.pid;
		TAILQ_INSERT_TAIL(&helper_children, c, entry);
		helper_nchildren++;
		helper_send(PRIV_STARTED, c->id, proc.pid, nullptr,
		    proc.out_fd, proc.err_fd);
	} else {
		helper_send(PRIV_FAILED, c->id, 0, cause, -1, -1);
		free(cause);
		free(c);
	}
	cmd_vfree(argv);
	free(path);
}

static void
helper_kill(const struct priv_msg *msg)
{
	struct helper_child	*c;

	/* A group already gone is no error: the kill raced its exit. */
	if ((c = helper_find(msg->hdr.id)) == nullptr)
		return;
	if (child_kill(c->pid, msg->hdr.value) == -1 && errno != ESRCH)
		log_warn("helper: kill %ld", (long)c->pid);
}

/* One datagram from the network side, or the end. */
static int
helper_recv(int fd, struct priv_msg *msg)
{
	const char	*why;
	int		 fds[PRIV_FDS_MAX + 1], nfds;
	ssize_t		 n;

	n = priv_recv(fd, helper_buf, PRIV_MSG_MAX + 1, fds, &nfds,
	    MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == -1) {
		log_warn("helper: recvmsg");
		helper_finish(1);
	}
	if (n == 0)
		helper_finish(0);	/* the network side is gone */
	if (priv_parse(helper_buf, (size_t)n, fds, nfds, msg, &why) == -1) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		log_warnx("helper: %s from the network side; stopping", why);
		helper_finish(1);
	}
	return 1;
}

static void
helper_spawn_cb(evutil_socket_t fd, short, void *)
{
	struct priv_msg	 msg;

	for (int i = 0; i < 64 && helper_recv(fd, &msg) == 1; i++) {
		switch (msg.hdr.type) {
		case PRIV_SPAWN:
			helper_spawn(&msg);
			break;
		case PRIV_KILL:
			helper_kill(&msg);
			break;
		default:
			log_warnx("helper: message %u on the spawn channel",
			    msg.hdr.type);
			helper_finish(1);
		}
	}
}

/* --- files --- */

static void
helper_reply(uint32_t type, int32_t value, const char *text, const int *fds,
    int nfds)
{
	if (priv_send(helper_ctl_fd, type, 0, value, text,
	    text != nullptr ? strlen(text) : 0, fds, nfds) == -1) {
		log_warn("helper: sendmsg");
		helper_finish(1);
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

static void
helper_refuse(const char *fmt, const char *what, const char *path)
{
	char	*why;

	int	 saved = errno;

	xasprintf(&why, fmt, what, path, strerror(saved));
	helper_reply(PRIV_REFUSED, saved, why, nullptr, 0);
	free(why);
}

static void
helper_authlog(void)
{
	int	 fd;

	if (helper_conf.auth_log[0] == '\0') {
		helper_reply(PRIV_REFUSED, ENOENT, "AUTH_LOG is off", nullptr,
		    0);
		return;
	}
	/* 0600: what the network side makes under its umask of 077 (ours
	 * is the commands', child_keep_umask). */
	fd = open(helper_conf.auth_log, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		helper_refuse("%s %s: %s", "AUTH_LOG", helper_conf.auth_log);
		return;
	}
	helper_reply(PRIV_FILES, 1, nullptr, &fd, 1);
}

/* The config anew, read by us first: what we use of it (BIN_DIR,
 * EXEC_PREFIX, HESTIA_CONF, AUTH_LOG, the TLS files) changes here too. */
static void
helper_reload(void)
{
	struct config	 conf;
	char		*cause = nullptr;
	int		 fds[3], n = 0;

	if ((fds[n] = open(helper_conf.path, O_RDONLY | O_CLOEXEC)) == -1) {
		helper_refuse("%s %s: %s", "config", helper_conf.path);
		return;
	}
	n++;
	if (config_load_fd(&conf, helper_conf.path, fds[0], &cause) == -1) {
		helper_reply(PRIV_REFUSED, EINVAL, cause, nullptr, 0);
		free(cause);
		config_free(&conf);
		close(fds[0]);
		return;
	}
	if (conf.tls_cert[0] != '\0') {
		if ((fds[n] = open(conf.tls_cert, O_RDONLY | O_CLOEXEC)) ==
		    -1) {
			helper_refuse("%s %s: %s", "TLS_CERT", conf.tls_cert);
			goto fail;
		}
		n++;
		if ((fds[n] = open(conf.tls_key, O_RDONLY | O_CLOEXEC)) ==
		    -1) {
			helper_refuse("%s %s: %s", "TLS_KEY", conf.tls_key);
			goto fail;
		}
		n++;
	}
	/* DATABASE and LISTEN change only on restart, as on the other side. */
	config_free(&helper_conf);
	helper_conf = conf;
	helper_envp_build();
	helper_reply(PRIV_FILES, n, nullptr, fds, n);
	return;
fail:
	for (int i = 0; i < n; i++)
		close(fds[i]);
	config_free(&conf);
}

/* What the network side reads of Hestia's and may find root's alone:
 * HESTIA_CONF, a user's user.conf in its tree, SHADOW_FILE. Nothing
 * else, and no path that names a user Hestia would refuse. */
static int
helper_may_open(const char *path)
{
	char		 dir[PATH_MAX], user[64];
	const char	*p;
	size_t		 n;

	if ((helper_conf.hestia_conf[0] != '\0' &&
	    strcmp(path, helper_conf.hestia_conf) == 0) ||
	    strcmp(path, helper_conf.shadow_file) == 0)
		return 1;
	if (helper_conf.hestia_conf[0] == '\0')
		return 0;
	config_hestia_dir(&helper_conf, dir, sizeof dir);
	/* The key sync's: data/api, data/access-keys and their files. */
	if (helper_conf.hestia_key_sync && hsync_read_path_ok(dir, path))
		return 1;
	n = strlen(dir);
	if (strncmp(path, dir, n) != 0 ||
	    strncmp(path + n, "/data/users/", 12) != 0)
		return 0;
	p = path + n + 12;
	n = strcspn(p, "/");
	if (n == 0 || n >= sizeof user || strcmp(p + n, "/user.conf") != 0)
		return 0;
	memcpy(user, p, n);
	user[n] = '\0';
	return hconf_user_valid(user);
}

static void
helper_open(const char *path)
{
	int	 fd;

	if (!helper_may_open(path)) {
		errno = EPERM;
		helper_refuse("%s %s: %s", "open", path);
		log_warnx("helper: refused to open %s for the network side",
		    path);
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		helper_refuse("%s %s: %s", "open", path);
		return;
	}
	helper_reply(PRIV_FILES, 1, nullptr, &fd, 1);
}

/* A watch for the key sync (hsync.cc), handed over as its descriptor. */
static void
helper_watch_dir(const char *path)
{
	char	 dir[PATH_MAX];
	int	 fd;

	config_hestia_dir(&helper_conf, dir, sizeof dir);
	if (helper_conf.hestia_conf[0] == '\0' ||
	    !helper_conf.hestia_key_sync || !hsync_watch_path_ok(dir, path)) {
		errno = EPERM;
		helper_refuse("%s %s: %s", "watch", path);
		log_warnx("helper: refused to watch %s for the network side",
		    path);
		return;
	}
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(fd, path, HSYNC_WATCH_MASK) == -1) {
		helper_refuse("%s %s: %s", "watch", path);
		if (fd != -1)
			close(fd);
		return;
	}
	helper_reply(PRIV_FILES, 1, nullptr, &fd, 1);
}

static void
helper_ctl_cb(evutil_socket_t fd, short, void *)
{
	struct priv_msg	 msg;

	if (helper_recv(fd, &msg) == 0)
		return;
	switch (msg.hdr.type) {
	case PRIV_AUTHLOG:
		helper_authlog();
		break;
	case PRIV_RELOAD:
		helper_reload();
		break;
	case PRIV_OPEN:
		helper_open(msg.payload);
		break;
	case PRIV_WATCH:
		helper_watch_dir(msg.payload);
		break;
	default:
		log_warnx("helper: message %u on the control channel",
		    msg.hdr.type);
		helper_finish(1);
	}
}

/* --- the end --- */

/* Our children, from /proc: commands, and what they left behind that
 * came back to us as the subreaper. */
static void
helper_kill_children(void)
{
	char	 path[64], buf[4096], *p, *end;
	FILE	*f;
	long	 pid;
	size_t	 len;

	snprintf(path, sizeof path, "/proc/self/task/%ld/children",
	    (long)getpid());
	if ((f = fopen(path, "r")) == nullptr)
		return;
	len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	for (p = buf; *p != '\0'; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 1) {
			kill((pid_t)-pid, SIGKILL);
			kill((pid_t)pid, SIGKILL);
		}
	}
}

[[noreturn]] static void
helper_finish(int code)
{
	struct helper_child	*c;
	struct timespec		 ts = { 0, 10 * 1000 * 1000 };
	time_t			 deadline = time(nullptr) + HELPER_REAP_WAIT;
	int			 killed = 0;
	pid_t			 pid;

	TAILQ_FOREACH(c, &helper_children, entry) {
		if (kill(-c->pid, SIGKILL) == 0)
			killed++;
	}
	/* Reap everything, ours and adopted, for a few seconds at most. */
	for (;;) {
		while ((pid = waitpid(-1, nullptr, WNOHANG)) > 0)
			;
		if ((pid == -1 && errno == ECHILD) ||
		    time(nullptr) >= deadline)
			break;
		helper_kill_children();
		nanosleep(&ts, nullptr);
	}
	if (killed > 0)
		log_info("helper: killed %d command(s) still running", killed);
	_exit(code);
}

static void
helper_term_cb(evutil_socket_t, short, void *)
{
	helper_finish(0);
}

/* Our two sockets at 3 and 4, stdio as it is, nothing else open. */
static void
helper_fds(int *spawn_fd, int *ctl_fd, int foreground)
{
	int	 s, c, null;

	if ((s = fcntl(*spawn_fd, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (c = fcntl(*ctl_fd, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    dup3(s, 3, O_CLOEXEC) == -1 || dup3(c, 4, O_CLOEXEC) == -1)
		fatal("helper: dup");
	close_range(5, ~0U, 0);
	*spawn_fd = 3;
	*ctl_fd = 4;
	if (!foreground && (null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

[[noreturn]] static void
helper_main(const struct config *conf, int spawn_fd, int ctl_fd,
    int foreground, int verbose)
{
	struct event	*ev_spawn, *ev_ctl, *ev_term;

	helper_fds(&spawn_fd, &ctl_fd, foreground);
	log_init(foreground, verbose, "hestia-apid-helper");
	/* Terminal signals are for the network side, which stops us. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	prctl(PR_SET_NAME, "apid-helper");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("helper: PR_SET_CHILD_SUBREAPER");
	/* Ours since the fork: the network side's goes its own way. */
	helper_conf = *conf;
	helper_envp_build();
	helper_spawn_fd = spawn_fd;
	helper_ctl_fd = ctl_fd;
	helper_buf = (char *)xmalloc(PRIV_MSG_MAX + 1);
	if (fcntl(spawn_fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("helper: fcntl");
	/* The inherited loop belongs to the network side: a new one. */
	if ((helper_base = event_base_new()) == nullptr)
		fatalx("helper: event_base_new");
	if (child_init(helper_base) == -1)
		fatalx("helper: child_init");
	child_keep_umask();
	ev_spawn = event_new(helper_base, spawn_fd, EV_READ | EV_PERSIST,
	    helper_spawn_cb, nullptr);
	ev_ctl = event_new(helper_base, ctl_fd, EV_READ | EV_PERSIST,
	    helper_ctl_cb, nullptr);
	helper_write_ev = event_new(helper_base, spawn_fd, EV_WRITE,
	    helper_write_cb, nullptr);
	ev_term = evsignal_new(helper_base, SIGTERM, helper_term_cb, nullptr);
	if (ev_spawn == nullptr || ev_ctl == nullptr ||
	    helper_write_ev == nullptr || ev_term == nullptr ||
	    event_add(ev_spawn, nullptr) == -1 ||
	    event_add(ev_ctl, nullptr) == -1 ||
	    evsignal_add(ev_term, nullptr) == -1)
		fatalx("helper: events");
	log_debug("helper: running as uid %d", (int)getuid());
	event_base_dispatch(helper_base);
	helper_finish(1);
}

int
helper_start(const struct config *conf, int foreground, int verbose,
    struct helper *h, char **cause)
{
	int	 sp[2], cp[2];
	pid_t	 pid;

	if (priv_socketpair(sp) == -1) {
		xasprintf(cause, "helper: socketpair: %s", strerror(errno));
		return -1;
	}
	if (priv_socketpair(cp) == -1) {
		xasprintf(cause, "helper: socketpair: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		xasprintf(cause, "helper: fork: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		close(cp[0]);
		close(cp[1]);
		return -1;
	}
	if (pid == 0)
		helper_main(conf, sp[1], cp[1], foreground, verbose);
	close(sp[1]);
	close(cp[1]);
	h->pid = pid;
	h->spawn_fd = sp[0];
	h->ctl_fd = cp[0];
	return 0;
}

/* --- asking, from the network side --- */

static int	helper_ask_locked(int, uint32_t, const char *, int *, char **);

/* One question, one answer; any thread (SHADOW_FILE is read by the
 * verification workers), one at a time. Returns the descriptor count, or
 * -1 with *cause and errno (the helper's, when it refused). */
static int
helper_ask(int ctl_fd, uint32_t type, const char *text, int *fds,
    char **cause)
{
	static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
	int			 n;

	pthread_mutex_lock(&lock);
	n = helper_ask_locked(ctl_fd, type, text, fds, cause);
	pthread_mutex_unlock(&lock);
	return n;
}

static int
helper_ask_locked(int ctl_fd, uint32_t type, const char *text, int *fds,
    char **cause)
{
	static char	*buf;
	static int	 broken;	/* an answer missed or garbled */
	struct priv_msg	 msg;
	struct timeval	 tv = { HELPER_ASK_TIMEOUT, 0 };
	const char	*why;
	int		 got[PRIV_FDS_MAX + 1], ngot;
	ssize_t		 n;

	/* After a late or garbled answer the next one could be the wrong
	 * one's: ask no more (reads fail closed; the spawn channel decides
	 * whether the daemon goes on). */
	if (broken) {
		xasprintf(cause, "the root helper did not answer in time");
		errno = EIO;
		return -1;
	}
	if (buf == nullptr) {
		buf = (char *)xmalloc(PRIV_MSG_MAX + 1);
		setsockopt(ctl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	if (priv_send(ctl_fd, type, 0, 0, text, text != nullptr ?
	    strlen(text) : 0, nullptr, 0) == -1 ||
	    (n = priv_recv(ctl_fd, buf, PRIV_MSG_MAX + 1, got, &ngot, 0)) ==
	    -1) {
		xasprintf(cause, "the root helper: %s", strerror(errno));
		broken = 1;
		errno = EIO;
		return -1;
	}
	if (n == 0) {
		xasprintf(cause, "the root helper has exited");
		broken = 1;
		errno = EIO;
		return -1;
	}
	if (priv_parse(buf, (size_t)n, got, ngot, &msg, &why) == -1 ||
	    (why = "an answer out of turn", msg.hdr.type != PRIV_FILES &&
	    msg.hdr.type != PRIV_REFUSED)) {
		for (int i = 0; i < ngot; i++)
			close(got[i]);
		xasprintf(cause, "the root helper: %s", why);
		broken = 1;
		errno = EIO;
		return -1;
	}
	if (msg.hdr.type == PRIV_REFUSED) {
		*cause = xstrdup(msg.payload);
		errno = msg.hdr.value > 0 ? msg.hdr.value : EPERM;
		return -1;
	}
	memcpy(fds, msg.fds, msg.nfds * sizeof *fds);
	return msg.nfds;
}

int
helper_open_authlog(int ctl_fd, char **cause)
{
	int	 fds[PRIV_FDS_MAX], n;

	if ((n = helper_ask(ctl_fd, PRIV_AUTHLOG, nullptr, fds, cause)) == -1)
		return -1;
	for (int i = 1; i < n; i++)
		close(fds[i]);
	return fds[0];
}

int
helper_reload(int ctl_fd, int fds[3], char **cause)
{
	int	 n;

	if ((n = helper_ask(ctl_fd, PRIV_RELOAD, nullptr, fds, cause)) == -1)
		return -1;
	if (n == 2) {
		close(fds[0]);
		close(fds[1]);
		xasprintf(cause, "the root helper: a certificate without key");
		return -1;
	}
	return n;
}

static int
helper_ask_fd(int ctl_fd, uint32_t type, const char *path)
{
	int	 fds[PRIV_FDS_MAX], n, saved;
	char	*cause = nullptr;

	if ((n = helper_ask(ctl_fd, type, path, fds, &cause)) == -1) {
		saved = errno;
		log_debug("%s: %s", __func__, cause);
		free(cause);
		errno = saved;
		return -1;
	}
	for (int i = 1; i < n; i++)
		close(fds[i]);
	return fds[0];
}

int
helper_open_file(int ctl_fd, const char *path)
{
	return helper_ask_fd(ctl_fd, PRIV_OPEN, path);
}

int
helper_watch(int ctl_fd, const char *path)
{
	return helper_ask_fd(ctl_fd, PRIV_WATCH, path);
}

void
helper_stop(struct helper *h)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	int		 i;

	if (h->pid <= 0)
		return;
	close(h->spawn_fd);
	close(h->ctl_fd);
	h->spawn_fd = h->ctl_fd = -1;
	/* It kills its commands and reaps them first: a few seconds. */
	for (i = 0; i < (HELPER_REAP_WAIT + 2) * 100; i++) {
		if (waitpid(h->pid, nullptr, WNOHANG) != 0)
			break;
		nanosleep(&ts, nullptr);
	}
	if (i == (HELPER_REAP_WAIT + 2) * 100) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, nullptr, 0);
	}
	h->pid = -1;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Child processes made with posix_spawn and reaped by a SIGCHLD event. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "apid.h"
#include "child.h"

#define CHILD_UMASK	022	/* Hestia's commands expect the usual one */

/* A child started and not yet reaped: who wants its exit status. */
struct child_entry {
	pid_t		 pid;
	child_exit_cb	 cb;
	void		*arg;
};

/* File actions by the pipe ends they name (child_actions_for). */
#define CHILD_FA_CACHE	256
struct child_fa {
	int				 built;
	int				 out;
	int				 err;
	posix_spawn_file_actions_t	 fa;
};

static struct event_base	*child_base;
static int			 child_umask_kept;	/* child_keep_umask */
static posix_spawnattr_t	 child_spawnattr;	/* child_attr */
static struct child_fa		 child_fa[CHILD_FA_CACHE];

static int	child_attr(posix_spawnattr_t *);
static struct event		*child_chld_ev;
static struct child_entry	*child_table;
static size_t			 child_ntable;
static size_t			 child_tablesize;

static void
child_add(pid_t pid, child_exit_cb cb, void *arg)
{
	struct child_entry	*c;

	if (child_ntable == child_tablesize) {
		child_tablesize = child_tablesize == 0 ? 16 : child_tablesize * 2;
		child_table = XREALLOCARRAY(child_table, child_tablesize,
		    struct child_entry);
	}
	c = &child_table[child_ntable++];
	c->pid = pid;
	c->cb = cb;
	c->arg = arg;
}

/* Take pid out of the table before its callback runs, so the callback may
 * start new children freely. */
static int
child_remove(pid_t pid, child_exit_cb *cb, void **arg)
{
	size_t	 i;

	for (i = 0; i < child_ntable; i++) {
		if (child_table[i].pid != pid)
			continue;
		*cb = child_table[i].cb;
		*arg = child_table[i].arg;
		child_table[i] = child_table[--child_ntable];
		return 0;
	}
	return -1;
}

/* SIGCHLD: signals coalesce, so reap everything that has exited. */
static void
child_chld_cb(int, short, void *)
{
	child_exit_cb	 cb;
	void		*arg;
	pid_t		 pid;
	int		 status;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			break;
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				log_warn("reaping commands: waitpid");
			break;
		}
		if (child_remove(pid, &cb, &arg) == -1) {
			log_debug("%s: unknown child %ld", __func__, (long)pid);
			continue;
		}
		cb(pid, status, arg);
	}
}

int
child_init(struct event_base *base)
{
	int	 error;

	if (child_base != nullptr) {
		if (child_base == base)
			return 0;
		log_warnx("commands: already initialised on another base");
		return -1;
	}
	if ((error = child_attr(&child_spawnattr)) != 0) {
		log_warnx("commands: spawn attributes: %s", strerror(error));
		return -1;
	}
	child_chld_ev = evsignal_new(base, SIGCHLD, child_chld_cb, nullptr);
	if (child_chld_ev == nullptr) {
		log_warnx("commands: evsignal_new failed");
		posix_spawnattr_destroy(&child_spawnattr);
		return -1;
	}
	if (evsignal_add(child_chld_ev, nullptr) == -1) {
		log_warnx("commands: evsignal_add failed");
		event_free(child_chld_ev);
		child_chld_ev = nullptr;
		posix_spawnattr_destroy(&child_spawnattr);
		return -1;
	}
	child_base = base;
	return 0;
}

/* At exit: what still runs is killed, whole groups, and reaped, so that
 * nothing we started outlives us. */
static void
child_kill_all(void)
{
	size_t	 i;

	for (i = 0; i < child_ntable; i++) {
		log_info("killing %ld, still running", (long)child_table[i].pid);
		kill(-child_table[i].pid, SIGKILL);
		waitpid(child_table[i].pid, nullptr, 0);
	}
	child_ntable = 0;
}

void
child_shutdown(void)
{
	child_kill_all();
	if (child_chld_ev != nullptr)
		event_free(child_chld_ev);
	child_chld_ev = nullptr;
	free(child_table);
	child_table = nullptr;
	child_ntable = child_tablesize = 0;
	if (child_base != nullptr)
		posix_spawnattr_destroy(&child_spawnattr);
	for (size_t i = 0; i < CHILD_FA_CACHE; i++) {
		if (child_fa[i].built)
			posix_spawn_file_actions_destroy(&child_fa[i].fa);
		child_fa[i].built = 0;
	}
	child_base = nullptr;
}

/* A close-on-exec pipe whose ends are never 0, 1 or 2, which the file
 * actions overwrite (a daemon with a closed stdio would get those). */
static int
child_pipe(int fds[2])
{
	int	 i, fd, saved;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (fds[i] > STDERR_FILENO)
			continue;
		if ((fd = fcntl(fds[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1))
		    == -1) {
			saved = errno;
			close(fds[0]);
			close(fds[1]);
			fds[0] = fds[1] = -1;
			errno = saved;
			return -1;
		}
		close(fds[i]);
		fds[i] = fd;
	}
	return 0;
}

/* The child's fds: stdin /dev/null, stdout and stderr the pipes, nothing
 * else. Returns an errno value. */
static int
child_actions(posix_spawn_file_actions_t *fa, int out, int err)
{
	int	 error;

	if ((error = posix_spawn_file_actions_addopen(fa, STDIN_FILENO,
	    "/dev/null", O_RDONLY, 0)) != 0)
		return error;
	if ((error = posix_spawn_file_actions_adddup2(fa, out,
	    STDOUT_FILENO)) != 0)
		return error;
	if ((error = posix_spawn_file_actions_adddup2(fa, err,
	    STDERR_FILENO)) != 0)
		return error;
	return posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1);
}

/*
 * The file actions for a pair of pipe ends, built once and kept: glibc
 * checks every descriptor it is given against getrlimit(2), six system
 * calls per spawn, and the lowest free descriptors, which pipes get, come
 * back over and over. Only descriptor numbers are kept, never files.
 * Returns nullptr and an errno value in *error when they cannot be built.
 */
static const posix_spawn_file_actions_t *
child_actions_for(int out, int err, int *error)
{
	struct child_fa	*c = &child_fa[((unsigned)out * 31 + (unsigned)err) %
				    CHILD_FA_CACHE];

	if (c->built && c->out == out && c->err == err)
		return &c->fa;
	if (c->built)
		posix_spawn_file_actions_destroy(&c->fa);
	c->built = 0;
	if ((*error = posix_spawn_file_actions_init(&c->fa)) != 0)
		return nullptr;
	if ((*error = child_actions(&c->fa, out, err)) != 0) {
		posix_spawn_file_actions_destroy(&c->fa);
		return nullptr;
	}
	c->out = out;
	c->err = err;
	c->built = 1;
	return &c->fa;
}

/* The child's process state: a new session, an empty signal mask and every
 * catchable signal at its default (we ignore SIGPIPE, libevent catches
 * SIGCHLD). The same for every child: built once. Returns an errno value. */
static int
child_attr(posix_spawnattr_t *attr)
{
	sigset_t	 mask, def;
	int		 error;

	sigemptyset(&mask);
	sigfillset(&def);
	sigdelset(&def, SIGKILL);
	sigdelset(&def, SIGSTOP);
	if ((error = posix_spawnattr_init(attr)) != 0)
		return error;
	if ((error = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID)) != 0 ||
	    (error = posix_spawnattr_setsigmask(attr, &mask)) != 0 ||
	    (error = posix_spawnattr_setsigdefault(attr, &def)) != 0)
		posix_spawnattr_destroy(attr);
	return error;
}

int
child_start(char *const argv[], char *const envp[], child_exit_cb cb,
    void *arg, struct child_proc *proc, char **cause)
{
	static char *const		 noenv[] = { nullptr };
	const posix_spawn_file_actions_t *fa;
	int				 outp[2] = { -1, -1 };
	int				 errp[2] = { -1, -1 };
	int				 error, ret = -1;
	mode_t				 mask = 0;
	pid_t				 pid;

	*cause = nullptr;
	proc->pid = -1;
	proc->out_fd = proc->err_fd = -1;

	if (child_base == nullptr) {
		xasprintf(cause, "spawn: child_init not called");
		goto done;
	}
	if (argv == nullptr || argv[0] == nullptr || argv[0][0] != '/') {
		xasprintf(cause, "spawn: %s: not an absolute path",
		    argv == nullptr || argv[0] == nullptr ? "(null)" : argv[0]);
		goto done;
	}
	if (envp == nullptr)
		envp = noenv;

	/*
	 * Blocking pipes: O_NONBLOCK is per open file, so the read ends could
	 * only be made non-blocking by a fcntl(2) each, and the child's write
	 * ends must stay blocking. Our readers read once per readiness.
	 */
	if (child_pipe(outp) == -1 || child_pipe(errp) == -1) {
		xasprintf(cause, "spawn: pipe: %s", strerror(errno));
		goto done;
	}
	if ((fa = child_actions_for(outp[1], errp[1], &error)) == nullptr) {
		xasprintf(cause, "spawn: file actions: %s", strerror(error));
		goto done;
	}

	/*
	 * glibc's posix_spawn waits for the exec (CLONE_VFORK), so a missing
	 * or non-executable file is reported here, not as exit 127. The
	 * daemon's own umask (077, for the database) is not the commands':
	 * they make web roots and mail boxes with Hestia's usual 022. There
	 * is no spawn attribute for it, and no other thread of ours creates
	 * files, so it is set around the call, unless the process keeps the
	 * commands' umask for good (the root helper, child_keep_umask).
	 */
	if (!child_umask_kept)
		mask = umask(CHILD_UMASK);
	error = posix_spawn(&pid, argv[0], fa, &child_spawnattr, argv, envp);
	if (!child_umask_kept)
		umask(mask);
	if (error != 0) {
		xasprintf(cause, "posix_spawn %s: %s", argv[0],
		    strerror(error));
		goto done;
	}
	child_add(pid, cb, arg);
	log_debug("%s: %s: pid %ld", __func__, argv[0], (long)pid);

	proc->pid = pid;
	proc->out_fd = outp[0];
	proc->err_fd = errp[0];
	outp[0] = errp[0] = -1;
	ret = 0;

done:
	if (outp[0] != -1)
		close(outp[0]);
	if (outp[1] != -1)
		close(outp[1]);
	if (errp[0] != -1)
		close(errp[0]);
	if (errp[1] != -1)
		close(errp[1]);
	return ret;
}

void
child_keep_umask(void)
{
	umask(CHILD_UMASK);
	child_umask_kept = 1;
}

/* The child leads its own process group, so -pid reaches its children too.
 * Never kill(0) or kill(-1): a bad pid must not hit us or everyone. */
int
child_kill(pid_t pid, int sig)
{
	if (pid <= 1) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pid, sig);
}

int
child_count(void)
{
	return (int)child_ntable;
}

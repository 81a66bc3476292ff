/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How a child process is made: argv in, pipe fds and an exit-status
 * callback out. Used by whoever spawns: the root helper (helper.cc), or
 * spawn.cc itself in single-process mode. */
#ifndef CHILD_H
#define CHILD_H

#include <sys/types.h>

struct event_base;

/* Called once on the event loop when the child has exited; status is as
 * from waitpid(2). */
typedef void (*child_exit_cb)(pid_t pid, int status, void *arg);

struct child_proc {
	pid_t	 pid;
	int	 out_fd;	/* child's stdout, close-on-exec, blocking: */
	int	 err_fd;	/* read only when poll says it is readable */
};

/* Install the SIGCHLD event on base. Call once before child_start. */
int	 child_init(struct event_base *base);
/* At shutdown: kill (SIGKILL, whole groups) and reap every child still
 * running, and remove the SIGCHLD event. */
void	 child_shutdown(void);

/* Start argv[0] (an absolute path) with envp, stdin /dev/null, stdout and
 * stderr on pipes, in a new session and process group, signal mask and
 * dispositions reset, every other fd closed; no shell. On success fills *proc
 * and returns 0; cb runs when the child exits. On failure returns -1 and sets
 * *cause (allocated). */
int	 child_start(char *const argv[], char *const envp[], child_exit_cb cb,
	    void *arg, struct child_proc *proc, char **cause);

/* Set the commands' umask (022) for the whole process, for good, so that
 * child_start need not set it around each spawn: for a process that makes
 * no file of its own with a mode left to the umask (the root helper). */
void	 child_keep_umask(void);

/* Send sig to the child's whole process group. */
int	 child_kill(pid_t pid, int sig);

/* Children started and not yet reaped. */
int	 child_count(void);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one narrow place where child processes are made: argv in, pipe fds
 * and an exit-status callback out. A privileged helper process can take this
 * interface over later without the HTTP side noticing. */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/types.h>

struct event_base;

/* Called once on the event loop when the child has exited; status is as
 * from waitpid(2). */
typedef void (*spawn_exit_cb)(pid_t pid, int status, void *arg);

struct spawn_proc {
	pid_t	 pid;
	int	 out_fd;	/* child's stdout, non-blocking, close-on-exec */
	int	 err_fd;	/* child's stderr, non-blocking, close-on-exec */
};

/* Install the SIGCHLD event on base. Call once before spawn_start. */
int	 spawn_init(struct event_base *base);
/* Remove the SIGCHLD event (at shutdown). */
void	 spawn_shutdown(void);

/* Start argv[0] (an absolute path) with envp, stdin /dev/null, stdout and
 * stderr on pipes, in a new session and process group, signal mask and
 * dispositions reset, every other fd closed; no shell. On success fills *proc
 * and returns 0; cb runs when the child exits. On failure returns -1 and sets
 * *cause (allocated). */
int	 spawn_start(char *const argv[], char *const envp[], spawn_exit_cb cb,
	    void *arg, struct spawn_proc *proc, char **cause);

/* Send sig to the child's whole process group. */
int	 spawn_kill(pid_t pid, int sig);

/* Children started and not yet reaped. */
int	 spawn_count(void);

#endif

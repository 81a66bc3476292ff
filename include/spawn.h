/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Commands started by name, asynchronously: what job.cc asks for. The
 * name is resolved in BIN_DIR, and argv and the environment are built, by
 * whoever spawns: the root helper over the privsep channel (helper.cc), or
 * this process itself in single-process mode (USER empty). */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/types.h>

struct config;
struct event_base;
struct spawn;

/* The command runs (out_fd and err_fd are the callee's to close; they are
 * blocking: read once per readiness), or could not start (fds -1, cause
 * says why; no exit follows). May run before spawn_start returns, so it
 * must not spawn_free. */
typedef void (*spawn_started_cb)(struct spawn *, int out_fd, int err_fd,
	    const char *cause, void *arg);
/* The command's process has exited; status is as from waitpid(2). May
 * spawn_free. */
typedef void (*spawn_exited_cb)(struct spawn *, int status, void *arg);

/* Single-process mode: spawn here, reaping on a SIGCHLD event of base,
 * resolving names with conf (which must outlive its use; see
 * spawn_set_config). */
int	 spawn_init(struct event_base *, const struct config *);
/* Privsep mode: ask the helper on sock (the spawn channel). When the
 * helper goes away, lost() runs once (the daemon exits). */
int	 spawn_init_helper(struct event_base *, int sock, void (*lost)(void));
void	 spawn_set_config(const struct config *);
void	 spawn_shutdown(void);

/* Start name (a command in BIN_DIR) with args. Returns a handle for
 * spawn_kill and spawn_free; started runs exactly once, then exited once
 * if it started. */
struct spawn *spawn_start(const char *name, char *const args[], int nargs,
	    spawn_started_cb, spawn_exited_cb, void *arg);

/* Send SIGTERM or SIGKILL to the command's process group. Returns 0, or
 * -1 when it has not started or its group is gone. */
int	 spawn_kill(struct spawn *, int sig);

/* The owner is done with the handle: no callback runs after this. A
 * command still running keeps running until killed or exited. */
void	 spawn_free(struct spawn *);

/* Commands started and not yet exited. */
int	 spawn_count(void);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The root helper: the one process that stays root, to spawn commands and
 * open the files root owns. It parses no client input, speaks no HTTP and
 * opens no database; see the design atop helper.cc. */
#ifndef HELPER_H
#define HELPER_H

#include <sys/types.h>

struct config;

struct helper {
	pid_t	 pid;
	int	 spawn_fd;	/* commands: asynchronous (spawn.cc) */
	int	 ctl_fd;	/* files: one question, one answer */
};

/* Fork the helper with conf as it is now. In the network side returns 0
 * with *h filled, or -1 with *cause; the helper itself never returns. */
int	 helper_start(const struct config *, int foreground, int verbose,
	    struct helper *h, char **cause);

/* Ask the helper, and wait for its answer (a few seconds at most). */
/* AUTH_LOG opened again for appending (after logrotate made it root's). */
int	 helper_open_authlog(int ctl_fd, char **cause);
/* The configuration file read again: fds[0] is the file, and when it
 * turns TLS on, fds[1] and fds[2] the certificate and the key. Returns
 * the descriptor count, or -1 with *cause (the helper's own reading of
 * the file failed: keep the running configuration). */
int	 helper_reload(int ctl_fd, int fds[3], char **cause);

/* One of the files the network side may find root's alone (HESTIA_CONF,
 * a user.conf in Hestia's tree, SHADOW_FILE), opened for reading; -1 with
 * errno otherwise. Any thread. */
int	 helper_open_file(int ctl_fd, const char *path);
/* An inotify descriptor watching one of Hestia's data directories
 * (hsync_watch_path_ok), from the helper; -1 with errno. */
int	 helper_watch(int ctl_fd, const char *path);

/* Close both channels: the helper kills what it started and exits; wait
 * for it a little. */
void	 helper_stop(struct helper *);

#endif

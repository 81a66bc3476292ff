/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Privilege: decided in one place. */
#ifndef PRIV_H
#define PRIV_H

#include <dirent.h>
#include <stdio.h>

/* Become user (with its groups) for good: setgroups, setresgid,
 * setresuid, each checked, then a check that root cannot be regained, and
 * PR_SET_NO_NEW_PRIVS.
 * Returns 0, or -1 with *cause. */
int	 priv_drop(const char *user, char **cause);

/* As root, with USER set: the database's files (and its directory, when
 * it holds nothing else, creating it when missing) become USER's, so the
 * dropped daemon can write them whoever made them. Warns what it cannot
 * do; does nothing when not root. */
void	 priv_db_handover(const char *path, const char *user);

/* Open path for reading, close-on-exec. When that is refused (EACCES)
 * and an opener is set, ask it: in privsep mode the root helper opens the
 * few root-only files the network side reads (HESTIA_CONF, Hestia's
 * user.conf files, SHADOW_FILE). Thread-safe. */
FILE	*priv_fopen(const char *path);
/* The same for a directory (Hestia's data/access-keys is root's). */
DIR	*priv_opendir(const char *path);
/* An inotify instance (non-blocking, close-on-exec) watching path with
 * mask; when that is refused, the opener is asked for one with the mask
 * hsync.h names (see hsync_watch_path_ok). -1 with errno. */
int	 priv_inotify(const char *path, unsigned mask);
/* opener returns a descriptor, or -1 with errno. */
void	 priv_set_opener(int (*opener)(const char *path));
/* watcher returns an inotify descriptor watching path, or -1 with errno. */
void	 priv_set_watcher(int (*watcher)(const char *path));

#endif

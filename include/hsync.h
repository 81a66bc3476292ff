/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's own key files kept in step with the key database. */
#ifndef HSYNC_H
#define HSYNC_H

#include <sys/inotify.h>

#include "admin.h"
#include "config.h"

struct db;

/* What one pass did, per kind (admin_kind). */
struct hsync_counts {
	int	 added;
	int	 changed;	/* re-read: the file changed, or adopted */
	int	 removed;	/* its file is gone */
	int	 unchanged;
	int	 deleted;	/* deleted with hestia-apictl: stays so */
	int	 problems;	/* a file that is not valid, warned */
};

struct hsync {
	struct db		*db;
	const char		*hdir;	/* Hestia's directory, $HESTIA */
	struct argon2_cost	 cost;
	int			 remove; /* rows whose file is gone: an
					  * import (0) only adds */
	struct hsync_counts	 n[3];	/* by admin_kind */
};

/* A permission set's name, as a file name in data/api. */
int	 hsync_set_name_valid(const char *);

/*
 * Make the rows of one kind match the files of its directory: a file
 * added or changed is read (a secret hashed on the way in), a row whose
 * file is gone removed (when hs->remove), what was deleted with
 * hestia-apictl left out.
 * Rows not from Hestia are never touched, except a row with a file's own
 * name, which is adopted. A directory that is not there holds nothing.
 * Returns 0, or -1 with *cause when the directory cannot be read (nothing
 * is removed then) or on a database error.
 */
int	 hsync_kind(struct hsync *, enum admin_kind, char **cause);
/* All three kinds, sets first (keys name them). */
int	 hsync_all(struct hsync *, char **cause);

/*
 * The daemon's watcher: a thread with its own database connection that
 * runs hsync_all at start, then watches data/ and its three directories
 * (inotify; in privsep mode the root helper opens the watches, see
 * priv_inotify) and syncs a kind some 20 ms after its directory last
 * changed. Start it after the helper is forked and privileges dropped.
 * Nothing happens when conf's HESTIA_CONF is empty or HESTIA_KEY_SYNC no.
 */
int	 hsync_start(const struct config *, char **cause);
void	 hsync_stop(void);
/* 1 while a key (ADMIN_KEY: its ID; ADMIN_LEGACY: its lookup) has been
 * seen written or deleted and is not yet synced, or its directory has
 * events the watcher has not read yet: the gate holds its request a
 * little rather than judge it by a row about to change. */
int	 hsync_pending(enum admin_kind, const char *name);
/* On the loop: hand each key the watcher has just hashed to cb (the
 * verification cache), then forget its secret. */
void	 hsync_fresh_take(void (*cb)(const char *id, const char *hash,
	    const char *secret));

/* What a watch of one of Hestia's directories reports. */
#define HSYNC_WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
	IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | \
	IN_MOVE_SELF | IN_ONLYDIR)
/* 1 when path is data/ or one of its three directories under hdir. */
int	 hsync_watch_path_ok(const char *hdir, const char *path);
/* 1 when path is a file the sync reads under hdir (a set or a key). */
int	 hsync_read_path_ok(const char *hdir, const char *path);

#endif

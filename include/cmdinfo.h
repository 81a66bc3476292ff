/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a v-* script says of itself: the names on its "# options:" line,
 * cached until the script changes. */
#ifndef CMDINFO_H
#define CMDINFO_H

#include <sys/types.h>

#include <time.h>

struct stat;

#define CMDINFO_MAX_OPTIONS	32

/* Which version of a script: what the cache compares. */
struct cmdinfo_id {
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

struct cmdinfo {
	int	 noptions;
	char	*options[CMDINFO_MAX_OPTIONS];	/* upper-cased, no [ ] */
	int	 user_pos;	/* 1-based index of the last USER, or 0 */
};

/* The script's info (owned by the cache; valid until the next call), or
 * nullptr when it cannot be read. */
const struct cmdinfo *cmdinfo_get(const char *path);
/* The same for the version of the script id names (from a stat(2) made
 * already, see cmdinfo_id_set): no system call when it is cached. */
const struct cmdinfo *cmdinfo_get_id(const char *path,
	    const struct cmdinfo_id *id);
void	 cmdinfo_id_set(struct cmdinfo_id *id, const struct stat *st);
/* Parse an "# options:" line's text (after the colon) into info. */
void	 cmdinfo_parse(const char *text, struct cmdinfo *info);
void	 cmdinfo_clear(struct cmdinfo *info);
void	 cmdinfo_flush(void);

#endif

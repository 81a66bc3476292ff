/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a v-* script says of itself: the names on its "# options:" line,
 * cached until the script changes. */
#ifndef CMDINFO_H
#define CMDINFO_H

#define CMDINFO_MAX_OPTIONS	32

struct cmdinfo {
	int	 noptions;
	char	*options[CMDINFO_MAX_OPTIONS];	/* upper-cased, no [ ] */
	int	 user_pos;	/* 1-based index of the last USER, or 0 */
};

/* The script's info (owned by the cache; valid until the next call), or
 * nullptr when it cannot be read. */
const struct cmdinfo *cmdinfo_get(const char *path);
/* Parse an "# options:" line's text (after the colon) into info. */
void	 cmdinfo_parse(const char *text, struct cmdinfo *info);
void	 cmdinfo_clear(struct cmdinfo *info);
void	 cmdinfo_flush(void);

#endif

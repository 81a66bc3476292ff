/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Privilege: decided in one place. */
#ifndef PRIV_H
#define PRIV_H

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

#endif

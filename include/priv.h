/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Privilege: decided in one place. */
#ifndef PRIV_H
#define PRIV_H

/* Become user (with its groups) for good: setgroups, setresgid,
 * setresuid, each checked, then a check that root cannot be regained.
 * Returns 0, or -1 with *cause. */
int	 priv_drop(const char *user, char **cause);

#endif

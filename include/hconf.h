/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's switches and tree: hestia.conf (re-read when it changes) and the
 * users under $HESTIA/data/users. */
#ifndef HCONF_H
#define HCONF_H

struct config;
struct hestia_switches;

enum hconf_user {
	HCONF_USER_OK,
	HCONF_USER_MISSING,
	HCONF_USER_SUSPENDED,
	HCONF_USER_INVALID,
};

void	 hconf_init(const struct config *);
void	 hconf_free(void);
/* The switches in force: from HESTIA_CONF when set (re-read whenever the
 * file changed), else from our own config. */
const struct hestia_switches *hconf_get(void);
/* $HESTIA: two levels above HESTIA_CONF, else /usr/local/hestia. */
const char *hconf_hestia_dir(void);
/* The state of a Hestia user (always OK without HESTIA_CONF). */
enum hconf_user hconf_user_state(const char *user);
/* Hestia's is_format_valid user. */
int	 hconf_user_valid(const char *user);

#endif

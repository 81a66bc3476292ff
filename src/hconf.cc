/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's own configuration and user tree, read the way Hestia reads it. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "config.h"
#include "hconf.h"
#include "shconf.h"

static const struct config	*hconf_conf;
static struct hestia_switches	 hconf_sw;
static struct stat		 hconf_st;	/* of the last good read */
static int			 hconf_read_once;
static char			 hconf_dir[PATH_MAX];

static int
hconf_read_cb(const char *key, const char *value, int, void *arg, char **)
{
	struct hestia_switches	*sw = (struct hestia_switches *)arg;

	if (strcmp(key, "API") == 0)
		sw->api = strcmp(value, "yes") == 0;
	else if (strcmp(key, "API_SYSTEM") == 0)
		sw->api_system = config_api_system(value);
	else if (strcmp(key, "API_ALLOWED_IP") == 0) {
		free(sw->allowed_ip);
		sw->allowed_ip = xstrdup(value);
	} else if (strcmp(key, "ROOT_USER") == 0) {
		free(sw->root_user);
		sw->root_user = xstrdup(value);
	} else if (strcmp(key, "DEMO_MODE") == 0)
		sw->demo_mode = strcmp(value, "yes") == 0;
	return 0;
}

/* Re-read hestia.conf when its inode, size or time changed. A file that
 * cannot be read keeps the last good switches (or all off, at first). */
static void
hconf_refresh(void)
{
	struct hestia_switches	 sw;
	struct stat		 st;
	char			*cause = nullptr;

	if (stat(hconf_conf->hestia_conf, &st) == -1) {
		if (hconf_read_once)
			return;
		log_warn("%s", hconf_conf->hestia_conf);
		goto off;
	}
	if (hconf_read_once && st.st_ino == hconf_st.st_ino &&
	    st.st_size == hconf_st.st_size &&
	    st.st_mtim.tv_sec == hconf_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == hconf_st.st_mtim.tv_nsec &&
	    st.st_ctim.tv_nsec == hconf_st.st_ctim.tv_nsec)
		return;
	memset(&sw, 0, sizeof sw);
	sw.allowed_ip = xstrdup("");
	sw.root_user = xstrdup("admin");
	if (shconf_read(hconf_conf->hestia_conf, hconf_read_cb, &sw,
	    &cause) == -1) {
		log_warnx("%s; keeping the previous switches", cause);
		free(cause);
		hestia_switches_free(&sw);
		if (hconf_read_once)
			return;
		goto off;
	}
	hestia_switches_free(&hconf_sw);
	hconf_sw = sw;
	hconf_st = st;
	hconf_read_once = 1;
	log_debug("%s: API=%d API_SYSTEM=%d ROOT_USER=%s", __func__,
	    hconf_sw.api, hconf_sw.api_system, hconf_sw.root_user);
	return;
off:
	/* Nothing known yet: everything off, safely. */
	hestia_switches_free(&hconf_sw);
	hconf_sw.api = 0;
	hconf_sw.api_system = 0;
	hconf_sw.demo_mode = 0;
	hconf_sw.allowed_ip = xstrdup("");
	hconf_sw.root_user = xstrdup("admin");
}

void
hconf_init(const struct config *conf)
{
	char	*p;

	hconf_conf = conf;
	hconf_read_once = 0;
	snprintf(hconf_dir, sizeof hconf_dir, "/usr/local/hestia");
	if (conf->hestia_conf[0] != '\0') {
		snprintf(hconf_dir, sizeof hconf_dir, "%s", conf->hestia_conf);
		for (int i = 0; i < 2; i++) {
			if ((p = strrchr(hconf_dir, '/')) != nullptr)
				*p = '\0';
		}
		if (hconf_dir[0] == '\0')
			snprintf(hconf_dir, sizeof hconf_dir, "/");
	}
	hestia_switches_copy(&hconf_sw, &conf->sw);
	if (conf->hestia_conf[0] != '\0')
		hconf_refresh();
}

void
hconf_free(void)
{
	hestia_switches_free(&hconf_sw);
}

const struct hestia_switches *
hconf_get(void)
{
	if (hconf_conf->hestia_conf[0] != '\0')
		hconf_refresh();
	return &hconf_sw;
}

const char *
hconf_hestia_dir(void)
{
	return hconf_dir;
}

int
hconf_user_valid(const char *user)
{
	size_t	 i, n = strlen(user);

	/* ^[[:alnum:]][-|\.|_[:alnum:]]{0,28}[[:alnum:]]$ */
	if (n < 2 || n > 30)
		return 0;
	if (!isalnum((unsigned char)user[0]) ||
	    !isalnum((unsigned char)user[n - 1]))
		return 0;
	for (i = 1; i < n - 1; i++) {
		if (!isalnum((unsigned char)user[i]) &&
		    strchr("-|._", user[i]) == nullptr)
			return 0;
	}
	return 1;
}

enum hconf_user
hconf_user_state(const char *user)
{
	char		*path, *suspended;
	enum hconf_user	 state;

	if (hconf_conf->hestia_conf[0] == '\0')
		return HCONF_USER_OK;
	if (!hconf_user_valid(user))
		return HCONF_USER_INVALID;
	xasprintf(&path, "%s/data/users/%s/user.conf", hconf_dir, user);
	if (access(path, F_OK) == -1) {
		free(path);
		return HCONF_USER_MISSING;
	}
	suspended = shconf_get(path, "SUSPENDED");
	free(path);
	state = suspended != nullptr && strcmp(suspended, "yes") == 0 ?
	    HCONF_USER_SUSPENDED : HCONF_USER_OK;
	free(suspended);
	return state;
}

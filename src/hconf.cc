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
#include "priv.h"
#include "shconf.h"

static const struct config	*hconf_conf;
static struct hestia_switches	 hconf_sw;
static struct stat		 hconf_st;	/* of the last good read */
static int			 hconf_state;	/* 1 read, -1 cannot be */
static char			 hconf_dir[PATH_MAX];

/* The switches, failing closed: all off, no address, no admin. */
static void
hconf_closed(struct hestia_switches *sw)
{
	hestia_switches_free(sw);
	sw->api = 0;
	sw->api_system = 0;
	sw->demo_mode = 1;
	sw->allowed_ip = xstrdup("");
	sw->root_user = xstrdup("");
}

enum { HC_API, HC_API_SYSTEM, HC_ALLOWED_IP, HC_ROOT_USER, HC_DEMO, HC_MAX };

/*
 * The switches from hestia.conf as Hestia's own API reads them (see
 * shconf_hestia). A key that a line we cannot evaluate may set is taken
 * at its closed value, with a warning; a file that cannot be read closes
 * everything. Never the previous switches: the panel may just have turned
 * the API off.
 */
static int
hconf_read(const char *path, struct hestia_switches *sw, char **cause)
{
	struct shconf_var	 v[HC_MAX] = {
		{ "API", nullptr, nullptr, 0, 0 },
		{ "API_SYSTEM", nullptr, nullptr, 0, 0 },
		{ "API_ALLOWED_IP", nullptr, nullptr, 0, 0 },
		{ "ROOT_USER", nullptr, nullptr, 0, 0 },
		{ "DEMO_MODE", nullptr, nullptr, 0, 0 },
	};
	int			 i;

	hconf_closed(sw);
	if (shconf_hestia(path, v, HC_MAX, cause) == -1)
		return -1;
	for (i = 0; i < HC_MAX; i++) {
		if (v[i].uncertain)
			log_warnx("%s: %s is set by a line that cannot be "
			    "evaluated: treated as %s", path, v[i].name,
			    i == HC_DEMO ? "yes" : i == HC_API ? "no" :
			    i == HC_API_SYSTEM ? "0" : "empty");
	}
	sw->api = !v[HC_API].uncertain && v[HC_API].value != nullptr &&
	    strcmp(v[HC_API].value, "yes") == 0;
	sw->api_system = v[HC_API_SYSTEM].uncertain ? 0 :
	    config_api_system(v[HC_API_SYSTEM].value != nullptr ?
	    v[HC_API_SYSTEM].value : "");
	sw->demo_mode = v[HC_DEMO].uncertain || (v[HC_DEMO].value != nullptr &&
	    strcmp(v[HC_DEMO].value, "yes") == 0);
	if (!v[HC_ALLOWED_IP].uncertain && v[HC_ALLOWED_IP].value != nullptr) {
		free(sw->allowed_ip);
		sw->allowed_ip = xstrdup(v[HC_ALLOWED_IP].value);
	}
	if (!v[HC_ROOT_USER].uncertain) {
		free(sw->root_user);
		sw->root_user = xstrdup(v[HC_ROOT_USER].value != nullptr ?
		    v[HC_ROOT_USER].value : "admin");
	}
	shconf_vars_free(v, HC_MAX);
	return 0;
}

/* stat(2), or when the file is root's alone (Hestia's conf/ is 0750
 * root), fstat of what the root helper opens (see priv_fopen). */
static int
hconf_stat(const char *path, struct stat *st)
{
	FILE	*f;
	int	 rv;

	if (stat(path, st) == 0)
		return 0;
	if (errno != EACCES)
		return -1;
	if ((f = priv_fopen(path)) == nullptr)
		return -1;
	rv = fstat(fileno(f), st);
	fclose(f);
	return rv;
}

/* Re-read hestia.conf when its inode, size or times changed; when it
 * cannot be read, every request tries again (and it is said once). */
static void
hconf_refresh(void)
{
	struct stat	 st;
	char		*cause = nullptr;

	if (hconf_stat(hconf_conf->hestia_conf, &st) == -1)
		xasprintf(&cause, "%s: %s", hconf_conf->hestia_conf,
		    strerror(errno));
	else if (hconf_state == 1 && st.st_ino == hconf_st.st_ino &&
	    st.st_size == hconf_st.st_size &&
	    st.st_mtim.tv_sec == hconf_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == hconf_st.st_mtim.tv_nsec &&
	    st.st_ctim.tv_nsec == hconf_st.st_ctim.tv_nsec)
		return;
	else if (hconf_read(hconf_conf->hestia_conf, &hconf_sw,
	    &cause) == 0) {
		if (hconf_state == -1)
			log_info("%s: read again", hconf_conf->hestia_conf);
		hconf_st = st;
		hconf_state = 1;
		log_debug("%s: API=%d API_SYSTEM=%d ROOT_USER=%s DEMO_MODE=%d",
		    __func__, hconf_sw.api, hconf_sw.api_system,
		    hconf_sw.root_user, hconf_sw.demo_mode);
		return;
	}
	hconf_closed(&hconf_sw);
	if (hconf_state != -1)
		log_warnx("%s; the API is off until it can be read", cause);
	free(cause);
	hconf_state = -1;
}

void
hconf_init(const struct config *conf)
{
	hconf_conf = conf;
	hconf_state = 0;
	config_hestia_dir(conf, hconf_dir, sizeof hconf_dir);
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

/*
 * Hestia refuses a key whose owner's user.conf holds SUSPENDED='yes'
 * anywhere (is_object_unsuspended greps for it); bash's and source_conf's
 * readings are asked too, and any of them saying yes, or a file that
 * cannot be read, means suspended.
 */
enum hconf_user
hconf_user_state(const char *user)
{
	struct shconf_var	 v = { "SUSPENDED", nullptr, nullptr, 0, 0 };
	struct stat		 st;
	char			*path, *cause = nullptr;
	enum hconf_user		 state = HCONF_USER_SUSPENDED;

	if (hconf_conf->hestia_conf[0] == '\0')
		return HCONF_USER_OK;
	if (!hconf_user_valid(user))
		return HCONF_USER_INVALID;
	xasprintf(&path, "%s/data/users/%s/user.conf", hconf_dir, user);
	if (hconf_stat(path, &st) == -1 && (errno == ENOENT ||
	    errno == ENOTDIR)) {
		free(path);
		return HCONF_USER_MISSING;
	}
	if (shconf_hestia(path, &v, 1, &cause) == -1) {
		log_warnx("%s; the user counts as suspended", cause);
		free(cause);
	} else if (!v.bash_unknown && (v.value == nullptr ||
	    strcmp(v.value, "yes") != 0) && (v.bash == nullptr ||
	    strcmp(v.bash, "yes") != 0) &&
	    shconf_contains(path, "SUSPENDED='yes'") == 0)
		state = HCONF_USER_OK;
	shconf_vars_free(&v, 1);
	free(path);
	return state;
}

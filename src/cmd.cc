/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Command names to scripts, argv and environment; nothing here runs. */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "cmd.h"
#include "config.h"

/* BIN_DIR without symlinks, looked up again at most once a second: under
 * load that is one realpath(3) (a readlink per component) a second, not
 * one per request. */
static const char *
cmd_bin_dir(const char *bin_dir)
{
	static char	 conf_dir[PATH_MAX], real_dir[PATH_MAX];
	static time_t	 looked_at;
	time_t		 now = time(nullptr);

	if (now == looked_at && strcmp(conf_dir, bin_dir) == 0)
		return real_dir;
	looked_at = 0;
	if (strlen(bin_dir) >= sizeof conf_dir ||
	    realpath(bin_dir, real_dir) == nullptr)
		return nullptr;
	snprintf(conf_dir, sizeof conf_dir, "%s", bin_dir);
	looked_at = now;
	return real_dir;
}

char *
cmd_resolve(const struct config *conf, const char *cmd)
{
	char		 real[PATH_MAX], *path;
	const char	*dir;
	struct stat	 st;
	size_t		 n;

	if ((dir = cmd_bin_dir(conf->bin_dir)) == nullptr ||
	    strchr(cmd, '/') != nullptr || cmd[0] == '\0' ||
	    strcmp(cmd, ".") == 0 || strcmp(cmd, "..") == 0)
		return nullptr;
	xasprintf(&path, "%s/%s", dir, cmd);
	if (lstat(path, &st) == -1)
		goto fail;
	/* The directory is canonical and cmd has no '/': only cmd itself
	 * can be a symlink, and none may lead out of BIN_DIR. */
	if (S_ISLNK(st.st_mode)) {
		if (realpath(path, real) == nullptr)
			goto fail;
		n = strlen(dir);
		if (strncmp(real, dir, n) != 0 || real[n] != '/' ||
		    stat(real, &st) == -1)
			goto fail;
		free(path);
		path = xstrdup(real);
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) == -1)
		goto fail;
	return path;
fail:
	free(path);
	return nullptr;
}

char **
cmd_argv(const struct config *conf, const char *path, char *const *args,
    int nargs)
{
	char	**argv, *words, *p, *w;
	int	 n = 0, i, max;

	max = 1 + nargs + 1 + (int)strlen(conf->exec_prefix) / 2 + 1;
	argv = XCALLOCARRAY(max, char *);
	p = words = xstrdup(conf->exec_prefix);
	while ((w = strsep(&p, " \t")) != nullptr) {
		if (*w != '\0')
			argv[n++] = xstrdup(w);
	}
	free(words);
	argv[n++] = xstrdup(path);
	for (i = 0; i < nargs; i++)
		argv[n++] = xstrdup(args[i]);
	argv[n] = nullptr;
	return argv;
}

char **
cmd_envp(const char *hestia_dir)
{
	char	**envp;

	envp = XCALLOCARRAY(4, char *);
	envp[0] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
	    "/usr/bin:/sbin:/bin");
	xasprintf(&envp[1], "HESTIA=%s", hestia_dir);
	envp[2] = xstrdup("LANG=C.UTF-8");
	envp[3] = nullptr;
	return envp;
}

void
cmd_vfree(char **v)
{
	char	**p;

	if (v == nullptr)
		return;
	for (p = v; *p != nullptr; p++)
		free(*p);
	free(v);
}

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

/*
 * Whether we may execute the file st describes, by access(2), remembered
 * for the file as it is: any change to its mode, owner or ACL changes its
 * ctime, so a verdict about the same inode with the same ctime, mode and
 * owner still holds, and the file costs one lstat(2) a request, not two
 * calls. Only "yes" is remembered.
 */
#define CMD_EXEC_CACHE	64
static int
cmd_executable(const char *path, const struct stat *st)
{
	static struct cmd_exec {
		dev_t		 dev;
		ino_t		 ino;
		mode_t		 mode;
		uid_t		 uid;
		gid_t		 gid;
		struct timespec	 ctime;
	} cache[CMD_EXEC_CACHE];
	struct cmd_exec	*c = &cache[st->st_ino % CMD_EXEC_CACHE];

	if (c->ino == st->st_ino && c->dev == st->st_dev &&
	    c->mode == st->st_mode && c->uid == st->st_uid &&
	    c->gid == st->st_gid && c->ctime.tv_sec == st->st_ctim.tv_sec &&
	    c->ctime.tv_nsec == st->st_ctim.tv_nsec && c->ino != 0)
		return 1;
	if (access(path, X_OK) == -1)
		return 0;
	c->dev = st->st_dev;
	c->ino = st->st_ino;
	c->mode = st->st_mode;
	c->uid = st->st_uid;
	c->gid = st->st_gid;
	c->ctime = st->st_ctim;
	return 1;
}

char *
cmd_resolve_stat(const struct config *conf, const char *cmd, struct stat *st)
{
	char		 real[PATH_MAX], *path;
	const char	*dir;
	size_t		 n;

	if ((dir = cmd_bin_dir(conf->bin_dir)) == nullptr ||
	    strchr(cmd, '/') != nullptr || cmd[0] == '\0' ||
	    strcmp(cmd, ".") == 0 || strcmp(cmd, "..") == 0)
		return nullptr;
	xasprintf(&path, "%s/%s", dir, cmd);
	if (lstat(path, st) == -1)
		goto fail;
	/* The directory is canonical and cmd has no '/': only cmd itself
	 * can be a symlink, and none may lead out of BIN_DIR. */
	if (S_ISLNK(st->st_mode)) {
		if (realpath(path, real) == nullptr)
			goto fail;
		n = strlen(dir);
		if (strncmp(real, dir, n) != 0 || real[n] != '/' ||
		    stat(real, st) == -1)
			goto fail;
		free(path);
		path = xstrdup(real);
	}
	if (!S_ISREG(st->st_mode) || !cmd_executable(path, st))
		goto fail;
	return path;
fail:
	free(path);
	return nullptr;
}

char *
cmd_resolve(const struct config *conf, const char *cmd)
{
	struct stat	 st;

	return cmd_resolve_stat(conf, cmd, &st);
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Command names to scripts, argv and environment; nothing here runs. */
#include <sys/stat.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "cmd.h"
#include "config.h"

char *
cmd_resolve(const struct config *conf, const char *cmd)
{
	char		 dir[PATH_MAX], real[PATH_MAX], *path;
	struct stat	 st;
	size_t		 n;

	if (realpath(conf->bin_dir, dir) == nullptr)
		return nullptr;
	xasprintf(&path, "%s/%s", dir, cmd);
	if (realpath(path, real) == nullptr)
		goto fail;
	/* No symlink may lead out of BIN_DIR. */
	n = strlen(dir);
	if (strncmp(real, dir, n) != 0 || real[n] != '/')
		goto fail;
	if (stat(real, &st) == -1 || !S_ISREG(st.st_mode) ||
	    access(real, X_OK) == -1)
		goto fail;
	free(path);
	return xstrdup(real);
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

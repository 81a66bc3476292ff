/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a command name means: its script in BIN_DIR, its argv and its
 * environment, built without a shell. */
#ifndef CMD_H
#define CMD_H

struct config;
struct stat;

/* The built-in command of Hestia's index.php. */
#define CMD_MAKE_TMP_FILE	"v-make-tmp-file"

/* The script for cmd: an executable regular file inside BIN_DIR (after
 * symlinks). Returns an allocated path, or nullptr. */
char	*cmd_resolve(const struct config *, const char *cmd);
/* The same, and the script's stat(2) (after symlinks) in *st. */
char	*cmd_resolve_stat(const struct config *, const char *cmd,
	    struct stat *st);

/* EXEC_PREFIX words, path, args; nullptr-terminated, allocated. */
char	**cmd_argv(const struct config *, const char *path,
	    char *const *args, int nargs);
/* The fixed environment: PATH, HESTIA, LANG. */
char	**cmd_envp(const char *hestia_dir);
void	 cmd_vfree(char **);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Dropping privileges after the listeners are bound (OpenBSD style). */
#include <sys/types.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "priv.h"

int
priv_drop(const char *user, char **cause)
{
	struct passwd	*pw;
	uid_t		 ruid, euid, suid;
	gid_t		 rgid, egid, sgid;

	errno = 0;
	if ((pw = getpwnam(user)) == nullptr) {
		xasprintf(cause, "USER %s: %s", user, errno != 0 ?
		    strerror(errno) : "no such user");
		return -1;
	}
	if (geteuid() != 0) {
		/* Only root can change user; being that user already is fine. */
		if (geteuid() == pw->pw_uid)
			return 0;
		xasprintf(cause, "USER %s: only root can switch users", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) == -1) {
		xasprintf(cause, "USER %s: initgroups: %s", user,
		    strerror(errno));
		return -1;
	}
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1) {
		xasprintf(cause, "USER %s: setresgid: %s", user,
		    strerror(errno));
		return -1;
	}
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		xasprintf(cause, "USER %s: setresuid: %s", user,
		    strerror(errno));
		return -1;
	}
	/* Believe nothing: read the ids back, and try to get root back. */
	if (getresgid(&rgid, &egid, &sgid) == -1 || rgid != pw->pw_gid ||
	    egid != pw->pw_gid || sgid != pw->pw_gid ||
	    getresuid(&ruid, &euid, &suid) == -1 || ruid != pw->pw_uid ||
	    euid != pw->pw_uid || suid != pw->pw_uid ||
	    (pw->pw_uid != 0 && setuid(0) != -1)) {
		xasprintf(cause, "USER %s: privileges were not dropped", user);
		return -1;
	}
	/* And nothing we exec may gain privileges either (setuid sudo). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		xasprintf(cause, "USER %s: PR_SET_NO_NEW_PRIVS: %s", user,
		    strerror(errno));
		return -1;
	}
	log_info("running as %s (uid %d, gid %d)", user, (int)pw->pw_uid,
	    (int)pw->pw_gid);
	return 0;
}

/* name is the database's file, or one SQLite makes beside it. */
static const char	*priv_db_suffix[] = { "", "-wal", "-shm", "-journal" };

static int
priv_db_file(const char *name, const char *base)
{
	size_t	 n = strlen(base);

	if (strncmp(name, base, n) != 0)
		return 0;
	for (size_t i = 0; i < nitems(priv_db_suffix); i++)
		if (strcmp(name + n, priv_db_suffix[i]) == 0)
			return 1;
	return 0;
}

/* A directory that holds nothing but the database may be handed over;
 * one shared with anything else (/etc, /var/lib) never is. */
static int
priv_db_dir_own(const char *dir, const char *base)
{
	DIR		*d;
	struct dirent	*de;
	int		 own = 1;

	if ((d = opendir(dir)) == nullptr)
		return 0;
	while (own && (de = readdir(d)) != nullptr) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    !priv_db_file(de->d_name, base))
			own = 0;
	}
	closedir(d);
	return own;
}

void
priv_db_handover(const char *path, const char *user)
{
	char		 dir[PATH_MAX], file[PATH_MAX + 16], *slash;
	const char	*base;
	struct passwd	*pw;
	struct stat	 st;

	if (geteuid() != 0 || user[0] == '\0' ||
	    (pw = getpwnam(user)) == nullptr || pw->pw_uid == 0)
		return;
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) == nullptr) {
		snprintf(dir, sizeof dir, ".");
		base = path;
	} else {
		*slash = '\0';
		base = slash + 1;
		if (dir[0] == '\0')
			snprintf(dir, sizeof dir, "/");
	}
	if (mkdir(dir, 0750) == 0) {
		if (chown(dir, pw->pw_uid, pw->pw_gid) == -1)
			log_warn("DATABASE: chown %s", dir);
	} else if (stat(dir, &st) == 0 && st.st_uid != pw->pw_uid) {
		if (priv_db_dir_own(dir, base)) {
			if (chown(dir, pw->pw_uid, pw->pw_gid) == -1)
				log_warn("DATABASE: chown %s", dir);
		} else if (access(path, F_OK) == 0 || errno != ENOENT)
			log_warnx("DATABASE: %s holds other files too, so it "
			    "stays root's; USER %s must be able to write it "
			    "(SQLite adds -wal and -shm files beside %s)",
			    dir, user, base);
	}
	/* lstat and lchown: a link planted here must not lead root on. */
	for (size_t i = 0; i < nitems(priv_db_suffix); i++) {
		snprintf(file, sizeof file, "%s%s", path, priv_db_suffix[i]);
		if (lstat(file, &st) == -1 || !S_ISREG(st.st_mode) ||
		    st.st_uid == pw->pw_uid)
			continue;
		if (lchown(file, pw->pw_uid, pw->pw_gid) == -1)
			log_warn("DATABASE: chown %s", file);
	}
}

static int	(*priv_opener)(const char *);
static int	(*priv_watcher)(const char *);

void
priv_set_opener(int (*opener)(const char *path))
{
	priv_opener = opener;
}

void
priv_set_watcher(int (*watcher)(const char *path))
{
	priv_watcher = watcher;
}

DIR *
priv_opendir(const char *path)
{
	DIR	*d;
	int	 fd, saved;

	if ((d = opendir(path)) != nullptr || errno != EACCES ||
	    priv_opener == nullptr)
		return d;
	if ((fd = priv_opener(path)) == -1)
		return nullptr;
	if ((d = fdopendir(fd)) == nullptr) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return d;
}

int
priv_inotify(const char *path, unsigned mask)
{
	int	 fd, saved;

	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	if (inotify_add_watch(fd, path, mask) != -1)
		return fd;
	saved = errno;
	close(fd);
	if (saved != EACCES || priv_watcher == nullptr) {
		errno = saved;
		return -1;
	}
	return priv_watcher(path);
}

FILE *
priv_fopen(const char *path)
{
	FILE	*f;
	int	 fd, saved;

	if ((f = fopen(path, "re")) != nullptr || errno != EACCES ||
	    priv_opener == nullptr)
		return f;
	if ((fd = priv_opener(path)) == -1)
		return nullptr;
	if ((f = fdopen(fd, "r")) == nullptr) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return f;
}

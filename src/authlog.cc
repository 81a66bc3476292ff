/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's auth.log: the exact lines its fail2ban filter matches. */
#include <ctype.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "authlog.h"

#define AUTHLOG_RETRY	5	/* s between tries to open a missing log */

static char	*authlog_path;
static int	 authlog_fd = -1;
static time_t	 authlog_failed_at;	/* last open that failed */
static time_t	 authlog_checked_at;	/* last look for logrotate */
static int	(*authlog_opener)(const char *);

/* Once privileges are dropped, the root helper opens the file for us. */
void
authlog_set_opener(int (*opener)(const char *path))
{
	authlog_opener = opener;
}

static int
authlog_open_file(const char *path)
{
	if (authlog_opener != nullptr)
		return authlog_opener(path);
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int
authlog_open(const char *path)
{
	authlog_close();
	free(authlog_path);
	authlog_path = xstrdup(path);
	if (path[0] == '\0')
		return 0;
	authlog_fd = authlog_open_file(path);
	if (authlog_fd == -1) {
		log_warn("AUTH_LOG %s", path);
		authlog_failed_at = time(nullptr);
		return -1;
	}
	return 0;
}

/* Open the file anew; if that fails (after dropping privileges, say),
 * keep writing to the one we have rather than to nothing. */
void
authlog_reopen(void)
{
	int	 fd;

	if (authlog_path == nullptr || authlog_path[0] == '\0')
		return;
	fd = authlog_open_file(authlog_path);
	if (fd == -1) {
		log_warn("AUTH_LOG %s", authlog_path);
		authlog_failed_at = time(nullptr);
		return;
	}
	if (authlog_fd != -1)
		close(authlog_fd);
	authlog_fd = fd;
}

/* Hestia's logrotate moves auth.log aside and creates a new one without
 * telling anybody: follow the name, not the old file. */
static void
authlog_follow(void)
{
	struct stat	 st, fst;

	if (authlog_path == nullptr || authlog_path[0] == '\0')
		return;
	/* A look a second is enough for a monthly rotation, and keeps two
	 * system calls off every failed login of a brute-force run. */
	if (authlog_fd != -1 && time(nullptr) == authlog_checked_at)
		return;
	authlog_checked_at = time(nullptr);
	if (authlog_fd != -1 && stat(authlog_path, &st) == 0 &&
	    fstat(authlog_fd, &fst) == 0 && st.st_ino == fst.st_ino &&
	    st.st_dev == fst.st_dev)
		return;
	if (authlog_fd == -1 && time(nullptr) - authlog_failed_at <
	    AUTHLOG_RETRY)
		return;
	authlog_reopen();
}

void
authlog_close(void)
{
	if (authlog_fd != -1)
		close(authlog_fd);
	authlog_fd = -1;
}

/* One whole line per write(2), so lines from concurrent writers (Hestia's
 * own scripts append here too) never interleave. */
void
authlog_line(const char *who, const char *ip, const char *what)
{
	static char	 stamp[32];
	static time_t	 stamp_at = -1;
	char		 line[512], name[65];
	size_t		 i;
	struct tm	 tm;
	time_t		 now;
	int		 n;

	authlog_follow();
	if (authlog_fd == -1)
		return;
	/* A name comes from the client: never let it forge a line. */
	for (i = 0; who[i] != '\0' && i < sizeof name - 1; i++)
		name[i] = isalnum((unsigned char)who[i]) ||
		    strchr("._-@", who[i]) != nullptr ? who[i] : '?';
	name[i] = '\0';
	if (i == 0)
		snprintf(name, sizeof name, "-");
	/* The stamp changes once a second: formatted once a second. */
	now = time(nullptr);
	if (now != stamp_at) {
		localtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
		stamp_at = now;
	}
	n = snprintf(line, sizeof line, "%s %s %s %s\n", stamp, name,
	    ip[0] != '\0' ? ip : "-", what);
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	if (write(authlog_fd, line, n) != n)
		log_warn("AUTH_LOG write");
}

void
authlog_failed(const char *who, const char *ip)
{
	authlog_line(who, ip, "failed to login");
}

void
authlog_launched(const char *who, const char *ip, const char *cmd)
{
	char	 what[256];

	snprintf(what, sizeof what, "%s successfully launched", cmd);
	authlog_line(who, ip, what);
}

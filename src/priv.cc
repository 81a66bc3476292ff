/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Dropping privileges after the listeners are bound (OpenBSD style). */
#include <sys/types.h>

#include <errno.h>
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
	log_info("running as %s (uid %d, gid %d)", user, (int)pw->pw_uid,
	    (int)pw->pw_gid);
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* v-make-tmp-file: a private file in TMP_DIR that never follows a link. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "key.h"
#include "tmpfile.h"

int
tmpfile_name_valid(const char *name)
{
	const char	*p;

	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 200)
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			return 0;
	}
	return 1;
}

int
tmpfile_write(const char *dir, const char *name, const char *data,
    size_t len, char **cause)
{
	char		 tmp[4096], path[4096], rnd[13];
	struct stat	 st;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd = -1, rv = -1;

	tmp[0] = '\0';
	if (!tmpfile_name_valid(name)) {
		xasprintf(cause, "invalid file name");
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	/* Only a regular file of ours may be replaced. */
	if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode) &&
	    (!S_ISREG(st.st_mode) || st.st_uid != geteuid())) {
		xasprintf(cause, "%s exists and is not ours", name);
		return -1;
	}
	if (key_random(rnd, sizeof rnd - 1, KEY_ID_ALPHABET) == -1) {
		xasprintf(cause, "getrandom: %s", strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s/.%s.%s", dir, name, rnd);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		goto done;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "%s: %s", tmp, strerror(errno));
			goto done;
		}
		off += n;
	}
	if (close(fd) == -1) {
		fd = -1;
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	/* rename(2) replaces a symlink itself; it never writes through it. */
	if (rename(tmp, path) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto done;
	}
	tmp[0] = '\0';
	rv = 0;
done:
	if (fd != -1)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	return rv;
}

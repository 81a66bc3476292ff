/* SPDX-License-Identifier: GPL-3.0-or-later */
/* systemd readiness notification and socket activation, by hand. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "sdnotify.h"

#define SDNOTIFY_FDS_MAX	16	/* listeners systemd may pass */

static struct sockaddr_un	 sdnotify_addr;
static socklen_t		 sdnotify_addrlen;
static int			 sdnotify_nfds;

void
sdnotify_init(void)
{
	const char	*path, *pid, *fds;
	char		*end;
	long		 n;
	size_t		 len;

	if ((path = getenv("NOTIFY_SOCKET")) != nullptr &&
	    (path[0] == '/' || path[0] == '@') &&
	    (len = strlen(path)) < sizeof sdnotify_addr.sun_path) {
		sdnotify_addr.sun_family = AF_UNIX;
		memcpy(sdnotify_addr.sun_path, path, len);
		if (path[0] == '@')	/* an abstract socket */
			sdnotify_addr.sun_path[0] = '\0';
		sdnotify_addrlen = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + len);
	}
	/* Socket activation: only for us, not for a parent of ours. */
	pid = getenv("LISTEN_PID");
	fds = getenv("LISTEN_FDS");
	if (pid != nullptr && fds != nullptr &&
	    strtol(pid, &end, 10) == (long)getpid() && *end == '\0') {
		errno = 0;
		n = strtol(fds, &end, 10);
		if (errno == 0 && *end == '\0' && n > 0 &&
		    n <= SDNOTIFY_FDS_MAX) {
			sdnotify_nfds = (int)n;
			for (int fd = 3; fd < 3 + sdnotify_nfds; fd++)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

void
sdnotify(const char *state)
{
	char		 msg[256];
	struct timespec	 ts;
	int		 fd, n;

	if (sdnotify_addrlen == 0)
		return;
	/* systemd 253 and later want the time a reload began. */
	if (strcmp(state, "RELOADING=1") == 0 &&
	    clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		n = snprintf(msg, sizeof msg, "%s\nMONOTONIC_USEC=%llu", state,
		    (unsigned long long)ts.tv_sec * 1000000 +
		    (unsigned long long)ts.tv_nsec / 1000);
	else
		n = snprintf(msg, sizeof msg, "%s", state);
	if (n < 0 || (size_t)n >= sizeof msg)
		return;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL,
	    (struct sockaddr *)&sdnotify_addr, sdnotify_addrlen) == -1)
		log_debug("NOTIFY_SOCKET: %s", strerror(errno));
	close(fd);
}

int
sdnotify_listen_fds(void)
{
	return sdnotify_nfds;
}

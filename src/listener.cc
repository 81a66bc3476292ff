/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LISTEN's addresses: their syntax, and whether a process holds one. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "listener.h"

#define LISTENER_MAX_INODES	16
#define LISTENER_ACCEPTCON	0x10000	/* /proc/net/unix: listening */
#define LISTENER_TCP_LISTEN	0x0a	/* /proc/net/tcp: TCP_LISTEN */

int
listener_split(const char *spec, char *host, size_t hostlen, int *port)
{
	const char	*colon, *h = spec, *end;
	size_t		 n;
	long		 p;
	char		*ep;

	if (spec[0] == '[') {
		if ((end = strchr(spec, ']')) == nullptr || end[1] != ':')
			return -1;
		h = spec + 1;
		n = end - h;
		colon = end + 1;
	} else {
		if ((colon = strrchr(spec, ':')) == nullptr)
			return -1;
		n = colon - spec;
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	errno = 0;
	p = strtol(colon + 1, &ep, 10);
	if (colon[1] == '\0' || *ep != '\0' || errno != 0 || p < 0 ||
	    p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

/* An address of /proc/net/tcp{,6}: the kernel prints each 32-bit word of
 * it in host order, so reading the words back gives its bytes. */
static int
listener_proc_addr(const char *hex, size_t len, unsigned char *addr)
{
	char		 word[9];
	unsigned int	 w;

	if (len != 8 && len != 32)
		return -1;
	for (size_t i = 0; i < len / 8; i++) {
		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		if (sscanf(word, "%x", &w) != 1)
			return -1;
		memcpy(addr + 4 * i, &w, 4);
	}
	return (int)len / 2;
}

static int
listener_is_any(const unsigned char *addr, int len)
{
	for (int i = 0; i < len; i++) {
		if (addr[i] != 0)
			return 0;
	}
	return 1;
}

/* The inodes of the TCP sockets listening on the port of sa whose address
 * overlaps it: the same, or a wildcard on either side. */
static int
listener_tcp_inodes(const struct sockaddr *sa, unsigned long *inodes)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	const unsigned char	*want;
	unsigned char		 addr[16];
	char			 line[512], local[64];
	unsigned long		 inode;
	unsigned int		 port, st;
	int			 wantlen, wantport, len, n = 0;
	char			*colon;
	FILE			*f;

	if (sa->sa_family == AF_INET6) {
		want = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		wantlen = 16;
		wantport = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		want = (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
		wantlen = 4;
		wantport = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	}
	for (size_t i = 0; i < nitems(files); i++) {
		if ((f = fopen(files[i], "re")) == nullptr)
			continue;
		while (n < LISTENER_MAX_INODES &&
		    fgets(line, sizeof line, f) != nullptr) {
			if (sscanf(line, " %*s %63s %*s %x %*s %*s %*s %*s "
			    "%*s %lu", local, &st, &inode) != 3 ||
			    st != LISTENER_TCP_LISTEN ||
			    (colon = strchr(local, ':')) == nullptr ||
			    sscanf(colon + 1, "%x", &port) != 1 ||
			    (int)port != wantport)
				continue;
			len = listener_proc_addr(local, colon - local, addr);
			if (len == -1)
				continue;
			if (listener_is_any(addr, len) ||
			    listener_is_any(want, wantlen) ||
			    (len == wantlen && memcmp(addr, want, len) == 0))
				inodes[n++] = inode;
		}
		fclose(f);
	}
	return n;
}

/* The inodes of the unix sockets listening on path. */
static int
listener_unix_inodes(const char *path, unsigned long *inodes)
{
	char		 line[512 + sizeof ((struct sockaddr_un *)0)->sun_path];
	unsigned long	 inode;
	unsigned int	 flags;
	int		 off, n = 0;
	size_t		 len;
	FILE		*f;

	if ((f = fopen("/proc/net/unix", "re")) == nullptr)
		return 0;
	while (n < LISTENER_MAX_INODES &&
	    fgets(line, sizeof line, f) != nullptr) {
		off = -1;
		if (sscanf(line, "%*s %*x %*x %x %*x %*x %lu %n", &flags,
		    &inode, &off) != 2 || off == -1 ||
		    (flags & LISTENER_ACCEPTCON) == 0)
			continue;
		len = strcspn(line + off, "\n");
		if (len == strlen(path) && memcmp(line + off, path, len) == 0)
			inodes[n++] = inode;
	}
	fclose(f);
	return n;
}

/*
 * Who holds one of the inodes: the descriptors of every process we may
 * look at (all of them as root). Returns 0 when none was seen, 1 when
 * only hestia-apid or pid 1 hold them, 2 for another process, whose pid
 * and name are given.
 */
static int
listener_holder(const unsigned long *inodes, int ninodes, pid_t *pid,
    char *name, size_t namelen)
{
	DIR		*proc, *fds;
	struct dirent	*p, *d;
	char		 path[300], link[64], comm[64];
	unsigned long	 inode;
	ssize_t		 len;
	int		 fd, found = 0, held;
	FILE		*f;

	if ((proc = opendir("/proc")) == nullptr)
		return 0;
	while (found < 2 && (p = readdir(proc)) != nullptr) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == nullptr)
			continue;
		fd = dirfd(fds);
		held = 0;
		while (!held && (d = readdir(fds)) != nullptr) {
			len = readlinkat(fd, d->d_name, link, sizeof link - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			if (sscanf(link, "socket:[%lu]", &inode) != 1)
				continue;
			for (int i = 0; i < ninodes; i++)
				held |= inodes[i] == inode;
		}
		closedir(fds);
		if (!held)
			continue;
		comm[0] = '\0';
		snprintf(path, sizeof path, "/proc/%s/comm", p->d_name);
		if ((f = fopen(path, "re")) != nullptr) {
			if (fgets(comm, sizeof comm, f) == nullptr)
				comm[0] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		*pid = (pid_t)atoi(p->d_name);
		snprintf(name, namelen, "%s", comm[0] != '\0' ? comm : "?");
		/* A reload's -n meets its own daemon; pid 1 is systemd
		 * holding the sockets of hestia-apid.socket. */
		if (*pid == 1 || strcmp(comm, "hestia-apid") == 0)
			found = 1;
		else
			found = 2;
	}
	closedir(proc);
	return found;
}

/* An address in use: whose it is, as a state and *cause. */
static int
listener_in_use(const char *spec, const unsigned long *inodes, int n,
    char **cause)
{
	char	 name[64];
	pid_t	 pid = 0;
	int	 who;

	who = listener_holder(inodes, n, &pid, name, sizeof name);
	if (who == 0) {
		xasprintf(cause, "LISTEN: %s: in use by another process", spec);
		return LISTENER_TAKEN;
	}
	xasprintf(cause, "LISTEN: %s: in use by %s (pid %ld)", spec, name,
	    (long)pid);
	return who == 1 ? LISTENER_OURS : LISTENER_TAKEN;
}

int
listener_unix_addr(const char *path, struct sockaddr_un *sun, char **cause)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof sun->sun_path) {
		xasprintf(cause, "LISTEN: unix:%s: need an absolute path of "
		    "at most %zu bytes", path, sizeof sun->sun_path - 1);
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

static int
listener_check_unix(const char *spec, char **cause)
{
	const char		*path = spec + 5;
	struct sockaddr_un	 sun;
	struct stat		 st;
	unsigned long		 inodes[LISTENER_MAX_INODES];
	int			 fd, rv, e;

	if (listener_unix_addr(path, &sun, cause) == -1)
		return -1;
	if (lstat(path, &st) == -1)
		return LISTENER_FREE;
	if (!S_ISSOCK(st.st_mode)) {
		xasprintf(cause, "LISTEN: %s: exists and is not a socket",
		    spec);
		return -1;
	}
	/* Non-blocking: a full backlog answers EAGAIN instead of a wait. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return LISTENER_FREE;
	rv = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	e = errno;
	close(fd);
	/* Refused: a socket left behind, which binding replaces. */
	if (rv == -1 && e != EAGAIN)
		return LISTENER_FREE;
	return listener_in_use(spec, inodes, listener_unix_inodes(path,
	    inodes), cause);
}

int
listener_check(const char *spec, char **cause)
{
	struct addrinfo		 hints, *ai = nullptr;
	unsigned long		 inodes[LISTENER_MAX_INODES];
	char			 host[INET6_ADDRSTRLEN + 2], portstr[8];
	int			 port, fd, one = 1, rv, e;

	if (strncmp(spec, "unix:", 5) == 0)
		return listener_check_unix(spec, cause);
	if (listener_split(spec, host, sizeof host, &port) == -1) {
		xasprintf(cause, "LISTEN: %s: expected HOST:PORT, [V6]:PORT "
		    "or unix:/path", spec);
		return -1;
	}
	if (port == 0)
		return LISTENER_FREE;
	/* As evhttp resolves it, and binds the first answer. */
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG | AI_NUMERICSERV;
	snprintf(portstr, sizeof portstr, "%d", port);
	if ((rv = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		xasprintf(cause, "LISTEN: %s: %s", spec, gai_strerror(rv));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1) {
		xasprintf(cause, "LISTEN: %s: socket: %s", spec,
		    strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	rv = bind(fd, ai->ai_addr, ai->ai_addrlen);
	e = errno;
	close(fd);
	if (rv == 0 || e == EACCES) {
		/* EACCES: a port only root may bind; the start tells. */
		rv = LISTENER_FREE;
	} else if (e == EADDRINUSE) {
		rv = listener_in_use(spec, inodes,
		    listener_tcp_inodes(ai->ai_addr, inodes), cause);
	} else {
		xasprintf(cause, "LISTEN: %s: cannot bind: %s", spec,
		    strerror(e));
		rv = -1;
	}
	freeaddrinfo(ai);
	return rv;
}

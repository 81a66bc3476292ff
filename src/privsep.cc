/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The privsep messages: encoding, checking, sending with descriptors. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "privsep.h"

/* Socket buffers: a few full payloads in flight either way. */
#define PRIV_SOCKBUF	(4 * (sizeof(struct priv_hdr) + PRIV_PAYLOAD_MAX))

int
priv_name_ok(const char *name)
{
	size_t	 i;

	for (i = 0; name[i] != '\0'; i++) {
		if (i >= PRIV_NAME_MAX)
			return 0;
		if (!((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '_' || name[i] == '-'))
			return 0;
	}
	return i > 0;
}

/* The descriptors each type carries: exactly this many, or for PRIV_FILES
 * between 1 and PRIV_FDS_MAX, as its value says. */
static int
priv_fds_needed(const struct priv_hdr *hdr)
{
	switch (hdr->type) {
	case PRIV_STARTED:
		return 2;
	case PRIV_FILES:
		return hdr->value;
	default:
		return 0;
	}
}

/* PRIV_SPAWN's payload: exactly 1 + nargs NUL-terminated strings. */
static int
priv_parse_spawn(struct priv_msg *msg, const char **why)
{
	const char	*p = msg->payload, *end = p + msg->hdr.len;
	int		 i;

	if (msg->hdr.value < 0 || msg->hdr.value > PRIV_ARGS_MAX) {
		*why = "argument count out of range";
		return -1;
	}
	msg->nargs = msg->hdr.value;
	for (i = -1; i < msg->nargs; i++) {
		const char	*nul;

		if (p >= end || (nul = (const char *)memchr(p, '\0',
		    (size_t)(end - p))) == nullptr) {
			*why = "fewer arguments than announced";
			return -1;
		}
		if (i == -1)
			msg->name = p;
		else
			msg->args[i] = p;
		p = nul + 1;
	}
	if (p != end) {
		*why = "more arguments than announced";
		return -1;
	}
	if (!priv_name_ok(msg->name)) {
		*why = "bad command name";
		return -1;
	}
	return 0;
}

int
priv_parse(char *buf, size_t len, const int *fds, int nfds,
    struct priv_msg *msg, const char **why)
{
	int	 i;

	memset(msg, 0, sizeof *msg);
	for (i = 0; i < PRIV_FDS_MAX; i++)
		msg->fds[i] = -1;
	if (len < sizeof msg->hdr) {
		*why = "short message";
		return -1;
	}
	memcpy(&msg->hdr, buf, sizeof msg->hdr);
	if (msg->hdr.len > PRIV_PAYLOAD_MAX ||
	    msg->hdr.len != len - sizeof msg->hdr) {
		*why = "bad payload length";
		return -1;
	}
	if (msg->hdr.type < PRIV_SPAWN || msg->hdr.type > PRIV_TYPE_LAST) {
		*why = "unknown message type";
		return -1;
	}
	if (msg->hdr.type == PRIV_FILES && (msg->hdr.value < 1 ||
	    msg->hdr.value > PRIV_FDS_MAX)) {
		*why = "bad descriptor count";
		return -1;
	}
	if (nfds < 0 || nfds > PRIV_FDS_MAX ||
	    nfds != priv_fds_needed(&msg->hdr)) {
		*why = "wrong number of descriptors";
		return -1;
	}
	for (i = 0; i < nfds; i++) {
		if (fds[i] < 0) {
			*why = "bad descriptor";
			return -1;
		}
		msg->fds[i] = fds[i];
	}
	msg->nfds = nfds;
	/* The byte after the payload is the caller's spare one. */
	msg->payload = buf + sizeof msg->hdr;
	buf[len] = '\0';

	switch (msg->hdr.type) {
	case PRIV_SPAWN:
		return priv_parse_spawn(msg, why);
	case PRIV_KILL:
		if (msg->hdr.value != SIGTERM && msg->hdr.value != SIGKILL) {
			*why = "signal not allowed";
			return -1;
		}
		break;
	case PRIV_OPEN:
	case PRIV_WATCH:
		if (msg->hdr.len == 0 || msg->payload[0] != '/') {
			*why = "not an absolute path";
			return -1;
		}
		/* FALLTHROUGH */
	case PRIV_FAILED:
	case PRIV_REFUSED:
		if (memchr(msg->payload, '\0', msg->hdr.len) != nullptr) {
			*why = "NUL in a text";
			return -1;
		}
		return 0;
	default:
		break;
	}
	if (msg->hdr.type != PRIV_SPAWN && msg->hdr.len != 0) {
		*why = "payload where none belongs";
		return -1;
	}
	return 0;
}

int
priv_send(int sock, uint32_t type, uint32_t id, int32_t value,
    const void *payload, size_t len, const int *fds, int nfds)
{
	struct priv_hdr	 hdr;
	struct iovec	 iov[2];
	struct msghdr	 mh;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(PRIV_FDS_MAX * sizeof(int))];
	} cm;
	ssize_t		 n;

	if (len > PRIV_PAYLOAD_MAX || nfds < 0 || nfds > PRIV_FDS_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	hdr.type = type;
	hdr.id = id;
	hdr.value = value;
	hdr.len = (uint32_t)len;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof hdr;
	iov[1].iov_base = (void *)payload;
	iov[1].iov_len = len;
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = iov;
	mh.msg_iovlen = len > 0 ? 2 : 1;
	if (nfds > 0) {
		memset(&cm, 0, sizeof cm);
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm.hdr.cmsg_level = SOL_SOCKET;
		cm.hdr.cmsg_type = SCM_RIGHTS;
		cm.hdr.cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(&cm.hdr), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	return 0;
}

static void
priv_close_all(int *fds, int nfds)
{
	int	 i;

	for (i = 0; i < nfds; i++)
		close(fds[i]);
}

ssize_t
priv_recv(int sock, char *buf, size_t size, int *fds, int *nfds, int flags)
{
	struct iovec	 iov;
	struct msghdr	 mh;
	struct cmsghdr	*c;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE((PRIV_FDS_MAX + 1) *
				    sizeof(int))];
	} cm;
	ssize_t		 n;
	size_t		 k;

	*nfds = 0;
	iov.iov_base = buf;
	iov.iov_len = size - 1;		/* a byte for the payload's NUL */
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof cm.buf;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	/* Take every descriptor that came, so none leaks on an error. */
	for (c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int	 fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (*nfds < PRIV_FDS_MAX + 1)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if (n == 0 && *nfds > 0) {	/* an empty datagram is no EOF */
		priv_close_all(fds, *nfds);
		*nfds = 0;
		errno = EMSGSIZE;
		return -1;
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
	    *nfds > PRIV_FDS_MAX) {
		priv_close_all(fds, *nfds);
		*nfds = 0;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

ssize_t
priv_spawn_payload(char *buf, const char *name, char *const *args,
    int nargs)
{
	size_t	 len = 0, n;
	int	 i;

	if (nargs < 0 || nargs > PRIV_ARGS_MAX)
		return -1;
	for (i = -1; i < nargs; i++) {
		const char	*s = i == -1 ? name : args[i];

		n = strlen(s) + 1;
		if (n > PRIV_PAYLOAD_MAX - len)
			return -1;
		memcpy(buf + len, s, n);
		len += n;
	}
	return (ssize_t)len;
}

int
priv_socketpair(int sv[2])
{
	int	 size = (int)PRIV_SOCKBUF, i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	/* As root the buffers may exceed net.core.wmem_max; otherwise take
	 * what the system allows. */
	for (i = 0; i < 2; i++) {
		if (setsockopt(sv[i], SOL_SOCKET, SO_SNDBUFFORCE, &size,
		    sizeof size) == -1)
			setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &size,
			    sizeof size);
		if (setsockopt(sv[i], SOL_SOCKET, SO_RCVBUFFORCE, &size,
		    sizeof size) == -1)
			setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &size,
			    sizeof size);
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: what the root helper reads from the network side. The
 * first byte says how many descriptors go with the datagram (0-5, more
 * than any message carries), the rest is the datagram, sent through a
 * real SOCK_SEQPACKET pair and taken in by priv_recv and priv_parse.
 * Checked: an accepted message is exactly what its type allows (a spawn
 * request encodes back to the same bytes), and no descriptor leaks
 * whatever happens. */
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "apid.h"
#include "fuzz.h"
#include "privsep.h"

static int	 fuzz_sv[2] = { -1, -1 };
static int	 fuzz_null = -1;
static char	*fuzz_buf, *fuzz_again;

static int
fuzz_open_fds(void)
{
	int	 n = 0;

	for (int fd = 0; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static void
fuzz_check(const struct priv_msg *m, size_t len)
{
	if (m->hdr.len != len - sizeof m->hdr || m->hdr.len > PRIV_PAYLOAD_MAX)
		fuzz_fail("length %u of %zu", m->hdr.len, len);
	switch (m->hdr.type) {
	case PRIV_SPAWN: {
		ssize_t	 n;

		if (!priv_name_ok(m->name) || m->nargs != m->hdr.value)
			fuzz_fail("spawn: name or count");
		n = priv_spawn_payload(fuzz_again, m->name,
		    (char *const *)m->args, m->nargs);
		if (n != (ssize_t)m->hdr.len ||
		    memcmp(fuzz_again, m->payload, m->hdr.len) != 0)
			fuzz_fail("spawn: does not encode back");
		break;
	}
	case PRIV_KILL:
		if (m->hdr.value != SIGTERM && m->hdr.value != SIGKILL)
			fuzz_fail("kill: signal %d", m->hdr.value);
		break;
	case PRIV_OPEN:
	case PRIV_WATCH:
		if (m->payload[0] != '/')
			fuzz_fail("open: a relative path");
		/* FALLTHROUGH */
	case PRIV_FAILED:
	case PRIV_REFUSED:
		if (strlen(m->payload) != m->hdr.len)
			fuzz_fail("text with a NUL");
		break;
	case PRIV_STARTED:
		if (m->nfds != 2)
			fuzz_fail("started with %d fds", m->nfds);
		break;
	case PRIV_FILES:
		if (m->nfds != m->hdr.value || m->nfds < 1)
			fuzz_fail("files: %d fds", m->nfds);
		break;
	default:
		if (m->hdr.type < PRIV_SPAWN || m->hdr.type > PRIV_TYPE_LAST)
			fuzz_fail("type %u", m->hdr.type);
		break;
	}
	if (m->hdr.type != PRIV_STARTED && m->hdr.type != PRIV_FILES &&
	    m->nfds != 0)
		fuzz_fail("type %u with fds", m->hdr.type);
	if (m->hdr.type != PRIV_SPAWN && m->hdr.type != PRIV_FAILED &&
	    m->hdr.type != PRIV_REFUSED && m->hdr.type != PRIV_OPEN &&
	    m->hdr.type != PRIV_WATCH && m->hdr.len != 0)
		fuzz_fail("type %u with a payload", m->hdr.type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct priv_msg	 msg;
	const char	*why;
	int		 send_fds[5], fds[PRIV_FDS_MAX + 1], nfds, nsend, before;
	ssize_t		 n;

	if (fuzz_sv[0] == -1) {
		if (priv_socketpair(fuzz_sv) == -1 ||
		    (fuzz_null = open("/dev/null", O_RDONLY)) == -1)
			abort();
		fuzz_buf = (char *)malloc(PRIV_MSG_MAX + 1);
		fuzz_again = (char *)malloc(PRIV_PAYLOAD_MAX);
	}
	if (size < 1 || size - 1 > PRIV_MSG_MAX)
		return 0;
	nsend = data[0] % 6;
	for (int i = 0; i < nsend; i++)
		send_fds[i] = fuzz_null;
	before = fuzz_open_fds();

	/* The header and payload as one datagram, the fds with it; the
	 * sender may pass more fds than any message should carry. */
	{
		struct iovec	 iov = { (void *)(data + 1), size - 1 };
		struct msghdr	 mh = {};
		union {
			struct cmsghdr	 h;
			char		 b[CMSG_SPACE(5 * sizeof(int))];
		} cm = {};

		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (nsend > 0) {
			mh.msg_control = cm.b;
			mh.msg_controllen = CMSG_SPACE(nsend * sizeof(int));
			cm.h.cmsg_level = SOL_SOCKET;
			cm.h.cmsg_type = SCM_RIGHTS;
			cm.h.cmsg_len = CMSG_LEN(nsend * sizeof(int));
			memcpy(CMSG_DATA(&cm.h), send_fds, nsend * sizeof(int));
		}
		if (sendmsg(fuzz_sv[0], &mh, 0) == -1)
			return 0;
	}
	n = priv_recv(fuzz_sv[1], fuzz_buf, PRIV_MSG_MAX + 1, fds, &nfds,
	    MSG_DONTWAIT);
	if (n > 0) {
		if (priv_parse(fuzz_buf, (size_t)n, fds, nfds, &msg,
		    &why) == 0)
			fuzz_check(&msg, (size_t)n);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
	} else if (n == -1 && nfds != 0)
		fuzz_fail("an error with %d fds kept", nfds);
	if (fuzz_open_fds() != before)
		fuzz_fail("descriptors leaked: %d, were %d", fuzz_open_fds(),
		    before);
	return 0;
}

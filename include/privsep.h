/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The messages between the network side and the root helper: a fixed
 * header and a bounded payload per SOCK_SEQPACKET datagram, file
 * descriptors passed with SCM_RIGHTS. Encoding and checking only; who
 * sends what is in spawn.cc (network side) and helper.cc (root side). */
#ifndef PRIVSEP_H
#define PRIVSEP_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* Arguments of one command, NUL-separated: Linux takes no single argument
 * over 128 KiB (MAX_ARG_STRLEN) anyway. */
#define PRIV_PAYLOAD_MAX	(128 * 1024)
#define PRIV_FDS_MAX		3
#define PRIV_ARGS_MAX		1024
#define PRIV_NAME_MAX		128
#define PRIV_MSG_MAX	(sizeof(struct priv_hdr) + PRIV_PAYLOAD_MAX)

enum priv_type : uint32_t {
	/* network side -> helper, on the spawn channel */
	PRIV_SPAWN = 1,		/* id; value nargs; payload name\0arg\0... */
	PRIV_KILL,		/* id; value SIGTERM or SIGKILL */
	/* helper -> network side, on the spawn channel */
	PRIV_STARTED,		/* id; value pid; fds stdout, stderr */
	PRIV_FAILED,		/* id; payload why, text */
	PRIV_EXITED,		/* id; value wait status */
	/* network side -> helper, on the control channel (synchronous) */
	PRIV_AUTHLOG,		/* open AUTH_LOG again */
	PRIV_RELOAD,		/* read the config again, open its files */
	/* helper -> network side, on the control channel */
	PRIV_FILES,		/* value n; fds: config[, cert, key] or log */
	PRIV_REFUSED,		/* value errno; payload why, text */
	/* network side -> helper, on the control channel */
	PRIV_OPEN,		/* payload path: one of the few it may open */
	PRIV_WATCH,		/* payload path: an inotify watch of it */
};
#define PRIV_TYPE_LAST	PRIV_WATCH

struct priv_hdr {
	uint32_t	 type;
	uint32_t	 id;
	int32_t		 value;
	uint32_t	 len;		/* payload bytes after the header */
};

/* A message as received and checked; pointers into the caller's buffer. */
struct priv_msg {
	struct priv_hdr	 hdr;
	const char	*payload;	/* NUL-terminated when len > 0 */
	int		 fds[PRIV_FDS_MAX];
	int		 nfds;
	/* PRIV_SPAWN: the command and its arguments */
	const char	*name;
	const char	*args[PRIV_ARGS_MAX];
	int		 nargs;
};

/* Is this a command name the helper may look up: ^[A-Za-z0-9_-]+$, at most
 * PRIV_NAME_MAX bytes. */
int	 priv_name_ok(const char *);

/* Check a datagram of len bytes that came with nfds descriptors: header,
 * length, type, payload shape and the descriptor count its type needs.
 * Fills *msg (the fds too) and returns 0, or returns -1 with *why; the
 * caller then closes fds[] itself. buf must have a byte to spare after len
 * (payloads are NUL-terminated in place). */
int	 priv_parse(char *buf, size_t len, const int *fds, int nfds,
	    struct priv_msg *msg, const char **why);

/* Send one message; the descriptors are not closed. Blocks when the
 * socket is full unless it is non-blocking. Returns 0, or -1 with errno
 * (EMSGSIZE when the payload is too long). */
int	 priv_send(int sock, uint32_t type, uint32_t id, int32_t value,
	    const void *payload, size_t len, const int *fds, int nfds);

/* Receive one datagram into buf (size >= PRIV_MSG_MAX + 1) with its
 * descriptors (close-on-exec; fds has room for PRIV_FDS_MAX + 1). flags
 * as for recvmsg(2) (MSG_DONTWAIT). Returns the byte count, 0 at EOF, or
 * -1 with errno (EMSGSIZE for a truncated datagram or too many
 * descriptors, which are then closed). */
ssize_t	 priv_recv(int sock, char *buf, size_t size, int *fds, int *nfds,
	    int flags);

/* The payload of PRIV_SPAWN for name and args, into buf; returns its
 * length, or -1 when it does not fit in PRIV_PAYLOAD_MAX or PRIV_ARGS_MAX. */
ssize_t	 priv_spawn_payload(char *buf, const char *name,
	    char *const *args, int nargs);

/* A connected pair of SOCK_SEQPACKET sockets, close-on-exec, with buffers
 * large enough for a full payload. */
int	 priv_socketpair(int sv[2]);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Commands by name, asynchronously: through the root helper (privsep) or,
 * with USER empty, right here. */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "apid.h"
#include "child.h"
#include "cmd.h"
#include "config.h"
#include "privsep.h"
#include "spawn.h"

/*
 * A handle lives from spawn_start until both the owner has freed it and
 * the command is over (failed to start, or exited): the owner may let go
 * of a running command (shutdown), whose exit must still be matched.
 *
 * In privsep mode each handle has an id, slot | generation << 16, so a
 * late message for a slot used again is told apart and refused.
 */
struct spawn {
	uint32_t		 id;
	pid_t			 pid;		/* single-process mode */
	int			 over;		/* failed, or exited */
	int			 freed;		/* the owner let go */
	spawn_started_cb	 started;
	spawn_exited_cb		 exited;
	void			*arg;
};

#define SPAWN_SLOT_BITS		16
#define SPAWN_SLOT_MAX		(1U << SPAWN_SLOT_BITS)

static struct event_base	*spawn_base;
static const struct config	*spawn_conf;
static char			**spawn_envp;	/* spawn_conf's, built once */
static int			 spawn_running;

/* privsep mode */
static int			 spawn_sock = -1;
static struct event		*spawn_ev;
static void			(*spawn_lost_cb)(void);
static struct spawn		**spawn_slots;
static uint32_t			 spawn_nslots;
static uint32_t			 spawn_free_hint;
static uint16_t			 spawn_gen;
static char			*spawn_buf;	/* a message, sent or received */

static void
spawn_release(struct spawn *sp)
{
	if (!sp->over || !sp->freed)
		return;
	if (spawn_slots != nullptr)
		spawn_slots[sp->id & (SPAWN_SLOT_MAX - 1)] = nullptr;
	free(sp);
}

static void
spawn_report_start(struct spawn *sp, int out, int err, const char *cause)
{
	if (cause != nullptr)
		sp->over = 1;
	else
		spawn_running++;
	if (!sp->freed) {
		sp->started(sp, out, err, cause, sp->arg);
		return;
	}
	if (out != -1)
		close(out);
	if (err != -1)
		close(err);
	spawn_release(sp);
}

static void
spawn_report_exit(struct spawn *sp, int status)
{
	sp->over = 1;
	spawn_running--;
	if (!sp->freed) {
		sp->exited(sp, status, sp->arg);	/* may free sp */
		return;
	}
	spawn_release(sp);
}

/* --- single-process mode --- */

static void
spawn_local_exit_cb(pid_t, int status, void *arg)
{
	spawn_report_exit((struct spawn *)arg, status);
}

static void
spawn_local(struct spawn *sp, const char *name, char *const args[],
    int nargs)
{
	struct child_proc	 proc;
	char			*path, *cause = nullptr;
	char			**argv;

	if (!priv_name_ok(name) ||
	    (path = cmd_resolve(spawn_conf, name)) == nullptr) {
		xasprintf(&cause, "Command %s not found", name);
		spawn_report_start(sp, -1, -1, cause);
		free(cause);
		return;
	}
	argv = cmd_argv(spawn_conf, path, args, nargs);
	if (child_start(argv, spawn_envp, spawn_local_exit_cb, sp, &proc,
	    &cause) == 0) {
		sp->pid = proc.pid;
		spawn_report_start(sp, proc.out_fd, proc.err_fd, nullptr);
	} else {
		spawn_report_start(sp, -1, -1, cause);
		free(cause);
	}
	cmd_vfree(argv);
	free(path);
}

/* The commands' environment depends on the config alone. */
static void
spawn_envp_build(void)
{
	char	 dir[PATH_MAX];

	cmd_vfree(spawn_envp);
	config_hestia_dir(spawn_conf, dir, sizeof dir);
	spawn_envp = cmd_envp(dir);
}

int
spawn_init(struct event_base *base, const struct config *conf)
{
	if (child_init(base) == -1)
		return -1;
	spawn_base = base;
	spawn_conf = conf;
	spawn_envp_build();
	return 0;
}

void
spawn_set_config(const struct config *conf)
{
	spawn_conf = conf;
	if (spawn_envp != nullptr)
		spawn_envp_build();
}

/* --- privsep mode --- */

static void
spawn_lost(const char *why)
{
	log_warnx("the root helper %s; stopping", why);
	if (spawn_ev != nullptr)
		event_del(spawn_ev);
	if (spawn_lost_cb != nullptr)
		spawn_lost_cb();
}

static struct spawn *
spawn_by_id(uint32_t id)
{
	uint32_t	 slot = id & (SPAWN_SLOT_MAX - 1);

	if (slot >= spawn_nslots || spawn_slots[slot] == nullptr ||
	    spawn_slots[slot]->id != id)
		return nullptr;
	return spawn_slots[slot];
}

static int
spawn_new_id(struct spawn *sp)
{
	uint32_t	 i, slot;

	for (i = 0; i < spawn_nslots; i++) {
		slot = (spawn_free_hint + i) % spawn_nslots;
		if (spawn_slots[slot] == nullptr)
			goto found;
	}
	if (spawn_nslots == SPAWN_SLOT_MAX)
		return -1;
	slot = spawn_nslots;
	spawn_nslots = spawn_nslots == 0 ? 64 : spawn_nslots * 2;
	spawn_slots = XREALLOCARRAY(spawn_slots, spawn_nslots,
	    struct spawn *);
	memset(spawn_slots + slot, 0, (spawn_nslots - slot) *
	    sizeof *spawn_slots);
found:
	spawn_free_hint = slot + 1;
	spawn_slots[slot] = sp;
	sp->id = slot | (uint32_t)++spawn_gen << SPAWN_SLOT_BITS;
	return 0;
}

/* One message from the helper; -1 when it breaks the protocol. */
static int
spawn_handle(const struct priv_msg *msg)
{
	struct spawn	*sp;

	if ((sp = spawn_by_id(msg->hdr.id)) == nullptr || sp->over)
		return -1;
	switch (msg->hdr.type) {
	case PRIV_STARTED:
		if (sp->pid != 0)
			return -1;
		sp->pid = msg->hdr.value;
		spawn_report_start(sp, msg->fds[0], msg->fds[1], nullptr);
		return 0;
	case PRIV_FAILED:
		if (sp->pid != 0)
			return -1;
		spawn_report_start(sp, -1, -1, msg->payload);
		return 0;
	case PRIV_EXITED:
		if (sp->pid == 0)
			return -1;
		spawn_report_exit(sp, msg->hdr.value);
		return 0;
	default:
		return -1;
	}
}

static void
spawn_read_cb(evutil_socket_t fd, short, void *)
{
	struct priv_msg	 msg;
	const char	*why;
	int		 fds[PRIV_FDS_MAX + 1], nfds, i;
	ssize_t		 n;

	/* A bounded batch per wakeup, so a flood cannot starve the loop. */
	for (i = 0; i < 64; i++) {
		n = priv_recv(fd, spawn_buf, PRIV_MSG_MAX + 1, fds, &nfds,
		    MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1) {
			log_warn("root helper channel: recvmsg");
			spawn_lost("channel failed");
			return;
		}
		if (n == 0) {
			spawn_lost("has exited");
			return;
		}
		if (priv_parse(spawn_buf, (size_t)n, fds, nfds, &msg,
		    &why) == -1 || (why = "a message out of turn",
		    spawn_handle(&msg) == -1)) {
			for (int k = 0; k < nfds; k++)
				close(fds[k]);
			log_warnx("root helper: %s", why);
			spawn_lost("broke the protocol");
			return;
		}
	}
}

int
spawn_init_helper(struct event_base *base, int sock, void (*lost)(void))
{
	spawn_base = base;
	spawn_sock = sock;
	spawn_lost_cb = lost;
	spawn_buf = (char *)xmalloc(PRIV_MSG_MAX + 1);
	spawn_ev = event_new(base, sock, EV_READ | EV_PERSIST, spawn_read_cb,
	    nullptr);
	if (spawn_ev == nullptr || event_add(spawn_ev, nullptr) == -1)
		return -1;
	return 0;
}

static void
spawn_remote(struct spawn *sp, const char *name, char *const args[],
    int nargs)
{
	ssize_t	 len;

	if ((len = priv_spawn_payload(spawn_buf, name, args, nargs)) == -1) {
		spawn_report_start(sp, -1, -1, "arguments too long");
		return;
	}
	if (spawn_new_id(sp) == -1) {
		spawn_report_start(sp, -1, -1, "too many commands");
		return;
	}
	if (priv_send(spawn_sock, PRIV_SPAWN, sp->id, nargs, spawn_buf,
	    (size_t)len, nullptr, 0) == -1) {
		log_warn("root helper channel: sendmsg");
		spawn_report_start(sp, -1, -1, "the root helper is gone");
		spawn_lost("does not answer");
	}
}

/* --- either mode --- */

struct spawn *
spawn_start(const char *name, char *const args[], int nargs,
    spawn_started_cb started, spawn_exited_cb exited, void *arg)
{
	struct spawn	*sp;

	sp = XCALLOC(struct spawn);
	sp->started = started;
	sp->exited = exited;
	sp->arg = arg;
	if (spawn_sock != -1)
		spawn_remote(sp, name, args, nargs);
	else
		spawn_local(sp, name, args, nargs);
	return sp;
}

int
spawn_kill(struct spawn *sp, int sig)
{
	if (sp->over && sp->pid == 0) {
		errno = ESRCH;
		return -1;
	}
	if (spawn_sock == -1)
		return child_kill(sp->pid, sig);
	/* The helper takes messages in order: a kill sent before the
	 * command started reaches it once it has. */
	if (priv_send(spawn_sock, PRIV_KILL, sp->id, sig, nullptr, 0,
	    nullptr, 0) == -1) {
		log_warn("root helper channel: sendmsg");
		return -1;
	}
	return 0;
}

void
spawn_free(struct spawn *sp)
{
	if (sp == nullptr)
		return;
	sp->freed = 1;
	spawn_release(sp);
}

int
spawn_count(void)
{
	return spawn_running;
}

void
spawn_shutdown(void)
{
	if (spawn_ev != nullptr)
		event_free(spawn_ev);
	spawn_ev = nullptr;
	if (spawn_sock == -1)
		child_shutdown();
	free(spawn_slots);
	spawn_slots = nullptr;
	spawn_nslots = 0;
	free(spawn_buf);
	spawn_buf = nullptr;
	cmd_vfree(spawn_envp);
	spawn_envp = nullptr;
	spawn_base = nullptr;
}

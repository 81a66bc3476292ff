/* SPDX-License-Identifier: GPL-3.0-or-later */
/* systemd's side of a service, without libsystemd: readiness over
 * NOTIFY_SOCKET (sd_notify(3)) and listeners passed by socket activation
 * (sd_listen_fds(3)). Both do nothing when systemd is not there. */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

/* Take NOTIFY_SOCKET and LISTEN_* from the environment (and out of it,
 * so that nothing started later sees them). Call once, early. */
void	 sdnotify_init(void);

/* "READY=1", "RELOADING=1", "STOPPING=1", "STATUS=..." */
void	 sdnotify(const char *state);

/* The descriptors passed by socket activation: the first is 3; 0 when
 * none were passed to this process. */
int	 sdnotify_listen_fds(void);

#endif

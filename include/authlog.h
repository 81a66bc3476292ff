/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's auth.log lines, which its fail2ban jail reads. */
#ifndef AUTHLOG_H
#define AUTHLOG_H

/* Open (append) the file; an empty path disables the log. */
int	 authlog_open(const char *path);
/* Reopen after logrotate (SIGHUP). */
void	 authlog_reopen(void);
void	 authlog_close(void);
/* How the file is opened from now on: opener returns a descriptor or -1
 * (privsep: the root helper opens AUTH_LOG, whatever path says). */
void	 authlog_set_opener(int (*opener)(const char *path));

/* "<date> <time> <who> <ip> <what>" */
void	 authlog_line(const char *who, const char *ip, const char *what);
/* "<date> <time> <who> <ip> failed to login" */
void	 authlog_failed(const char *who, const char *ip);
/* "<date> <time> <who> <ip> <cmd> successfully launched" */
void	 authlog_launched(const char *who, const char *ip, const char *cmd);

#endif

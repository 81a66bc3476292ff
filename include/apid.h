/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every file of hestia-apid needs: allocation, logging, the global env. */
#ifndef APID_H
#define APID_H

#include <sys/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define XCALLOC(type) ((type *)xcalloc(1, sizeof(type)))
#define XCALLOCARRAY(n, type) ((type *)xcalloc((n), sizeof(type)))
#define XREALLOCARRAY(p, n, type) \
	((type *)xreallocarray((p), (n), sizeof(type)))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list);

/* log.cc */
void	log_init(int foreground, int verbose, const char *progname);
void	log_setverbose(int);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
[[noreturn]] void fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

struct config;
struct event_base;
struct db;

/* The one process-wide global: what every module of the daemon shares. */
struct apid_env {
	struct config		*conf;
	struct event_base	*base;
	struct db		*db;
	int			 foreground;
};
extern struct apid_env *env;

#endif

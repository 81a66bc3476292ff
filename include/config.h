/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The daemon's configuration: one strict, table-driven parser. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* SYSCONFDIR of the build (the Makefile defines it); the default below is
 * the one of a plain "make". */
#ifndef APID_SYSCONFDIR
#define APID_SYSCONFDIR		"/etc"
#endif
#define CONFIG_DEFAULT_PATH	APID_SYSCONFDIR "/hestia-apid/hestia-apid.conf"

/* Hestia's own switches (from the config, or from HESTIA_CONF). */
struct hestia_switches {
	int	 api;		/* API='yes': legacy key and password */
	int	 api_system;	/* 0 off, 1 ROOT_USER keys only, 2 all */
	char	*allowed_ip;	/* API_ALLOWED_IP as written */
	char	*root_user;
	int	 demo_mode;	/* DEMO_MODE='yes' */
};

struct argon2_cost {
	uint32_t t;		/* iterations */
	uint32_t m;		/* memory, KiB */
	uint32_t p;		/* lanes */
};

struct config {
	char		*path;
	char		*listen;
	char		*socket_group;	/* of the unix: listeners */
	char		*database;
	char		*bin_dir;
	char		*exec_prefix;	/* words, split at use */
	char		*hestia_conf;
	int		 hestia_key_sync; /* keys follow Hestia's files */
	int		 hestia_conf_found; /* unset, and Hestia's was found */
	struct hestia_switches sw;
	char		*trusted_proxies;
	char		*proxy_header;	/* X-Real-IP, X-Forwarded-For, ... */
	int		 max_jobs;
	int		 queue;
	int		 cmd_timeout;
	size_t		 max_output;
	size_t		 max_body;
	int		 max_conns;	/* connections open at once */
	int		 max_conns_per_ip; /* of one address, before a request */
	char		*lockout;
	int		 lockout_v6_prefix;	/* an IPv6 client is its /N */
	char		*auth_log;
	struct argon2_cost argon2;
	int		 auth_cache;	/* s a verification is remembered */
	char		*user;
	char		*tmp_dir;
	char		*shadow_file;
	char		*tls_cert;
	char		*tls_key;
};

/* Defaults, then the file. Returns 0, or -1 with *cause as
 * "file:line: KEY: why". A missing file is an error unless missing_ok. */
int	 config_load(struct config *, const char *path, int missing_ok,
	    char **cause);
/* The same from an open file (the helper opens it as root); path is what
 * conf->path and messages say. The file is read from its start. */
int	 config_load_fd(struct config *, const char *path, int fd,
	    char **cause);
void	 config_free(struct config *);

/* Parse "123", "8M", "1k", "2G" into bytes. Returns -1 on error. */
int	 config_parse_size(const char *, size_t *);
/* Parse "t=2,m=19456,p=1". Returns -1 on error. */
int	 config_parse_argon2(const char *, struct argon2_cost *);
/* Hestia's API_SYSTEM: empty or non-numeric counts as 0. */
int	 config_api_system(const char *);

/* $HESTIA for the commands: two levels above HESTIA_CONF, or Hestia's
 * usual /usr/local/hestia. */
void	 config_hestia_dir(const struct config *, char *dir, size_t size);

void	 hestia_switches_free(struct hestia_switches *);
void	 hestia_switches_copy(struct hestia_switches *,
	    const struct hestia_switches *);

#endif

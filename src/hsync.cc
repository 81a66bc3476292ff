/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hestia's own key files kept in step with the key database.
 *
 * Hestia's tools (v-add-access-key, v-delete-access-key, the panel,
 * v-add-sys-pma-sso, v-generate-api-key, v-revoke-api-key) write one file
 * a key in data/access-keys (and data/keys for legacy keys, data/api for
 * permission sets). The database is what the daemon reads, so each file
 * becomes a row marked source 'hestia': a new or changed file is read and
 * its secret hashed on the way in; a row whose file is gone is removed.
 * A row remembers the version of its file it was read from (inode, size,
 * mtime: its stamp), so an unchanged file is not hashed again. What an
 * admin deleted with hestia-apictl is recorded (admin_deleted) and stays
 * deleted; rows made with hestia-apictl are never touched.
 *
 * Who runs it: hestia-apictl import-hestia runs one pass; the daemon runs
 * a thread that passes once at start and then whenever inotify says a
 * directory changed. A directory changes several times while a tool
 * writes one file (v-add-access-key appends eight lines, then chmods),
 * so a kind is synced once its directory has been quiet for
 * HSYNC_QUIET_MS. Until then a key ID seen in an event is "pending", and
 * the gate holds a request for it (hsync_pending) instead of refusing a
 * key that is only being written: a key works on the request that follows
 * the tool that made it.
 *
 * In privsep mode data/access-keys is root's (0750 root:root); its
 * listing, its files and the inotify watches come from the root helper
 * (priv_opendir, priv_fopen, priv_inotify), which opens only the paths
 * hsync_watch_path_ok and hsync_read_path_ok allow.
 */
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "apid.h"
#include "db.h"
#include "hconf.h"
#include "hsync.h"
#include "key.h"
#include "priv.h"
#include "shconf.h"
#include "strlist.h"

#define HSYNC_QUIET_MS	20	/* a directory this quiet is written */
#define HSYNC_PENDING	64	/* names remembered from events */
#define HSYNC_LEGACY_MIN 16	/* shortest legacy key taken */
#define HSYNC_LEGACY_MAX 128
#define HSYNC_FRESH	16	/* keys just hashed, for the cache */

static void	 hsync_fresh_add(const char *, const char *, const char *);

/* data/ and its directories, by admin_kind; then data/ itself. */
static const char *const hsync_dirs[] = { "api", "access-keys", "keys" };
static const char *const hsync_kind_names[] = {
	"permission set", "access key", "legacy key"
};

int
hsync_set_name_valid(const char *s)
{
	const char	*p;

	if (!isalnum((unsigned char)*s) || strlen(s) > 64)
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_.-", *p) == nullptr)
			return 0;
	}
	return 1;
}

static int
hsync_legacy_name_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= HSYNC_LEGACY_MIN && n <= HSYNC_LEGACY_MAX &&
	    strspn(s, KEY_LEGACY_ALPHABET) == n;
}

/* The rest of path after "<hdir>/data", or nullptr. */
static const char *
hsync_under_data(const char *hdir, const char *path)
{
	size_t	 n = strlen(hdir);

	if (strncmp(path, hdir, n) != 0 || strncmp(path + n, "/data", 5) != 0)
		return nullptr;
	return path + n + 5;
}

int
hsync_watch_path_ok(const char *hdir, const char *path)
{
	const char	*p;
	size_t		 i;

	if ((p = hsync_under_data(hdir, path)) == nullptr)
		return 0;
	if (*p == '\0')
		return 1;
	for (i = 0; i < nitems(hsync_dirs); i++) {
		if (p[0] == '/' && strcmp(p + 1, hsync_dirs[i]) == 0)
			return 1;
	}
	return 0;
}

int
hsync_read_path_ok(const char *hdir, const char *path)
{
	const char	*p;

	if ((p = hsync_under_data(hdir, path)) == nullptr)
		return 0;
	if (strncmp(p, "/api/", 5) == 0)
		return hsync_set_name_valid(p + 5);
	if (strncmp(p, "/access-keys/", 13) == 0)
		return key_id_valid(p + 13);
	return hsync_watch_path_ok(hdir, path);
}

/* The fields of Hestia's key and set files that we use. */
enum {
	HF_ROLE, HF_COMMANDS, HF_SECRET, HF_USER, HF_PERMISSIONS, HF_COMMENT,
	HF_DATE, HF_TIME, HF_MAX
};
static const char *const hsync_fields[HF_MAX] = {
	"ROLE", "COMMANDS", "SECRET_ACCESS_KEY", "USER", "PERMISSIONS",
	"COMMENT", "DATE", "TIME",
};

static int
hsync_field_cb(const char *key, const char *value, int, void *arg, char **)
{
	char	**v = (char **)arg;

	for (int i = 0; i < HF_MAX; i++) {
		if (strcmp(key, hsync_fields[i]) != 0)
			continue;
		if (v[i] != nullptr)
			key_wipe(v[i]);
		free(v[i]);
		v[i] = xstrdup(value);
	}
	return 0;
}

static void
hsync_fields_free(char **v)
{
	for (int i = 0; i < HF_MAX; i++) {
		if (v[i] != nullptr)
			key_wipe(v[i]);
		free(v[i]);
		v[i] = nullptr;
	}
}

/*
 * Read one file of a set or a key into v, and its version into stamp.
 * 1 read, 0 it is not there (or not a regular file), -1 with *cause.
 */
static int
hsync_read(const char *path, char **v, char *stamp, size_t stampsz,
    char **cause)
{
	struct stat	 sb;
	FILE		*f;
	int		 rv;

	for (int i = 0; i < HF_MAX; i++)
		v[i] = nullptr;
	if ((f = priv_fopen(path)) == nullptr) {
		if (errno == ENOENT || errno == ELOOP)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &sb) == -1 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return 0;
	}
	snprintf(stamp, stampsz, "%llu:%lld:%lld.%09ld",
	    (unsigned long long)sb.st_ino, (long long)sb.st_size,
	    (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
	rv = shconf_read_file(f, path, hsync_field_cb, v, cause);
	fclose(f);
	if (rv == -1) {
		hsync_fields_free(v);
		return -1;
	}
	return 1;
}

/* Hestia's DATE and TIME (the server's local time) as a unix time; 0 when
 * they are not usable. */
static int64_t
hsync_when(const char *date, const char *tod)
{
	struct tm	 tm;
	char		*end;

	if (date == nullptr)
		return 0;
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(date, "%Y-%m-%d", &tm)) == nullptr ||
	    *end != '\0')
		return 0;
	if (tod != nullptr && ((end = strptime(tod, "%H:%M:%S", &tm)) ==
	    nullptr || *end != '\0'))
		return 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static int
hsync_problem(struct hsync *hs, enum admin_kind kind, const char *path,
    const char *why)
{
	log_warnx("%s: %s (%s not synced)", path, why, hsync_kind_names[kind]);
	hs->n[kind].problems++;
	return 0;
}

/* Write one row in a short transaction of its own. */
static int
hsync_begin(struct hsync *hs, char **cause)
{
	return db_begin(hs->db, cause);
}

static int
hsync_commit(struct hsync *hs, int rv, char **cause)
{
	if (rv == -1) {
		db_rollback(hs->db);
		return -1;
	}
	return db_commit(hs->db, cause);
}

static int
hsync_set(struct hsync *hs, const char *name, const char *path, char **v,
    const char *stamp, int exists, char **cause)
{
	char	**cmds, *why;
	int	  ncmds, i, rv;

	if (v[HF_ROLE] == nullptr || (strcmp(v[HF_ROLE], "admin") != 0 &&
	    strcmp(v[HF_ROLE], "user") != 0))
		return hsync_problem(hs, ADMIN_SET, path,
		    "ROLE must be admin or user");
	cmds = strlist_split(v[HF_COMMANDS] != nullptr ? v[HF_COMMANDS] : "",
	    &ncmds);
	for (i = 0; i < ncmds; i++) {
		if (strspn(cmds[i], KEY_LEGACY_ALPHABET) != strlen(cmds[i]) ||
		    strlen(cmds[i]) > NAME_MAX)
			break;
	}
	if (i < ncmds) {
		xasprintf(&why, "invalid command name :: %s", cmds[i]);
		hsync_problem(hs, ADMIN_SET, path, why);
		free(why);
		strlist_free(cmds, ncmds);
		return 0;
	}
	if ((rv = hsync_begin(hs, cause)) == 0) {
		rv = admin_perm_import(hs->db, name, v[HF_ROLE], cmds, ncmds,
		    cause);
		if (rv != -1)
			rv = admin_hestia_mark(hs->db, ADMIN_SET, name, stamp,
			    cause);
		rv = hsync_commit(hs, rv, cause);
	}
	strlist_free(cmds, ncmds);
	if (rv == -1)
		return -1;
	if (exists)
		hs->n[ADMIN_SET].changed++;
	else
		hs->n[ADMIN_SET].added++;
	return 0;
}

static int
hsync_key(struct hsync *hs, const char *id, const char *path, char **v,
    const char *stamp, int exists, char **cause)
{
	struct db_key	  key;
	char		**perms;
	int		  nperms, rv;

	/* v-add-access-key writes SECRET_ACCESS_KEY first and USER next:
	 * a file without them may be one still being written. */
	if (v[HF_SECRET] == nullptr || !key_secret_valid(v[HF_SECRET]))
		return hsync_problem(hs, ADMIN_KEY, path,
		    "SECRET_ACCESS_KEY missing or not valid");
	if (v[HF_USER] == nullptr || !hconf_user_valid(v[HF_USER]))
		return hsync_problem(hs, ADMIN_KEY, path,
		    "USER missing or not valid");
	memset(&key, 0, sizeof key);
	if ((key.secret_hash = key_hash(v[HF_SECRET], &hs->cost,
	    cause)) == nullptr)
		return -1;
	key.id = (char *)id;
	key.user = v[HF_USER];
	key.comment = v[HF_COMMENT] != nullptr ? v[HF_COMMENT] : (char *)"";
	key.created_at = hsync_when(v[HF_DATE], v[HF_TIME]);
	/* Names kept as Hestia would read them: a set that does not exist
	 * grants nothing. */
	perms = strlist_split(v[HF_PERMISSIONS] != nullptr ?
	    v[HF_PERMISSIONS] : "", &nperms);
	if ((rv = hsync_begin(hs, cause)) == 0) {
		if (exists)
			rv = admin_key_replace(hs->db, &key, perms, nperms,
			    cause);
		else
			rv = admin_key_add(hs->db, &key, perms, nperms,
			    nullptr, 0, cause);
		if (rv != -1)
			rv = admin_hestia_mark(hs->db, ADMIN_KEY, id, stamp,
			    cause);
		rv = hsync_commit(hs, rv, cause);
	}
	strlist_free(perms, nperms);
	if (rv != -1)
		hsync_fresh_add(id, key.secret_hash, v[HF_SECRET]);
	free(key.secret_hash);
	if (rv == -1)
		return -1;
	if (exists)
		hs->n[ADMIN_KEY].changed++;
	else
		hs->n[ADMIN_KEY].added++;
	return 0;
}

/* A set or an access key: its file, compared by stamp with its row. */
static int
hsync_file(struct hsync *hs, enum admin_kind kind, const char *dir,
    const char *name, char **cause)
{
	char	*path, *v[HF_MAX], stamp[96], *was = nullptr;
	int	 rv, exists, from_hestia;

	xasprintf(&path, "%s/%s", dir, name);
	if ((rv = hsync_read(path, v, stamp, sizeof stamp, cause)) <= 0) {
		if (rv == -1) {
			/* A file that does not parse: warned, left out. */
			log_warnx("%s", *cause);
			free(*cause);
			*cause = nullptr;
			hs->n[kind].problems++;
			rv = 0;
		}
		free(path);
		return rv;
	}
	exists = admin_hestia_stamp(hs->db, kind, name, &from_hestia, &was,
	    cause);
	if (exists == -1)
		rv = -1;
	else if (exists && from_hestia && was != nullptr &&
	    strcmp(was, stamp) == 0) {
		hs->n[kind].unchanged++;
		rv = 0;
	} else if (kind == ADMIN_SET)
		rv = hsync_set(hs, name, path, v, stamp, exists, cause);
	else
		rv = hsync_key(hs, name, path, v, stamp, exists, cause);
	free(was);
	hsync_fields_free(v);
	free(path);
	return rv;
}

/* A legacy key is its file's name; the row is found by its lookup. */
static int
hsync_legacy(struct hsync *hs, const char *name, char *lookup,
    char **cause)
{
	char	*hash, *stamp;
	int	 exists, from_hestia, rv;

	admin_legacy_lookup(name, lookup);
	exists = admin_hestia_stamp(hs->db, ADMIN_LEGACY, lookup,
	    &from_hestia, &stamp, cause);
	free(stamp);
	if (exists == -1)
		return -1;
	if (exists && from_hestia) {
		hs->n[ADMIN_LEGACY].unchanged++;
		return 0;
	}
	hash = nullptr;
	if (!exists && (hash = key_hash(name, &hs->cost, cause)) == nullptr)
		return -1;
	if ((rv = hsync_begin(hs, cause)) == 0) {
		if (!exists)
			rv = admin_legacy_add(hs->db, lookup, hash, 0, cause);
		if (rv != -1)
			rv = admin_hestia_mark(hs->db, ADMIN_LEGACY, lookup,
			    nullptr, cause);
		rv = hsync_commit(hs, rv, cause);
	}
	free(hash);
	if (rv == -1)
		return -1;
	if (exists)
		hs->n[ADMIN_LEGACY].changed++;
	else
		hs->n[ADMIN_LEGACY].added++;
	return 0;
}

/* The names a directory holds now; rows of its kind not among them go. */
struct hsync_seen {
	char	**names;
	int	   n;
	char	**gone;
	int	   ngone;
};

static void
hsync_seen_add(struct hsync_seen *s, const char *name)
{
	s->names = XREALLOCARRAY(s->names, s->n + 1, char *);
	s->names[s->n++] = xstrdup(name);
}

static void
hsync_gone_cb(const char *name, void *arg)
{
	struct hsync_seen	*s = (struct hsync_seen *)arg;

	for (int i = 0; i < s->n; i++) {
		if (strcmp(s->names[i], name) == 0)
			return;
	}
	s->gone = XREALLOCARRAY(s->gone, s->ngone + 1, char *);
	s->gone[s->ngone++] = xstrdup(name);
}

static void
hsync_seen_free(struct hsync_seen *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	strlist_free(s->gone, s->ngone);
}

/* One entry of a kind's directory; its row's name goes into seen. */
static int
hsync_entry(struct hsync *hs, enum admin_kind kind, const char *dir,
    const struct dirent *d, struct hsync_seen *seen, char **cause)
{
	char	 lookup[ADMIN_LOOKUP_LEN + 1];
	int	 valid, rv;

	switch (kind) {
	case ADMIN_SET:
		valid = hsync_set_name_valid(d->d_name);
		break;
	case ADMIN_KEY:
		/* Hestia's own listings take only ^[[:alnum:]]{20}$. */
		valid = key_id_valid(d->d_name);
		break;
	default:
		valid = hsync_legacy_name_valid(d->d_name);
		break;
	}
	if (d->d_type != DT_REG && d->d_type != DT_UNKNOWN) {
		/* A legacy key's name is the key: never say it. */
		if (kind == ADMIN_LEGACY)
			log_warnx("%s: an entry that is not a regular file "
			    "(skipped)", dir);
		else
			log_warnx("%s/%s: not a regular file (skipped)", dir,
			    d->d_name);
		hs->n[kind].problems++;
		return 0;
	}
	if (!valid) {
		if (kind == ADMIN_LEGACY)
			log_warnx("%s: a file name that is not a legacy key: "
			    "%zu characters, want %d to %d of [A-Za-z0-9_-] "
			    "(skipped)", dir, strlen(d->d_name),
			    HSYNC_LEGACY_MIN, HSYNC_LEGACY_MAX);
		else
			log_warnx("%s/%s: not %s name (skipped)", dir,
			    d->d_name, kind == ADMIN_KEY ? "an access key ID" :
			    "a permission set");
		hs->n[kind].problems++;
		return 0;
	}
	if (kind == ADMIN_LEGACY)
		admin_legacy_lookup(d->d_name, lookup);
	if ((rv = admin_deleted(hs->db, kind, kind == ADMIN_LEGACY ? lookup :
	    d->d_name, cause)) != 0) {
		if (rv == 1)
			hs->n[kind].deleted++;
		return rv == 1 ? 0 : -1;
	}
	if (kind == ADMIN_LEGACY) {
		if (hsync_legacy(hs, d->d_name, lookup, cause) == -1)
			return -1;
		hsync_seen_add(seen, lookup);
		return 0;
	}
	hsync_seen_add(seen, d->d_name);
	return hsync_file(hs, kind, dir, d->d_name, cause);
}

static int
hsync_dirent_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int
hsync_kind(struct hsync *hs, enum admin_kind kind, char **cause)
{
	struct hsync_seen	 seen;
	struct dirent		*d;
	DIR			*dp;
	char			*dir;
	int			 rv = 0, i;

	memset(&seen, 0, sizeof seen);
	xasprintf(&dir, "%s/data/%s", hs->hdir, hsync_dirs[kind]);
	if ((dp = priv_opendir(dir)) == nullptr && errno != ENOENT) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	while (dp != nullptr && (errno = 0, d = readdir(dp)) != nullptr) {
		if (!hsync_dirent_filter(d))
			continue;
		if ((rv = hsync_entry(hs, kind, dir, d, &seen, cause)) == -1)
			break;
	}
	if (rv == 0 && dp != nullptr && errno != 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		rv = -1;
	}
	if (dp != nullptr)
		closedir(dp);
	if (rv == 0 && hs->remove)
		rv = admin_hestia_foreach(hs->db, kind, hsync_gone_cb, &seen,
		    cause) == -1 ? -1 : 0;
	for (i = 0; rv == 0 && i < seen.ngone; i++) {
		if (admin_hestia_remove(hs->db, kind, seen.gone[i],
		    cause) == -1)
			rv = -1;
		else {
			hs->n[kind].removed++;
			log_info("%s %s: removed, its file in %s is gone",
			    hsync_kind_names[kind], kind == ADMIN_LEGACY ?
			    "(by lookup)" : seen.gone[i], dir);
		}
	}
	hsync_seen_free(&seen);
	free(dir);
	return rv;
}

int
hsync_all(struct hsync *hs, char **cause)
{
	for (int k = ADMIN_SET; k <= ADMIN_LEGACY; k++) {
		if (hsync_kind(hs, (enum admin_kind)k, cause) == -1)
			return -1;
	}
	return 0;
}

/*
 * A key the watcher has just hashed: its secret, until the loop takes it
 * (hsync_fresh_take) into the verification cache, so that the request
 * held for it pays one argon2 run (the hash), not two.
 */
struct hsync_fresh {
	char	 id[KEY_ID_LEN + 1];
	char	*hash;
	char	*secret;
};

/*
 * The watcher thread. One inotify instance a directory, so that the
 * descriptor says which directory changed: the root helper hands over a
 * watch as a descriptor (priv_inotify), and needs no state of its own.
 */
static struct {
	pthread_t	 thread;
	int		 running;
	int		 wake[2];		/* hsync_stop */
	int		 fd[4];			/* by kind; [3] data/ */
	char		*hdir;
	struct hsync	*hs;
	unsigned	 dirty;			/* kinds to sync */

	pthread_mutex_t	 lock;			/* the fields below */
	char		*pending[HSYNC_PENDING];	/* key IDs in events */
	struct hsync_fresh fresh[HSYNC_FRESH];	/* keys just hashed */
	int		 nfresh;
} hsync_w = { 0, 0, { -1, -1 }, { -1, -1, -1, -1 }, nullptr, nullptr, 0,
    PTHREAD_MUTEX_INITIALIZER, { nullptr }, {}, 0 };

#define HSYNC_DATA	3

/* The loop reads the descriptors too (hsync_unread): change them locked,
 * keeping errno for the caller. */
static void
hsync_set_fd(int which, int fd)
{
	int	 saved = errno;

	pthread_mutex_lock(&hsync_w.lock);
	if (hsync_w.fd[which] != -1)
		close(hsync_w.fd[which]);
	hsync_w.fd[which] = fd;
	pthread_mutex_unlock(&hsync_w.lock);
	errno = saved;
}

/* Events of a kind's directory that the watcher has not read yet: a file
 * there changed a moment ago, and its name is not known to be pending. */
static int
hsync_unread(int which)
{
	int	 n = 0;

	pthread_mutex_lock(&hsync_w.lock);
	if (hsync_w.fd[which] != -1 && ioctl(hsync_w.fd[which], FIONREAD,
	    &n) == -1)
		n = 0;
	pthread_mutex_unlock(&hsync_w.lock);
	return n > 0;
}

static void
hsync_watch(int which)
{
	char	*path;

	hsync_set_fd(which, -1);
	if (which == HSYNC_DATA)
		xasprintf(&path, "%s/data", hsync_w.hdir);
	else
		xasprintf(&path, "%s/data/%s", hsync_w.hdir,
		    hsync_dirs[which]);
	hsync_set_fd(which, priv_inotify(path, HSYNC_WATCH_MASK));
	if (hsync_w.fd[which] == -1 && errno != ENOENT)
		log_warn("Hestia key sync: cannot watch %s", path);
	free(path);
}

static void
hsync_pending_add(const char *name)
{
	int	 i, free_slot = -1;

	pthread_mutex_lock(&hsync_w.lock);
	for (i = 0; i < HSYNC_PENDING; i++) {
		if (hsync_w.pending[i] == nullptr) {
			if (free_slot == -1)
				free_slot = i;
		} else if (strcmp(hsync_w.pending[i], name) == 0)
			break;
	}
	if (i == HSYNC_PENDING && free_slot != -1)
		hsync_w.pending[free_slot] = xstrdup(name);
	pthread_mutex_unlock(&hsync_w.lock);
}

/* Keys named by an event: an access key by its ID, a legacy key by its
 * lookup (never the key itself). */
static void
hsync_pending_event(int which, const char *name)
{
	char	 lookup[ADMIN_LOOKUP_LEN + 1];

	if (which == ADMIN_KEY && key_id_valid(name))
		hsync_pending_add(name);
	else if (which == ADMIN_LEGACY && hsync_legacy_name_valid(name)) {
		admin_legacy_lookup(name, lookup);
		hsync_pending_add(lookup);
	}
}

static void
hsync_pending_clear(void)
{
	pthread_mutex_lock(&hsync_w.lock);
	for (int i = 0; i < HSYNC_PENDING; i++) {
		free(hsync_w.pending[i]);
		hsync_w.pending[i] = nullptr;
	}
	pthread_mutex_unlock(&hsync_w.lock);
}

static void
hsync_fresh_clear(struct hsync_fresh *f)
{
	key_wipe(f->secret);
	free(f->secret);
	free(f->hash);
	f->secret = f->hash = nullptr;
}

/* Only for the watcher's passes (import-hestia has no cache to fill). */
static void
hsync_fresh_add(const char *id, const char *hash, const char *secret)
{
	struct hsync_fresh	*f;

	if (!hsync_w.running && hsync_w.hs == nullptr)
		return;
	pthread_mutex_lock(&hsync_w.lock);
	if (hsync_w.nfresh < HSYNC_FRESH) {
		f = &hsync_w.fresh[hsync_w.nfresh];
		snprintf(f->id, sizeof f->id, "%s", id);
		f->hash = xstrdup(hash);
		f->secret = xstrdup(secret);
		__atomic_store_n(&hsync_w.nfresh, hsync_w.nfresh + 1,
		    __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&hsync_w.lock);
}

void
hsync_fresh_take(void (*cb)(const char *id, const char *hash,
    const char *secret))
{
	/* Every request asks: no lock unless there is something. */
	if (__atomic_load_n(&hsync_w.nfresh, __ATOMIC_ACQUIRE) == 0)
		return;
	pthread_mutex_lock(&hsync_w.lock);
	for (int i = 0; i < hsync_w.nfresh; i++) {
		cb(hsync_w.fresh[i].id, hsync_w.fresh[i].hash,
		    hsync_w.fresh[i].secret);
		hsync_fresh_clear(&hsync_w.fresh[i]);
	}
	__atomic_store_n(&hsync_w.nfresh, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&hsync_w.lock);
}

int
hsync_pending(enum admin_kind kind, const char *id)
{
	int	 found = 0;

	if (!hsync_w.running)
		return 0;
	/* Closes the moment between a tool's write and the watcher's read. */
	if (hsync_unread(kind))
		return 1;
	pthread_mutex_lock(&hsync_w.lock);
	for (int i = 0; i < HSYNC_PENDING && !found; i++) {
		found = hsync_w.pending[i] != nullptr &&
		    strcmp(hsync_w.pending[i], id) == 0;
	}
	pthread_mutex_unlock(&hsync_w.lock);
	return found;
}

/* Read what one watch reports; marks what to sync. */
static void
hsync_events(int which)
{
	char				 buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	ssize_t				 n;
	char				*p;
	size_t				 k;

	while ((n = read(hsync_w.fd[which], buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				hsync_w.dirty = 7;
				continue;
			}
			if (which != HSYNC_DATA) {
				hsync_w.dirty |= 1u << which;
				if (ev->len > 0)
					hsync_pending_event(which, ev->name);
				if (ev->mask & (IN_IGNORED | IN_DELETE_SELF |
				    IN_MOVE_SELF)) {
					hsync_set_fd(which, -1);
					return;
				}
				continue;
			}
			/* data/ itself: one of the three came or went. */
			for (k = 0; ev->len > 0 && k < nitems(hsync_dirs);
			    k++) {
				if (strcmp(ev->name, hsync_dirs[k]) != 0)
					continue;
				hsync_watch((int)k);
				hsync_w.dirty |= 1u << k;
			}
		}
	}
}

static void
hsync_pass(struct hsync *hs, unsigned kinds)
{
	char	*cause = nullptr;
	int	 k;

	memset(hs->n, 0, sizeof hs->n);
	for (k = ADMIN_SET; k <= ADMIN_LEGACY; k++) {
		if ((kinds & (1u << k)) == 0)
			continue;
		if (hsync_kind(hs, (enum admin_kind)k, &cause) == -1) {
			log_warnx("Hestia key sync: %s; tried again on the "
			    "next change", cause);
			free(cause);
			cause = nullptr;
		}
		if (hs->n[k].added + hs->n[k].changed + hs->n[k].removed > 0)
			log_info("Hestia key sync: %ss %d added, %d changed, "
			    "%d removed", hsync_kind_names[k], hs->n[k].added,
			    hs->n[k].changed, hs->n[k].removed);
	}
	hsync_pending_clear();
}

static void *
hsync_main(void *arg)
{
	struct hsync	*hs = (struct hsync *)arg;
	struct pollfd	 pfd[5];
	int		 i, n, timeout;

	for (;;) {
		for (i = 0; i < 4; i++) {
			pfd[i].fd = hsync_w.fd[i];
			pfd[i].events = POLLIN;
		}
		pfd[4].fd = hsync_w.wake[0];
		pfd[4].events = POLLIN;
		timeout = hsync_w.dirty != 0 ? HSYNC_QUIET_MS : -1;
		if ((n = poll(pfd, 5, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("Hestia key sync: poll");
			break;
		}
		if (pfd[4].revents != 0)
			break;
		if (n == 0) {
			hsync_pass(hs, hsync_w.dirty);
			hsync_w.dirty = 0;
			continue;
		}
		for (i = 0; i < 4; i++) {
			if (pfd[i].revents != 0 && hsync_w.fd[i] != -1)
				hsync_events(i);
		}
		/* data/ itself may have come: watch what can be. */
		if (hsync_w.fd[HSYNC_DATA] == -1 && n > 0)
			hsync_watch(HSYNC_DATA);
	}
	return nullptr;
}

/*
 * Watches first, then one pass over everything before the daemon says it
 * is ready (what changed while it was not running; an unchanged file costs
 * a stat), then the thread.
 */
int
hsync_start(const struct config *conf, char **cause)
{
	static struct hsync	 hs;
	char			 dir[PATH_MAX];
	sigset_t		 all, old;
	int			 rc, i;

	if (conf->hestia_conf[0] == '\0' || !conf->hestia_key_sync)
		return 0;
	config_hestia_dir(conf, dir, sizeof dir);
	hsync_w.hdir = xstrdup(dir);
	if (pipe2(hsync_w.wake, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return -1;
	}
	memset(&hs, 0, sizeof hs);
	if ((hs.db = db_open(conf->database, cause)) == nullptr)
		return -1;
	hs.hdir = hsync_w.hdir;
	hs.cost = conf->argon2;
	hs.remove = 1;
	hsync_w.hs = &hs;
	for (i = 0; i < 4; i++)
		hsync_watch(i);
	if (hsync_w.fd[HSYNC_DATA] == -1)
		log_warnx("Hestia key sync: %s/data cannot be watched; keys "
		    "follow it once it can", dir);
	hsync_pass(&hs, 7);
	/* Signals are the loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&hsync_w.thread, nullptr, hsync_main, &hs);
	pthread_sigmask(SIG_SETMASK, &old, nullptr);
	if (rc != 0) {
		xasprintf(cause, "pthread_create: %s", strerror(rc));
		return -1;
	}
	hsync_w.running = 1;
	log_info("Hestia key sync: keys, legacy keys and permission sets "
	    "follow %s/data", dir);
	return 0;
}

void
hsync_stop(void)
{
	if (!hsync_w.running)
		return;
	if (write(hsync_w.wake[1], "", 1) == -1)
		log_warn("Hestia key sync: waking the thread");
	pthread_join(hsync_w.thread, nullptr);
	hsync_w.running = 0;
	for (int i = 0; i < 4; i++) {
		hsync_set_fd(i, -1);
	}
	close(hsync_w.wake[0]);
	close(hsync_w.wake[1]);
	hsync_pending_clear();
	for (int i = 0; i < hsync_w.nfresh; i++)
		hsync_fresh_clear(&hsync_w.fresh[i]);
	hsync_w.nfresh = 0;
	db_close(hsync_w.hs->db);
	hsync_w.hs = nullptr;
	free(hsync_w.hdir);
	hsync_w.hdir = nullptr;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A script's "# options:" line, read the way Hestia's
 * search_command_arg_position reads it, and cached by path and mtime. */
#include <sys/stat.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "cmdinfo.h"

#define CMDINFO_CACHE	256
#define CMDINFO_SCAN	64	/* header lines looked at */

struct cmdinfo_entry {
	char			*path;
	struct cmdinfo_id	 id;
	struct cmdinfo		 info;
};

static struct cmdinfo_entry cmdinfo_cache[CMDINFO_CACHE];

void
cmdinfo_clear(struct cmdinfo *info)
{
	int	 i;

	for (i = 0; i < info->noptions; i++)
		free(info->options[i]);
	memset(info, 0, sizeof *info);
}

void
cmdinfo_parse(const char *text, struct cmdinfo *info)
{
	char	*copy, *p, *w, *r, *q;
	int	 i;

	memset(info, 0, sizeof *info);
	p = copy = xstrdup(text);
	while ((w = strsep(&p, " \t\r\n")) != nullptr) {
		/* Hestia strips "[" and "]" and upper-cases each word. */
		for (r = q = w; *r != '\0'; r++) {
			if (*r != '[' && *r != ']')
				*q++ = toupper((unsigned char)*r);
		}
		*q = '\0';
		if (*w == '\0' || info->noptions == CMDINFO_MAX_OPTIONS)
			continue;
		info->options[info->noptions++] = xstrdup(w);
	}
	free(copy);
	for (i = 0; i < info->noptions; i++) {
		if (strcmp(info->options[i], "USER") == 0)
			info->user_pos = i + 1;
	}
}

static int
cmdinfo_read(const char *path, struct cmdinfo *info)
{
	FILE	*f;
	char	 line[1024];
	int	 n = 0;

	memset(info, 0, sizeof *info);
	if ((f = fopen(path, "r")) == nullptr)
		return -1;
	while (n++ < CMDINFO_SCAN && fgets(line, sizeof line, f) != nullptr) {
		if (strncmp(line, "# options:", 10) == 0) {
			cmdinfo_parse(line + 10, info);
			break;
		}
	}
	fclose(f);
	return 0;
}

static uint32_t
cmdinfo_hash(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

void
cmdinfo_id_set(struct cmdinfo_id *id, const struct stat *st)
{
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
}

const struct cmdinfo *
cmdinfo_get_id(const char *path, const struct cmdinfo_id *id)
{
	struct cmdinfo_entry	*e;

	e = &cmdinfo_cache[cmdinfo_hash(path) % CMDINFO_CACHE];
	if (e->path != nullptr && strcmp(e->path, path) == 0 &&
	    e->id.ino == id->ino && e->id.size == id->size &&
	    e->id.mtime.tv_sec == id->mtime.tv_sec &&
	    e->id.mtime.tv_nsec == id->mtime.tv_nsec)
		return &e->info;
	free(e->path);
	e->path = nullptr;
	cmdinfo_clear(&e->info);
	if (cmdinfo_read(path, &e->info) == -1)
		return nullptr;
	e->path = xstrdup(path);
	e->id = *id;
	return &e->info;
}

const struct cmdinfo *
cmdinfo_get(const char *path)
{
	struct stat		 st;
	struct cmdinfo_id	 id;

	if (stat(path, &st) == -1)
		return nullptr;
	cmdinfo_id_set(&id, &st);
	return cmdinfo_get_id(path, &id);
}

void
cmdinfo_flush(void)
{
	size_t	 i;

	for (i = 0; i < CMDINFO_CACHE; i++) {
		free(cmdinfo_cache[i].path);
		cmdinfo_cache[i].path = nullptr;
		cmdinfo_clear(&cmdinfo_cache[i].info);
	}
}

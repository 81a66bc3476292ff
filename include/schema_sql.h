/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQL of sql/, compiled in by tools/embed-sql.sh. */
#ifndef SCHEMA_SQL_H
#define SCHEMA_SQL_H

struct schema_migration {
	int		 version;	/* user_version after it ran */
	const char	*sql;
};

extern const char *const schema_sql;
extern const struct schema_migration schema_migrations[];

#endif

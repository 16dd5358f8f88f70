/* Internals of the store shared by its source files (not a public API). */
#ifndef RESOLVSTALE_STORE_INTERNAL_H
#define RESOLVSTALE_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "resolvstale/store.h"

struct rs_store {
	sqlite3 *db;
	enum rs_store_mode mode;
	int lock_fd;
	bool in_tx;
	sqlite3_stmt *ins_gen;
	sqlite3_stmt *ins_fev;
	sqlite3_stmt *up_proc;
	sqlite3_stmt *up_sock;
	sqlite3_stmt *put_ev, *put_verdict, *touch_proc, *add_lost;
	sqlite3_stmt *load_ev, *load_seq; /* the engine resuming a process */
	char errmsg[256];
};

/* Record an SQLite failure in st->errmsg; returns the matching -errno. */
int rs_store_sql_err(struct rs_store *st, int rc, const char *what);
/* Open the write transaction if none is open. */
int rs_store_begin(struct rs_store *st);
void rs_store_bind_text(sqlite3_stmt *s, int i, const char *v);
void rs_store_bind_i64_or_null(sqlite3_stmt *s, int i, int64_t v, bool known);
const char *rs_store_col_text(sqlite3_stmt *s, int i);
/* Prepare the statements of store_verdict.c; finalize them. */
int rs_store_prepare_verdicts(struct rs_store *st);
void rs_store_finalize_verdicts(struct rs_store *st);

#endif

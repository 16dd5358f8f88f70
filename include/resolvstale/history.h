/* `resolvstale history`: the recorded generations, rendered from the store. */
#ifndef RESOLVSTALE_HISTORY_H
#define RESOLVSTALE_HISTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "resolvstale/store.h"

enum rs_history_format {
	RS_HISTORY_TEXT,
	RS_HISTORY_JSON,
};

struct rs_history_opts {
	enum rs_history_format format;
	bool events;        /* list file events under each generation */
	int64_t generation; /* only this one; -1 for all */
};

/* Write the history to out. Returns 0, -ENOENT when the generation asked for
 * does not exist, or another negative errno from the store (see
 * rs_store_errmsg). */
int rs_history_print(struct rs_store *st, const struct rs_history_opts *o, FILE *out);

#endif

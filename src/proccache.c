/* A small cache of process identities, keyed by pid. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/proccache.h"

struct entry {
	bool used;
	int64_t read_ns;
	struct rs_proc_ident id;
};

struct rs_proccache {
	int proc_dirfd;
	size_t cap; /* a power of two */
	int64_t ttl_ns;
	struct entry *tab;
	struct rs_proccache_stats stats;
};

struct rs_proccache *rs_proccache_new(int proc_dirfd, size_t capacity, int64_t ttl_ns)
{
	struct rs_proccache *c = calloc(1, sizeof(*c));
	size_t cap = 16;

	if (c == NULL)
		return NULL;
	while (cap < capacity && cap < ((size_t)1 << 20))
		cap <<= 1;
	c->tab = calloc(cap, sizeof(*c->tab));
	if (c->tab == NULL) {
		free(c);
		return NULL;
	}
	c->cap = cap;
	c->proc_dirfd = proc_dirfd;
	c->ttl_ns = ttl_ns;
	return c;
}

void rs_proccache_free(struct rs_proccache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->cap; i++)
		rs_proc_ident_clear(&c->tab[i].id);
	free(c->tab);
	free(c);
}

static size_t slot_of(const struct rs_proccache *c, int32_t pid)
{
	uint32_t h = (uint32_t)pid * 2654435761u;

	return (size_t)h & (c->cap - 1);
}

/* Linear probing over a short window; the oldest entry in the window is the
 * victim when none is free. */
#define PROBE 8

static struct entry *find(struct rs_proccache *c, int32_t pid)
{
	size_t s = slot_of(c, pid);

	for (size_t i = 0; i < PROBE; i++) {
		struct entry *e = &c->tab[(s + i) & (c->cap - 1)];
		if (e->used && e->id.pid == pid)
			return e;
	}
	return NULL;
}

static struct entry *victim(struct rs_proccache *c, int32_t pid)
{
	size_t s = slot_of(c, pid);
	struct entry *best = NULL;

	for (size_t i = 0; i < PROBE; i++) {
		struct entry *e = &c->tab[(s + i) & (c->cap - 1)];
		if (!e->used)
			return e;
		if (best == NULL || e->read_ns < best->read_ns)
			best = e;
	}
	c->stats.evictions++;
	return best;
}

const struct rs_proc_ident *rs_proccache_get(struct rs_proccache *c, int32_t pid, int64_t now_ns,
					     const char *expect_exe)
{
	struct entry *e = find(c, pid);
	struct rs_proc_ident fresh;
	int r;

	if (e != NULL && now_ns - e->read_ns <= c->ttl_ns &&
	    (expect_exe == NULL || e->id.exe == NULL || strcmp(expect_exe, e->id.exe) == 0)) {
		c->stats.hits++;
		return &e->id;
	}
	c->stats.misses++;
	r = rs_proc_read_ident(c->proc_dirfd, pid, &fresh);
	if (r < 0) {
		c->stats.gone++;
		/* A process we knew a moment ago is still best described by
		 * what we knew: it exited after acting. */
		return e != NULL ? &e->id : NULL;
	}
	if (e == NULL)
		e = victim(c, pid);
	rs_proc_ident_clear(&e->id);
	e->id = fresh;
	e->used = true;
	e->read_ns = now_ns;
	return &e->id;
}

void rs_proccache_forget(struct rs_proccache *c, int32_t pid)
{
	struct entry *e = find(c, pid);

	if (e == NULL)
		return;
	rs_proc_ident_clear(&e->id);
	e->used = false;
}

const struct rs_proccache_stats *rs_proccache_stats(const struct rs_proccache *c)
{
	return &c->stats;
}

void rs_proccache_fill(struct rs_proccache *c, struct rs_proc *p, int64_t now_ns)
{
	const struct rs_proc_ident *id;

	/* The record names the process; /proc adds its start time, if it is
	 * still there and still the same program. */
	if (c == NULL || p->pid <= 0)
		return;
	id = rs_proccache_get(c, p->pid, now_ns, p->exe);
	if (id != NULL && (p->exe == NULL || id->exe == NULL || strcmp(id->exe, p->exe) == 0))
		p->starttime = id->starttime;
}

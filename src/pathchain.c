/* Resolution of a path through its symlinks, recording every lookup. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/pathchain.h"

#define REST_MAX (4 * PATH_MAX)

void rs_pathchain_free(struct rs_pathchain *chain)
{
	if (chain == NULL)
		return;
	for (size_t i = 0; i < chain->n_lookups; i++) {
		free(chain->lookups[i].dir);
		free(chain->lookups[i].name);
	}
	for (size_t i = 0; i < chain->n_links; i++) {
		free(chain->links[i].path);
		free(chain->links[i].target);
	}
	free(chain->final);
	memset(chain, 0, sizeof(*chain));
}

static int record_lookup(struct rs_pathchain *chain, const char *dir, const char *name, size_t n)
{
	struct rs_lookup *l;

	if (chain->n_lookups >= RS_CHAIN_MAX_LOOKUPS)
		return -ELOOP;
	l = &chain->lookups[chain->n_lookups];
	l->dir = strdup(dir);
	l->name = strndup(name, n);
	l->final = false;
	if (l->dir == NULL || l->name == NULL) {
		free(l->dir);
		free(l->name);
		return -ENOMEM;
	}
	chain->n_lookups++;
	return 0;
}

/* dir + "/" + name into out (PATH_MAX). */
static int join(char *out, const char *dir, const char *name, size_t n)
{
	size_t dl = strlen(dir);
	size_t need = dl + (dl > 1 ? 1 : 0) + n + 1;

	if (need > PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, dir, dl);
	if (dl > 1)
		out[dl++] = '/';
	memcpy(out + dl, name, n);
	out[dl + n] = '\0';
	return 0;
}

static void parent_of(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (slash == NULL || slash == dir)
		strcpy(dir, "/");
	else
		*slash = '\0';
}

/* Replace rest with prefix + rest: rest is what follows a symlink's name in
 * the path, so it is empty or starts with '/'. */
static int prepend(char *rest, const char *prefix)
{
	size_t pl = strlen(prefix), rl = strlen(rest);

	if (pl + rl + 1 > REST_MAX)
		return -ENAMETOOLONG;
	memmove(rest + pl, rest, rl + 1);
	memcpy(rest, prefix, pl);
	return 0;
}

/* The walk ends at final (dir + component, perhaps + what was left of the
 * path): store it without repeated or trailing slashes. */
static int finish(struct rs_pathchain *chain, const char *final, int err)
{
	size_t o = 0;
	char *f = malloc(strlen(final) + 1);

	if (f == NULL)
		return -ENOMEM;
	for (const char *p = final; *p != '\0'; p++)
		if (!(*p == '/' && o > 0 && f[o - 1] == '/'))
			f[o++] = *p;
	while (o > 1 && f[o - 1] == '/')
		o--;
	f[o] = '\0';
	chain->final = f;
	chain->err = err;
	if (chain->n_lookups > 0 && err == 0)
		chain->lookups[chain->n_lookups - 1].final = true;
	return 0;
}

/* child + the rest of the path, for reporting where a failed walk would end. */
static int finish_rest(struct rs_pathchain *chain, char *child, const char *rest, int err)
{
	if (strlen(child) + strlen(rest) < PATH_MAX)
		strcat(child, rest);
	return finish(chain, child, err);
}

int rs_pathchain_resolve(const char *path, struct rs_pathchain *chain)
{
	char *rest = NULL, *dir = NULL, *child = NULL, *target = NULL;
	size_t pos = 0;
	int r;

	memset(chain, 0, sizeof(*chain));
	if (path == NULL || path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= REST_MAX)
		return -ENAMETOOLONG;
	rest = malloc(REST_MAX);
	dir = malloc(PATH_MAX);
	child = malloc(PATH_MAX);
	target = malloc(PATH_MAX);
	if (rest == NULL || dir == NULL || child == NULL || target == NULL) {
		r = -ENOMEM;
		goto out;
	}
	strcpy(rest, path);
	strcpy(dir, "/");

	for (;;) {
		struct stat st;
		const char *comp;
		size_t n, k;
		bool last, must_be_dir;

		while (rest[pos] == '/')
			pos++;
		if (rest[pos] == '\0') {
			/* The path names a directory ("/", "/etc/"). */
			r = finish(chain, dir, EISDIR);
			goto out;
		}
		comp = rest + pos;
		n = strcspn(comp, "/");
		pos += n;
		for (k = pos; rest[k] == '/'; k++)
			;
		last = rest[k] == '\0';
		/* "name/" at the end: like the kernel, name must be a directory. */
		must_be_dir = last && k > pos;
		if (n == 1 && comp[0] == '.') {
			if (last) {
				r = finish(chain, dir, EISDIR);
				goto out;
			}
			continue;
		}
		if (n == 2 && comp[0] == '.' && comp[1] == '.') {
			parent_of(dir);
			if (last) {
				r = finish(chain, dir, EISDIR);
				goto out;
			}
			continue;
		}
		r = join(child, dir, comp, n);
		if (r < 0) {
			r = finish(chain, dir, ENAMETOOLONG);
			goto out;
		}
		r = record_lookup(chain, dir, comp, n);
		if (r == -ELOOP) {
			r = finish(chain, child, ELOOP);
			goto out;
		}
		if (r < 0)
			goto out;
		if (lstat(child, &st) < 0) {
			r = finish_rest(chain, child, last ? "" : rest + pos, errno);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t tl;
			struct rs_symlink *l;

			if (chain->n_links >= RS_CHAIN_MAX_LINKS) {
				r = finish(chain, child, ELOOP);
				goto out;
			}
			tl = readlink(child, target, PATH_MAX - 1);
			if (tl < 0) {
				r = finish(chain, child, errno);
				goto out;
			}
			target[tl] = '\0';
			l = &chain->links[chain->n_links];
			l->path = strdup(child);
			l->target = strdup(target);
			if (l->path == NULL || l->target == NULL) {
				free(l->path);
				free(l->target);
				r = -ENOMEM;
				goto out;
			}
			chain->n_links++;
			if (tl == 0) {
				r = finish(chain, child, ENOENT);
				goto out;
			}
			/* Continue with the target followed by what is left after
			 * this component (empty, or "/..."). */
			memmove(rest, rest + pos, strlen(rest + pos) + 1);
			pos = 0;
			r = prepend(rest, target);
			if (r < 0) {
				r = finish(chain, child, ENAMETOOLONG);
				goto out;
			}
			if (target[0] == '/')
				strcpy(dir, "/");
			continue;
		}
		if (last) {
			int err = 0;
			if (S_ISDIR(st.st_mode))
				err = EISDIR;
			else if (must_be_dir)
				err = ENOTDIR;
			r = finish(chain, child, err);
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			r = finish(chain, child, ENOTDIR);
			goto out;
		}
		strcpy(dir, child);
	}
out:
	free(rest);
	free(dir);
	free(child);
	free(target);
	return r;
}

void rs_pathchain_describe(const struct rs_pathchain *chain, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < chain->n_links && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s -> ", chain->links[i].path);
	if (o < len)
		snprintf(buf + o, len - o, "%s", chain->final ? chain->final : "?");
}

/* The resolver runtime of a process, and when it re-reads resolv.conf (see
 * runtime.h; the rules are shared/RESOLVERS.md's). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "resolvstale/elfinfo.h"
#include "resolvstale/runtime.h"
#include "resolvstale/strnum.h"

const char *const rs_exe_marker_strings[RS_MARK_COUNT] = {
	"No error information", "/etc/resolv.conf", "attempts:", "no-reload", "GLIBC_TUNABLES",
};

/* --- names ---------------------------------------------------------------- */

const char *rs_reload_rule_name(enum rs_reload_rule r)
{
	switch (r) {
	case RS_RELOAD_ON_USE:
		return "reloads-on-use";
	case RS_RELOAD_WITHIN:
		return "reloads-within";
	case RS_RELOAD_READS_ONCE:
		return "reads-once";
	case RS_RELOAD_NEVER_READS:
		return "never-reads";
	case RS_RELOAD_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *rs_runtime_kind_name(enum rs_runtime_kind k)
{
	switch (k) {
	case RS_RT_GLIBC:
		return "glibc";
	case RS_RT_MUSL:
		return "musl";
	case RS_RT_GO:
		return "go";
	case RS_RT_JAVA:
		return "java";
	case RS_RT_NODE:
		return "node";
	case RS_RT_CARES:
		return "c-ares";
	case RS_RT_DNSMASQ:
		return "dnsmasq";
	case RS_RT_NSCD:
		return "nscd";
	case RS_RT_RESOLVED:
		return "systemd-resolved";
	case RS_RT_NSS_RESOLVE:
		return "nss-resolve";
	case RS_RT_OWN_CONFIG:
		return "own-config";
	case RS_RT_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *rs_resolver_path_name(enum rs_resolver_path p)
{
	switch (p) {
	case RS_PATH_LIBC:
		return "libc";
	case RS_PATH_GO_NATIVE:
		return "go-native";
	case RS_PATH_GO_CGO:
		return "go-cgo";
	case RS_PATH_JAVA_INETADDRESS:
		return "java-inetaddress";
	case RS_PATH_JAVA_JNDI:
		return "java-jndi";
	case RS_PATH_NODE_LOOKUP:
		return "node-lookup";
	case RS_PATH_CARES:
		return "c-ares";
	case RS_PATH_DNSMASQ:
		return "dnsmasq";
	case RS_PATH_NSCD:
		return "nscd";
	case RS_PATH_RESOLVED:
		return "systemd-resolved";
	case RS_PATH_NSS_RESOLVE:
		return "nss-resolve";
	case RS_PATH_OWN_CONFIG:
		return "own-config";
	case RS_PATH_NONE:
		break;
	}
	return "none";
}

const char *rs_runtime_note_name(enum rs_runtime_note n)
{
	switch (n) {
	case RS_RTN_LIBC_DELETED:
		return "libc-deleted";
	case RS_RTN_NO_RELOAD:
		return "res-options-no-reload";
	case RS_RTN_RES_OPTIONS:
		return "res-options";
	case RS_RTN_LOCALDOMAIN:
		return "localdomain";
	case RS_RTN_GLIBC_BUG_31476:
		return "glibc-bug-31476";
	case RS_RTN_MTIME_ONLY:
		return "mtime-only";
	case RS_RTN_SYMLINK_MISSED:
		return "symlink-repoint-missed";
	case RS_RTN_OTHER_RESOLV_FILE:
		return "other-resolv-file";
	case RS_RTN_SECURITY_MANAGER:
		return "security-manager";
	case RS_RTN_EXE_DELETED:
		return "exe-deleted";
	case RS_RTN_TRUNCATED:
		return "input-truncated";
	case RS_RTN_UNREADABLE:
		return "input-unreadable";
	case RS_RTN_CONFIG_UNEXAMINED:
		return "config-unexamined";
	}
	return "unknown";
}

const char *rs_runtime_path_rule(const struct rs_runtime_path *p, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (p->rule == RS_RELOAD_WITHIN)
		snprintf(buf, len, "reloads-within:%us", (unsigned)p->within_s);
	else
		snprintf(buf, len, "%s", rs_reload_rule_name(p->rule));
	return buf;
}

/* Larger is worse for a process that should move to new resolvers. */
static uint64_t badness(const struct rs_runtime_path *p)
{
	switch (p->rule) {
	case RS_RELOAD_NEVER_READS:
		return 0;
	case RS_RELOAD_ON_USE:
		return 1;
	case RS_RELOAD_WITHIN:
		return 2 + (uint64_t)p->within_s;
	case RS_RELOAD_UNKNOWN:
		return (uint64_t)UINT32_MAX + 3;
	case RS_RELOAD_READS_ONCE:
		return (uint64_t)UINT32_MAX + 4;
	}
	return (uint64_t)UINT32_MAX + 3;
}

const struct rs_runtime_path *rs_runtime_worst(const struct rs_runtime *rt)
{
	if (rt->second.path != RS_PATH_NONE && badness(&rt->second) > badness(&rt->primary))
		return &rt->second;
	return &rt->primary;
}

/* --- small text helpers ------------------------------------------------- */

struct span {
	const char *p;
	size_t n;
};

#define SPAN_MAX_SHOWN 100 /* bytes of process-supplied text in one evidence line */
#define SHOW(s)        (int)((s).n < SPAN_MAX_SHOWN ? (s).n : SPAN_MAX_SHOWN), (s).p

static bool span_eq(struct span s, const char *lit)
{
	size_t k = strlen(lit);

	return s.n == k && memcmp(s.p, lit, k) == 0;
}

static bool span_prefix(struct span s, const char *lit)
{
	size_t k = strlen(lit);

	return s.n >= k && memcmp(s.p, lit, k) == 0;
}

static bool span_suffix(struct span s, const char *lit)
{
	size_t k = strlen(lit);

	return s.n >= k && memcmp(s.p + s.n - k, lit, k) == 0;
}

static struct span span_from(struct span s, size_t at)
{
	struct span r = {s.p + at, s.n - at};

	return r;
}

static struct span basename_of(struct span s)
{
	for (size_t i = s.n; i > 0; i--)
		if (s.p[i - 1] == '/')
			return span_from(s, i);
	return s;
}

/* The executable's file name without a " (deleted)" suffix. */
static struct span exe_name(const char *exe, size_t len, bool *deleted)
{
	static const char sfx[] = " (deleted)";
	struct span s = {exe, exe ? strnlen(exe, len) : 0};

	*deleted = false;
	if (span_suffix(s, sfx)) {
		s.n -= sizeof(sfx) - 1;
		*deleted = true;
	}
	return s;
}

static bool is_node_exe(struct span base)
{
	return span_eq(base, "node") || span_eq(base, "nodejs");
}

/* The next NUL-separated item of buf[0..len) from *pos. */
static bool next_item(const char *buf, size_t len, size_t *pos, struct span *item)
{
	const char *s, *z;

	if (buf == NULL || *pos >= len)
		return false;
	s = buf + *pos;
	z = memchr(s, '\0', len - *pos);
	item->p = s;
	item->n = z ? (size_t)(z - s) : len - *pos;
	*pos += item->n + 1;
	return true;
}

/* getenv() on an environ block: the first NAME=. */
static bool env_get(const struct rs_runtime_facts *in, const char *name, struct span *val)
{
	size_t pos = 0, k = strlen(name);
	struct span it;

	while (next_item(in->environ, in->environ_len, &pos, &it)) {
		if (it.n > k && memcmp(it.p, name, k) == 0 && it.p[k] == '=') {
			*val = span_from(it, k + 1);
			return true;
		}
	}
	return false;
}

/* A decimal number in s, within [0, max]. */
static bool span_u64(struct span s, uint64_t max, uint64_t *v)
{
	char buf[24];

	if (s.n == 0 || s.n >= sizeof(buf))
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return rs_strtou64(buf, 0, max, v) == 0;
}

static bool span_hex(struct span s, uint64_t *v)
{
	char buf[24];

	if (s.n == 0 || s.n >= sizeof(buf))
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return rs_strtox64(buf, v) == 0;
}

/* A NUL-terminated array of the facts, as a span (not trusting the NUL). */
#define ARRAY_SPAN(a) ((struct span){(a), strnlen((a), sizeof(a))})

/* --- evidence ----------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void ev(struct rs_runtime *rt, const char *fmt, ...)
{
	va_list ap;
	char *e;

	if (rt->n_evidence >= RS_RT_MAX_EVIDENCE) {
		rt->evidence_truncated = true;
		return;
	}
	e = rt->evidence[rt->n_evidence++];
	va_start(ap, fmt);
	vsnprintf(e, RS_RT_EVIDENCE_LEN, fmt, ap);
	va_end(ap);
	for (char *p = e; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void set_version(struct rs_runtime *rt, const char *s, size_t n)
{
	if (n >= sizeof(rt->version))
		n = sizeof(rt->version) - 1;
	for (size_t i = 0; i < n; i++)
		rt->version[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	rt->version[n] = '\0';
}

static struct rs_runtime_path mkpath(enum rs_resolver_path path, enum rs_reload_rule rule,
				     uint32_t within_s)
{
	struct rs_runtime_path p = {path, rule, rule == RS_RELOAD_WITHIN ? within_s : 0};

	return p;
}

/* --- maps --------------------------------------------------------------- */

static bool is_glibc_name(struct span b)
{
	size_t i = 5, dots = 0;

	if (span_eq(b, "libc.so.6"))
		return true;
	/* libc-2.31.so, libc-2.12.2.so */
	if (!span_prefix(b, "libc-") || !span_suffix(b, ".so") || b.n < 11)
		return false;
	for (; i < b.n - 3; i++) {
		if (b.p[i] == '.') {
			if (b.p[i - 1] == '.' || b.p[i - 1] == '-')
				return false;
			dots++;
		} else if (b.p[i] < '0' || b.p[i] > '9') {
			return false;
		}
	}
	return dots >= 1 && b.p[b.n - 4] != '.';
}

static void keep_file(struct rs_maps_file *f, struct span path, bool deleted, uint64_t start,
		      uint64_t end, uint64_t inode)
{
	size_t n = path.n;

	if (f->found)
		return;
	f->found = true;
	f->deleted = deleted;
	f->start = start;
	f->end = end;
	f->inode = inode;
	if (n >= sizeof(f->path)) {
		n = sizeof(f->path) - 1;
		f->cut = true;
	}
	memcpy(f->path, path.p, n);
	f->path[n] = '\0';
}

/* The next space-separated field of line from *pos. */
static bool next_field(struct span line, size_t *pos, struct span *f)
{
	size_t i = *pos;

	while (i < line.n && line.p[i] == ' ')
		i++;
	f->p = line.p + i;
	while (i < line.n && line.p[i] != ' ')
		i++;
	f->n = (size_t)(line.p + i - f->p);
	*pos = i;
	return f->n > 0;
}

static void scan_line(struct span line, struct rs_maps_summary *o)
{
	static const char deleted_sfx[] = " (deleted)";
	struct span range, perms, offset, dev, inode, path, b;
	uint64_t start, end, ino;
	size_t pos = 0;
	const char *dash;
	bool deleted = false;

	if (!next_field(line, &pos, &range) || !next_field(line, &pos, &perms) ||
	    !next_field(line, &pos, &offset) || !next_field(line, &pos, &dev) ||
	    !next_field(line, &pos, &inode)) {
		o->n_bad_lines++;
		return;
	}
	dash = memchr(range.p, '-', range.n);
	if (dash == NULL) {
		o->n_bad_lines++;
		return;
	}
	{
		struct span a = {range.p, (size_t)(dash - range.p)};
		struct span z = {dash + 1, range.n - (size_t)(dash - range.p) - 1};

		if (!span_hex(a, &start) || !span_hex(z, &end) ||
		    !span_u64(inode, UINT64_MAX, &ino)) {
			o->n_bad_lines++;
			return;
		}
	}
	while (pos < line.n && line.p[pos] == ' ')
		pos++;
	path = span_from(line, pos);
	if (path.n == 0 || path.p[0] != '/')
		return; /* anonymous, [heap], [stack], [vdso]... */
	if (span_suffix(path, deleted_sfx)) {
		deleted = true;
		path.n -= sizeof(deleted_sfx) - 1;
	}
	b = basename_of(path);
	if (is_glibc_name(b))
		keep_file(&o->glibc, path, deleted, start, end, ino);
	else if ((span_prefix(b, "ld-musl-") && span_suffix(b, ".so.1")) ||
		 (span_eq(b, "libc.so") && memmem(path.p, path.n, "musl", 4) != NULL))
		/* Debian's /lib/ld-musl-x86_64.so.1 is a symlink to
		 * /usr/lib/x86_64-linux-musl/libc.so, the name maps shows */
		keep_file(&o->musl, path, deleted, start, end, ino);
	else if (span_eq(b, "libjvm.so"))
		keep_file(&o->jvm, path, deleted, start, end, ino);
	else if (span_eq(b, "libnet.so"))
		keep_file(&o->javanet, path, deleted, start, end, ino);
	else if (span_prefix(b, "libcares.so"))
		keep_file(&o->cares, path, deleted, start, end, ino);
	else if (span_prefix(b, "libnode.so"))
		keep_file(&o->node, path, deleted, start, end, ino);
	else if (span_prefix(b, "libnss_resolve.so"))
		keep_file(&o->nss_resolve, path, deleted, start, end, ino);
}

void rs_runtime_scan_maps(const char *maps, size_t len, struct rs_maps_summary *out)
{
	const char *p = maps, *end;

	memset(out, 0, sizeof(*out));
	if (maps == NULL)
		return;
	end = maps + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span line = {p, nl ? (size_t)(nl - p) : (size_t)(end - p)};

		if (line.n > 0) {
			out->n_lines++;
			if (line.n > RS_RT_PATH_MAX + 128)
				out->n_long_lines++;
			else if (memchr(line.p, '\0', line.n) != NULL)
				out->n_bad_lines++; /* maps never has one: not trusted */
			else
				scan_line(line, out);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* --- classification context --------------------------------------------- */

enum libc_kind { LIBC_NONE, LIBC_GLIBC, LIBC_MUSL };

struct ctx {
	const struct rs_runtime_facts *in;
	struct rs_runtime *out;
	struct rs_maps_summary ms;
	struct span exe, exe_base;
	bool have_exe;
	bool has_res_options, has_localdomain;
	struct span res_options, localdomain;

	enum libc_kind libc;
	bool libc_from_interp; /* maps unreadable: PT_INTERP named it */
	bool musl_static, glibc_static;
	bool glibc_version_known;
	uint64_t glibc_major, glibc_minor;
	char glibc_version[24];
	struct span banner_line; /* first line of the glibc banner */
	bool glibc_bug_31476;
	bool no_reload;
	bool libc_evidence_added;
	struct rs_runtime_path libc_rule;
};

/* "2.36" at s: major and minor, and the length used. */
static bool parse_version(struct span s, uint64_t *major, uint64_t *minor, size_t *used)
{
	size_t i = 0, dot;
	struct span a, b;

	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
		i++;
	if (i == 0 || i >= s.n || s.p[i] != '.')
		return false;
	dot = i++;
	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
		i++;
	if (i == dot + 1)
		return false;
	a.p = s.p;
	a.n = dot;
	b.p = s.p + dot + 1;
	b.n = i - dot - 1;
	if (!span_u64(a, 1000, major) || !span_u64(b, 1000, minor))
		return false;
	/* a third component (2.12.2) belongs to the version too */
	while (i + 1 < s.n && s.p[i] == '.' && s.p[i + 1] >= '0' && s.p[i + 1] <= '9') {
		i++;
		while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
			i++;
	}
	*used = i;
	return true;
}

static const char *find_in(struct span s, const char *lit)
{
	return memmem(s.p, s.n, lit, strlen(lit));
}

/* glibc's banner: "GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable
 * release version 2.36.\n". */
static void parse_banner(struct ctx *c)
{
	struct span b = {c->in->libc_banner, c->in->libc_banner_len}, after;
	const char *nl, *v;
	size_t used;

	if (b.p == NULL || !span_prefix(b, "GNU C Library"))
		return;
	nl = memchr(b.p, '\n', b.n);
	if (nl != NULL)
		b.n = (size_t)(nl - b.p);
	if (memchr(b.p, '\0', b.n) != NULL)
		b.n = strnlen(b.p, b.n);
	c->banner_line = b;
	v = find_in(b, "version ");
	if (v == NULL)
		return;
	after.p = v + 8;
	after.n = b.n - (size_t)(after.p - b.p);
	if (!parse_version(after, &c->glibc_major, &c->glibc_minor, &used))
		return;
	c->glibc_version_known = true;
	snprintf(c->glibc_version, sizeof(c->glibc_version), "%.*s", (int)used, after.p);

	/* Debian 12 fixed glibc bug 31476 (a thread that fell back to
	 * single-request mode never reloads) in 2.36-9+deb12u9. */
	v = find_in(b, "Debian GLIBC 2.36-9");
	if (v != NULL) {
		struct span rest = {v + 19, b.n - (size_t)(v + 19 - b.p)};
		uint64_t u = 0;

		if (span_prefix(rest, "+deb12u")) {
			struct span d = span_from(rest, 7);
			size_t k = 0;

			while (k < d.n && d.p[k] >= '0' && d.p[k] <= '9')
				k++;
			d.n = k;
			if (span_u64(d, 100000, &u) && u < 9)
				c->glibc_bug_31476 = true;
		} else if (span_prefix(rest, ")")) {
			c->glibc_bug_31476 = true;
		}
	}
}

/* glibc's res_setoptions() matches each option by prefix, in a table where
 * nothing before "no-reload" is a prefix of it: a word starting with
 * "no-reload" sets it. Words are separated by spaces and tabs. */
static bool res_options_no_reload(struct span v)
{
	size_t i = 0;

	while (i < v.n) {
		size_t j;

		while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
			i++;
		j = i;
		while (j < v.n && v.p[j] != ' ' && v.p[j] != '\t')
			j++;
		if (j - i >= 9 && memcmp(v.p + i, "no-reload", 9) == 0)
			return true;
		i = j;
	}
	return false;
}

static void init_libc(struct ctx *c)
{
	const struct rs_runtime_facts *in = c->in;

	if (c->ms.glibc.found) {
		c->libc = LIBC_GLIBC;
		parse_banner(c);
		if (!c->glibc_version_known) {
			struct span p = {c->ms.glibc.path, strlen(c->ms.glibc.path)};
			struct span b = basename_of(p);
			size_t used;

			/* libc.so.6 as the real file name: glibc >= 2.34 */
			if (span_prefix(b, "libc-") &&
			    parse_version(span_from(b, 5), &c->glibc_major, &c->glibc_minor,
					  &used)) {
				c->glibc_version_known = true;
				snprintf(c->glibc_version, sizeof(c->glibc_version), "%.*s",
					 (int)used, b.p + 5);
			}
		}
	} else if (c->ms.musl.found) {
		c->libc = LIBC_MUSL;
	} else if (in->exe_elf && !in->exe_has_interp && !in->go.found &&
		   (in->exe_markers & RS_MARK_MUSL_ERRMSG)) {
		c->libc = LIBC_MUSL;
		c->musl_static = true;
	} else if (in->exe_elf && !in->exe_has_interp && !in->go.found &&
		   (in->exe_markers & (RS_MARK_GLIBC | RS_MARK_NO_RELOAD)) ==
			   (RS_MARK_GLIBC | RS_MARK_NO_RELOAD)) {
		c->libc = LIBC_GLIBC; /* >= 2.26: it has tunables */
		c->glibc_static = true;
	} else if (in->exe_elf && !in->exe_has_interp && !in->go.found &&
		   (in->exe_markers &
		    (RS_MARK_RESOLV_CONF | RS_MARK_ATTEMPTS | RS_MARK_NO_RELOAD | RS_MARK_GLIBC)) ==
			   (RS_MARK_RESOLV_CONF | RS_MARK_ATTEMPTS)) {
		/* musl's resolv.conf parser knows ndots, attempts and timeout
		 * and none of glibc's flags */
		c->libc = LIBC_MUSL;
		c->musl_static = true;
	} else if (in->exe_elf && in->exe_has_interp) {
		struct span ip = ARRAY_SPAN(in->exe_interp);
		struct span b = basename_of(ip);

		if (span_prefix(b, "ld-musl-")) {
			c->libc = LIBC_MUSL;
			c->libc_from_interp = true;
		} else if (span_prefix(b, "ld-linux") && (in->maps == NULL || in->maps_len == 0)) {
			c->libc = LIBC_GLIBC;
			c->libc_from_interp = true;
		}
	}
	c->no_reload = c->libc == LIBC_GLIBC && c->has_res_options &&
		       res_options_no_reload(c->res_options);

	switch (c->libc) {
	case LIBC_GLIBC:
		if (c->glibc_version_known &&
		    (c->glibc_major < 2 || (c->glibc_major == 2 && c->glibc_minor < 26)))
			c->libc_rule = mkpath(RS_PATH_LIBC, RS_RELOAD_READS_ONCE, 0);
		else if (c->no_reload)
			c->libc_rule = mkpath(RS_PATH_LIBC, RS_RELOAD_READS_ONCE, 0);
		else
			c->libc_rule = mkpath(RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
		break;
	case LIBC_MUSL:
		c->libc_rule = mkpath(RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
		break;
	case LIBC_NONE:
		c->libc_rule = mkpath(RS_PATH_LIBC, RS_RELOAD_UNKNOWN, 0);
		break;
	}
}

/* Evidence for the libc a path goes through; once per classification. */
static void libc_evidence(struct ctx *c)
{
	struct rs_runtime *o = c->out;

	if (c->libc_evidence_added)
		return;
	c->libc_evidence_added = true;
	if (c->libc == LIBC_GLIBC) {
		if (c->libc_from_interp) {
			ev(o, "exe: PT_INTERP %.*s (glibc's loader; maps unreadable)",
			   SHOW(ARRAY_SPAN(c->in->exe_interp)));
		} else if (c->glibc_static) {
			ev(o, "exe: static (no PT_INTERP), contains \"GLIBC_TUNABLES\" and glibc's "
			      "\"no-reload\" option (static glibc >= 2.26)");
		} else if (c->ms.glibc.deleted) {
			o->notes |= RS_RTN_LIBC_DELETED;
			ev(o, "maps: %s (deleted): runs the libc that was replaced on disk",
			   c->ms.glibc.path);
		} else {
			ev(o, "maps: %s", c->ms.glibc.path);
		}
		if (c->banner_line.n > 0)
			ev(o, "libc: %.*s", (int)(c->banner_line.n < 150 ? c->banner_line.n : 150),
			   c->banner_line.p);
		else if (c->glibc_version_known)
			ev(o, "maps: glibc %s from the file name", c->glibc_version);
		if (c->glibc_version_known &&
		    (c->glibc_major < 2 || (c->glibc_major == 2 && c->glibc_minor < 26)))
			ev(o,
			   "glibc %s < 2.26: re-reads resolv.conf only when the program calls "
			   "res_init()",
			   c->glibc_version);
		if (c->glibc_bug_31476) {
			o->notes |= RS_RTN_GLIBC_BUG_31476;
			ev(o, "libc: without the fix for glibc bug 31476 (Debian 2.36-9+deb12u9): "
			      "a thread that fell back to single-request mode never reloads");
		}
	} else if (c->libc == LIBC_MUSL) {
		if (c->libc_from_interp)
			ev(o, "exe: PT_INTERP %.*s (musl's loader)",
			   SHOW(ARRAY_SPAN(c->in->exe_interp)));
		else if (c->musl_static && (c->in->exe_markers & RS_MARK_MUSL_ERRMSG))
			ev(o, "exe: static (no PT_INTERP) and contains \"No error information\" "
			      "(musl)");
		else if (c->musl_static)
			ev(o,
			   "exe: static (no PT_INTERP); its resolv.conf parser knows \"attempts:\" "
			   "but not glibc's \"no-reload\" (musl)");
		else
			ev(o, "maps: %s%s", c->ms.musl.path,
			   c->ms.musl.deleted ? " (deleted)" : "");
	}
	if (c->has_res_options) {
		o->notes |= RS_RTN_RES_OPTIONS;
		ev(o, "environ: RES_OPTIONS=%.*s", SHOW(c->res_options));
		if (c->no_reload) {
			o->notes |= RS_RTN_NO_RELOAD;
			ev(o, "environ: RES_OPTIONS no-reload: glibc never re-reads resolv.conf");
		}
	}
	if (c->has_localdomain) {
		o->notes |= RS_RTN_LOCALDOMAIN;
		ev(o, "environ: LOCALDOMAIN=%.*s", SHOW(c->localdomain));
	}
}

/* The worse of a cache rule and the libc behind it. */
static struct rs_runtime_path behind_libc(const struct ctx *c, enum rs_resolver_path path,
					  enum rs_reload_rule rule, uint32_t within_s)
{
	struct rs_runtime_path mine = mkpath(path, rule, within_s), base = c->libc_rule;

	base.path = path;
	if (c->libc == LIBC_NONE)
		return mine;
	return badness(&base) > badness(&mine) ? base : mine;
}

/* --- daemons known by their executable ------------------------------------- */

/* dnsmasq's short options that take an argument (its OPTSTRING, 2.90). */
static const char dnsmasq_short_args[] = "rmpclsitugaxSCATHQIBFGOMXVUjPJWY2467803";

struct dnsmasq_opts {
	bool no_poll, no_resolv, resolv_empty, conf_dir;
	unsigned n_resolv, n_conf;
	struct span resolv[4]; /* the first resolv files named */
	struct span conf;      /* the first conf file named */
	bool conf_empty;
	struct span flag_no_poll, flag_no_resolv; /* as written */
};

static void dnsmasq_resolv(struct dnsmasq_opts *d, struct span v)
{
	if (v.n == 0) {
		d->resolv_empty = true;
		return;
	}
	if (d->n_resolv < 4)
		d->resolv[d->n_resolv] = v;
	d->n_resolv++;
}

static void dnsmasq_conf(struct dnsmasq_opts *d, struct span v)
{
	if (d->n_conf == 0) {
		d->conf = v;
		d->conf_empty = v.n == 0;
	}
	d->n_conf++;
}

/* A long option, without its "--". Options with required arguments written
 * as a separate word are not followed: their values do not look like the
 * flags looked for here. */
static void dnsmasq_long(struct dnsmasq_opts *d, struct span a, struct span shown)
{
	const char *eq = memchr(a.p, '=', a.n);
	struct span name = {a.p, eq ? (size_t)(eq - a.p) : a.n};
	struct span val = {eq ? eq + 1 : a.p + a.n, eq ? a.n - name.n - 1 : 0};

	if (span_eq(name, "no-poll")) {
		d->no_poll = true;
		d->flag_no_poll = shown;
	} else if (span_eq(name, "no-resolv")) {
		d->no_resolv = true;
		d->flag_no_resolv = shown;
	} else if (span_eq(name, "resolv-file")) {
		dnsmasq_resolv(d, val);
	} else if (span_eq(name, "conf-file")) {
		dnsmasq_conf(d, val);
	} else if (span_eq(name, "conf-dir")) {
		d->conf_dir = true;
	}
}

static void dnsmasq_parse_cmdline(const char *cmd, size_t len, struct dnsmasq_opts *d)
{
	size_t pos = 0;
	struct span a;
	bool first = true;

	memset(d, 0, sizeof(*d));
	while (next_item(cmd, len, &pos, &a)) {
		if (first) {
			first = false;
			continue;
		}
		if (span_eq(a, "--"))
			break;
		if (span_prefix(a, "--")) {
			dnsmasq_long(d, span_from(a, 2), a);
			continue;
		}
		if (a.n < 2 || a.p[0] != '-')
			continue;
		for (size_t i = 1; i < a.n; i++) {
			char ch = a.p[i];

			if (ch == 'n') {
				d->no_poll = true;
				d->flag_no_poll = a;
			} else if (ch == 'R') {
				d->no_resolv = true;
				d->flag_no_resolv = a;
			} else if (ch != '\0' && strchr(dnsmasq_short_args, ch) != NULL) {
				struct span v = span_from(a, i + 1);

				if (v.n == 0 && !next_item(cmd, len, &pos, &v))
					v.n = 0;
				if (ch == 'r')
					dnsmasq_resolv(d, v);
				else if (ch == 'C')
					dnsmasq_conf(d, v);
				else if (ch == '7')
					d->conf_dir = true;
				break;
			}
		}
	}
}

int rs_runtime_dnsmasq_conf_path(const char *cmdline, size_t len, char *buf, size_t cap)
{
	static const char dflt[] = "/etc/dnsmasq.conf";
	struct dnsmasq_opts d;
	struct span p = {dflt, sizeof(dflt) - 1};

	if (cap == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	dnsmasq_parse_cmdline(cmdline, len, &d);
	if (d.n_conf > 0)
		p = d.conf;
	if (p.n >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, p.p, p.n);
	buf[p.n] = '\0';
	return 0;
}

/* The lines of dnsmasq's config file that matter here ("no-poll",
 * "no-resolv", "resolv-file=...", "conf-dir=...", "conf-file=..."). */
static void dnsmasq_parse_conf(const char *s, size_t n, struct dnsmasq_opts *d, bool *nested)
{
	const char *p = s, *end = s + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span line = {p, nl ? (size_t)(nl - p) : (size_t)(end - p)};

		while (line.n > 0 && (line.p[0] == ' ' || line.p[0] == '\t')) {
			line.p++;
			line.n--;
		}
		while (line.n > 0 && (line.p[line.n - 1] == ' ' || line.p[line.n - 1] == '\t' ||
				      line.p[line.n - 1] == '\r'))
			line.n--;
		if (line.n > 0 && line.p[0] != '#') {
			const char *eq = memchr(line.p, '=', line.n);
			struct span name = {line.p, eq ? (size_t)(eq - line.p) : line.n};

			if (span_eq(name, "conf-file"))
				*nested = true; /* not followed */
			else
				dnsmasq_long(d, line, line);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void classify_dnsmasq(struct ctx *c)
{
	const struct rs_runtime_facts *in = c->in;
	struct rs_runtime *o = c->out;
	struct dnsmasq_opts d;
	bool nested = false;

	o->kind = RS_RT_DNSMASQ;
	ev(o, "exe: %.*s", SHOW(c->exe));
	dnsmasq_parse_cmdline(in->cmdline, in->cmdline_len, &d);
	if (d.no_resolv)
		ev(o, "cmdline: %.*s", SHOW(d.flag_no_resolv));
	if (d.no_poll && (!d.no_resolv || d.flag_no_poll.p != d.flag_no_resolv.p))
		ev(o, "cmdline: %.*s", SHOW(d.flag_no_poll));
	for (unsigned i = 0; i < d.n_resolv && i < 4; i++)
		ev(o, "cmdline: resolv-file %.*s", SHOW(d.resolv[i]));
	if (in->dnsmasq_conf != NULL) {
		bool had_poll = d.no_poll, had_resolv = d.no_resolv;
		unsigned had_files = d.n_resolv;

		dnsmasq_parse_conf(in->dnsmasq_conf, in->dnsmasq_conf_len, &d, &nested);
		if (d.no_resolv && !had_resolv)
			ev(o, "conf %s: no-resolv",
			   in->dnsmasq_conf_path ? in->dnsmasq_conf_path : "?");
		if (d.no_poll && !had_poll)
			ev(o, "conf %s: no-poll",
			   in->dnsmasq_conf_path ? in->dnsmasq_conf_path : "?");
		for (unsigned i = had_files; i < d.n_resolv && i < 4; i++)
			ev(o, "conf %s: resolv-file=%.*s",
			   in->dnsmasq_conf_path ? in->dnsmasq_conf_path : "?", SHOW(d.resolv[i]));
	}
	if (d.conf_dir || nested || d.n_conf > 1) {
		o->notes |= RS_RTN_CONFIG_UNEXAMINED;
		ev(o, "dnsmasq: conf-dir or nested conf-file not examined");
	}
	for (unsigned i = 0; i < d.n_resolv && i < 4; i++) {
		if (!span_eq(d.resolv[i], "/etc/resolv.conf")) {
			o->notes |= RS_RTN_OTHER_RESOLV_FILE;
			break;
		}
	}
	if (d.no_resolv || (d.resolv_empty && d.n_resolv == 0)) {
		o->primary = mkpath(RS_PATH_DNSMASQ, RS_RELOAD_NEVER_READS, 0);
		if (!d.no_resolv)
			ev(o, "cmdline: resolv-file without a name: no resolv file");
		ev(o, "dnsmasq: no resolv file: upstream servers come from its own configuration");
	} else if (d.no_poll) {
		o->primary = mkpath(RS_PATH_DNSMASQ, RS_RELOAD_READS_ONCE, 0);
		ev(o, "dnsmasq: no-poll: reads the resolv file at start and on SIGHUP only");
	} else {
		o->primary = mkpath(RS_PATH_DNSMASQ, RS_RELOAD_ON_USE, 0);
		o->notes |= RS_RTN_SYMLINK_MISSED;
		ev(o, "dnsmasq: inotify on the resolv file's directory: a re-pointed symlink is "
		      "missed");
	}
}

/* --- Go --------------------------------------------------------------------------- */

/* GODEBUG's netdns setting: "go", "cgo" or "" (the +N debug suffix and a
 * bare debug level do not choose). The last one counts. */
static struct span godebug_netdns(struct span v, struct span *setting)
{
	struct span mode = {"", 0};
	size_t i = 0;

	while (i < v.n) {
		size_t j = i;
		struct span kv;

		while (j < v.n && v.p[j] != ',')
			j++;
		kv.p = v.p + i;
		kv.n = j - i;
		if (span_prefix(kv, "netdns=")) {
			struct span m = span_from(kv, 7);
			const char *plus = memchr(m.p, '+', m.n);

			if (plus != NULL)
				m.n = (size_t)(plus - m.p);
			*setting = kv;
			if (span_eq(m, "go") || span_eq(m, "cgo"))
				mode = m;
		}
		i = j + 1;
	}
	return mode;
}

static void classify_go(struct ctx *c)
{
	const struct rs_runtime_facts *in = c->in;
	const struct rs_go_info *go = &in->go;
	struct rs_runtime *o = c->out;
	struct span godebug = {NULL, 0}, setting = {NULL, 0}, mode = {"", 0}, hostaliases;
	bool cgo, force_cgo = false, has_godebug, has_hostaliases;
	struct rs_runtime_path native, cgo_path;

	o->kind = RS_RT_GO;
	set_version(o, go->version, strnlen(go->version, sizeof(go->version)));
	if (go->version[0] != '\0')
		ev(o, "exe: .go.buildinfo %.*s", SHOW(ARRAY_SPAN(go->version)));
	else
		ev(o, "exe: .go.buildinfo (version unreadable)");
	if (go->cgo >= 0)
		ev(o, "exe: build CGO_ENABLED=%d", go->cgo);
	if (go->tags[0] != '\0')
		ev(o, "exe: build -tags=%.*s", SHOW(ARRAY_SPAN(go->tags)));
	has_godebug = env_get(in, "GODEBUG", &godebug);
	if (has_godebug) {
		mode = godebug_netdns(godebug, &setting);
		if (setting.p != NULL)
			ev(o, "environ: GODEBUG %.*s", SHOW(setting));
	}
	/* The cgo resolver exists when cgo was on and netgo off; a Go without
	 * build settings (< 1.18) has cgo if it maps a libc. */
	cgo = !go->netgo && (go->cgo == 1 || (go->cgo < 0 && c->libc != LIBC_NONE));
	native = mkpath(RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5);
	cgo_path = c->libc_rule;
	cgo_path.path = RS_PATH_GO_CGO;
	has_hostaliases = env_get(in, "HOSTALIASES", &hostaliases);
	if (cgo && !span_eq(mode, "go")) {
		/* Go's conf.go: these make every lookup go through cgo. */
		force_cgo = span_eq(mode, "cgo") || go->netcgo || c->has_localdomain ||
			    (c->has_res_options && c->res_options.n > 0) ||
			    (has_hostaliases && hostaliases.n > 0);
	}
	if (!cgo || span_eq(mode, "go")) {
		o->primary = native;
		if (!cgo)
			ev(o, "go: no cgo resolver in this binary: Go's own resolver only");
		else
			ev(o, "go: GODEBUG netdns=go: Go's own resolver only");
	} else if (force_cgo) {
		o->primary = cgo_path;
		o->second = native;
		ev(o, "go: lookups go through libc (cgo)%s",
		   span_eq(mode, "cgo") ? ": GODEBUG netdns=cgo"
		   : go->netcgo         ? ": built with -tags netcgo"
					: ": RES_OPTIONS, LOCALDOMAIN or HOSTALIASES set");
		libc_evidence(c);
	} else {
		o->primary = native;
		o->second = cgo_path;
		ev(o, "go: Go's own resolver; cgo (libc) when nsswitch.conf or resolv.conf options "
		      "need it");
		libc_evidence(c);
	}
	o->notes |= RS_RTN_MTIME_ONLY;
	ev(o, "go: its own resolver re-reads resolv.conf at most every 5 s, on an mtime change");
}

/* --- Java ----------------------------------------------------------------------- */

struct java_opts {
	bool ttl_set;
	int64_t ttl; /* sun.net.inetaddr.ttl */
	struct span ttl_arg;
	bool sm;
	struct span sm_arg;
	bool netaddr_d; /* -Dnetworkaddress.cache.ttl: a security property, ignored as -D */
	struct span netaddr_arg;
	bool sec_props, argfile;
	struct span sec_props_arg;
};

/* Java's Integer.decode(): sign, then 0x/0X/# hex, 0 octal, or decimal. */
static bool java_decode(struct span s, int64_t *out)
{
	bool neg = false;
	unsigned base = 10;
	int64_t v = 0;
	size_t i = 0;

	if (i < s.n && (s.p[i] == '-' || s.p[i] == '+'))
		neg = s.p[i++] == '-';
	if (i + 1 < s.n && s.p[i] == '0' && (s.p[i + 1] == 'x' || s.p[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (i < s.n && s.p[i] == '#') {
		base = 16;
		i++;
	} else if (i + 1 < s.n && s.p[i] == '0') {
		base = 8;
		i++;
	}
	if (i >= s.n)
		return false;
	for (; i < s.n; i++) {
		char ch = s.p[i];
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
			: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
						 : 99;

		if (d >= (int)base)
			return false;
		v = v * base + d;
		if (v > (int64_t)INT32_MAX + 1)
			return false;
	}
	if (neg)
		v = -v;
	if (v > INT32_MAX || v < INT32_MIN)
		return false;
	*out = v;
	return true;
}

static void java_option(struct java_opts *j, struct span a)
{
	if (span_prefix(a, "-Dsun.net.inetaddr.ttl=")) {
		int64_t v;

		j->ttl_arg = a;
		if (java_decode(span_from(a, 23), &v)) {
			j->ttl_set = true;
			j->ttl = v;
		}
	} else if (span_prefix(a, "-Dnetworkaddress.cache.ttl=")) {
		j->netaddr_d = true;
		j->netaddr_arg = a;
	} else if (span_eq(a, "-Djava.security.manager") ||
		   span_prefix(a, "-Djava.security.manager=")) {
		struct span v = a.n > 23 ? span_from(a, 24) : span_from(a, a.n);

		j->sm = !span_eq(v, "allow") && !span_eq(v, "disallow");
		j->sm_arg = a;
	} else if (span_prefix(a, "-Djava.security.properties=")) {
		j->sec_props = true;
		j->sec_props_arg = a;
	}
}

/* Options in an environment variable: words separated by white space. */
static void java_env_options(struct java_opts *j, const struct rs_runtime_facts *in,
			     const char *name)
{
	struct span v;
	size_t i = 0;

	if (!env_get(in, name, &v))
		return;
	while (i < v.n) {
		size_t k = i;

		while (k < v.n && v.p[k] != ' ' && v.p[k] != '\t' && v.p[k] != '\n')
			k++;
		if (k > i) {
			struct span w = {v.p + i, k - i};
			java_option(j, w);
		}
		i = k + 1;
	}
}

/* The launcher's options end at the main class, -jar FILE or -m MODULE. */
static void java_cmdline_options(struct java_opts *j, const char *cmd, size_t len)
{
	static const char *const with_value[] = {"-cp",
						 "-classpath",
						 "--class-path",
						 "-p",
						 "--module-path",
						 "--upgrade-module-path",
						 "--add-modules",
						 "--limit-modules",
						 "--add-reads",
						 "--add-exports",
						 "--add-opens",
						 "--patch-module",
						 "--enable-native-access",
						 "--source",
						 NULL};
	size_t pos = 0;
	struct span a;
	bool first = true;

	while (next_item(cmd, len, &pos, &a)) {
		bool skip = false;

		if (first) {
			first = false;
			continue;
		}
		if (span_eq(a, "-jar") || span_eq(a, "-m") || span_eq(a, "--module") ||
		    span_prefix(a, "--module="))
			return;
		if (a.n > 0 && a.p[0] == '@') {
			j->argfile = true;
			continue;
		}
		if (a.n == 0 || a.p[0] != '-')
			return; /* the main class: what follows is the program's */
		for (size_t i = 0; with_value[i] != NULL; i++)
			if (span_eq(a, with_value[i]))
				skip = true;
		if (skip) {
			next_item(cmd, len, &pos, &a);
			continue;
		}
		java_option(j, a);
	}
}

/* networkaddress.cache.ttl in a java.security file (Properties syntax: key,
 * then '=', ':' or white space; '#' and '!' comments). The last one counts. */
static bool java_security_ttl(const char *s, size_t n, int64_t *ttl, struct span *line_out)
{
	static const char key[] = "networkaddress.cache.ttl";
	const char *p = s, *end = s + n;
	bool found = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span line = {p, nl ? (size_t)(nl - p) : (size_t)(end - p)};

		while (line.n > 0 && (line.p[0] == ' ' || line.p[0] == '\t')) {
			line.p++;
			line.n--;
		}
		while (line.n > 0 && (line.p[line.n - 1] == '\r' || line.p[line.n - 1] == ' ' ||
				      line.p[line.n - 1] == '\t'))
			line.n--;
		if (span_prefix(line, key) && line.n > sizeof(key) - 1) {
			struct span v = span_from(line, sizeof(key) - 1);
			char sep = v.p[0];

			if (sep == '=' || sep == ':' || sep == ' ' || sep == '\t') {
				int64_t t;

				v = span_from(v, 1);
				while (v.n > 0 && (v.p[0] == ' ' || v.p[0] == '\t' ||
						   v.p[0] == '=' || v.p[0] == ':'))
					v = span_from(v, 1);
				/* Integer.valueOf(): decimal with a sign */
				if (v.n > 0 && (v.p[0] == '-' || v.p[0] == '+' ||
						(v.p[0] >= '0' && v.p[0] <= '9'))) {
					struct span digits = v;
					bool neg = false;
					uint64_t u;

					if (v.p[0] == '-' || v.p[0] == '+') {
						neg = v.p[0] == '-';
						digits = span_from(v, 1);
					}
					if (span_u64(digits, (uint64_t)INT32_MAX + (neg ? 1 : 0),
						     &u)) {
						t = neg ? -(int64_t)u : (int64_t)u;
						*ttl = t;
						*line_out = line;
						found = true;
					}
				}
			}
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return found;
}

static void classify_java(struct ctx *c)
{
	const struct rs_runtime_facts *in = c->in;
	struct rs_runtime *o = c->out;
	struct java_opts j;
	int64_t ttl = 30, sec_ttl = 0;
	struct span sec_line = {NULL, 0};
	bool sec_set = false;

	o->kind = RS_RT_JAVA;
	ev(o, "maps: %s", c->ms.jvm.path);
	if (c->ms.javanet.found)
		ev(o, "maps: %s", c->ms.javanet.path);
	if (in->java_release != NULL) {
		struct span r = {in->java_release, in->java_release_len};
		const char *v = find_in(r, "JAVA_VERSION=\"");

		if (v != NULL) {
			struct span rest = {v + 14, r.n - (size_t)(v + 14 - r.p)};
			const char *q = memchr(rest.p, '"', rest.n);

			if (q != NULL && q - rest.p < RS_RT_VERSION_LEN) {
				set_version(o, rest.p, (size_t)(q - rest.p));
				ev(o, "release: JAVA_VERSION=\"%s\"", o->version);
			}
		}
	}
	memset(&j, 0, sizeof(j));
	/* Order of precedence, the later winning: JAVA_TOOL_OPTIONS,
	 * JDK_JAVA_OPTIONS (prepended by the launcher), the command line,
	 * _JAVA_OPTIONS. */
	java_env_options(&j, in, "JAVA_TOOL_OPTIONS");
	java_env_options(&j, in, "JDK_JAVA_OPTIONS");
	java_cmdline_options(&j, in->cmdline, in->cmdline_len);
	java_env_options(&j, in, "_JAVA_OPTIONS");
	if (in->java_security != NULL)
		sec_set = java_security_ttl(in->java_security, in->java_security_len, &sec_ttl,
					    &sec_line);
	if (j.sm) {
		o->notes |= RS_RTN_SECURITY_MANAGER;
		ev(o, "options: %.*s", SHOW(j.sm_arg));
	}
	if (j.netaddr_d)
		ev(o, "options: %.*s: a security property; as -D it is ignored",
		   SHOW(j.netaddr_arg));
	if (j.sec_props || j.argfile) {
		o->notes |= RS_RTN_CONFIG_UNEXAMINED;
		if (j.sec_props)
			ev(o, "options: %.*s not examined", SHOW(j.sec_props_arg));
		if (j.argfile)
			ev(o, "cmdline: @argfiles not examined");
	}
	/* InetAddressCachePolicy: the security property, else the system
	 * property, else forever under a security manager, else 30 s. */
	if (sec_set) {
		ttl = sec_ttl;
		ev(o, "java.security: %.*s", SHOW(sec_line));
	} else if (j.ttl_set) {
		ttl = j.ttl;
		ev(o, "options: %.*s", SHOW(j.ttl_arg));
	} else if (j.sm) {
		ttl = -1;
	}
	if (!j.ttl_set && j.ttl_arg.p != NULL)
		ev(o, "options: %.*s: not a number, ignored", SHOW(j.ttl_arg));
	if (ttl < 0) {
		o->primary = mkpath(RS_PATH_JAVA_INETADDRESS, RS_RELOAD_READS_ONCE, 0);
		ev(o, "java: InetAddress caches positive answers forever");
	} else if (ttl == 0) {
		o->primary = behind_libc(c, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_ON_USE, 0);
		ev(o, "java: InetAddress cache off: every lookup goes to libc");
	} else {
		o->primary =
			behind_libc(c, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_WITHIN, (uint32_t)ttl);
		ev(o, "java: InetAddress caches positive answers %lld s, then asks libc",
		   (long long)ttl);
	}
	o->second = mkpath(RS_PATH_JAVA_JNDI, RS_RELOAD_READS_ONCE, 0);
	libc_evidence(c);
}

/* --- the rest --------------------------------------------------------------------- */

static const struct {
	const char *exe;
	enum rs_runtime_kind kind;
} by_exe[] = {
	{"dnsmasq", RS_RT_DNSMASQ},           {"nscd", RS_RT_NSCD},
	{"systemd-resolved", RS_RT_RESOLVED}, {"nginx", RS_RT_OWN_CONFIG},
	{"unbound", RS_RT_OWN_CONFIG},        {"named", RS_RT_OWN_CONFIG},
	{"pdns_recursor", RS_RT_OWN_CONFIG},
};

static void classify_node(struct ctx *c)
{
	struct rs_runtime *o = c->out;

	o->kind = RS_RT_NODE;
	if (c->have_exe && is_node_exe(c->exe_base))
		ev(o, "exe: %.*s", SHOW(c->exe));
	if (c->ms.node.found)
		ev(o, "maps: %s", c->ms.node.path);
	if (c->ms.cares.found)
		ev(o, "maps: %s (c-ares)", c->ms.cares.path);
	else if (c->in->exe_cares_symbol)
		ev(o, "exe: defines ares_library_init (c-ares built in)");
	ev(o, "node: dns.lookup goes through libc; dns.resolve* and dns.Resolver use c-ares "
	      "channels that read resolv.conf once");
	o->primary = c->libc_rule;
	o->primary.path = RS_PATH_NODE_LOOKUP;
	o->second = mkpath(RS_PATH_CARES, RS_RELOAD_READS_ONCE, 0);
	libc_evidence(c);
}

static void classify_by_exe(struct ctx *c, enum rs_runtime_kind kind)
{
	struct rs_runtime *o = c->out;

	if (kind == RS_RT_DNSMASQ) {
		classify_dnsmasq(c);
		return;
	}
	o->kind = kind;
	ev(o, "exe: %.*s", SHOW(c->exe));
	switch (kind) {
	case RS_RT_NSCD:
		o->primary = mkpath(RS_PATH_NSCD, RS_RELOAD_ON_USE, 0);
		ev(o, "nscd: watches resolv.conf (inotify) and calls res_init()");
		break;
	case RS_RT_RESOLVED:
		o->primary = mkpath(RS_PATH_RESOLVED, RS_RELOAD_ON_USE, 0);
		ev(o, "systemd-resolved: re-reads a foreign resolv.conf when it serves a query");
		break;
	default:
		o->primary = mkpath(RS_PATH_OWN_CONFIG, RS_RELOAD_NEVER_READS, 0);
		ev(o, "takes its upstream servers from its own configuration, not resolv.conf");
		break;
	}
}

int rs_runtime_classify(const struct rs_runtime_facts *in, struct rs_runtime *out)
{
	struct ctx c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.out = out;
	out->notes = in->notes & (RS_RTN_TRUNCATED | RS_RTN_UNREADABLE);
	rs_runtime_scan_maps(in->maps, in->maps_len, &c.ms);
	if (in->exe != NULL && in->exe_len > 0 && in->exe[0] != '\0') {
		bool deleted;

		c.have_exe = true;
		c.exe = exe_name(in->exe, in->exe_len, &deleted);
		if (deleted)
			out->notes |= RS_RTN_EXE_DELETED;
		c.exe_base = basename_of(c.exe);
	}
	c.has_res_options = env_get(in, "RES_OPTIONS", &c.res_options);
	c.has_localdomain = env_get(in, "LOCALDOMAIN", &c.localdomain);
	init_libc(&c);

	if (c.have_exe) {
		for (size_t i = 0; i < sizeof(by_exe) / sizeof(by_exe[0]); i++) {
			if (span_eq(c.exe_base, by_exe[i].exe)) {
				classify_by_exe(&c, by_exe[i].kind);
				return 0;
			}
		}
	}
	if (in->go.found) {
		classify_go(&c);
	} else if (c.ms.jvm.found) {
		classify_java(&c);
	} else if ((c.have_exe && is_node_exe(c.exe_base)) || c.ms.node.found) {
		classify_node(&c);
	} else if (c.ms.cares.found) {
		out->kind = RS_RT_CARES;
		ev(out, "maps: %s", c.ms.cares.path);
		ev(out, "c-ares: a channel reads resolv.conf once, when it is created");
		out->primary = mkpath(RS_PATH_CARES, RS_RELOAD_READS_ONCE, 0);
		out->second = c.libc_rule;
		libc_evidence(&c);
	} else if (c.ms.nss_resolve.found) {
		out->kind = RS_RT_NSS_RESOLVE;
		ev(out, "maps: %s", c.ms.nss_resolve.path);
		ev(out, "nss-resolve: getaddrinfo asks systemd-resolved, which follows the change");
		out->primary = mkpath(RS_PATH_NSS_RESOLVE, RS_RELOAD_ON_USE, 0);
		out->second = c.libc_rule; /* res_query() and friends still read the file */
		libc_evidence(&c);
	} else if (c.libc != LIBC_NONE) {
		out->kind = c.libc == LIBC_GLIBC ? RS_RT_GLIBC : RS_RT_MUSL;
		if (c.libc == LIBC_GLIBC && c.glibc_version_known)
			set_version(out, c.glibc_version, strlen(c.glibc_version));
		out->primary = c.libc_rule;
		libc_evidence(&c);
	} else {
		out->kind = RS_RT_UNKNOWN;
		out->primary = mkpath(RS_PATH_NONE, RS_RELOAD_UNKNOWN, 0);
		if (!c.have_exe)
			ev(out, "exe: none or unreadable (kernel thread, or no permission)");
		else if (in->exe_elf && !in->exe_has_interp)
			ev(out, "exe: %.*s: static, no resolver marker found", SHOW(c.exe));
		else
			ev(out, "exe: %.*s: no known resolver library in maps", SHOW(c.exe));
	}
	return 0;
}

/* --- JSON ----------------------------------------------------------------- */

static void path_json(struct rs_json *j, const struct rs_runtime_path *p)
{
	rs_json_kv_str(j, "resolver_path", rs_resolver_path_name(p->path));
	rs_json_kv_str(j, "reload_rule", rs_reload_rule_name(p->rule));
	rs_json_key(j, "reload_within_s");
	if (p->rule == RS_RELOAD_WITHIN)
		rs_json_uint(j, p->within_s);
	else
		rs_json_null(j);
}

void rs_runtime_json(struct rs_json *j, const struct rs_runtime *rt)
{
	rs_json_kv_str(j, "runtime", rs_runtime_kind_name(rt->kind));
	rs_json_key(j, "runtime_version");
	if (rt->version[0] != '\0')
		rs_json_str(j, rt->version);
	else
		rs_json_null(j);
	path_json(j, &rt->primary);
	rs_json_key(j, "second_path");
	if (rt->second.path != RS_PATH_NONE) {
		rs_json_obj_begin(j);
		path_json(j, &rt->second);
		rs_json_obj_end(j);
	} else {
		rs_json_null(j);
	}
	rs_json_key(j, "notes");
	rs_json_arr_begin(j);
	for (unsigned i = 0; i < RS_RTN_COUNT; i++)
		if (rt->notes & (1u << i))
			rs_json_str(j, rs_runtime_note_name((enum rs_runtime_note)(1u << i)));
	rs_json_arr_end(j);
	rs_json_key(j, "evidence");
	rs_json_arr_begin(j);
	for (unsigned i = 0; i < rt->n_evidence && i < RS_RT_MAX_EVIDENCE; i++)
		rs_json_strn(j, rt->evidence[i], strnlen(rt->evidence[i], RS_RT_EVIDENCE_LEN));
	rs_json_arr_end(j);
	rs_json_kv_bool(j, "evidence_truncated", rt->evidence_truncated);
}

/* --- reading from /proc ----------------------------------------------------- */

/* Read a whole file of fd into a new buffer of at most cap bytes (plus a
 * NUL). Sets *cut when there was more. */
static int read_all(int fd, size_t cap, char **buf, size_t *len, bool *cut)
{
	size_t got = 0, size = cap < 65536 ? cap : 65536;
	char *b = malloc(size + 1), *nb;

	*buf = NULL;
	*len = 0;
	*cut = false;
	if (b == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (got == size) {
			char probe;

			if (size == cap) {
				/* Full: is there more? */
				n = read(fd, &probe, 1);
				if (n < 0 && errno == EINTR)
					continue;
				*cut = n > 0;
				break;
			}
			size = size * 2 > cap ? cap : size * 2;
			nb = realloc(b, size + 1);
			if (nb == NULL) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		n = read(fd, b + got, size - got);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(b);
			return e == ESRCH ? -ENOENT : -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		/* /proc files and regular files return less than asked only at
		 * the end: spare the read that would return 0. */
		if (got < size)
			break;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

static int read_proc(int pdfd, const char *name, size_t cap, char **buf, size_t *len, bool *cut)
{
	int fd = openat(pdfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	int r;

	*buf = NULL;
	*len = 0;
	*cut = false;
	if (fd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	r = read_all(fd, cap, buf, len, cut);
	close(fd);
	return r;
}

/* Keep one line per mapped file (the first mapping of it): a JVM's maps run
 * to thousands of lines, of which a few dozen name files. */
static void keep_maps_line(const char *line, size_t n, char *keep, size_t *klen, bool *cut,
			   const char **last_path, size_t *last_n)
{
	const char *slash = memchr(line, '/', n);
	size_t pn;

	if (slash == NULL)
		return;
	pn = (size_t)(line + n - slash);
	if (*last_path != NULL && *last_n == pn && memcmp(*last_path, slash, pn) == 0)
		return;
	if (*klen + n + 1 > RS_RT_MAPS_KEEP) {
		*cut = true; /* the reader stops here */
		return;
	}
	memcpy(keep + *klen, line, n);
	keep[*klen + n] = '\n';
	*last_path = keep + *klen + (size_t)(slash - line);
	*last_n = pn;
	*klen += n + 1;
}

static int read_maps(int pdfd, char **out, size_t *out_len, uint32_t *notes)
{
	enum { CHUNK = 64 * 1024, LINE_MAX_KEPT = RS_RT_PATH_MAX + 128 };
	char *chunk = NULL, *keep = NULL, *line = NULL;
	const char *last_path = NULL;
	size_t klen = 0, llen = 0, last_n = 0, total = 0;
	bool cut = false, line_long = false;
	int fd, r = 0;

	*out = NULL;
	*out_len = 0;
	fd = openat(pdfd, "maps", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	chunk = malloc(CHUNK);
	keep = malloc(RS_RT_MAPS_KEEP + 1);
	line = malloc(LINE_MAX_KEPT + 1);
	if (chunk == NULL || keep == NULL || line == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = errno == ESRCH ? -ENOENT : -errno;
			goto out;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				if (!line_long)
					keep_maps_line(line, llen, keep, &klen, &cut, &last_path,
						       &last_n);
				llen = 0;
				line_long = false;
			} else if (llen < LINE_MAX_KEPT) {
				line[llen++] = chunk[i];
			} else {
				line_long = true;
			}
		}
		if (total >= RS_RT_MAPS_READ_MAX || cut) {
			cut = true;
			break;
		}
	}
	if (llen > 0 && !line_long)
		keep_maps_line(line, llen, keep, &klen, &cut, &last_path, &last_n);
	keep[klen] = '\0';
	if (cut)
		*notes |= RS_RTN_TRUNCATED;
	*out = keep;
	*out_len = klen;
	keep = NULL;
out:
	free(chunk);
	free(keep);
	free(line);
	close(fd);
	return r;
}

/* Open path (absolute, as the process sees it) inside the process's root:
 * symlinks resolve inside that root, never through a magic link. */
static int open_in_root(int rootfd, const char *path, bool nofollow)
{
	struct open_how how;
	struct stat st;
	int fd;

	if (rootfd < 0)
		return -EBADF;
	while (*path == '/')
		path++;
	if (*path == '\0')
		return -ENOENT;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(rootfd, path, (int)how.flags); /* kernels before 5.6 */
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static int read_in_root(int rootfd, const char *path, size_t cap, char **buf, size_t *len)
{
	bool cut;
	int fd = open_in_root(rootfd, path, false), r;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return fd;
	r = read_all(fd, cap, buf, len, &cut);
	close(fd);
	return r;
}

/* The executable: ELF headers, Go build info, and the musl marker (static
 * only) or the c-ares symbol (node only). */
/* --- a cache of what files say, by file identity --------------------------- */

/* What the executable itself tells (independent of the process). */
struct exe_facts {
	bool exe_elf, exe_has_interp, exe_cares_symbol, cares_looked;
	char exe_interp[RS_ELF_INTERP_MAX];
	struct rs_go_info go;
	uint32_t exe_markers;
};

struct file_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

#define CACHE_SLOTS 256

struct exe_entry {
	bool used;
	uint64_t tick;
	struct file_key key;
	struct exe_facts facts;
};

struct banner_entry {
	bool used;
	uint64_t tick;
	uint64_t ino;
	char path[RS_RT_PATH_MAX];
	char banner[RS_RT_BANNER_MAX];
	size_t len;
};

struct rs_runtime_cache {
	uint64_t tick;
	struct exe_entry exes[CACHE_SLOTS];
	struct banner_entry banners[CACHE_SLOTS];
	struct rs_runtime_cache_stats stats;
};

struct rs_runtime_cache *rs_runtime_cache_new(void)
{
	return calloc(1, sizeof(struct rs_runtime_cache));
}

void rs_runtime_cache_free(struct rs_runtime_cache *c)
{
	free(c);
}

const struct rs_runtime_cache_stats *rs_runtime_cache_stats(const struct rs_runtime_cache *c)
{
	return &c->stats;
}

static bool same_key(const struct file_key *a, const struct file_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

static struct exe_entry *exe_lookup(struct rs_runtime_cache *c, const struct file_key *k)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct exe_entry *e = &c->exes[i];
		if (e->used && same_key(&e->key, k)) {
			e->tick = ++c->tick;
			c->stats.exe_hits++;
			return e;
		}
	}
	return NULL;
}

static struct exe_entry *exe_slot(struct rs_runtime_cache *c)
{
	struct exe_entry *victim = &c->exes[0];

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		if (!c->exes[i].used)
			return &c->exes[i];
		if (c->exes[i].tick < victim->tick)
			victim = &c->exes[i];
	}
	return victim;
}

static void exe_to_facts(const struct exe_facts *e, struct rs_runtime_facts *f)
{
	f->exe_elf = e->exe_elf;
	f->exe_has_interp = e->exe_has_interp;
	memcpy(f->exe_interp, e->exe_interp, sizeof(f->exe_interp));
	f->go = e->go;
	f->exe_markers = e->exe_markers;
	f->exe_cares_symbol = e->exe_cares_symbol;
}

static void read_exe(int pdfd, struct rs_runtime_facts *f, bool want_cares,
		     struct rs_runtime_cache *cache)
{
	struct rs_elf_info info;
	struct rs_elf_src src;
	struct exe_entry *hit = NULL;
	struct file_key key;
	struct stat st;
	int fd;

	/* The cache is keyed on the file behind the link: look before opening. */
	if (cache != NULL && fstatat(pdfd, "exe", &st, 0) == 0 && S_ISREG(st.st_mode)) {
		key.dev = st.st_dev;
		key.ino = st.st_ino;
		key.size = (uint64_t)st.st_size;
		key.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		hit = exe_lookup(cache, &key);
		if (hit != NULL && (!want_cares || hit->facts.cares_looked)) {
			exe_to_facts(&hit->facts, f);
			return;
		}
	}
	fd = openat(pdfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	key.dev = st.st_dev;
	key.ino = st.st_ino;
	key.size = (uint64_t)st.st_size;
	key.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	if (cache != NULL)
		cache->stats.exe_misses++;
	rs_elf_src_fd(&src, fd, (uint64_t)st.st_size, RS_RT_EXE_BUDGET);
	if (rs_elf_parse(&src, &info) < 0)
		goto out;
	f->exe_elf = true;
	f->exe_has_interp = info.has_interp;
	memcpy(f->exe_interp, info.interp, sizeof(f->exe_interp));
	rs_go_buildinfo_read(&src, &info, &f->go);
	if (!info.has_interp && !f->go.found) {
		uint64_t off = 0, len = src.size;

		if (info.rodata.found) {
			off = info.rodata.off;
			len = info.rodata.size;
		}
		src.budget = RS_RT_STATIC_SEARCH;
		rs_elf_search_all(&src, off, len, rs_exe_marker_strings, RS_MARK_COUNT,
				  &f->exe_markers);
	}
	if (want_cares && info.has_dynamic)
		f->exe_cares_symbol = rs_elf_dynsym_defined(&src, &info, "ares_library_init") == 1;
	if (cache != NULL) {
		struct exe_entry *e = exe_slot(cache);
		e->used = true;
		e->tick = ++cache->tick;
		e->key = key;
		e->facts.exe_elf = f->exe_elf;
		e->facts.exe_has_interp = f->exe_has_interp;
		e->facts.exe_cares_symbol = f->exe_cares_symbol;
		e->facts.cares_looked = want_cares;
		memcpy(e->facts.exe_interp, f->exe_interp, sizeof(e->facts.exe_interp));
		e->facts.go = f->go;
		e->facts.exe_markers = f->exe_markers;
	}
out:
	close(fd);
}

#define BANNER_TAIL (64u << 10)

/* The banner of the mapped glibc, through the process's root (or, for a
 * deleted one, map_files: root only, CAP_SYS_ADMIN). */
static void read_libc_banner(int pdfd, int rootfd, const struct rs_maps_file *m, char *banner,
			     size_t cap, size_t *len)
{
	static const char needle[] = "GNU C Library";
	struct rs_elf_info info;
	struct rs_elf_src src;
	struct stat st;
	uint64_t at, off = 0, n;
	int fd;

	*len = 0;
	fd = m->deleted || m->cut ? -ENOENT : open_in_root(rootfd, m->path, true);
	if (fd >= 0 && (fstat(fd, &st) < 0 || (uint64_t)st.st_ino != m->inode)) {
		/* Replaced on disk, or an overlay that shows other inode
		 * numbers: only the mapping itself is the right file. */
		close(fd);
		fd = -ESTALE;
	}
	if (fd < 0) {
		char name[64];

		snprintf(name, sizeof(name), "map_files/%llx-%llx", (unsigned long long)m->start,
			 (unsigned long long)m->end);
		fd = openat(pdfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_ino != m->inode)
			goto out;
	}
	rs_elf_src_fd(&src, fd, (uint64_t)st.st_size, RS_RT_LIBC_BUDGET);
	if (rs_elf_parse(&src, &info) < 0)
		goto out;
	n = src.size;
	if (info.rodata.found) {
		off = info.rodata.off;
		n = info.rodata.size;
	}
	/* glibc's banner (csu/version.c) sits near the end of .rodata in
	 * Debian's builds: look at the last 64 KiB first, then the rest. */
	if (n > 2 * BANNER_TAIL) {
		uint64_t tail = off + n - BANNER_TAIL;

		if (rs_elf_search(&src, tail, BANNER_TAIL, needle, sizeof(needle) - 1, &at) != 1 &&
		    rs_elf_search(&src, off, n - BANNER_TAIL + sizeof(needle) - 1, needle,
				  sizeof(needle) - 1, &at) != 1)
			goto out;
	} else if (rs_elf_search(&src, off, n, needle, sizeof(needle) - 1, &at) != 1) {
		goto out;
	}
	n = src.size - at < cap ? src.size - at : cap;
	src.budget += n; /* the banner itself is not part of the search budget */
	if (rs_elf_read(&src, banner, (size_t)n, at) == 0)
		*len = (size_t)n;
out:
	close(fd);
}

/* The banner of a libc the cache has seen: the same path and inode in maps is
 * the same file (a replaced libc has another inode, a deleted one is never
 * cached). */
static int root_of(int pdfd, int *rootfd);

static void cached_libc_banner(int pdfd, int *rootfd, const struct rs_maps_file *m, char *banner,
			       size_t cap, size_t *len, struct rs_runtime_cache *c)
{
	struct banner_entry *victim;

	if (c == NULL || m->deleted || m->cut) {
		read_libc_banner(pdfd, root_of(pdfd, rootfd), m, banner, cap, len);
		return;
	}
	victim = &c->banners[0];
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct banner_entry *e = &c->banners[i];
		if (e->used && e->ino == m->inode && strcmp(e->path, m->path) == 0) {
			size_t n = e->len < cap ? e->len : cap;
			memcpy(banner, e->banner, n);
			*len = n;
			e->tick = ++c->tick;
			c->stats.libc_hits++;
			return;
		}
		if (!e->used || (victim->used && e->tick < victim->tick))
			victim = e;
	}
	c->stats.libc_misses++;
	read_libc_banner(pdfd, root_of(pdfd, rootfd), m, banner, cap, len);
	if (*len == 0)
		return; /* not cached: try again next time */
	victim->used = true;
	victim->tick = ++c->tick;
	victim->ino = m->inode;
	snprintf(victim->path, sizeof(victim->path), "%s", m->path);
	victim->len = *len < sizeof(victim->banner) ? *len : sizeof(victim->banner);
	memcpy(victim->banner, banner, victim->len);
}

/* JAVA_HOME from .../lib/server/libjvm.so (JDK 9+) or
 * .../jre/lib/ARCH/server/libjvm.so (JDK 8). */
static void read_java_files(int rootfd, const char *jvm, struct rs_runtime_facts *f, char **rel,
			    char **sec)
{
	char home[RS_RT_PATH_MAX], path[RS_RT_PATH_MAX + 64];
	size_t rlen = 0, slen = 0;
	char *cut;

	*rel = *sec = NULL;
	snprintf(home, sizeof(home), "%s", jvm);
	for (int i = 0; i < 2; i++) { /* libjvm.so, then server/ */
		cut = strrchr(home, '/');
		if (cut == NULL)
			return;
		*cut = '\0';
	}
	/* home now ends in /lib (JDK 9+) or /lib/ARCH (JDK 8): JAVA_HOME is
	 * the directory holding that lib/ */
	cut = strrchr(home, '/');
	if (cut == NULL)
		return;
	if (strcmp(cut, "/lib") != 0) {
		*cut = '\0';
		cut = strrchr(home, '/');
		if (cut == NULL || strcmp(cut, "/lib") != 0)
			return;
	}
	*cut = '\0';
	snprintf(path, sizeof(path), "%s/release", home);
	if (read_in_root(rootfd, path, RS_RT_CONFIG_MAX, rel, &rlen) == 0) {
		f->java_release = *rel;
		f->java_release_len = rlen;
	}
	snprintf(path, sizeof(path), "%s/conf/security/java.security", home);
	if (read_in_root(rootfd, path, RS_RT_CONFIG_MAX, sec, &slen) < 0) {
		snprintf(path, sizeof(path), "%s/lib/security/java.security", home);
		if (read_in_root(rootfd, path, RS_RT_CONFIG_MAX, sec, &slen) < 0)
			return;
	}
	f->java_security = *sec;
	f->java_security_len = slen;
}

/* RS_RTN_UNREADABLE for the errors that mean "not allowed to look". */
static uint32_t denied(int r)
{
	return r == -EACCES || r == -EPERM ? RS_RTN_UNREADABLE : 0;
}

int rs_runtime_read(int proc_dirfd, int32_t pid, struct rs_runtime *out)
{
	return rs_runtime_read_cached(NULL, proc_dirfd, pid, out);
}

int rs_runtime_read_cached(struct rs_runtime_cache *cache, int proc_dirfd, int32_t pid,
			   struct rs_runtime *out)
{
	char name[24];
	int pdfd, r;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%d", (int)pid);
	pdfd = openat(proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (pdfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	r = rs_runtime_read_at(cache, pdfd, out);
	close(pdfd);
	return r;
}

/* The process's root, opened the first time a file below it is needed. */
static int root_of(int pdfd, int *rootfd)
{
	if (*rootfd == -1)
		*rootfd = openat(pdfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0)
		*rootfd = -2; /* tried */
	return *rootfd;
}

int rs_runtime_read_at(struct rs_runtime_cache *cache, int pdfd, struct rs_runtime *out)
{
	struct rs_runtime_facts f;
	struct rs_maps_summary ms;
	char exe[PATH_MAX], banner[RS_RT_BANNER_MAX], conf_path[RS_RT_PATH_MAX];
	char *maps = NULL, *env = NULL, *cmd = NULL, *jrel = NULL, *jsec = NULL, *dconf = NULL;
	size_t elen = 0, clen = 0, blen = 0;
	int rootfd = -1, r;
	struct span exe_base;
	bool cut, deleted;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));

	r = read_maps(pdfd, &maps, &f.maps_len, &f.notes);
	if (r == -ENOENT || r == -ENOMEM)
		goto out;
	f.notes |= denied(r);
	f.maps = maps;
	n = readlinkat(pdfd, "exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		f.exe = exe;
		f.exe_len = (size_t)n;
	} else {
		f.notes |= denied(-errno); /* ENOENT: a kernel thread */
	}
	/* A kernel thread's environ fails with ESRCH (-ENOENT here): it has
	 * none, which is not a permission problem. */
	r = read_proc(pdfd, "environ", RS_RT_ENVIRON_MAX, &env, &elen, &cut);
	if (r == -ENOMEM)
		goto out;
	f.notes |= denied(r) | (r == 0 && cut ? RS_RTN_TRUNCATED : 0);
	f.environ = env;
	f.environ_len = elen;
	r = read_proc(pdfd, "cmdline", RS_RT_CMDLINE_MAX, &cmd, &clen, &cut);
	if (r == -ENOMEM)
		goto out;
	f.notes |= denied(r) | (r == 0 && cut ? RS_RTN_TRUNCATED : 0);
	f.cmdline = cmd;
	f.cmdline_len = clen;

	rs_runtime_scan_maps(f.maps, f.maps_len, &ms);
	exe_base = basename_of(exe_name(f.exe, f.exe_len, &deleted));
	read_exe(pdfd, &f, is_node_exe(exe_base) && !ms.cares.found, cache);
	if (ms.glibc.found) {
		cached_libc_banner(pdfd, &rootfd, &ms.glibc, banner, sizeof(banner), &blen, cache);
		if (blen > 0) {
			f.libc_banner = banner;
			f.libc_banner_len = blen;
		}
	}
	if (ms.jvm.found && !ms.jvm.deleted && !ms.jvm.cut)
		read_java_files(root_of(pdfd, &rootfd), ms.jvm.path, &f, &jrel, &jsec);
	if (span_eq(exe_base, "dnsmasq")) {
		if (rs_runtime_dnsmasq_conf_path(f.cmdline, f.cmdline_len, conf_path,
						 sizeof(conf_path)) == 0 &&
		    conf_path[0] == '/' && strncmp(conf_path, "/dev/", 5) != 0) {
			size_t dlen = 0;

			if (read_in_root(root_of(pdfd, &rootfd), conf_path, RS_RT_CONFIG_MAX, &dconf,
					 &dlen) == 0) {
				f.dnsmasq_conf = dconf;
				f.dnsmasq_conf_len = dlen;
				f.dnsmasq_conf_path = conf_path;
			}
		}
	}
	rs_runtime_classify(&f, out);
	r = 0;
out:
	if (rootfd >= 0)
		close(rootfd);
	free(maps);
	free(env);
	free(cmd);
	free(jrel);
	free(jsec);
	free(dconf);
	return r;
}

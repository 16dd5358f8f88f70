/* Facts about a process, read from /proc without ptrace. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "resolvstale/procinfo.h"
#include "resolvstale/resolvconf.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/strnum.h"

/* Copy the next space-separated field of [p, end) into buf; advance p. */
static bool next_field(const char **p, const char *end, char *buf, size_t len)
{
	size_t n = 0;

	while (*p < end && **p == ' ')
		(*p)++;
	while (*p < end && **p != ' ' && **p != '\n') {
		if (n + 1 < len)
			buf[n++] = **p;
		else
			return false;
		(*p)++;
	}
	buf[n] = '\0';
	return n > 0;
}

int rs_proc_parse_stat(const char *buf, size_t len, struct rs_proc_stat *out)
{
	const char *open, *close = NULL, *p, *end = buf + len;
	char field[32];
	uint64_t v;
	size_t n;

	memset(out, 0, sizeof(*out));
	open = memchr(buf, '(', len);
	if (open == NULL)
		return -EINVAL;
	/* comm may contain ')': the real end is the last one. */
	for (p = open + 1; p < end; p++)
		if (*p == ')')
			close = p;
	if (close == NULL)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(out->comm))
		n = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';
	p = close + 1;
	/* Fields after comm: 3 state, 4 ppid, ..., 22 starttime. */
	for (int i = 3; i <= 22; i++) {
		if (!next_field(&p, end, field, sizeof(field)))
			return -EINVAL;
		if (i == 3) {
			if (field[1] != '\0')
				return -EINVAL;
			out->state = field[0];
		} else if (i == 4) {
			if (rs_strtou64(field, 0, INT32_MAX, &v) < 0)
				return -EINVAL;
			out->ppid = (int32_t)v;
		} else if (i == 22) {
			if (rs_strtou64(field, 0, UINT64_MAX, &v) < 0)
				return -EINVAL;
			out->starttime = v;
		}
	}
	return 0;
}

int rs_proc_parse_status_uid(const char *buf, size_t len, int64_t *uid)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 4 && memcmp(p, "Uid:", 4) == 0) {
			const char *q = p + 4, *qe = p + n;
			char num[24];
			size_t k = 0;
			uint64_t v;

			while (q < qe && (*q == '\t' || *q == ' '))
				q++;
			while (q < qe && *q >= '0' && *q <= '9' && k + 1 < sizeof(num))
				num[k++] = *q++;
			num[k] = '\0';
			if (rs_strtou64(num, 0, UINT32_MAX, &v) < 0)
				return -EINVAL;
			*uid = (int64_t)v;
			return 0;
		}
		p += n + 1;
	}
	return -EINVAL;
}

void rs_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return;
	n = rs_proc_read_file(AT_FDCWD, path, buf, len);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

ssize_t rs_proc_read_file(int dirfd, const char *name, char *buf, size_t len)
{
	size_t got = 0;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			/* ESRCH: the process died while we read. */
			return e == ESRCH ? -ENOENT : -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		/* /proc returns less than asked only at the end. */
		if ((size_t)n < len - 1 - (got - (size_t)n))
			break;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

void rs_proc_ident_clear(struct rs_proc_ident *id)
{
	if (id == NULL)
		return;
	free(id->exe);
	memset(id, 0, sizeof(*id));
}

/* The identity of the process whose /proc directory is dfd. */
static int read_ident_at(int dfd, int32_t pid, struct rs_proc_ident *out)
{
	char buf[4096], link[PATH_MAX];
	struct rs_proc_stat st;
	uint64_t v;
	ssize_t n;
	int r;

	memset(out, 0, sizeof(*out));
	out->uid = out->auid = -1;
	n = rs_proc_read_file(dfd, "stat", buf, sizeof(buf));
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	r = rs_proc_parse_stat(buf, (size_t)n, &st);
	if (r < 0)
		goto out;
	out->pid = pid;
	out->starttime = st.starttime;
	out->ppid = st.ppid;
	memcpy(out->comm, st.comm, sizeof(out->comm));
	n = rs_proc_read_file(dfd, "status", buf, sizeof(buf));
	if (n >= 0)
		rs_proc_parse_status_uid(buf, (size_t)n, &out->uid);
	n = rs_proc_read_file(dfd, "loginuid", buf, sizeof(buf));
	if (n > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (rs_strtou64(buf, 0, UINT32_MAX, &v) == 0)
			out->auid = (int64_t)v;
	}
	n = readlinkat(dfd, "exe", link, sizeof(link) - 1);
	if (n > 0) {
		static const char deleted[] = " (deleted)";
		link[n] = '\0';
		if ((size_t)n > sizeof(deleted) - 1 &&
		    strcmp(link + n - (sizeof(deleted) - 1), deleted) == 0)
			out->exe_deleted = true;
		out->exe = strdup(link);
		if (out->exe == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
out:
	return r;
}

int rs_proc_read_ident(int proc_dirfd, int32_t pid, struct rs_proc_ident *out)
{
	char name[16];
	int dfd, r;

	memset(out, 0, sizeof(*out));
	out->uid = out->auid = -1;
	if (pid <= 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%d", (int)pid);
	dfd = openat(proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	r = read_ident_at(dfd, pid, out);
	close(dfd);
	return r;
}

/* --- cgroups ---------------------------------------------------------------- */

const char *rs_container_kind_name(enum rs_container_kind k)
{
	switch (k) {
	case RS_CONTAINER_DOCKER:
		return "docker";
	case RS_CONTAINER_CONTAINERD:
		return "containerd";
	case RS_CONTAINER_CRIO:
		return "cri-o";
	case RS_CONTAINER_PODMAN:
		return "podman";
	case RS_CONTAINER_LXC:
		return "lxc";
	case RS_CONTAINER_NONE:
		break;
	}
	return "none";
}

static bool all_hex(const char *s, size_t n)
{
	if (n < 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static bool has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && memcmp(s, pre, k) == 0;
}

static void set_container(struct rs_cgroup_info *o, enum rs_container_kind k, const char *id,
			  size_t n)
{
	if (n >= sizeof(o->container_id))
		n = sizeof(o->container_id) - 1;
	o->container = k;
	memcpy(o->container_id, id, n);
	o->container_id[n] = '\0';
	o->unit[0] = '\0'; /* the container's scope is not a unit to restart */
}

/* One path component: a unit, a container, a pod. */
static void cgroup_component(struct rs_cgroup_info *o, const char *c, size_t n, const char *prev,
			     size_t prev_n)
{
	static const struct {
		const char *prefix, *suffix;
		enum rs_container_kind kind;
	} scopes[] = {
		{"docker-", ".scope", RS_CONTAINER_DOCKER},
		{"cri-containerd-", ".scope", RS_CONTAINER_CONTAINERD},
		{"crio-", ".scope", RS_CONTAINER_CRIO},
		{"libpod-", ".scope", RS_CONTAINER_PODMAN},
	};

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t pl = strlen(scopes[i].prefix), sl = strlen(scopes[i].suffix);
		if (has_prefix(c, n, scopes[i].prefix) && has_suffix(c, n, scopes[i].suffix) &&
		    n > pl + sl && all_hex(c + pl, n - pl - sl)) {
			set_container(o, scopes[i].kind, c + pl, n - pl - sl);
			return;
		}
	}
	/* cgroupfs drivers: /docker/<id>, /kubepods/<qos>/pod<uid>/<id>,
	 * /libpod_parent/libpod-<id>, /lxc/<name>, /lxc.payload.<name>. */
	if (all_hex(c, n) && n >= 32) {
		if (prev != NULL && prev_n == 6 && memcmp(prev, "docker", 6) == 0)
			set_container(o, RS_CONTAINER_DOCKER, c, n);
		else if (o->pod_uid[0] != '\0')
			set_container(o, RS_CONTAINER_CONTAINERD, c, n);
		return;
	}
	if (prev != NULL && prev_n == 3 && memcmp(prev, "lxc", 3) == 0) {
		set_container(o, RS_CONTAINER_LXC, c, n);
		return;
	}
	if (has_prefix(c, n, "lxc.payload.") && n > 12) {
		set_container(o, RS_CONTAINER_LXC, c + 12, n - 12);
		return;
	}
	/* A pod: kubepods-besteffort-pod<uid_with_underscores>.slice (systemd
	 * driver) or pod<uid> under /kubepods (cgroupfs driver). */
	{
		const char *p = NULL;
		size_t pn = 0, k = 0;

		if (has_prefix(c, n, "kubepods") && has_suffix(c, n, ".slice")) {
			for (size_t i = 0; i + 4 <= n - 6; i++)
				if (memcmp(c + i, "-pod", 4) == 0)
					p = c + i + 4;
			if (p != NULL)
				pn = (size_t)(c + n - 6 - p);
		} else if (o->in_kubepods && has_prefix(c, n, "pod") && n > 3) {
			p = c + 3;
			pn = n - 3;
		}
		if (has_prefix(c, n, "kubepods"))
			o->in_kubepods = true;
		if (p != NULL && pn > 0) {
			for (size_t i = 0; i < pn && k + 1 < sizeof(o->pod_uid); i++)
				o->pod_uid[k++] = p[i] == '_' ? '-' : p[i];
			o->pod_uid[k] = '\0';
			return;
		}
	}
	/* user@1000.service: a user manager; what follows are user units. */
	if (has_prefix(c, n, "user@") && has_suffix(c, n, ".service")) {
		char num[16];
		size_t k = n - 5 - 8;
		uint64_t uid;
		if (k > 0 && k < sizeof(num)) {
			memcpy(num, c + 5, k);
			num[k] = '\0';
			if (rs_strtou64(num, 0, UINT32_MAX, &uid) == 0) {
				o->user_unit = true;
				o->unit_uid = (int64_t)uid;
			}
		}
		o->unit[0] = '\0';
		return;
	}
	if ((has_suffix(c, n, ".service") || has_suffix(c, n, ".scope")) && n < sizeof(o->unit) &&
	    !has_prefix(c, n, "libpod-conmon-") && !has_prefix(c, n, "crio-conmon-")) {
		memcpy(o->unit, c, n);
		o->unit[n] = '\0';
	}
}

int rs_cgroup_parse(const char *buf, size_t len, struct rs_cgroup_info *out)
{
	const char *unified = NULL, *named = NULL, *p = buf, *end = buf + len;
	size_t ulen = 0, nlen = 0;
	const char *path, *prev = NULL;
	size_t plen, prev_n = 0;

	memset(out, 0, sizeof(*out));
	out->unit_uid = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *c1 = memchr(p, ':', n);
		const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - p)) : NULL;

		if (c1 != NULL && c2 != NULL) {
			size_t ctl = (size_t)(c2 - c1 - 1);
			if (c1 - p == 1 && p[0] == '0' && ctl == 0) {
				unified = c2 + 1;
				ulen = n - (size_t)(c2 + 1 - p);
			} else if (ctl == 12 && memcmp(c1 + 1, "name=systemd", 12) == 0) {
				named = c2 + 1;
				nlen = n - (size_t)(c2 + 1 - p);
			}
		}
		p += n + 1;
	}
	/* Hybrid hierarchies put the unit tree in name=systemd. */
	if (unified != NULL && !(ulen == 1 && unified[0] == '/')) {
		path = unified;
		plen = ulen;
	} else if (named != NULL) {
		path = named;
		plen = nlen;
	} else if (unified != NULL) {
		path = unified;
		plen = ulen;
	} else {
		return -EINVAL;
	}
	if (plen >= sizeof(out->path))
		plen = sizeof(out->path) - 1;
	memcpy(out->path, path, plen);
	out->path[plen] = '\0';
	for (const char *c = out->path; *c != '\0';) {
		size_t n;
		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if (n > 0) {
			cgroup_component(out, c, n, prev, prev_n);
			prev = c;
			prev_n = n;
		}
		c += n;
	}
	return 0;
}

/* --- facts -------------------------------------------------------------------- */

const char *rs_config_domain_name(enum rs_config_domain d)
{
	switch (d) {
	case RS_DOMAIN_HOST:
		return "host";
	case RS_DOMAIN_OTHER:
		return "other";
	case RS_DOMAIN_NONE:
		return "none";
	case RS_DOMAIN_UNKNOWN:
		break;
	}
	return "unknown";
}

uint64_t rs_parse_ns_link(const char *link)
{
	const char *open = strchr(link, '['), *close = strrchr(link, ']');
	char num[24];
	uint64_t v;
	size_t n;

	if (open == NULL || close == NULL || close <= open + 1)
		return 0;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(num))
		return 0;
	memcpy(num, open + 1, n);
	num[n] = '\0';
	return rs_strtou64(num, 0, UINT64_MAX, &v) == 0 ? v : 0;
}

int64_t rs_proc_boot_ns(int proc_dirfd)
{
	char buf[8192];
	ssize_t n = rs_proc_read_file(proc_dirfd, "stat", buf, sizeof(buf));
	const char *p;
	uint64_t v;

	if (n <= 0)
		return 0;
	p = strstr(buf, "\nbtime ");
	if (p == NULL)
		return 0;
	p += 7;
	{
		char num[24];
		size_t k = strcspn(p, "\n");
		if (k >= sizeof(num))
			return 0;
		memcpy(num, p, k);
		num[k] = '\0';
		if (rs_strtou64(num, 0, INT64_MAX / 1000000000, &v) < 0)
			return 0;
	}
	return (int64_t)v * 1000000000LL;
}

void rs_proc_facts_clear(struct rs_proc_facts *f)
{
	if (f == NULL)
		return;
	rs_proc_ident_clear(&f->id);
	free(f->cmdline);
	free(f->config_ns);
	memset(f, 0, sizeof(*f));
}

static uint64_t ns_inode(int dfd, const char *name)
{
	char link[64];
	ssize_t n = readlinkat(dfd, name, link, sizeof(link) - 1);

	if (n <= 0)
		return 0;
	link[n] = '\0';
	return rs_parse_ns_link(link);
}

static char *read_cmdline(int dfd)
{
	char buf[4096];
	ssize_t n = rs_proc_read_file(dfd, "cmdline", buf, sizeof(buf));

	if (n <= 0)
		return NULL;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return strdup(buf);
}

/* Resolve etc/resolv.conf inside the process's root, as the process would:
 * an absolute symlink is followed inside that root, not ours. */
static int open_in_root(int rootfd, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, rootfd, "etc/resolv.conf", &how, sizeof(how));
}

static void read_domain(int dfd, const struct rs_facts_ctx *ctx, struct rs_proc_facts *f)
{
	struct stat st;
	int rootfd, fd;

	rootfd = openat(dfd, "root", O_PATH | O_CLOEXEC);
	if (rootfd < 0)
		return;
	fd = open_in_root(rootfd, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			f->domain = RS_DOMAIN_NONE;
		close(rootfd);
		return;
	}
	if (fstat(fd, &st) == 0) {
		f->config_dev = st.st_dev;
		f->config_ino = st.st_ino;
		f->domain = st.st_dev == ctx->watched_dev && st.st_ino == ctx->watched_ino
				    ? RS_DOMAIN_HOST
				    : RS_DOMAIN_OTHER;
	}
	close(fd);
	if (f->domain == RS_DOMAIN_OTHER && ctx->read_config && S_ISREG(st.st_mode)) {
		/* Its own copy: which servers does it list? O_NONBLOCK: a FIFO
		 * there must not hang us. */
		fd = open_in_root(rootfd, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0) {
			char *buf = malloc(RS_RC_MAX_FILE + 1);
			struct rs_resolvconf *rc = malloc(sizeof(*rc));
			ssize_t n = buf ? read(fd, buf, RS_RC_MAX_FILE + 1) : -1;
			if (buf != NULL && rc != NULL && n >= 0 && fstat(fd, &st) == 0 &&
			    S_ISREG(st.st_mode)) {
				struct rs_addr eff[RS_RC_MAXNS];
				char text[RS_ADDR_STRLEN];
				struct rs_sbuf sb = RS_SBUF_INIT;
				size_t k;

				rs_resolvconf_parse(buf, (size_t)n, rc);
				k = rs_resolvconf_effective(rc, eff);
				for (size_t i = 0; i < k; i++)
					rs_sbuf_printf(&sb, "%s%s", i ? " " : "",
						       rs_addr_format(&eff[i], text, sizeof(text)));
				if (!rs_sbuf_failed(&sb))
					f->config_ns = sb.buf ? sb.buf : strdup("");
				else
					rs_sbuf_free(&sb);
			}
			free(buf);
			free(rc);
			close(fd);
		}
	}
	close(rootfd);
}

int rs_proc_read_facts(int proc_dirfd, int32_t pid, const struct rs_facts_ctx *ctx,
		       struct rs_proc_facts *out)
{
	char name[16];
	int dfd, r;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%d", (int)pid);
	dfd = openat(proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	r = rs_proc_read_facts_at(dfd, pid, ctx, out);
	close(dfd);
	return r;
}

int rs_proc_read_facts_at(int dfd, int32_t pid, const struct rs_facts_ctx *ctx,
			  struct rs_proc_facts *out)
{
	char buf[8192];
	ssize_t n;
	int r;

	memset(out, 0, sizeof(*out));
	r = read_ident_at(dfd, pid, &out->id);
	if (r < 0) {
		rs_proc_facts_clear(out);
		return r;
	}
	if (ctx != NULL && ctx->clk_tck > 0 && ctx->boot_ns > 0)
		out->start_ns = ctx->boot_ns +
				(int64_t)(out->id.starttime * (1000000000ULL / (uint64_t)ctx->clk_tck));
	out->cmdline = read_cmdline(dfd);
	n = rs_proc_read_file(dfd, "cgroup", buf, sizeof(buf));
	if (n > 0)
		rs_cgroup_parse(buf, (size_t)n, &out->cg);
	else
		out->cg.unit_uid = -1;
	out->netns = ns_inode(dfd, "ns/net");
	out->mntns = ns_inode(dfd, "ns/mnt");
	if (ctx != NULL)
		read_domain(dfd, ctx, out);
	return 0;
}

void rs_proc_facts_where(const struct rs_proc_facts *f, char *buf, size_t len)
{
	if (f->cg.container != RS_CONTAINER_NONE)
		snprintf(buf, len, "%s %.12s", rs_container_kind_name(f->cg.container),
			 f->cg.container_id);
	else if (f->cg.unit[0] != '\0')
		snprintf(buf, len, "%s%s", f->cg.unit, f->cg.user_unit ? " (user)" : "");
	else
		snprintf(buf, len, "-");
}

/* Which file pid_dirfd's process sees as etc/resolv.conf, against the watched
 * one. */
static enum rs_config_domain domain_at(int pid_dirfd, uint64_t dev, uint64_t ino)
{
	struct rs_facts_ctx ctx;
	struct rs_proc_facts f;

	memset(&ctx, 0, sizeof(ctx));
	ctx.watched_dev = dev;
	ctx.watched_ino = ino;
	memset(&f, 0, sizeof(f));
	read_domain(pid_dirfd, &ctx, &f);
	return f.domain;
}

#define NETNS_WALK_MAX 100000 /* /proc entries looked at, at most */

int rs_netns_reads_file(int proc_dirfd, int32_t pid, uint64_t dev, uint64_t ino)
{
	char name[16];
	uint64_t netns;
	int dfd, r = 0;
	DIR *dir;
	struct dirent *de;
	unsigned seen = 0;

	snprintf(name, sizeof(name), "%d", (int)pid);
	dfd = openat(proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	netns = ns_inode(dfd, "ns/net");
	r = domain_at(dfd, dev, ino) == RS_DOMAIN_HOST;
	close(dfd);
	if (r == 1 || netns == 0)
		return netns == 0 && r == 0 ? -1 : r;
	/* Another process of the namespace may read the file (a container
	 * that shares the host's file with one that has its own). */
	dfd = openat(proc_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (dir == NULL) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	while (r == 0 && seen++ < NETNS_WALK_MAX && (de = readdir(dir)) != NULL) {
		int pfd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pfd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue;
		if (ns_inode(pfd, "ns/net") == netns && domain_at(pfd, dev, ino) == RS_DOMAIN_HOST)
			r = 1;
		close(pfd);
	}
	closedir(dir);
	return r;
}

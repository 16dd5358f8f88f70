/* The /proc socket scan: port-53 sockets per process, in every network
 * namespace, ptrace-free. See procscan.h for the shape of a scan. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/procinfo.h"
#include "resolvstale/procscan.h"
#include "resolvstale/sockdiag.h"
#include "resolvstale/strnum.h"

#define DENTS_LEN      (32 * 1024)
#define IOBUF_LEN      (RS_PROCNET_READ_MIN + RS_PROCNET_LINE_MAX)
#define STAT_LEN       1024 /* /proc/PID/stat is about 300 bytes */
#define LINK_LEN       64   /* "socket:[18446744073709551615]" fits; longer is not a socket */
#define LIST_ATTEMPTS  3    /* processes of a namespace tried before giving up on it */
#define DUMP_ATTEMPTS  3    /* dumps of a namespace interrupted (NLM_F_DUMP_INTR) */
#define MAX_NS_SOCKETS (16u * 1024 * 1024) /* a hard cap on a namespace's list */

_Static_assert(IOBUF_LEN >= RS_SOCKDIAG_RECV_LEN, "one buffer serves netlink and /proc/net");

/* A socket to the port in some namespace: 48 bytes, so that 100k of them
 * stay under 5 MiB. */
struct nssock {
	uint64_t inode;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	uint8_t family, proto, state, owned;
};

/* The sockets to the port of one namespace, with an open-addressing index by
 * inode (the "wanted inodes" set the fd walk looks up). */
struct sockset {
	struct nssock *ents;
	uint32_t n, cap;
	uint32_t *index; /* positions in ents; EMPTY when free */
	uint32_t mask;   /* index size - 1; 0 before the index is built */
};

#define EMPTY UINT32_MAX

enum ns_state {
	NS_PENDING, /* not listed yet in this scan */
	NS_LISTED,  /* set holds its sockets to the port */
	NS_FAILED,  /* could not be listed: its processes are not matched */
};

struct netns {
	uint64_t inode;
	int nlfd;      /* cached sock_diag socket inside it, or -1 */
	bool used;     /* a process of this scan lives in it */
	uint8_t state; /* enum ns_state */
	uint8_t attempts;
	struct sockset set;
};

struct hit {
	int fd;
	uint32_t ent;
};

struct rs_procscan {
	struct rs_procscan_opts o;
	bool broken; /* stuck in a foreign namespace once: refuse to go on */
	uint32_t seq;
	/* during a run */
	int orig_nsfd;
	uint64_t self_netns;
	int replay_dirfd, record_dirfd;
	rs_procscan_fn fn;
	void *ctx;
	struct rs_procscan_stats st;
	/* namespaces met, the cache of netlink sockets */
	struct netns *ns;
	size_t n_ns, cap_ns, last_ns;
	/* the hits of the process being walked */
	struct hit *hits;
	size_t n_hits, cap_hits;
	/* scratch; getdents64 records are 8-byte aligned within them */
	char rootbuf[DENTS_LEN] __attribute__((aligned(8)));
	char fdbuf[DENTS_LEN] __attribute__((aligned(8)));
	char iobuf[IOBUF_LEN];
};

void rs_procscan_opts_init(struct rs_procscan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->proc_root = "/proc";
	o->port = 53;
	o->use_sockdiag = true;
}

static char *dup_opt(const char *s, int *err)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*err = -ENOMEM;
	return d;
}

int rs_procscan_new(const struct rs_procscan_opts *opts, struct rs_procscan **out)
{
	struct rs_procscan *ps;
	int err = 0;

	*out = NULL;
	if (opts == NULL || opts->self_pid < 0)
		return -EINVAL;
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL)
		return -ENOMEM;
	ps->o = *opts;
	ps->o.proc_root = dup_opt(opts->proc_root != NULL ? opts->proc_root : "/proc", &err);
	ps->o.replay_dir = dup_opt(opts->replay_dir, &err);
	ps->o.record_dir = dup_opt(opts->record_dir, &err);
	ps->orig_nsfd = ps->replay_dirfd = ps->record_dirfd = -1;
	if (err < 0) {
		rs_procscan_free(ps);
		return err;
	}
	*out = ps;
	return 0;
}

static void sockset_free(struct sockset *s)
{
	free(s->ents);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

void rs_procscan_free(struct rs_procscan *ps)
{
	if (ps == NULL)
		return;
	for (size_t i = 0; i < ps->n_ns; i++) {
		if (ps->ns[i].nlfd >= 0)
			close(ps->ns[i].nlfd);
		sockset_free(&ps->ns[i].set);
	}
	free(ps->ns);
	free(ps->hits);
	free((char *)ps->o.proc_root);
	free((char *)ps->o.replay_dir);
	free((char *)ps->o.record_dir);
	free(ps);
}

const struct rs_procscan_stats *rs_procscan_stats(const struct rs_procscan *ps)
{
	return &ps->st;
}

/* --- the per-namespace socket set ----------------------------------------- */

static uint32_t hash_inode(uint64_t inode, uint32_t mask)
{
	return (uint32_t)((inode * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static int sockset_add(struct sockset *s, const struct rs_sock *sk)
{
	struct nssock *e;

	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 64;
		struct nssock *ne;

		if (cap > MAX_NS_SOCKETS)
			return -E2BIG;
		ne = realloc(s->ents, (size_t)cap * sizeof(*ne));
		if (ne == NULL)
			return -ENOMEM;
		s->ents = ne;
		s->cap = cap;
	}
	e = &s->ents[s->n++];
	memset(e, 0, sizeof(*e));
	e->inode = sk->inode;
	e->family = (uint8_t)sk->family;
	e->proto = (uint8_t)sk->proto;
	e->state = sk->state;
	e->lport = sk->lport;
	e->rport = sk->rport;
	if (sk->family == AF_INET) {
		memcpy(e->laddr, &sk->local.u.v4, 4);
		memcpy(e->raddr, &sk->remote.u.v4, 4);
	} else {
		memcpy(e->laddr, &sk->local.u.v6, 16);
		memcpy(e->raddr, &sk->remote.u.v6, 16);
	}
	return 0;
}

/* Index the set once it is complete: size a power of two, at most half full. */
static int sockset_index(struct sockset *s)
{
	uint32_t size = 16;

	free(s->index);
	s->index = NULL;
	s->mask = 0;
	if (s->n == 0)
		return 0;
	while (size < s->n * 2)
		size *= 2;
	s->index = malloc((size_t)size * sizeof(*s->index));
	if (s->index == NULL)
		return -ENOMEM;
	memset(s->index, 0xff, (size_t)size * sizeof(*s->index));
	s->mask = size - 1;
	for (uint32_t i = 0; i < s->n; i++) {
		uint32_t h = hash_inode(s->ents[i].inode, s->mask);

		while (s->index[h] != EMPTY && s->ents[s->index[h]].inode != s->ents[i].inode)
			h = (h + 1) & s->mask;
		if (s->index[h] == EMPTY)
			s->index[h] = i;
		else
			s->ents[i].owned = 1; /* a duplicate (a corrupt replay): ignore */
	}
	return 0;
}

static int64_t sockset_find(const struct sockset *s, uint64_t inode)
{
	uint32_t h;

	if (s->mask == 0)
		return -1;
	for (h = hash_inode(inode, s->mask); s->index[h] != EMPTY; h = (h + 1) & s->mask)
		if (s->ents[s->index[h]].inode == inode)
			return s->index[h];
	return -1;
}

static void nssock_to_sock(const struct nssock *e, uint64_t netns, struct rs_sock *sk)
{
	memset(sk, 0, sizeof(*sk));
	sk->inode = e->inode;
	sk->proto = (enum rs_proto)e->proto;
	sk->family = e->family;
	sk->state = e->state;
	sk->lport = e->lport;
	sk->rport = e->rport;
	sk->netns = netns;
	sk->local.family = sk->remote.family = e->family;
	if (e->family == AF_INET) {
		memcpy(&sk->local.u.v4, e->laddr, 4);
		memcpy(&sk->remote.u.v4, e->raddr, 4);
	} else {
		memcpy(&sk->local.u.v6, e->laddr, 16);
		memcpy(&sk->remote.u.v6, e->raddr, 16);
	}
}

/* --- listing a namespace -------------------------------------------------- */

struct collect {
	struct rs_procscan *ps;
	struct netns *ns;
};

static int collect_sock(void *ctx, const struct rs_sock *sk)
{
	struct collect *c = ctx;

	/* The kernel filtered already; a replay or a /proc/net table did not. */
	if (sk->rport != c->ps->o.port)
		return 0;
	if (sk->inode == 0) {
		c->ps->st.no_inode++;
		return 0;
	}
	return sockset_add(&c->ns->set, sk);
}

static const struct {
	int family;
	enum rs_proto proto;
	const char *table;
} tables[] = {
	{AF_INET, RS_PROTO_UDP, "net/udp"},
	{AF_INET6, RS_PROTO_UDP, "net/udp6"},
	{AF_INET, RS_PROTO_TCP, "net/tcp"},
	{AF_INET6, RS_PROTO_TCP, "net/tcp6"},
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static bool fatal(int r)
{
	return r == -ENOTRECOVERABLE || r == -ENOMEM;
}

static int replay_ns(struct rs_procscan *ps, struct netns *ns)
{
	struct collect c = {ps, ns};
	char name[64];

	for (size_t t = 0; t < N_TABLES; t++) {
		int r;

		rs_sockdiag_record_name(name, sizeof(name), ns->inode, tables[t].family,
					tables[t].proto);
		r = rs_sockdiag_replay(ps->replay_dirfd, name, tables[t].family, tables[t].proto,
				       ns->inode, collect_sock, &c);
		if (r != RS_SOCKDIAG_DONE)
			return r;
		ps->st.dumps++;
	}
	return 0;
}

/* A sock_diag socket inside ns, from the cache or opened now through the
 * ns/net file of the process at pfd. */
static int ns_socket(struct rs_procscan *ps, struct netns *ns, int pfd)
{
	struct stat sb;
	int nsfd, fd;

	if (ns->nlfd >= 0)
		return ns->nlfd;
	/* Opened even for our own namespace: a fixture tree has no real
	 * namespace files, and the inode check below ties the file to the
	 * namespace the readlink named. */
	nsfd = openat(pfd, "ns/net", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (nsfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	if (fstat(nsfd, &sb) < 0 || (uint64_t)sb.st_ino != ns->inode) {
		close(nsfd); /* it moved to another namespace meanwhile */
		return -ESTALE;
	}
	if (ns->inode == ps->self_netns)
		fd = rs_sockdiag_open(-1, -1);
	else if (ps->orig_nsfd < 0)
		fd = -EPERM; /* no way back: do not leave */
	else
		fd = rs_sockdiag_open(nsfd, ps->orig_nsfd);
	close(nsfd);
	if (fd == -ENOTRECOVERABLE)
		ps->broken = true;
	if (fd < 0)
		return fd;
	ps->st.nl_opened++;
	ns->nlfd = fd;
	return fd;
}

static void drop_nlfd(struct netns *ns)
{
	/* After a failed dump the kernel may still hold its state (a new dump
	 * would get EBUSY) or unread replies: start over with a new socket. */
	if (ns->nlfd >= 0)
		close(ns->nlfd);
	ns->nlfd = -1;
}

/* The file to record table t of ns in (*fd = -1 when not recording). */
static int open_record(struct rs_procscan *ps, struct netns *ns, size_t t, int *fd)
{
	char name[64];

	*fd = -1;
	if (ps->record_dirfd < 0)
		return 0;
	rs_sockdiag_record_name(name, sizeof(name), ns->inode, tables[t].family, tables[t].proto);
	*fd = openat(ps->record_dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		     0644);
	return *fd < 0 ? -errno : 0;
}

static int dump_ns(struct rs_procscan *ps, struct netns *ns, int pfd)
{
	struct collect c = {ps, ns};
	int fd, r = -EAGAIN;

	fd = ns_socket(ps, ns, pfd);
	if (fd < 0)
		return fd;
	for (int attempt = 0; attempt < DUMP_ATTEMPTS && r == -EAGAIN; attempt++) {
		if (attempt > 0)
			ps->st.retries++;
		ns->set.n = 0;
		for (size_t t = 0; t < N_TABLES; t++) {
			int rec;

			r = open_record(ps, ns, t, &rec);
			if (r < 0)
				return r;
			r = rs_sockdiag_dump(fd, tables[t].family, tables[t].proto, ps->o.port,
					     ++ps->seq, ns->inode, ps->iobuf, sizeof(ps->iobuf),
					     rec, collect_sock, &c);
			if (rec >= 0)
				close(rec);
			ps->st.dumps++;
			if (r != RS_SOCKDIAG_DONE) {
				drop_nlfd(ns);
				if (r != -EAGAIN)
					return r;
				fd = ns_socket(ps, ns, pfd);
				if (fd < 0)
					return fd;
				break;
			}
			r = 0;
		}
	}
	return r;
}

static int read_netns(int pfd, uint64_t *inode);

static int procnet_ns(struct rs_procscan *ps, struct netns *ns, int pfd)
{
	struct collect c = {ps, ns};
	struct rs_procnet_parser p;
	uint64_t now;
	int r;

	ns->set.n = 0;
	for (size_t t = 0; t < N_TABLES; t++) {
		rs_procnet_parser_init(&p, tables[t].family, tables[t].proto, ns->inode);
		r = rs_procnet_read(pfd, tables[t].table, &p, ps->iobuf, sizeof(ps->iobuf),
				    collect_sock, &c);
		ps->st.malformed += p.malformed;
		/* No udp6/tcp6 table: IPv6 is disabled, nothing to list. */
		if (r == -ENOENT && tables[t].family == AF_INET6)
			continue;
		if (r < 0)
			return r;
	}
	/* The tables are those of the namespace the process is in when they
	 * are read: still the one its ns/net named? */
	r = read_netns(pfd, &now);
	if (r < 0)
		return r;
	return now == ns->inode ? 0 : -ESTALE;
}

/* List the sockets to the port of ns, through the process at pfd. Returns 0
 * (ns->state says whether it worked) or a fatal negative errno. */
static int list_ns(struct rs_procscan *ps, struct netns *ns, int pfd)
{
	int r = -EPROTONOSUPPORT;

	ns->attempts++;
	ns->set.n = 0;
	if (ps->o.use_sockdiag) {
		r = ps->replay_dirfd >= 0 ? replay_ns(ps, ns) : dump_ns(ps, ns, pfd);
		if (fatal(r))
			return r;
	}
	/* ESTALE: the process moved to another namespace; its tables would
	 * be that one's. */
	if (r < 0 && r != -ESTALE) {
		r = procnet_ns(ps, ns, pfd);
		if (fatal(r))
			return r;
		if (r == 0)
			ps->st.fallbacks++;
	}
	if (r == 0) {
		r = sockset_index(&ns->set);
		if (r < 0)
			return r;
		ns->state = NS_LISTED;
		ps->st.ns_sockets += ns->set.n;
		return 0;
	}
	ns->set.n = 0;
	/* ENOENT, ESTALE: the process went away or moved while we listed
	 * through it; another process of the namespace may do. */
	if ((r != -ENOENT && r != -ESTALE) || ns->attempts >= LIST_ATTEMPTS) {
		ns->state = NS_FAILED;
		ps->st.ns_failed++;
	}
	return 0;
}

static struct netns *ns_get(struct rs_procscan *ps, uint64_t inode)
{
	struct netns *ns;

	if (ps->last_ns < ps->n_ns && ps->ns[ps->last_ns].inode == inode)
		return &ps->ns[ps->last_ns];
	for (size_t i = 0; i < ps->n_ns; i++)
		if (ps->ns[i].inode == inode) {
			ps->last_ns = i;
			return &ps->ns[i];
		}
	if (ps->n_ns == ps->cap_ns) {
		size_t cap = ps->cap_ns ? ps->cap_ns * 2 : 8;
		struct netns *n = realloc(ps->ns, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		ps->ns = n;
		ps->cap_ns = cap;
	}
	ns = &ps->ns[ps->n_ns];
	memset(ns, 0, sizeof(*ns));
	ns->inode = inode;
	ns->nlfd = -1;
	ps->last_ns = ps->n_ns++;
	return ns;
}

/* --- walking processes ---------------------------------------------------- */

/* Count an errno from a process's entries: gone, or unreadable. */
static void count_failure(struct rs_procscan *ps, int err)
{
	if (err == -ENOENT || err == -ESRCH)
		ps->st.gone++;
	else
		ps->st.unreadable++;
}

static int read_stat(int pfd, struct rs_proc_stat *st)
{
	char buf[STAT_LEN];
	ssize_t n = rs_proc_read_file(pfd, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT; /* a zombie's reaped entry reads empty */
	return rs_proc_parse_stat(buf, (size_t)n, st) < 0 ? -EINVAL : 0;
}

/* "net:[4026531840]" */
static int read_netns(int pfd, uint64_t *inode)
{
	char buf[LINK_LEN], num[24];
	ssize_t n = readlinkat(pfd, "ns/net", buf, sizeof(buf));
	size_t len;

	if (n < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	if (n < 7 || (size_t)n >= sizeof(buf) || memcmp(buf, "net:[", 5) != 0 || buf[n - 1] != ']')
		return -EINVAL;
	len = (size_t)n - 6;
	if (len >= sizeof(num))
		return -EINVAL;
	memcpy(num, buf + 5, len);
	num[len] = '\0';
	return rs_strtou64(num, 1, UINT64_MAX, inode) < 0 ? -EINVAL : 0;
}

/* "socket:[12345]" -> 12345; 0 for anything else. */
static uint64_t socket_inode(const char *link, size_t n)
{
	char num[24];
	uint64_t v;

	if (n < 10 || memcmp(link, "socket:[", 8) != 0 || link[n - 1] != ']' ||
	    n - 9 >= sizeof(num))
		return 0;
	memcpy(num, link + 8, n - 9);
	num[n - 9] = '\0';
	return rs_strtou64(num, 1, UINT64_MAX, &v) < 0 ? 0 : v;
}

static int push_hit(struct rs_procscan *ps, int fd, uint32_t ent)
{
	if (ps->n_hits == ps->cap_hits) {
		size_t cap = ps->cap_hits ? ps->cap_hits * 2 : 64;
		struct hit *h = realloc(ps->hits, cap * sizeof(*h));

		if (h == NULL)
			return -ENOMEM;
		ps->hits = h;
		ps->cap_hits = cap;
	}
	ps->hits[ps->n_hits++] = (struct hit){fd, ent};
	return 0;
}

/* Collect the fds of the process at pfd that are sockets in ns's set.
 * Returns 0, or a negative errno: the process is gone or unreadable
 * (counted by the caller), -ENOMEM. */
static int walk_fds(struct rs_procscan *ps, int pfd, const struct netns *ns)
{
	int fdd, r = 0;

	ps->n_hits = 0;
	fdd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	for (;;) {
		ssize_t n = getdents64(fdd, ps->fdbuf, sizeof(ps->fdbuf));

		if (n < 0) {
			r = errno == ESRCH ? -ENOENT : -errno;
			break;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(ps->fdbuf + off);
			char link[LINK_LEN];
			uint64_t fdnum, inode;
			ssize_t l;
			int64_t ent;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
			    rs_strtou64(d->d_name, 0, INT32_MAX, &fdnum) < 0)
				continue;
			ps->st.fds++;
			l = readlinkat(fdd, d->d_name, link, sizeof(link));
			if (l < 0) {
				ps->st.fds_gone++; /* closed since getdents */
				continue;
			}
			inode = socket_inode(link, (size_t)l);
			if (inode == 0)
				continue;
			ps->st.sockets++;
			ent = sockset_find(&ns->set, inode);
			if (ent >= 0) {
				r = push_hit(ps, (int)fdnum, (uint32_t)ent);
				if (r < 0)
					goto out;
			}
		}
	}
out:
	close(fdd);
	return r;
}

static int emit_hits(struct rs_procscan *ps, int32_t pid, const struct rs_proc_stat *st,
		     struct netns *ns)
{
	for (size_t i = 0; i < ps->n_hits; i++) {
		struct nssock *e = &ns->set.ents[ps->hits[i].ent];
		struct rs_procscan_hit h;
		struct rs_sock sk;
		int r;

		nssock_to_sock(e, ns->inode, &sk);
		e->owned = 1;
		h.pid = pid;
		h.starttime = st->starttime;
		h.netns = ns->inode;
		h.fd = ps->hits[i].fd;
		h.comm = st->comm;
		h.sock = &sk;
		ps->st.hits++;
		r = ps->fn != NULL ? ps->fn(ps->ctx, &h) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_process(struct rs_procscan *ps, int rootfd, const char *name, int32_t pid)
{
	struct rs_proc_stat st, again;
	struct netns *ns;
	uint64_t netns;
	int pfd, r;

	pfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return 0; /* not a process directory */
		count_failure(ps, -errno);
		return 0;
	}
	ps->st.processes++;
	r = read_stat(pfd, &st);
	if (r == 0)
		r = read_netns(pfd, &netns);
	if (r < 0) {
		count_failure(ps, r);
		r = 0;
		goto out;
	}
	ns = ns_get(ps, netns);
	if (ns == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (!ns->used) {
		ns->used = true;
		ps->st.namespaces++;
	}
	if (ns->state == NS_PENDING) {
		r = list_ns(ps, ns, pfd);
		if (r < 0)
			goto out;
	}
	if (ns->state != NS_LISTED) {
		if (ns->state == NS_PENDING)
			ps->st.gone++; /* listing through it found it gone */
		goto out;
	}
	if (ns->set.n == 0) {
		ps->st.skipped++;
		goto out;
	}
	r = walk_fds(ps, pfd, ns);
	if (r < 0) {
		if (fatal(r))
			goto out;
		count_failure(ps, r);
		r = 0;
		goto out;
	}
	if (ps->n_hits == 0)
		goto out;
	/* The same process from start to end of the walk? (pid reuse) */
	r = read_stat(pfd, &again);
	if (r < 0) {
		count_failure(ps, r);
		r = 0;
		goto out;
	}
	if (again.starttime != st.starttime) {
		ps->st.reused++;
		goto out;
	}
	r = emit_hits(ps, pid, &st, ns);
out:
	close(pfd);
	return r;
}

static int walk_proc(struct rs_procscan *ps, int rootfd)
{
	for (;;) {
		ssize_t n = getdents64(rootfd, ps->rootbuf, sizeof(ps->rootbuf));

		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(ps->rootbuf + off);
			uint64_t pid;
			int r;

			off += d->d_reclen;
			if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
				continue;
			if (d->d_name[0] < '1' || d->d_name[0] > '9' ||
			    rs_strtou64(d->d_name, 1, INT32_MAX, &pid) < 0)
				continue;
			if ((int32_t)pid == ps->o.self_pid)
				continue;
			r = scan_process(ps, rootfd, d->d_name, (int32_t)pid);
			if (r < 0)
				return r;
		}
	}
}

static int report_unowned(struct rs_procscan *ps)
{
	for (size_t i = 0; i < ps->n_ns; i++) {
		struct netns *ns = &ps->ns[i];

		if (!ns->used || ns->state != NS_LISTED)
			continue;
		for (uint32_t k = 0; k < ns->set.n; k++) {
			struct rs_procscan_hit h;
			struct rs_sock sk;
			int r;

			if (ns->set.ents[k].owned)
				continue;
			ps->st.unowned++;
			if (!ps->o.report_unowned || ps->fn == NULL)
				continue;
			nssock_to_sock(&ns->set.ents[k], ns->inode, &sk);
			h.pid = 0;
			h.starttime = 0;
			h.netns = ns->inode;
			h.fd = -1;
			h.comm = "";
			h.sock = &sk;
			r = ps->fn(ps->ctx, &h);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Forget this scan's socket lists; close the netlink sockets of namespaces
 * no process used (they would keep a dead namespace alive). */
static void end_scan(struct rs_procscan *ps)
{
	size_t keep = 0;

	for (size_t i = 0; i < ps->n_ns; i++) {
		struct netns *ns = &ps->ns[i];

		sockset_free(&ns->set);
		if (!ns->used) {
			if (ns->nlfd >= 0) {
				close(ns->nlfd);
				ps->st.nl_closed++;
			}
			continue;
		}
		if (ns->nlfd < 0)
			continue; /* nothing to cache */
		ps->ns[keep++] = *ns;
	}
	ps->n_ns = keep;
	ps->last_ns = 0;
	ps->st.nl_cached = keep;
	free(ps->hits);
	ps->hits = NULL;
	ps->n_hits = ps->cap_hits = 0;
}

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int rs_procscan_run(struct rs_procscan *ps, rs_procscan_fn fn, void *ctx)
{
	struct stat sb;
	int rootfd = -1, r;

	if (ps->broken)
		return -ENOTRECOVERABLE;
	memset(&ps->st, 0, sizeof(ps->st));
	ps->fn = fn;
	ps->ctx = ctx;
	ps->self_netns = 0;
	for (size_t i = 0; i < ps->n_ns; i++) {
		ps->ns[i].used = false;
		ps->ns[i].state = NS_PENDING;
		ps->ns[i].attempts = 0;
	}
	rootfd = open_dir(ps->o.proc_root);
	if (rootfd < 0) {
		r = rootfd;
		goto cleanup;
	}
	if (ps->o.use_sockdiag && ps->o.replay_dir != NULL) {
		ps->replay_dirfd = open_dir(ps->o.replay_dir);
		if (ps->replay_dirfd < 0) {
			r = ps->replay_dirfd;
			goto cleanup;
		}
	} else if (ps->o.use_sockdiag) {
		/* The calling thread's own namespace, to come back to after a
		 * setns: the real /proc, whatever root is scanned. */
		ps->orig_nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (ps->orig_nsfd >= 0 && fstat(ps->orig_nsfd, &sb) == 0)
			ps->self_netns = (uint64_t)sb.st_ino;
		if (ps->o.record_dir != NULL) {
			ps->record_dirfd = open_dir(ps->o.record_dir);
			if (ps->record_dirfd < 0) {
				r = ps->record_dirfd;
				goto cleanup;
			}
		}
	}
	r = walk_proc(ps, rootfd);
	if (r == 0)
		r = report_unowned(ps);
cleanup:
	end_scan(ps);
	if (rootfd >= 0)
		close(rootfd);
	if (ps->orig_nsfd >= 0)
		close(ps->orig_nsfd);
	if (ps->replay_dirfd >= 0)
		close(ps->replay_dirfd);
	if (ps->record_dirfd >= 0)
		close(ps->record_dirfd);
	ps->orig_nsfd = ps->replay_dirfd = ps->record_dirfd = -1;
	ps->fn = NULL;
	ps->ctx = NULL;
	if (ps->broken)
		return -ENOTRECOVERABLE;
	return r;
}

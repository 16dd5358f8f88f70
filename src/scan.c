/* `resolvstale scan`: one look at the host, no daemon needed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "resolvstale/confsnap.h"
#include "resolvstale/escape.h"
#include "resolvstale/genrender.h"
#include "resolvstale/json.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/procscan.h"
#include "resolvstale/runtime.h"
#include "resolvstale/scan.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

struct hit {
	int fd;
	struct rs_sock sock;
	bool retired;
};

struct ctx {
	const struct rs_scan_opts *o;
	FILE *out;
	struct rs_sbuf sb;
	struct rs_json j;
	bool write_failed;
	int proc_dirfd;
	struct rs_facts_ctx fctx;
	struct rs_runtime_cache *rtc;
	struct rs_scan_summary *sum;
	int64_t conf_mtime_ns;
	/* The process whose hits are being collected (procscan reports all
	 * hits of a process together). */
	struct batch *cur;
	/* Finished processes go to a worker thread that reads their facts and
	 * runtime and writes them out, while the walk goes on: on two cores the
	 * two halves of the work overlap. Bounded: the walk waits when it is
	 * QUEUE_MAX processes ahead. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *head, *tail;
	size_t queued;
	bool done, worker_failed;
};

#define QUEUE_MAX 256

/* One process and its hits. */
struct batch {
	struct batch *next;
	int32_t pid;
	uint64_t starttime;
	char comm[RS_COMM_MAX];
	size_t n_hits, cap_hits;
	struct hit hits[];
};

static void flush_out(struct ctx *c)
{
	if (rs_sbuf_failed(&c->sb) ||
	    (c->sb.len > 0 && fwrite(c->sb.buf, 1, c->sb.len, c->out) != c->sb.len))
		c->write_failed = true;
	rs_sbuf_reset(&c->sb);
}

static bool is_retired(const struct rs_scan_opts *o, const struct rs_addr *a,
		       enum rs_config_domain domain)
{
	for (size_t i = 0; i < o->n_retired; i++) {
		if (!rs_addr_same_server(&o->retired[i], a))
			continue;
		/* 127.0.0.53 in a container is the container's own server: a
		 * retired loopback address counts where the file is read. */
		if (rs_addr_is_loopback(a) && domain != RS_DOMAIN_HOST)
			continue;
		return true;
	}
	return false;
}

/* Facts and runtime of a process; a process that vanished keeps what the
 * scan saw (pid, starttime, comm). */
static void read_process(struct ctx *c, int32_t pid, uint64_t starttime, const char *comm,
			 struct rs_proc_facts *f, struct rs_runtime *rt, bool *have_rt)
{
	char name[16];
	int dfd;

	*have_rt = false;
	snprintf(name, sizeof(name), "%d", (int)pid);
	dfd = openat(c->proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0 || rs_proc_read_facts_at(dfd, pid, &c->fctx, f) < 0 ||
	    f->id.starttime != starttime) {
		rs_proc_facts_clear(f);
		f->id.pid = pid;
		f->id.starttime = starttime;
		f->id.ppid = -1;
		f->id.uid = f->id.auid = -1;
		snprintf(f->id.comm, sizeof(f->id.comm), "%s", comm ? comm : "");
		if (dfd >= 0)
			close(dfd);
		return;
	}
	*have_rt = rs_runtime_read_at(c->rtc, dfd, rt) == 0;
	close(dfd);
}

static void json_process(struct ctx *c, const struct rs_proc_facts *f,
			 const struct rs_runtime *rt, bool have_rt)
{
	rs_render_facts_json(&c->j, f);
	if (have_rt)
		rs_runtime_json(&c->j, rt); /* "runtime", "reload_rule", ... */
	else
		rs_json_kv_str(&c->j, "runtime", NULL);
}

static void text_cell(struct rs_sbuf *out, const char *s, size_t width)
{
	size_t before = out->len;

	rs_escape_text(out, s, strlen(s));
	while (out->len - before < width)
		rs_sbuf_putc(out, ' ');
	rs_sbuf_putc(out, ' ');
}

static void text_runtime(struct rs_sbuf *out, const struct rs_runtime *rt, bool have_rt)
{
	char rule[48];

	if (!have_rt) {
		rs_sbuf_puts(out, "?");
		return;
	}
	rs_sbuf_puts(out, rs_runtime_kind_name(rt->kind));
	if (rt->version[0] != '\0') {
		rs_sbuf_putc(out, ' ');
		rs_escape_text(out, rt->version, strlen(rt->version));
	}
	rs_sbuf_printf(out, ", %s", rs_runtime_path_rule(&rt->primary, rule, sizeof(rule)));
	if (rt->second.path != RS_PATH_NONE)
		rs_sbuf_printf(out, " (%s: %s)", rs_resolver_path_name(rt->second.path),
			       rs_runtime_path_rule(&rt->second, rule, sizeof(rule)));
}

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	char ax[RS_ADDR_STRLEN], ay[RS_ADDR_STRLEN];
	int k;

	if (x->retired != y->retired)
		return x->retired ? -1 : 1;
	if (x->sock.proto != y->sock.proto)
		return x->sock.proto < y->sock.proto ? -1 : 1;
	k = strcmp(rs_addr_format(&x->sock.remote, ax, sizeof(ax)),
		   rs_addr_format(&y->sock.remote, ay, sizeof(ay)));
	if (k != 0)
		return k;
	if (x->sock.state != y->sock.state)
		return x->sock.state < y->sock.state ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

static bool same_row(const struct hit *a, const struct hit *b)
{
	return a->sock.proto == b->sock.proto && a->sock.rport == b->sock.rport &&
	       a->sock.state == b->sock.state && a->retired == b->retired &&
	       rs_addr_equal(&a->sock.remote, &b->sock.remote);
}

/* One row per server the process talks to: a resolver may hold many. */
static void text_rows(struct ctx *c, const struct batch *b, const struct rs_proc_facts *f,
		      const struct rs_runtime *rt, bool have_rt)
{
	char text[RS_ADDR_STRLEN], where[128];

	rs_proc_facts_where(f, where, sizeof(where));
	for (size_t i = 0; i < b->n_hits;) {
		const struct hit *h = &b->hits[i];
		size_t same = 1, mark;

		while (i + same < b->n_hits && same_row(h, &b->hits[i + same]))
			same++;
		i += same;
		rs_sbuf_printf(&c->sb, "  %-8d ", (int)f->id.pid);
		text_cell(&c->sb, f->id.comm, 16);
		rs_sbuf_printf(&c->sb, "%-5s ", rs_proto_name(h->sock.proto));
		mark = c->sb.len;
		rs_sbuf_printf(&c->sb, "%s%s%s:%u", h->sock.remote.family == AF_INET6 ? "[" : "",
			       rs_addr_format(&h->sock.remote, text, sizeof(text)),
			       h->sock.remote.family == AF_INET6 ? "]" : "", h->sock.rport);
		if (same > 1)
			rs_sbuf_printf(&c->sb, " x%zu", same);
		if (h->retired)
			rs_sbuf_puts(&c->sb, " RETIRED");
		while (c->sb.len - mark < 32)
			rs_sbuf_putc(&c->sb, ' ');
		rs_sbuf_printf(&c->sb, " %-12s ", rs_sock_state_name(h->sock.proto, h->sock.state));
		text_cell(&c->sb, where, 22);
		text_runtime(&c->sb, rt, have_rt);
		rs_sbuf_putc(&c->sb, '\n');
	}
}

static void json_sockets(struct ctx *c, const struct batch *b)
{
	char text[RS_ADDR_STRLEN];
	size_t n_retired = 0;

	rs_json_key(&c->j, "sockets");
	rs_json_arr_begin(&c->j);
	for (size_t i = 0; i < b->n_hits; i++) {
		const struct hit *h = &b->hits[i];
		rs_json_obj_begin(&c->j);
		rs_json_kv_int(&c->j, "fd", h->fd);
		rs_json_kv_str(&c->j, "proto", rs_proto_name(h->sock.proto));
		rs_json_kv_str(&c->j, "local", rs_addr_format(&h->sock.local, text, sizeof(text)));
		rs_json_kv_uint(&c->j, "lport", h->sock.lport);
		rs_json_kv_str(&c->j, "remote", rs_addr_format(&h->sock.remote, text, sizeof(text)));
		rs_json_kv_uint(&c->j, "rport", h->sock.rport);
		rs_json_kv_str(&c->j, "state", rs_sock_state_name(h->sock.proto, h->sock.state));
		rs_json_kv_uint(&c->j, "inode", h->sock.inode);
		rs_json_kv_uint(&c->j, "netns", h->sock.netns);
		rs_json_kv_bool(&c->j, "retired", h->retired);
		rs_json_obj_end(&c->j);
		n_retired += h->retired;
	}
	rs_json_arr_end(&c->j);
	rs_json_kv_uint(&c->j, "retired_sockets", n_retired);
}

/* All hits of a process are in: describe it and write it out (worker). */
static void describe(struct ctx *c, struct batch *b)
{
	struct rs_proc_facts f;
	struct rs_runtime rt;
	size_t n_retired = 0;
	bool have_rt;

	memset(&f, 0, sizeof(f));
	read_process(c, b->pid, b->starttime, b->comm, &f, &rt, &have_rt);
	for (size_t i = 0; i < b->n_hits; i++) {
		b->hits[i].retired = is_retired(c->o, &b->hits[i].sock.remote, f.domain);
		n_retired += b->hits[i].retired;
	}
	qsort(b->hits, b->n_hits, sizeof(b->hits[0]), cmp_hit);
	c->sum->sockets += b->n_hits;
	c->sum->retired_sockets += n_retired;
	c->sum->processes++;
	c->sum->retired_processes += n_retired > 0;
	if (c->o->format == RS_SCAN_JSON) {
		rs_json_obj_begin(&c->j);
		json_process(c, &f, &rt, have_rt);
		json_sockets(c, b);
		rs_json_obj_end(&c->j);
	} else {
		text_rows(c, b, &f, &rt, have_rt);
	}
	flush_out(c);
	rs_proc_facts_clear(&f);
}

static void *worker(void *arg)
{
	struct ctx *c = arg;

	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&c->lock);
		while (c->head == NULL && !c->done)
			pthread_cond_wait(&c->cond, &c->lock);
		b = c->head;
		if (b != NULL) {
			c->head = b->next;
			if (c->head == NULL)
				c->tail = NULL;
			c->queued--;
			pthread_cond_broadcast(&c->cond);
		}
		pthread_mutex_unlock(&c->lock);
		if (b == NULL)
			return NULL; /* done and drained */
		describe(c, b);
		free(b);
	}
}

/* Hand the collected process to the worker (waiting while it is far behind). */
static void enqueue(struct ctx *c)
{
	struct batch *b = c->cur;

	if (b == NULL || b->n_hits == 0)
		return;
	c->cur = NULL;
	pthread_mutex_lock(&c->lock);
	while (c->queued >= QUEUE_MAX)
		pthread_cond_wait(&c->cond, &c->lock);
	b->next = NULL;
	if (c->tail != NULL)
		c->tail->next = b;
	else
		c->head = b;
	c->tail = b;
	c->queued++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static int on_hit(void *arg, const struct rs_procscan_hit *h)
{
	struct ctx *c = arg;
	struct batch *b = c->cur;

	if (h->pid <= 0)
		return 0;
	if (b != NULL && (h->pid != b->pid || h->starttime != b->starttime)) {
		enqueue(c);
		b = NULL;
	}
	if (b == NULL || b->n_hits == b->cap_hits) {
		size_t cap = b ? b->cap_hits * 2 : 8;
		struct batch *n = realloc(b, sizeof(*n) + cap * sizeof(n->hits[0]));
		if (n == NULL)
			return -ENOMEM;
		if (b == NULL) {
			n->n_hits = 0;
			n->pid = h->pid;
			n->starttime = h->starttime;
			snprintf(n->comm, sizeof(n->comm), "%s", h->comm ? h->comm : "");
		}
		n->cap_hits = cap;
		b = c->cur = n;
	}
	b->hits[b->n_hits].fd = h->fd;
	b->hits[b->n_hits].sock = *h->sock;
	b->hits[b->n_hits].retired = false;
	b->n_hits++;
	return 0;
}

/* --- at risk -------------------------------------------------------------- */

/* The start time of pid from its stat alone; kernel threads are skipped. */
static int quick_start(int proc_dirfd, int32_t pid, uint64_t *starttime)
{
	char name[32], buf[1024];
	struct rs_proc_stat st;
	ssize_t n;

	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	n = rs_proc_read_file(proc_dirfd, name, buf, sizeof(buf));
	if (n <= 0 || rs_proc_parse_stat(buf, (size_t)n, &st) < 0)
		return -ENOENT;
	if (st.ppid == 2 || pid == 2)
		return -EINVAL; /* a kernel thread */
	*starttime = st.starttime;
	return 0;
}

/* At risk: its lookups go through code that reads the file once. A scan has
 * no evidence of which resolver path a process uses, so its primary path
 * decides; a second path that reads once is named in the reason of a
 * process at risk, and otherwise left to the daemon's evidence. */
static bool judge_risk(const struct ctx *c, const struct rs_proc_facts *f,
		       const struct rs_runtime *rt, char *reason, size_t len)
{
	const struct rs_runtime_path *w = &rt->primary;
	char rule[48];

	if (f->domain != RS_DOMAIN_HOST || f->start_ns == 0 || f->start_ns >= c->conf_mtime_ns ||
	    w->rule != RS_RELOAD_READS_ONCE)
		return false;
	snprintf(reason, len, "started before the file changed; %s %s path %s",
		 rs_runtime_kind_name(rt->kind), rs_resolver_path_name(w->path),
		 rs_runtime_path_rule(w, rule, sizeof(rule)));
	return true;
}

static void write_at_risk(struct ctx *c, const struct rs_proc_facts *f,
			  const struct rs_runtime *rt, const char *reason)
{
	char t[RS_TIME_BUF], where[128];

	if (c->o->format == RS_SCAN_JSON) {
		rs_json_obj_begin(&c->j);
		json_process(c, f, rt, true);
		rs_json_kv_str(&c->j, "reason", reason);
		rs_json_obj_end(&c->j);
	} else {
		rs_sbuf_printf(&c->sb, "  %-8d ", (int)f->id.pid);
		text_cell(&c->sb, f->id.comm, 16);
		rs_sbuf_printf(&c->sb, "%-30s ", rs_time_local(f->start_ns, t, sizeof(t)));
		rs_proc_facts_where(f, where, sizeof(where));
		text_cell(&c->sb, where, 22);
		text_runtime(&c->sb, rt, true);
		rs_sbuf_putc(&c->sb, '\n');
	}
	flush_out(c);
}

/* Every process started before the file's last change that reads it, and
 * whose resolver reads the configuration once. */
static int find_at_risk(struct ctx *c)
{
	int dfd = dup(c->proc_dirfd);
	struct dirent *e;
	DIR *d;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		struct rs_proc_facts f;
		struct rs_runtime rt;
		uint64_t pid, starttime;
		char reason[192];
		bool have_rt;

		if (rs_strtou64(e->d_name, 1, INT32_MAX, &pid) < 0 || (pid_t)pid == getpid())
			continue;
		if (quick_start(c->proc_dirfd, (int32_t)pid, &starttime) < 0)
			continue;
		if (c->fctx.boot_ns > 0 &&
		    c->fctx.boot_ns + (int64_t)(starttime * (1000000000ULL /
							      (uint64_t)c->fctx.clk_tck)) >=
			    c->conf_mtime_ns)
			continue; /* started after the change: it read the new file */
		c->sum->examined++;
		memset(&f, 0, sizeof(f));
		read_process(c, (int32_t)pid, starttime, NULL, &f, &rt, &have_rt);
		if (have_rt && judge_risk(c, &f, &rt, reason, sizeof(reason))) {
			c->sum->at_risk++;
			write_at_risk(c, &f, &rt, reason);
		}
		rs_proc_facts_clear(&f);
	}
	closedir(d);
	return 0;
}

/* --- the report around it ------------------------------------------------- */

static void header(struct ctx *c, const struct rs_conf_snapshot *snap,
		   const struct rs_addr *ns, size_t n_ns)
{
	const struct rs_scan_opts *o = c->o;
	char t[RS_TIME_BUF], text[RS_ADDR_STRLEN];

	if (o->format == RS_SCAN_JSON) {
		rs_json_init(&c->j, &c->sb);
		rs_json_obj_begin(&c->j);
		rs_json_kv_int(&c->j, "schema", 1);
		rs_json_kv_str(&c->j, "time", rs_time_rfc3339(rs_time_now_ns(), t, sizeof(t)));
		rs_json_key(&c->j, "resolv_conf");
		rs_json_obj_begin(&c->j);
		rs_json_kv_str(&c->j, "path", o->resolv_conf);
		rs_json_kv_str(&c->j, "chain", snap->chain);
		rs_json_key(&c->j, "nameservers");
		rs_json_arr_begin(&c->j);
		for (size_t i = 0; i < n_ns; i++)
			rs_json_str(&c->j, rs_addr_format(&ns[i], text, sizeof(text)));
		rs_json_arr_end(&c->j);
		rs_json_kv_str(&c->j, "mtime", rs_time_rfc3339(snap->id.mtime_ns, t, sizeof(t)));
		rs_json_obj_end(&c->j);
		rs_json_key(&c->j, "retired");
		rs_json_arr_begin(&c->j);
		for (size_t i = 0; i < o->n_retired; i++)
			rs_json_str(&c->j, rs_addr_format(&o->retired[i], text, sizeof(text)));
		rs_json_arr_end(&c->j);
		rs_json_kv_str(&c->j, "retired_from", o->retired_from);
		rs_json_key(&c->j, "processes");
		rs_json_arr_begin(&c->j);
	} else {
		rs_escape_text(&c->sb, snap->chain, strlen(snap->chain));
		rs_sbuf_printf(&c->sb, " (modified %s)\n  nameservers: ",
			       rs_time_local(snap->id.mtime_ns, t, sizeof(t)));
		rs_addrs_join(ns, n_ns, &c->sb);
		rs_sbuf_puts(&c->sb, "\n  retired:     ");
		if (o->n_retired == 0)
			rs_sbuf_puts(&c->sb, "none known");
		else
			rs_addrs_join(o->retired, o->n_retired, &c->sb);
		rs_sbuf_printf(&c->sb, " (%s)\n\nSockets to port 53:\n", o->retired_from);
		rs_sbuf_puts(&c->sb, "  PID      PROCESS          PROTO REMOTE                           "
				     "STATE        UNIT/CONTAINER         RUNTIME\n");
	}
	flush_out(c);
}

static void middle(struct ctx *c)
{
	const struct rs_scan_summary *s = c->sum;

	if (c->o->format == RS_SCAN_JSON) {
		rs_json_arr_end(&c->j);
		rs_json_key(&c->j, "at_risk");
		rs_json_arr_begin(&c->j);
	} else {
		rs_sbuf_printf(&c->sb,
			       "  %llu socket%s in %llu process%s; %llu to a retired resolver\n\n",
			       (unsigned long long)s->sockets, s->sockets == 1 ? "" : "s",
			       (unsigned long long)s->processes, s->processes == 1 ? "" : "es",
			       (unsigned long long)s->retired_sockets);
		if (c->o->at_risk)
			rs_sbuf_puts(&c->sb,
				     "At risk (started before the file changed, read it, and resolve "
				     "through code that reads it once):\n"
				     "  PID      PROCESS          STARTED                        "
				     "UNIT/CONTAINER         RUNTIME\n");
		else
			rs_sbuf_puts(&c->sb, "At risk: not examined (--no-at-risk)\n");
	}
	flush_out(c);
}

static void footer(struct ctx *c)
{
	const struct rs_scan_summary *s = c->sum;

	if (c->o->format == RS_SCAN_JSON) {
		rs_json_arr_end(&c->j);
		rs_json_key(&c->j, "summary");
		rs_json_obj_begin(&c->j);
		rs_json_kv_uint(&c->j, "sockets", s->sockets);
		rs_json_kv_uint(&c->j, "processes", s->processes);
		rs_json_kv_uint(&c->j, "retired_sockets", s->retired_sockets);
		rs_json_kv_uint(&c->j, "retired_processes", s->retired_processes);
		rs_json_kv_bool(&c->j, "at_risk_examined", c->o->at_risk);
		rs_json_kv_uint(&c->j, "at_risk", s->at_risk);
		rs_json_kv_uint(&c->j, "processes_examined_for_risk", s->examined);
		rs_json_obj_end(&c->j);
		rs_json_obj_end(&c->j);
		rs_sbuf_putc(&c->sb, '\n');
	} else {
		if (c->o->at_risk)
			rs_sbuf_printf(&c->sb,
				       "  %llu at risk among %llu processes older than the change\n",
				       (unsigned long long)s->at_risk,
				       (unsigned long long)s->examined);
		rs_sbuf_printf(&c->sb,
			       "\n%llu process%s talk%s to a retired resolver; %llu process%s at "
			       "risk.\n",
			       (unsigned long long)s->retired_processes,
			       s->retired_processes == 1 ? "" : "es",
			       s->retired_processes == 1 ? "s" : "", (unsigned long long)s->at_risk,
			       s->at_risk == 1 ? "" : "es");
	}
	flush_out(c);
}

int rs_scan_run(const struct rs_scan_opts *o, FILE *out, struct rs_scan_summary *sum, char *err,
		size_t errlen)
{
	struct rs_procscan_opts po;
	struct rs_procscan *ps = NULL;
	struct rs_conf_snapshot snap;
	struct rs_addr ns[3];
	bool started = false;
	pthread_t tid;
	size_t n_ns;
	struct ctx c;
	int r;

	memset(sum, 0, sizeof(*sum));
	memset(&c, 0, sizeof(c));
	memset(&snap, 0, sizeof(snap));
	c.o = o;
	c.out = out;
	c.sum = sum;
	c.proc_dirfd = -1;
	r = rs_conf_snapshot_read(o->resolv_conf, &snap);
	if (r < 0) {
		snprintf(err, errlen, "cannot read %s: %s", o->resolv_conf, strerror(-r));
		goto out;
	}
	c.conf_mtime_ns = snap.id.mtime_ns;
	n_ns = rs_resolvconf_effective(&snap.conf, ns);
	c.proc_dirfd = open(o->proc_root ? o->proc_root : "/proc",
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.proc_dirfd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s: %s", o->proc_root ? o->proc_root : "/proc",
			 strerror(errno));
		goto out;
	}
	c.fctx.watched_dev = snap.id.dev;
	c.fctx.watched_ino = snap.id.ino;
	c.fctx.boot_ns = rs_proc_boot_ns(c.proc_dirfd);
	c.fctx.clk_tck = sysconf(_SC_CLK_TCK);
	c.fctx.read_config = true;
	if (c.fctx.clk_tck <= 0)
		c.fctx.clk_tck = 100;
	c.rtc = rs_runtime_cache_new();
	rs_procscan_opts_init(&po);
	po.proc_root = o->proc_root;
	po.use_sockdiag = o->use_sockdiag;
	po.self_pid = getpid();
	r = c.rtc == NULL ? -ENOMEM : rs_procscan_new(&po, &ps);
	if (r < 0) {
		snprintf(err, errlen, "cannot start the scan: %s", strerror(-r));
		goto out;
	}
	header(&c, &snap, ns, n_ns);
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	if (pthread_create(&tid, NULL, worker, &c) != 0) {
		r = -EAGAIN;
		snprintf(err, errlen, "cannot start a thread");
		goto out;
	}
	started = true;
	r = rs_procscan_run(ps, on_hit, &c);
	enqueue(&c);
	pthread_mutex_lock(&c.lock);
	c.done = true;
	pthread_cond_broadcast(&c.cond);
	pthread_mutex_unlock(&c.lock);
	pthread_join(tid, NULL);
	started = false;
	if (r < 0) {
		snprintf(err, errlen, "cannot scan %s: %s", o->proc_root ? o->proc_root : "/proc",
			 strerror(-r));
		goto out;
	}
	middle(&c);
	if (o->at_risk && snap.id.state == RS_FILE_OK) {
		r = find_at_risk(&c);
		if (r < 0) {
			snprintf(err, errlen, "cannot look for processes at risk: %s", strerror(-r));
			goto out;
		}
	}
	footer(&c);
	r = c.write_failed || fflush(out) != 0 ? -EIO : 0;
	if (r < 0)
		snprintf(err, errlen, "cannot write the output: %s", strerror(errno));
out:
	if (started) {
		pthread_mutex_lock(&c.lock);
		c.done = true;
		pthread_cond_broadcast(&c.cond);
		pthread_mutex_unlock(&c.lock);
		pthread_join(tid, NULL);
	}
	rs_procscan_free(ps);
	rs_runtime_cache_free(c.rtc);
	if (c.proc_dirfd >= 0)
		close(c.proc_dirfd);
	rs_conf_snapshot_clear(&snap);
	rs_sbuf_free(&c.sb);
	free(c.cur);
	return r;
}

/* `resolvstale scan`: one look at the host, no daemon needed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "resolvstale/confsnap.h"
#include "resolvstale/escape.h"
#include "resolvstale/genrender.h"
#include "resolvstale/json.h"
#include "resolvstale/procscan.h"
#include "resolvstale/scan.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

struct ctx {
	const struct rs_scan_opts *o;
	struct rs_scan_result *r;
	int proc_dirfd;
	struct rs_facts_ctx fctx;
	struct rs_runtime_cache *rtc;
	size_t cap_procs, cap_sockets;
	int err;
};

void rs_scan_free(struct rs_scan_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_procs; i++)
		rs_proc_facts_clear(&r->procs[i].facts);
	free(r->procs);
	free(r->sockets);
	free(r->chain);
	free(r);
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

static ssize_t find_proc(const struct rs_scan_result *r, int32_t pid, uint64_t starttime)
{
	for (size_t i = r->n_procs; i-- > 0;)
		if (r->procs[i].facts.id.pid == pid && r->procs[i].facts.id.starttime == starttime)
			return (ssize_t)i;
	return -1;
}

/* Add a process and read its facts and runtime; a process that vanished
 * keeps what the scan saw (pid, starttime, comm). */
static ssize_t add_proc(struct ctx *c, int32_t pid, uint64_t starttime, const char *comm)
{
	struct rs_scan_result *r = c->r;
	struct rs_scan_proc *p;

	if (r->n_procs == c->cap_procs) {
		size_t cap = c->cap_procs ? c->cap_procs * 2 : 16;
		struct rs_scan_proc *n = realloc(r->procs, cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		r->procs = n;
		c->cap_procs = cap;
	}
	p = &r->procs[r->n_procs];
	memset(p, 0, sizeof(*p));
	if (rs_proc_read_facts(c->proc_dirfd, pid, &c->fctx, &p->facts) < 0 ||
	    p->facts.id.starttime != starttime) {
		rs_proc_facts_clear(&p->facts);
		p->facts.id.pid = pid;
		p->facts.id.starttime = starttime;
		p->facts.id.ppid = -1;
		p->facts.id.uid = p->facts.id.auid = -1;
		snprintf(p->facts.id.comm, sizeof(p->facts.id.comm), "%s", comm ? comm : "");
	} else if (rs_runtime_read_cached(c->rtc, c->proc_dirfd, pid, &p->rt) == 0) {
		p->have_rt = true;
	}
	return (ssize_t)r->n_procs++;
}

static int on_hit(void *arg, const struct rs_procscan_hit *h)
{
	struct ctx *c = arg;
	struct rs_scan_result *r = c->r;
	struct rs_scan_socket *s;
	ssize_t pi;

	if (h->pid <= 0)
		return 0;
	pi = find_proc(r, h->pid, h->starttime);
	if (pi < 0)
		pi = add_proc(c, h->pid, h->starttime, h->comm);
	if (pi < 0)
		return (int)pi;
	if (r->n_sockets == c->cap_sockets) {
		size_t cap = c->cap_sockets ? c->cap_sockets * 2 : 16;
		struct rs_scan_socket *n = realloc(r->sockets, cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		r->sockets = n;
		c->cap_sockets = cap;
	}
	s = &r->sockets[r->n_sockets++];
	memset(s, 0, sizeof(*s));
	s->fd = h->fd;
	s->sock = *h->sock;
	s->proc = (size_t)pi;
	s->retired = is_retired(c->o, &s->sock.remote, r->procs[pi].facts.domain);
	if (s->retired)
		r->n_retired_sockets++;
	return 0;
}

/* The start time of pid from its stat, without reading anything else. */
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

/* At risk: its lookups go through code that reads the file once. Without
 * evidence of which path a process uses (a scan has none), its primary path
 * decides; a second path that reads once is named in the reason of a
 * process at risk, and otherwise left to the daemon's evidence. */
static void judge_risk(struct rs_scan_proc *p, const struct rs_scan_result *r)
{
	const struct rs_runtime_path *w = &p->rt.primary;
	char rule[48];

	if (!p->have_rt || p->facts.domain != RS_DOMAIN_HOST || p->facts.start_ns == 0 ||
	    p->facts.start_ns >= r->conf_mtime_ns || w->rule != RS_RELOAD_READS_ONCE)
		return;
	p->at_risk = true;
	snprintf(p->reason, sizeof(p->reason), "started before the file changed; %s %s path %s",
		 rs_runtime_kind_name(p->rt.kind), rs_resolver_path_name(w->path),
		 rs_runtime_path_rule(w, rule, sizeof(rule)));
}

/* Every process started before the file's last change that reads it, and
 * whose resolver reads the configuration once. */
static int find_at_risk(struct ctx *c)
{
	struct rs_scan_result *r = c->r;
	int dfd = dup(c->proc_dirfd);
	DIR *d;
	struct dirent *e;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		uint64_t pid, starttime;
		ssize_t pi;

		if (rs_strtou64(e->d_name, 1, INT32_MAX, &pid) < 0 || (pid_t)pid == getpid())
			continue;
		if (quick_start(c->proc_dirfd, (int32_t)pid, &starttime) < 0)
			continue;
		if (c->fctx.boot_ns > 0 &&
		    c->fctx.boot_ns + (int64_t)(starttime * (1000000000ULL / (uint64_t)c->fctx.clk_tck)) >=
			    r->conf_mtime_ns)
			continue; /* started after the change: it read the new file */
		r->processes_examined++;
		pi = find_proc(r, (int32_t)pid, starttime);
		if (pi < 0) {
			size_t before = r->n_procs;
			pi = add_proc(c, (int32_t)pid, starttime, NULL);
			if (pi < 0) {
				closedir(d);
				return (int)pi;
			}
			judge_risk(&r->procs[pi], r);
			if (!r->procs[pi].at_risk) {
				/* Keep only processes that matter to the report. */
				rs_proc_facts_clear(&r->procs[pi].facts);
				r->n_procs = before;
				continue;
			}
		} else {
			judge_risk(&r->procs[pi], r);
		}
		if (r->procs[pi].at_risk)
			r->n_at_risk++;
	}
	closedir(d);
	return 0;
}

static int cmp_sock(const void *a, const void *b, void *arg)
{
	const struct rs_scan_socket *x = a, *y = b;
	const struct rs_scan_result *r = arg;
	int32_t px = r->procs[x->proc].facts.id.pid, py = r->procs[y->proc].facts.id.pid;

	if (x->retired != y->retired)
		return x->retired ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	if (x->sock.proto != y->sock.proto)
		return x->sock.proto < y->sock.proto ? -1 : 1;
	{
		char ax[RS_ADDR_STRLEN], ay[RS_ADDR_STRLEN];
		int k = strcmp(rs_addr_format(&x->sock.remote, ax, sizeof(ax)),
			       rs_addr_format(&y->sock.remote, ay, sizeof(ay)));
		if (k != 0)
			return k;
	}
	if (x->sock.state != y->sock.state)
		return x->sock.state < y->sock.state ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

int rs_scan_run(const struct rs_scan_opts *o, struct rs_scan_result **out, char *err,
		size_t errlen)
{
	struct rs_procscan_opts po;
	struct rs_procscan *ps = NULL;
	struct rs_conf_snapshot snap;
	struct ctx c;
	int r;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	memset(&snap, 0, sizeof(snap));
	c.o = o;
	c.proc_dirfd = -1;
	c.r = calloc(1, sizeof(*c.r));
	if (c.r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c.r->time_ns = rs_time_now_ns();
	r = rs_conf_snapshot_read(o->resolv_conf, &snap);
	if (r < 0) {
		snprintf(err, errlen, "cannot read %s: %s", o->resolv_conf, strerror(-r));
		goto out;
	}
	c.r->chain = strdup(snap.chain);
	c.r->conf_dev = snap.id.dev;
	c.r->conf_ino = snap.id.ino;
	c.r->conf_mtime_ns = snap.id.mtime_ns;
	c.r->n_nameservers = rs_resolvconf_effective(&snap.conf, c.r->nameservers);
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
	if (c.rtc == NULL) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	rs_procscan_opts_init(&po);
	po.proc_root = o->proc_root;
	po.use_sockdiag = o->use_sockdiag;
	po.self_pid = getpid();
	r = rs_procscan_new(&po, &ps);
	if (r == 0)
		r = rs_procscan_run(ps, on_hit, &c);
	if (r < 0) {
		snprintf(err, errlen, "cannot scan %s: %s", o->proc_root ? o->proc_root : "/proc",
			 strerror(-r));
		goto out;
	}
	c.r->scan_processes = rs_procscan_stats(ps)->processes;
	c.r->scan_namespaces = rs_procscan_stats(ps)->namespaces;
	c.r->scan_gone = rs_procscan_stats(ps)->gone;
	if (o->at_risk && snap.id.state == RS_FILE_OK) {
		r = find_at_risk(&c);
		if (r < 0) {
			snprintf(err, errlen, "cannot look for processes at risk: %s", strerror(-r));
			goto out;
		}
	}
	qsort_r(c.r->sockets, c.r->n_sockets, sizeof(c.r->sockets[0]), cmp_sock, c.r);
	*out = c.r;
	c.r = NULL;
	r = 0;
out:
	rs_procscan_free(ps);
	rs_runtime_cache_free(c.rtc);
	if (c.proc_dirfd >= 0)
		close(c.proc_dirfd);
	rs_conf_snapshot_clear(&snap);
	rs_scan_free(c.r);
	return r;
}

/* --- rendering ------------------------------------------------------------- */

static void json_retired(struct rs_json *j, const struct rs_scan_opts *o)
{
	char text[RS_ADDR_STRLEN];

	rs_json_key(j, "retired");
	rs_json_arr_begin(j);
	for (size_t i = 0; i < o->n_retired; i++)
		rs_json_str(j, rs_addr_format(&o->retired[i], text, sizeof(text)));
	rs_json_arr_end(j);
	rs_json_kv_str(j, "retired_from", o->retired_from);
}

static void json_proc(struct rs_json *j, const struct rs_scan_proc *p)
{
	rs_render_facts_json(j, &p->facts);
	rs_json_key(j, "runtime");
	if (p->have_rt) {
		rs_json_obj_begin(j);
		rs_runtime_json(j, &p->rt);
		rs_json_obj_end(j);
	} else {
		rs_json_null(j);
	}
}

static void render_json(const struct rs_scan_result *r, const struct rs_scan_opts *o,
			struct rs_sbuf *out)
{
	char t[RS_TIME_BUF], text[RS_ADDR_STRLEN];
	struct rs_json j;

	rs_json_init(&j, out);
	rs_json_obj_begin(&j);
	rs_json_kv_int(&j, "schema", 1);
	rs_json_kv_str(&j, "time", rs_time_rfc3339(r->time_ns, t, sizeof(t)));
	rs_json_key(&j, "resolv_conf");
	rs_json_obj_begin(&j);
	rs_json_kv_str(&j, "path", o->resolv_conf);
	rs_json_kv_str(&j, "chain", r->chain);
	rs_json_key(&j, "nameservers");
	rs_json_arr_begin(&j);
	for (size_t i = 0; i < r->n_nameservers; i++)
		rs_json_str(&j, rs_addr_format(&r->nameservers[i], text, sizeof(text)));
	rs_json_arr_end(&j);
	rs_json_kv_str(&j, "mtime", rs_time_rfc3339(r->conf_mtime_ns, t, sizeof(t)));
	rs_json_obj_end(&j);
	json_retired(&j, o);
	rs_json_key(&j, "sockets");
	rs_json_arr_begin(&j);
	for (size_t i = 0; i < r->n_sockets; i++) {
		const struct rs_scan_socket *s = &r->sockets[i];
		rs_json_obj_begin(&j);
		json_proc(&j, &r->procs[s->proc]);
		rs_json_kv_int(&j, "fd", s->fd);
		rs_json_kv_str(&j, "proto", rs_proto_name(s->sock.proto));
		rs_json_kv_str(&j, "local", rs_addr_format(&s->sock.local, text, sizeof(text)));
		rs_json_kv_uint(&j, "lport", s->sock.lport);
		rs_json_kv_str(&j, "remote", rs_addr_format(&s->sock.remote, text, sizeof(text)));
		rs_json_kv_uint(&j, "rport", s->sock.rport);
		rs_json_kv_str(&j, "state", rs_sock_state_name(s->sock.proto, s->sock.state));
		rs_json_kv_uint(&j, "inode", s->sock.inode);
		rs_json_kv_uint(&j, "socket_netns", s->sock.netns);
		rs_json_kv_bool(&j, "retired", s->retired);
		rs_json_obj_end(&j);
	}
	rs_json_arr_end(&j);
	rs_json_key(&j, "at_risk");
	rs_json_arr_begin(&j);
	for (size_t i = 0; i < r->n_procs; i++) {
		if (!r->procs[i].at_risk)
			continue;
		rs_json_obj_begin(&j);
		json_proc(&j, &r->procs[i]);
		rs_json_kv_str(&j, "reason", r->procs[i].reason);
		rs_json_obj_end(&j);
	}
	rs_json_arr_end(&j);
	rs_json_key(&j, "summary");
	rs_json_obj_begin(&j);
	rs_json_kv_uint(&j, "sockets", r->n_sockets);
	rs_json_kv_uint(&j, "retired_sockets", r->n_retired_sockets);
	rs_json_kv_uint(&j, "at_risk", r->n_at_risk);
	rs_json_kv_uint(&j, "processes_scanned", r->scan_processes);
	rs_json_kv_uint(&j, "namespaces", r->scan_namespaces);
	rs_json_kv_uint(&j, "processes_examined_for_risk", r->processes_examined);
	rs_json_obj_end(&j);
	rs_json_obj_end(&j);
	rs_sbuf_putc(out, '\n');
}

static void text_runtime(struct rs_sbuf *out, const struct rs_scan_proc *p)
{
	const struct rs_runtime_path *w;
	char rule[48];

	if (!p->have_rt) {
		rs_sbuf_puts(out, "?");
		return;
	}
	w = &p->rt.primary;
	rs_sbuf_puts(out, rs_runtime_kind_name(p->rt.kind));
	if (p->rt.version[0] != '\0') {
		rs_sbuf_putc(out, ' ');
		rs_escape_text(out, p->rt.version, strlen(p->rt.version));
	}
	rs_sbuf_printf(out, ", %s", rs_runtime_path_rule(w, rule, sizeof(rule)));
	if (p->rt.second.path != RS_PATH_NONE)
		rs_sbuf_printf(out, " (%s: %s)", rs_resolver_path_name(p->rt.second.path),
			       rs_runtime_path_rule(&p->rt.second, rule, sizeof(rule)));
}

static void text_comm(struct rs_sbuf *out, const char *comm, size_t width)
{
	size_t before = out->len;

	rs_escape_text(out, comm, strlen(comm));
	while (out->len - before < width)
		rs_sbuf_putc(out, ' ');
	rs_sbuf_putc(out, ' ');
}

static bool same_row(const struct rs_scan_socket *a, const struct rs_scan_socket *b)
{
	return a->proc == b->proc && a->sock.proto == b->sock.proto &&
	       a->sock.rport == b->sock.rport && a->sock.state == b->sock.state &&
	       a->retired == b->retired && rs_addr_equal(&a->sock.remote, &b->sock.remote);
}

static void render_text(const struct rs_scan_result *r, const struct rs_scan_opts *o,
			struct rs_sbuf *out)
{
	char t[RS_TIME_BUF], text[RS_ADDR_STRLEN], where[128];

	rs_escape_text(out, r->chain, strlen(r->chain));
	rs_sbuf_printf(out, " (modified %s)\n  nameservers: ",
		       rs_time_local(r->conf_mtime_ns, t, sizeof(t)));
	rs_addrs_join(r->nameservers, r->n_nameservers, out);
	rs_sbuf_puts(out, "\n  retired:     ");
	if (o->n_retired == 0)
		rs_sbuf_puts(out, "none known");
	else
		rs_addrs_join(o->retired, o->n_retired, out);
	rs_sbuf_printf(out, " (%s)\n\n", o->retired_from);

	rs_sbuf_printf(out, "Sockets to port 53: %zu (%zu to a retired resolver)\n", r->n_sockets,
		       r->n_retired_sockets);
	if (r->n_sockets > 0)
		rs_sbuf_puts(out, "  PID      PROCESS          PROTO  REMOTE                         "
				  "STATE        UNIT/CONTAINER         RUNTIME\n");
	for (size_t i = 0; i < r->n_sockets;) {
		const struct rs_scan_socket *s = &r->sockets[i];
		const struct rs_scan_proc *p = &r->procs[s->proc];
		size_t mark, same = 1;

		/* One row per process and server: a resolver may hold many. */
		while (i + same < r->n_sockets && same_row(s, &r->sockets[i + same]))
			same++;
		i += same;
		rs_sbuf_printf(out, "  %-8d ", (int)p->facts.id.pid);
		text_comm(out, p->facts.id.comm, 16);
		rs_sbuf_printf(out, "%-6s ", rs_proto_name(s->sock.proto));
		mark = out->len;
		rs_sbuf_printf(out, "%s%s%s:%u%s", s->sock.remote.family == AF_INET6 ? "[" : "",
			       rs_addr_format(&s->sock.remote, text, sizeof(text)),
			       s->sock.remote.family == AF_INET6 ? "]" : "", s->sock.rport,
			       s->retired ? " RETIRED" : "");
		if (same > 1)
			rs_sbuf_printf(out, " x%zu", same);
		while (out->len - mark < 30)
			rs_sbuf_putc(out, ' ');
		rs_sbuf_printf(out, " %-12s ", rs_sock_state_name(s->sock.proto, s->sock.state));
		rs_proc_facts_where(&p->facts, where, sizeof(where));
		text_comm(out, where, 22);
		text_runtime(out, p);
		rs_sbuf_putc(out, '\n');
	}
	if (!o->at_risk) {
		rs_sbuf_puts(out, "\nAt risk: not examined (--no-at-risk)\n");
	} else {
		rs_sbuf_printf(out,
			       "\nAt risk: %zu (started before the file changed, read it, and "
			       "resolve through code that reads it once)\n",
			       r->n_at_risk);
		if (r->n_at_risk > 0)
			rs_sbuf_puts(out, "  PID      PROCESS          STARTED                        "
					  "UNIT/CONTAINER         RUNTIME\n");
		for (size_t i = 0; i < r->n_procs; i++) {
			const struct rs_scan_proc *p = &r->procs[i];
			if (!p->at_risk)
				continue;
			rs_sbuf_printf(out, "  %-8d ", (int)p->facts.id.pid);
			text_comm(out, p->facts.id.comm, 16);
			rs_sbuf_printf(out, "%-30s ", rs_time_local(p->facts.start_ns, t, sizeof(t)));
			rs_proc_facts_where(&p->facts, where, sizeof(where));
			text_comm(out, where, 22);
			text_runtime(out, p);
			rs_sbuf_putc(out, '\n');
		}
	}
	rs_sbuf_printf(out, "\n%zu socket%s to a retired resolver; %zu process%s at risk.\n",
		       r->n_retired_sockets, r->n_retired_sockets == 1 ? "" : "s", r->n_at_risk,
		       r->n_at_risk == 1 ? "" : "es");
}

void rs_scan_render(const struct rs_scan_result *r, const struct rs_scan_opts *o,
		    struct rs_sbuf *out)
{
	if (o->format == RS_SCAN_JSON)
		render_json(r, o, out);
	else
		render_text(r, o, out);
}

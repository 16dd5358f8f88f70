/* Verdicts: a pure function of a generation, a process and its evidence. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "resolvstale/sbuf.h"
#include "resolvstale/timefmt.h"
#include "resolvstale/verdict.h"

static const char *const verdict_names[RS_V_COUNT] = {
	[RS_V_NONE] = "none",
	[RS_V_STALE] = "stale",
	[RS_V_RECOVERED] = "recovered",
	[RS_V_RELOADED] = "reloaded",
	[RS_V_AT_RISK] = "at-risk",
	[RS_V_UNAFFECTED] = "unaffected",
	[RS_V_OTHER_CONFIG] = "other-config",
};

const char *rs_verdict_name(enum rs_verdict v)
{
	return (unsigned)v < RS_V_COUNT ? verdict_names[v] : "none";
}

enum rs_verdict rs_verdict_from_name(const char *s)
{
	for (int v = RS_V_STALE; s != NULL && v < RS_V_COUNT; v++)
		if (strcmp(s, verdict_names[v]) == 0)
			return (enum rs_verdict)v;
	return RS_V_NONE;
}

const char *rs_ev_kind_name(enum rs_ev_kind k)
{
	switch (k) {
	case RS_EK_SEND:
		return "dns_send";
	case RS_EK_SOCKET:
		return "socket";
	case RS_EK_OPEN:
		return "config_open";
	case RS_EK_STAT:
		return "config_stat";
	}
	return "unknown";
}

enum rs_ev_kind rs_ev_kind_from_name(const char *s)
{
	for (int k = RS_EK_SEND; s != NULL && k <= RS_EK_STAT; k++)
		if (strcmp(s, rs_ev_kind_name((enum rs_ev_kind)k)) == 0)
			return (enum rs_ev_kind)k;
	return 0;
}

bool rs_addr_in(const struct rs_addr *addr, const struct rs_addr *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rs_addr_same_server(addr, &list[i]))
			return true;
	return false;
}

static bool is_traffic(const struct rs_evidence *e)
{
	return (e->kind == RS_EK_SEND || e->kind == RS_EK_SOCKET) && e->port == 53 &&
	       e->dst.family != 0;
}

bool rs_evidence_is_stale(const struct rs_evidence *e, const struct rs_vgen *gen,
			  const struct rs_vproc *proc)
{
	/* Grace absorbs queries in flight at the change; a process started
	 * after it had none. */
	int64_t from = gen->t_ns + (proc->start_ns > gen->t_ns ? 0 : gen->grace_ns);

	if (!is_traffic(e) || e->last_ns < from)
		return false;
	if (!rs_addr_in(&e->dst, gen->retired, gen->n_retired))
		return false;
	return !rs_addr_is_loopback(&e->dst) || proc->loopback_ok;
}

/* Whether the space-separated list (or command line) names addr as a word,
 * or after '@' (dig @192.0.2.1). */
static bool text_names(const char *text, const struct rs_addr *addr)
{
	char want[RS_ADDR_STRLEN];
	size_t n;

	if (text == NULL)
		return false;
	rs_addr_format(addr, want, sizeof(want));
	n = strlen(want);
	for (const char *p = strstr(text, want); p != NULL; p = strstr(p + 1, want)) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '@' || p[-1] == '=' ||
			     p[-1] == '[' || p[-1] == ',';
		char after = p[n];
		bool end = after == '\0' || after == ' ' || after == ']' || after == '#' ||
			   after == ':' || after == ',' || after == '/';
		if (start && end)
			return true;
	}
	return false;
}

static const char *rule_text(const struct rs_runtime_path *p, char *buf, size_t len)
{
	return rs_runtime_path_rule(p, buf, len);
}

/* What the evidence shows, summed up. */
struct tally {
	bool stale, stale_send, stale_socket;
	int64_t last_stale_send, last_stale_socket, last_stale_any;
	uint64_t stale_count;
	struct rs_addr stale_dst;
	const char *stale_syscall;
	bool has_new;
	int64_t last_new;
	uint64_t new_count;
	struct rs_addr new_dst;
	bool reread;
	int64_t last_open;
};

static void tally(const struct rs_vgen *gen, const struct rs_vproc *proc,
		  const struct rs_evidence *ev, size_t n_ev, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n_ev; i++) {
		const struct rs_evidence *e = &ev[i];

		if (rs_evidence_is_stale(e, gen, proc)) {
			if (!t->stale || e->last_ns > t->last_stale_any) {
				t->stale_dst = e->dst;
				t->last_stale_any = e->last_ns;
			}
			t->stale = true;
			t->stale_count += e->count;
			if (e->kind == RS_EK_SEND) {
				t->stale_send = true;
				if (e->last_ns > t->last_stale_send) {
					t->last_stale_send = e->last_ns;
					t->stale_syscall = e->syscall;
				}
			} else {
				t->stale_socket = true;
				if (e->last_ns > t->last_stale_socket)
					t->last_stale_socket = e->last_ns;
			}
		} else if (e->kind == RS_EK_SEND && is_traffic(e) && e->last_ns >= gen->t_ns &&
			   rs_addr_in(&e->dst, gen->current, gen->n_current)) {
			t->has_new = true;
			t->new_count += e->count;
			if (e->last_ns > t->last_new) {
				t->last_new = e->last_ns;
				t->new_dst = e->dst;
			}
		} else if (e->kind == RS_EK_OPEN && e->last_ns >= gen->t_ns) {
			t->reread = true;
			if (e->last_ns > t->last_open)
				t->last_open = e->last_ns;
		}
	}
}

static void say(struct rs_vresult *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct rs_vresult *out, const char *fmt, ...)
{
	size_t n = strlen(out->reason);
	va_list ap;

	if (n >= sizeof(out->reason) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out->reason + n, sizeof(out->reason) - n, fmt, ap);
	va_end(ap);
}

static void decide_stale(const struct rs_vgen *gen, const struct rs_vproc *proc,
			 const struct tally *t, const struct rs_vseq *seq, struct rs_vresult *out)
{
	char a[RS_ADDR_STRLEN];
	int64_t last = t->last_stale_send > t->last_stale_socket ? t->last_stale_send
								 : t->last_stale_socket;

	rs_addr_format(&t->stale_dst, a, sizeof(a));
	out->last_stale_ns = last;
	out->stale_count = t->stale_count;
	out->stale_dst = t->stale_dst;
	out->own_file_lists =
		proc->domain == RS_DOMAIN_OTHER && text_names(proc->config_ns, &t->stale_dst);
	out->explicit_server = !out->own_file_lists &&
			       (text_names(proc->cmdline, &t->stale_dst) ||
				(proc->start_ns > gen->t_ns && proc->domain != RS_DOMAIN_OTHER));

	/* A clean switch: every send to a current server came after the last
	 * stale send, and no socket to a retired server was seen since. */
	if (t->stale_send && seq != NULL && seq->new_after > 0 && seq->new_before == 0 &&
	    t->last_new > t->last_stale_send && t->last_stale_socket < t->last_new) {
		out->verdict = RS_V_RECOVERED;
		char when[RS_TIME_BUF];

		say(out, "sent to retired %s until %s, then only to current servers", a,
		    rs_time_rfc3339(t->last_stale_send, when, sizeof(when)));
		if (t->reread && t->last_open > t->last_stale_send)
			say(out, " after opening resolv.conf again");
		return;
	}
	out->verdict = RS_V_STALE;
	if (t->stale_send)
		say(out, "sent to retired %s after the change (%s)", a,
		    t->stale_syscall && t->stale_syscall[0] ? t->stale_syscall : "dns_send");
	else
		say(out, "holds a socket connected to retired %s:53 after the change", a);
	if (out->own_file_lists)
		say(out, "; its own resolv.conf lists %s", a);
	else if (out->explicit_server && text_names(proc->cmdline, &t->stale_dst))
		say(out, "; explicit server: its command line names %s", a);
	else if (out->explicit_server)
		say(out,
		    "; explicit server: it started after the change, so it was given %s "
		    "by its command line or its own configuration",
		    a);
	if (seq != NULL && seq->new_before > 0)
		say(out, "; it also sent to current servers before that (two resolver paths, "
			 "or a fallback): the worse one counts");
	else if (t->has_new && t->last_stale_socket >= t->last_new)
		say(out, "; it sends to current servers too, but still holds that socket");
}

static void decide_idle(const struct rs_vgen *gen, const struct rs_vproc *proc,
			const struct tally *t, struct rs_vresult *out)
{
	char rule[48], a[RS_ADDR_STRLEN], when[RS_TIME_BUF];
	const char *kind = rs_runtime_kind_name(proc->runtime);

	if (proc->start_ns > gen->t_ns) {
		out->verdict = RS_V_UNAFFECTED;
		say(out, "started after the change (at %s): it read the new file",
		    rs_time_rfc3339(proc->start_ns, when, sizeof(when)));
		return;
	}
	if (t->reread) {
		out->verdict = RS_V_RELOADED;
		say(out, "opened resolv.conf again after the change (%s)",
		    rs_time_rfc3339(t->last_open, when, sizeof(when)));
		if (t->has_new)
			say(out, " and sent only to current servers (%s, %llu)",
			    rs_addr_format(&t->new_dst, a, sizeof(a)),
			    (unsigned long long)t->new_count);
		if (proc->have_runtime && proc->second.path != RS_PATH_NONE &&
		    proc->second.rule == RS_RELOAD_READS_ONCE)
			say(out, "; its %s path reads once and was not seen in use",
			    rs_resolver_path_name(proc->second.path));
		return;
	}
	if (t->has_new) {
		out->verdict = RS_V_RELOADED;
		say(out, "sent only to current servers since the change (%s, %llu)",
		    rs_addr_format(&t->new_dst, a, sizeof(a)), (unsigned long long)t->new_count);
		return;
	}
	if (proc->exited) {
		out->verdict = RS_V_UNAFFECTED;
		say(out, "exited without resolving again after the change");
		return;
	}
	if (proc->start_ns != 0 && proc->have_runtime &&
	    proc->primary.rule == RS_RELOAD_READS_ONCE) {
		out->verdict = RS_V_AT_RISK;
		say(out,
		    "no lookup since the change, and %s (%s path) reads resolv.conf once: "
		    "its next lookup goes to the old servers",
		    kind, rs_resolver_path_name(proc->primary.path));
		return;
	}
	out->verdict = RS_V_UNAFFECTED;
	if (!proc->have_runtime || proc->runtime == RS_RT_UNKNOWN) {
		say(out, "no DNS activity since the change and no resolver recognised");
		return;
	}
	say(out, "no stale evidence; %s %s path %s", kind,
	    rs_resolver_path_name(proc->primary.path),
	    rule_text(&proc->primary, rule, sizeof(rule)));
	if (proc->second.path != RS_PATH_NONE && proc->second.rule == RS_RELOAD_READS_ONCE)
		say(out, " (its %s path reads once: stale if it is used)",
		    rs_resolver_path_name(proc->second.path));
}

void rs_verdict_decide(const struct rs_vgen *gen, const struct rs_vproc *proc,
		       const struct rs_evidence *ev, size_t n_ev, const struct rs_vseq *seq,
		       struct rs_vresult *out)
{
	struct tally t;

	memset(out, 0, sizeof(*out));
	tally(gen, proc, ev, n_ev, &t);
	if (t.stale) {
		decide_stale(gen, proc, &t, seq, out);
		return;
	}
	if (proc->domain == RS_DOMAIN_OTHER || proc->domain == RS_DOMAIN_NONE) {
		out->verdict = RS_V_OTHER_CONFIG;
		if (proc->domain == RS_DOMAIN_NONE)
			say(out, "has no resolv.conf of its own view: the change does not apply");
		else if (proc->config_ns != NULL && proc->config_ns[0] != '\0')
			say(out,
			    "reads another resolv.conf (nameservers %s): the change does "
			    "not apply",
			    proc->config_ns);
		else
			say(out, "reads another resolv.conf: the change does not apply");
		return;
	}
	decide_idle(gen, proc, &t, out);
}

/* --- actions ------------------------------------------------------------------ */

bool rs_unit_is_service(const char *unit)
{
	size_t n;

	if (unit == NULL)
		return false;
	n = strlen(unit);
	if (n <= 8 || strcmp(unit + n - 8, ".service") != 0)
		return false;
	return strncmp(unit, "user@", 5) != 0;
}

static void quoted_cmd(struct rs_sbuf *sb, const struct rs_action_in *in)
{
	const char *what = in->cmdline && in->cmdline[0] ? in->cmdline
			   : in->exe                     ? in->exe
			   : in->comm                    ? in->comm
							 : "?";
	char shown[121];

	/* Bounded and already escaped by the caller when printed. */
	snprintf(shown, sizeof(shown), "%s", what);
	if (strlen(what) > 120)
		memcpy(shown + 117, "...", 4);
	rs_sbuf_puts(sb, shown);
}

static void restart_line(struct rs_sbuf *sb, const struct rs_action_in *in)
{
	const char *ck = in->container_kind;
	char id[13];

	if (in->runtime == RS_RT_DNSMASQ && in->alive) {
		rs_sbuf_printf(sb, "kill -HUP %d (dnsmasq reads its servers again)", (int)in->pid);
		return;
	}
	if (ck != NULL && ck[0] != '\0' && in->container_id != NULL) {
		snprintf(id, sizeof(id), "%s", in->container_id);
		if (strcmp(ck, "docker") == 0 || strcmp(ck, "podman") == 0)
			rs_sbuf_printf(sb, "%s restart %s", ck, id);
		else if (strcmp(ck, "lxc") == 0)
			rs_sbuf_printf(sb, "lxc-stop -r -n %s", in->container_id);
		else
			rs_sbuf_printf(sb, "restart the pod of %s container %s", ck, id);
		return;
	}
	if (rs_unit_is_service(in->unit)) {
		if (in->user_unit && in->unit_uid >= 0)
			rs_sbuf_printf(sb, "systemctl --user -M %lld@ restart %s",
				       (long long)in->unit_uid, in->unit);
		else if (in->user_unit)
			rs_sbuf_printf(sb, "systemctl --user restart %s", in->unit);
		else
			rs_sbuf_printf(sb, "systemctl restart %s", in->unit);
		return;
	}
	rs_sbuf_printf(sb, "restart pid %d: ", (int)in->pid);
	quoted_cmd(sb, in);
}

void rs_verdict_action(const struct rs_action_in *in, char *buf, size_t len)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	switch (in->verdict) {
	case RS_V_STALE:
		if (in->own_file_lists || in->domain == RS_DOMAIN_OTHER) {
			if (in->container_kind != NULL && in->container_kind[0] != '\0')
				rs_sbuf_printf(&sb,
					       "fix or recreate the %s container %.12s: its "
					       "resolv.conf copy lists the retired server",
					       in->container_kind,
					       in->container_id ? in->container_id : "?");
			else
				rs_sbuf_printf(&sb,
					       "fix or recreate its resolv.conf (pid %d has "
					       "its own copy): it lists the retired server",
					       (int)in->pid);
		} else if (in->explicit_server) {
			rs_sbuf_puts(&sb, "change what names the retired server: ");
			quoted_cmd(&sb, in);
		} else if (!in->alive) {
			rs_sbuf_puts(&sb, "exited; if it runs again, restart what starts it");
		} else {
			restart_line(&sb, in);
		}
		break;
	case RS_V_AT_RISK:
		restart_line(&sb, in);
		rs_sbuf_puts(&sb, " (before its next lookup)");
		break;
	case RS_V_RECOVERED:
		rs_sbuf_puts(&sb, "none: it moved on by itself");
		break;
	default:
		rs_sbuf_puts(&sb, "none");
		break;
	}
	snprintf(buf, len, "%s", sb.len > 0 ? rs_sbuf_str(&sb) : "none");
	rs_sbuf_free(&sb);
}

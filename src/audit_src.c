/* The audit source: the kernel's audit records, live. */
#include <errno.h>
#include <libaudit.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "resolvstale/audit_rec.h"
#include "resolvstale/audit_rules.h"
#include "resolvstale/audit_src.h"
#include "resolvstale/timefmt.h"

#define DEFAULT_BACKLOG_LIMIT 8192
#define RECV_BUF              (MAX_AUDIT_MESSAGE_LENGTH + NLMSG_HDRLEN + 64)
#define VERIFY_EVERY_TICKS    10 /* list our rules every ~10 s */

struct rs_audit_src {
	struct rs_audit_src_opts o;
	int32_t self;  /* our pid */
	int host_lock; /* one audit source per host: they share the key prefix */
	int ctl;       /* requests and replies */
	int reader;    /* records: multicast, or the registered socket */
	bool registered;
	struct rs_audit_state saved; /* as found */
	bool changed_enabled, changed_backlog;
	bool we_enable; /* audit was off when found: on only while rules are loaded */
	uint32_t enabled_now;
	uint32_t last_lost;
	bool have_lost;
	char *target;
	struct rs_audit_rule rules[RS_AUDIT_MAX_RULES];
	size_t n_rules;
	unsigned groups;         /* RS_AUDIT_GROUP_* loaded now */
	unsigned expected_rules; /* as the kernel lists them after our last change */
	bool rules_removed;
	int32_t remover_pid;
	unsigned own_removals; /* remove_rule records still to come from us */
	bool no_send_rules;    /* the kernel refused saddr_fam: no DNS send rules */
	unsigned ticks;
	bool saw_own_change; /* our own add_rule came back: records flow */
	struct rs_audit_feed *feed;
	struct rs_audit_match match;
	struct rs_audit_src_stats stats;
	char *buf;
};

/* A one-line message for the operator (event.h). */
#define notice(x, level, ...) rs_notice((x)->o.notice, (x)->o.notice_ctx, level, __VA_ARGS__)

static void emit_lost(struct rs_audit_src *s, uint64_t count, const char *reason)
{
	struct rs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = RS_EV_EVENTS_LOST;
	ev.source = RS_SRC_AUDIT;
	ev.time_ns = rs_time_now_ns();
	ev.proc.ppid = -1;
	ev.proc.uid = ev.proc.auid = -1;
	ev.u.lost.count = count;
	ev.u.lost.reason = reason;
	rs_sink_emit(&s->o.sink, &ev);
}

static void on_audit_event(void *ctx, const struct rs_audit_event *ae)
{
	struct rs_audit_src *s = ctx;
	struct rs_event evs[4];
	size_t n;

	s->stats.events++;
	if (ae->has_config_change &&
	    strncmp(ae->cc_key, RS_AUDIT_KEY_PREFIX, strlen(RS_AUDIT_KEY_PREFIX)) == 0) {
		/* CONFIG_CHANGE names no pid; the SYSCALL record of the same
		 * event does, but only for a task with an audit context (one
		 * forked after audit was first enabled). So count our own
		 * removals instead of trusting the pid alone. */
		int32_t pid = ae->cc_pid ? ae->cc_pid : ae->pid;
		if (strcmp(ae->cc_op, "add_rule") == 0) {
			s->saw_own_change = true; /* only we add these keys */
		} else if (strcmp(ae->cc_op, "remove_rule") == 0) {
			if (pid == getpid() || (pid == 0 && s->own_removals > 0)) {
				if (s->own_removals > 0)
					s->own_removals--;
			} else {
				s->rules_removed = true;
				s->remover_pid = pid;
			}
		}
		return;
	}
	if (ae->has_sockaddr && ae->port != 53 && ae->has_syscall) {
		s->stats.other_sends++;
		return;
	}
	/* Our own reads: our rules exclude our pid, rules loaded by others
	 * (the shipped ones) do not. */
	if (ae->pid == s->self)
		return;
	n = rs_audit_classify(ae, &s->match, evs, sizeof(evs) / sizeof(evs[0]));
	for (size_t i = 0; i < n; i++) {
		rs_proccache_fill(s->o.cache, &evs[i].proc, rs_time_now_ns());
		if (evs[i].type == RS_EV_DNS_SEND)
			s->stats.dns_sends++;
		else
			s->stats.config++;
		rs_sink_emit(&s->o.sink, &evs[i]);
	}
}

/* Read every record waiting on the reader socket. */
int rs_audit_src_process(struct rs_audit_src *s)
{
	for (int guard = 0; guard < 100000; guard++) {
		struct sockaddr_nl sa;
		socklen_t salen = sizeof(sa);
		struct nlmsghdr *nlh;
		ssize_t n;
		size_t plen;

		n = recvfrom(s->reader, s->buf, RECV_BUF, MSG_DONTWAIT, (struct sockaddr *)&sa,
			     &salen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				/* The kernel dropped records for us: say so. */
				s->stats.socket_lost++;
				emit_lost(s, 0, "audit netlink socket overflow (ENOBUFS)");
				continue;
			}
			return -errno;
		}
		if (salen < sizeof(sa) || sa.nl_pid != 0)
			continue; /* only the kernel speaks here */
		nlh = (struct nlmsghdr *)s->buf;
		if ((size_t)n < NLMSG_HDRLEN)
			continue;
		/* Audit records' nlmsg_len has not always counted the header:
		 * trust what was received, bounded by the header's claim. */
		plen = (size_t)n - NLMSG_HDRLEN;
		if (nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len - NLMSG_HDRLEN < plen)
			plen = nlh->nlmsg_len - NLMSG_HDRLEN;
		if (nlh->nlmsg_type < AUDIT_FIRST_EVENT || nlh->nlmsg_type > AUDIT_LAST_EVENT)
			continue;
		s->stats.records++;
		if (rs_audit_feed_record(s->feed, nlh->nlmsg_type, NLMSG_DATA(nlh), plen) ==
		    -ENOMEM)
			return -ENOMEM;
	}
	return 0;
}

static int open_reader(struct rs_audit_src *s, char *err, size_t errlen)
{
	struct sockaddr_nl sa;
	int size = 8 << 20;

	if (s->o.register_daemon) {
		int r;
		s->reader = audit_open();
		if (s->reader < 0) {
			snprintf(err, errlen, "cannot open an audit socket: %s", strerror(errno));
			return -errno;
		}
		r = audit_set_pid(s->reader, (uint32_t)getpid(), WAIT_YES);
		if (r < 0) {
			snprintf(err, errlen,
				 "cannot register as the audit daemon: %s (is auditd running?)",
				 strerror(-r));
			return r == -EEXIST ? -EBUSY : r;
		}
		s->registered = true;
	} else {
		s->reader =
			socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
		if (s->reader < 0) {
			snprintf(err, errlen, "cannot open an audit socket: %s", strerror(errno));
			return -errno;
		}
		memset(&sa, 0, sizeof(sa));
		sa.nl_family = AF_NETLINK;
		sa.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1);
		if (bind(s->reader, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;
			snprintf(err, errlen, "cannot join the audit multicast group: %s%s",
				 strerror(e), e == EPERM ? " (needs CAP_AUDIT_READ)" : "");
			return -e;
		}
	}
	/* A burst of records must not overflow us: ask for a large buffer
	 * (SO_RCVBUFFORCE needs CAP_NET_ADMIN; fall back quietly). */
	if (setsockopt(s->reader, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(s->reader, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

/* Wait (bounded) for the CONFIG_CHANGE record of our own rule additions:
 * proof that records reach us. */
static bool records_flow(struct rs_audit_src *s, int timeout_ms)
{
	int64_t end = rs_time_mono_ns() + (int64_t)timeout_ms * RS_NS_PER_MS;

	while (!s->saw_own_change) {
		struct pollfd p = {s->reader, POLLIN, 0};
		int64_t left = (end - rs_time_mono_ns()) / RS_NS_PER_MS;
		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		if (rs_audit_src_process(s) < 0)
			break;
		rs_audit_feed_age(s->feed);
	}
	return s->saw_own_change;
}

/* Only one resolvstale audit source per host: two would delete each other's
 * rules (same key prefix). An abstract unix socket is the lock: it goes away
 * with its process, and a second daemon can ask it who holds it. */
#define HOST_LOCK_NAME "resolvstale/audit-source"

static int take_host_lock(struct rs_audit_src *s, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, HOST_LOCK_NAME, strlen(HOST_LOCK_NAME));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(HOST_LOCK_NAME));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 4) == 0) {
		s->host_lock = fd;
		return 0;
	}
	close(fd);
	if (errno != EADDRINUSE)
		return -errno;
	/* Held: find out by whom. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		if (connect(fd, (struct sockaddr *)&sa, len) == 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) {
			snprintf(
				err, errlen,
				"another resolvstale daemon (pid %d) runs the audit source on this "
				"host: only one can own the audit rules",
				(int)cred.pid);
			close(fd);
			return -EBUSY;
		}
		close(fd);
	}
	snprintf(err, errlen, "another resolvstale daemon runs the audit source on this host");
	return -EBUSY;
}

/* Delete our rules of a key prefix, expecting their CONFIG_CHANGE records:
 * they must not read as someone else's removal. */
static void delete_own(struct rs_audit_src *s, const char *prefix)
{
	char err[256];
	unsigned deleted = 0;

	rs_audit_rules_delete_prefix(s->ctl, prefix, &deleted, err, sizeof(err));
	s->own_removals += deleted;
}

/* Every rule for the current target; the groups pick from it. */
static void build_rules(struct rs_audit_src *s)
{
	s->n_rules = rs_audit_rules_build(s->target, getpid(), s->rules, RS_AUDIT_MAX_RULES);
}

/* Remove one group's rules: its key is its own, so by exact key. */
static void remove_group(struct rs_audit_src *s, unsigned g)
{
	delete_own(s, rs_audit_group_key(g));
	s->groups &= ~g;
}

/* A kernel before 5.3 cannot filter sends by address family; an unfiltered
 * send rule would record every send on the host, so track sends without
 * audit from now on. */
static void no_saddr_fam(struct rs_audit_src *s)
{
	s->no_send_rules = true;
	notice(s, "warning",
	       "this kernel cannot filter audit send rules by address family "
	       "(saddr_fam, kernel 5.3): audit does not track DNS sends");
}

/* Add one group's rules. A group is loaded whole or not at all: what was
 * added before a failure is removed again, so that rs_audit_src_groups and
 * the periodic count check agree with the kernel. */
static int add_group(struct rs_audit_src *s, unsigned g, char *err, size_t errlen)
{
	struct rs_audit_rule sel[RS_AUDIT_MAX_RULES];
	size_t n;
	int r = 0;

	if (g == RS_AUDIT_GROUP_DNS && s->no_send_rules)
		return 0;
	n = rs_audit_rules_select(s->rules, s->n_rules, g, sel, RS_AUDIT_MAX_RULES);
	for (size_t i = 0; i < n && r == 0; i++)
		r = rs_audit_rules_add(s->ctl, &sel[i], 1, err, errlen);
	if (r == 0) {
		s->groups |= g;
		return 0;
	}
	delete_own(s, rs_audit_group_key(g));
	if (r == -EINVAL && g == RS_AUDIT_GROUP_DNS) {
		no_saddr_fam(s);
		return 0; /* a known limit, said once: not a failure */
	}
	return r;
}

/* What can be loaded of groups: DNS not without saddr_fam. */
static unsigned wanted_groups(const struct rs_audit_src *s, unsigned groups)
{
	unsigned want = groups & RS_AUDIT_GROUP_ALL;

	if (s->no_send_rules)
		want &= ~RS_AUDIT_GROUP_DNS;
	return want;
}

/* Remove and add groups until wanted_groups(groups) is loaded. One group's
 * failure does not stop the others; returns 0 or the first error (in err). */
static int apply_groups(struct rs_audit_src *s, unsigned groups, char *err, size_t errlen)
{
	static const unsigned order[] = {RS_AUDIT_GROUP_WRITE, RS_AUDIT_GROUP_CONF,
					 RS_AUDIT_GROUP_DNS};
	unsigned want = wanted_groups(s, groups);
	unsigned add = want & ~s->groups, drop = s->groups & ~want;
	char more[256];
	int rc = 0;

	/* The kernel gives an event the key of the first rule that matches,
	 * and a write is also an open: the write rule must come before the
	 * conf rules, and the kernel appends. */
	if ((add & RS_AUDIT_GROUP_WRITE) && (s->groups & want & RS_AUDIT_GROUP_CONF)) {
		drop |= RS_AUDIT_GROUP_CONF;
		add |= RS_AUDIT_GROUP_CONF;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (drop & order[i])
			remove_group(s, order[i]);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int r;
		if ((add & order[i]) == 0)
			continue;
		r = add_group(s, order[i], rc == 0 ? err : more, rc == 0 ? errlen : sizeof(more));
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

/* The periodic check compares the kernel's count with this: take it after
 * each change of ours, or a group we removed would look deleted by someone
 * else. */
static int recount(struct rs_audit_src *s)
{
	return rs_audit_rules_count_prefix(s->ctl, RS_AUDIT_KEY_PREFIX, &s->expected_rules);
}

/* Audit that was off when found is on only while some of our rules are
 * loaded: enabled audit costs every syscall of every process forked since
 * it was first enabled a little (its context is filled in), rules or not. */
static void follow_enabled(struct rs_audit_src *s)
{
	uint32_t want = s->groups != 0 ? 1 : s->saved.enabled;
	int r;

	if (!s->we_enable || want == s->enabled_now)
		return;
	r = audit_set_enabled(s->ctl, want);
	if (r < 0) {
		notice(s, "warning", "cannot set the audit enabled flag to %u: %s", want,
		       strerror(-r));
		return;
	}
	s->enabled_now = want;
}

/* Proof that records reach us is the CONFIG_CHANGE record of one of our own
 * rule additions. Without a target (no path rules) and without DNS loaded
 * there is none: load DNS for the proof and remove it again. */
static bool prove_records_flow(struct rs_audit_src *s)
{
	char err[256];
	bool ok;

	if (s->expected_rules > 0 || (s->groups & RS_AUDIT_GROUP_DNS))
		return records_flow(s, 1000);
	if (add_group(s, RS_AUDIT_GROUP_DNS, err, sizeof(err)) < 0 ||
	    (s->groups & RS_AUDIT_GROUP_DNS) == 0)
		return false;
	ok = records_flow(s, 1000);
	remove_group(s, RS_AUDIT_GROUP_DNS);
	return ok;
}

int rs_audit_src_new(const struct rs_audit_src_opts *o, struct rs_audit_src **out, char *err,
		     size_t errlen)
{
	struct rs_audit_src *s;
	unsigned deleted = 0;
	uint32_t want_backlog, cur_enabled = 0, cur_backlog = 0;
	int r;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->o = *o;
	s->ctl = s->reader = s->host_lock = -1;
	s->buf = malloc(RECV_BUF);
	s->target = o->target ? strdup(o->target) : NULL;
	s->feed = rs_audit_feed_new(on_audit_event, s);
	if (s->buf == NULL || s->feed == NULL || (o->target && s->target == NULL)) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->self = (int32_t)getpid();
	s->match.target = s->target;
	s->match.target_ino = o->target_ino;
	s->match.target_dev = o->target_dev;
	s->match.our_keys = RS_AUDIT_KEY_PREFIX;

	r = take_host_lock(s, err, errlen);
	if (r < 0) {
		if (r != -EBUSY)
			snprintf(err, errlen, "cannot take the audit source lock: %s",
				 strerror(-r));
		goto fail;
	}
	s->ctl = audit_open();
	if (s->ctl < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open the audit control socket: %s%s", strerror(errno),
			 errno == EPROTONOSUPPORT ? " (kernel without audit support)" : "");
		goto fail;
	}
	r = rs_audit_get_state(s->ctl, &s->saved);
	cur_enabled = s->saved.enabled;
	cur_backlog = s->saved.backlog_limit;
	if (r < 0) {
		snprintf(err, errlen, "cannot read the audit status: %s%s", strerror(-r),
			 r == -EPERM ? " (needs CAP_AUDIT_CONTROL)" : "");
		goto fail;
	}
	if (s->saved.enabled == 2) {
		r = -EBUSY;
		snprintf(err, errlen,
			 "the audit configuration is locked (enabled 2, -e 2): no rule "
			 "can be added until reboot");
		goto fail;
	}
	r = rs_audit_rules_delete_prefix(s->ctl, RS_AUDIT_KEY_PREFIX, &deleted, err, errlen);
	if (r < 0)
		goto fail;
	if (deleted > 0)
		notice(s, "notice", "removed %u audit rules left by an earlier resolvstale run",
		       deleted);
	r = open_reader(s, err, errlen);
	if (r < 0)
		goto fail;
	if (o->restore != NULL) {
		/* An earlier run crashed with its own settings in place: what
		 * it found is what must come back. */
		s->saved.enabled = o->restore->enabled;
		s->saved.backlog_limit = o->restore->backlog_limit;
	}
	s->changed_enabled = s->saved.enabled != cur_enabled;
	s->changed_backlog = s->saved.backlog_limit != cur_backlog;
	if (cur_enabled == 0) {
		r = audit_set_enabled(s->ctl, 1);
		if (r < 0) {
			snprintf(err, errlen, "cannot enable audit: %s", strerror(-r));
			goto fail;
		}
		s->changed_enabled = true;
		s->we_enable = true;
		s->enabled_now = 1;
		notice(s, "notice",
		       "kernel audit was off: it is on while resolvstale's audit rules are loaded "
		       "and off again after. Processes started before audit was ever enabled have "
		       "no audit context and stay invisible to audit (the ebpf tripwire and the "
		       "/proc scanner see them)");
	}
	want_backlog = o->backlog_limit ? o->backlog_limit : DEFAULT_BACKLOG_LIMIT;
	if (cur_backlog < want_backlog) {
		r = audit_set_backlog_limit(s->ctl, want_backlog);
		if (r < 0) {
			snprintf(err, errlen, "cannot raise the audit backlog limit: %s",
				 strerror(-r));
			goto fail;
		}
		s->changed_backlog = true;
	}
	build_rules(s);
	r = apply_groups(s, o->groups, err, errlen);
	if (r < 0)
		goto fail;
	r = recount(s);
	if (r < 0) {
		snprintf(err, errlen, "cannot list audit rules: %s", strerror(-r));
		goto fail;
	}
	if (!prove_records_flow(s)) {
		r = -EXDEV;
		snprintf(err, errlen,
			 "no audit record arrives%s: the audit multicast group is delivered in the "
			 "initial network namespace only; run the daemon there",
			 s->registered ? " on the registered socket" : " on the multicast group");
		goto fail;
	}
	s->have_lost = true;
	s->last_lost = s->saved.lost;
	follow_enabled(s);
	*out = s;
	return 0;
fail:
	rs_audit_src_free(s);
	return r;
}

void rs_audit_src_free(struct rs_audit_src *s)
{
	char err[256];
	unsigned deleted;

	if (s == NULL)
		return;
	if (s->ctl >= 0) {
		rs_audit_rules_delete_prefix(s->ctl, RS_AUDIT_KEY_PREFIX, &deleted, err,
					     sizeof(err));
		if (s->changed_backlog)
			audit_set_backlog_limit(s->ctl, s->saved.backlog_limit);
		if (s->changed_enabled)
			audit_set_enabled(s->ctl, s->saved.enabled);
	}
	if (s->registered)
		audit_set_pid(s->reader, 0, WAIT_YES);
	if (s->reader >= 0)
		close(s->reader);
	if (s->ctl >= 0)
		audit_close(s->ctl);
	rs_audit_feed_free(s->feed);
	if (s->host_lock >= 0)
		close(s->host_lock);
	free(s->target);
	free(s->buf);
	free(s);
}

int rs_audit_src_fd(const struct rs_audit_src *s)
{
	return s->reader;
}

const struct rs_audit_src_stats *rs_audit_src_stats(const struct rs_audit_src *s)
{
	return &s->stats;
}

/* Someone removed some of our rules: remove the rest and add the loaded
 * groups again, in order (write before conf). Groups that are not loaded
 * stay out. */
static void restore_rules(struct rs_audit_src *s, const char *why)
{
	char err[256];
	unsigned loaded = s->groups;
	int r;

	delete_own(s, RS_AUDIT_KEY_PREFIX);
	s->groups = 0;
	r = apply_groups(s, loaded, err, sizeof(err));
	recount(s);
	if (r < 0) {
		notice(s, "error", "%s; adding them again failed: %s", why, err);
		return;
	}
	s->stats.rules_readded++;
	notice(s, "warning", "%s; added them again (events in between were not recorded)", why);
	emit_lost(s, 0, "audit rules were removed by another process");
}

void rs_audit_src_tick(struct rs_audit_src *s)
{
	struct rs_audit_state st;
	unsigned count;

	rs_audit_feed_age(s->feed);
	if (rs_audit_get_state(s->ctl, &st) == 0) {
		if (s->have_lost && st.lost > s->last_lost) {
			uint32_t delta = st.lost - s->last_lost;
			s->stats.kernel_lost += delta;
			emit_lost(s, delta,
				  "the kernel's audit lost counter increased (backlog full, "
				  "or no audit daemon to hold records for)");
		}
		s->last_lost = st.lost;
		s->have_lost = true;
	}
	if (s->rules_removed) {
		char why[128];
		s->rules_removed = false;
		snprintf(why, sizeof(why), "resolvstale's audit rules were removed by pid %d",
			 (int)s->remover_pid);
		restore_rules(s, why);
	} else if (++s->ticks % VERIFY_EVERY_TICKS == 0 &&
		   rs_audit_rules_count_prefix(s->ctl, RS_AUDIT_KEY_PREFIX, &count) == 0 &&
		   count < s->expected_rules) {
		restore_rules(s, "resolvstale's audit rules disappeared");
	}
}

int rs_audit_src_retarget(struct rs_audit_src *s, const char *target, uint64_t ino, uint64_t dev)
{
	char err[256];
	unsigned paths;
	char *t;
	int r;

	s->match.target_ino = ino;
	s->match.target_dev = dev;
	if (target == NULL || (s->target != NULL && strcmp(target, s->target) == 0))
		return 0;
	t = strdup(target);
	if (t == NULL)
		return -ENOMEM;
	free(s->target);
	s->target = t;
	s->match.target = t;
	/* A watch names a path: move the path rules of the loaded groups,
	 * leave the send rules. */
	paths = s->groups & (RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_CONF);
	remove_group(s, RS_AUDIT_GROUP_WRITE);
	remove_group(s, RS_AUDIT_GROUP_CONF);
	build_rules(s);
	r = apply_groups(s, s->groups | paths, err, sizeof(err));
	recount(s);
	if (r < 0) {
		notice(s, "error", "cannot move the audit rules to %s: %s", target, err);
		return r;
	}
	return 0;
}

int rs_audit_src_set_groups(struct rs_audit_src *s, unsigned groups)
{
	char err[256], want[32], have[32];
	unsigned before = s->groups;
	int r;

	if (wanted_groups(s, groups) == s->groups)
		return 0; /* nothing to do: no netlink traffic either */
	r = apply_groups(s, groups, err, sizeof(err));
	recount(s);
	follow_enabled(s);
	if (s->groups != before)
		s->stats.group_changes++;
	if (r < 0)
		notice(s, "error", "cannot load the audit rule groups %s (loaded now: %s): %s",
		       rs_audit_groups_format(wanted_groups(s, groups), want, sizeof(want)),
		       rs_audit_groups_format(s->groups, have, sizeof(have)), err);
	return r;
}

unsigned rs_audit_src_groups(const struct rs_audit_src *s)
{
	return s->groups;
}

bool rs_audit_src_restore_info(const struct rs_audit_src *s, struct rs_audit_state *st)
{
	if (!s->changed_enabled && !s->changed_backlog)
		return false;
	*st = s->saved;
	return true;
}

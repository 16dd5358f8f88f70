/* The audit source: the kernel's audit records, live. */
#include <errno.h>
#include <libaudit.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
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
	uint32_t last_lost;
	bool have_lost;
	char *target;
	struct rs_audit_rule rules[RS_AUDIT_MAX_RULES];
	size_t n_rules;
	unsigned expected_rules; /* as the kernel lists them */
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

static void notice(struct rs_audit_src *s, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void notice(struct rs_audit_src *s, const char *level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->o.notice == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o.notice(s->o.notice_ctx, level, msg);
}

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

static int load_rules(struct rs_audit_src *s, char *err, size_t errlen)
{
	s->n_rules = rs_audit_rules_build(s->target, getpid(), s->rules, RS_AUDIT_MAX_RULES);
	for (size_t i = 0; i < s->n_rules; i++) {
		bool dns = strcmp(s->rules[i].key, RS_AUDIT_KEY_DNS) == 0;
		int r;

		if (dns && s->no_send_rules)
			continue;
		r = rs_audit_rules_add(s->ctl, &s->rules[i], 1, err, errlen);
		if (r == -EINVAL && dns) {
			/* A kernel before 5.3 cannot filter sends by address
			 * family; an unfiltered send rule would record every
			 * send on the host, so track sends without audit. */
			s->no_send_rules = true;
			notice(s, "warning",
			       "this kernel cannot filter audit send rules by address family "
			       "(saddr_fam, kernel 5.3): audit does not track DNS sends");
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
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
		notice(s, "notice",
		       "kernel audit was off; enabled it while running. Processes started before "
		       "audit was ever enabled have no audit context and stay invisible to audit "
		       "(the /proc scanner covers their open sockets)");
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
	r = load_rules(s, err, errlen);
	if (r < 0)
		goto fail;
	r = rs_audit_rules_count_prefix(s->ctl, RS_AUDIT_KEY_PREFIX, &s->expected_rules);
	if (r < 0) {
		snprintf(err, errlen, "cannot list audit rules: %s", strerror(-r));
		goto fail;
	}
	if (!records_flow(s, 1000)) {
		r = -EXDEV;
		snprintf(err, errlen,
			 "no audit record arrives%s: the audit multicast group is delivered in the "
			 "initial network namespace only; run the daemon there",
			 s->registered ? " on the registered socket" : " on the multicast group");
		goto fail;
	}
	s->have_lost = true;
	s->last_lost = s->saved.lost;
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

/* Delete our rules of a key prefix, expecting their CONFIG_CHANGE records. */
static void delete_own(struct rs_audit_src *s, const char *prefix)
{
	char err[256];
	unsigned deleted = 0;

	rs_audit_rules_delete_prefix(s->ctl, prefix, &deleted, err, sizeof(err));
	s->own_removals += deleted;
}

static void restore_rules(struct rs_audit_src *s, const char *why)
{
	char err[256];
	int r;

	delete_own(s, RS_AUDIT_KEY_PREFIX);
	r = load_rules(s, err, sizeof(err));
	if (r < 0) {
		notice(s, "error", "%s; adding them again failed: %s", why, err);
		return;
	}
	rs_audit_rules_count_prefix(s->ctl, RS_AUDIT_KEY_PREFIX, &s->expected_rules);
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
	/* A watch names a path: move the path rules, leave the send rules. */
	delete_own(s, RS_AUDIT_KEY_WRITE);
	delete_own(s, RS_AUDIT_KEY_CONF);
	s->n_rules = rs_audit_rules_build(s->target, getpid(), s->rules, RS_AUDIT_MAX_RULES);
	r = 0;
	for (size_t i = 0; i < s->n_rules && r == 0; i++)
		if (s->rules[i].path != NULL)
			r = rs_audit_rules_add(s->ctl, &s->rules[i], 1, err, sizeof(err));
	if (r < 0) {
		notice(s, "error", "cannot move the audit rules to %s: %s", target, err);
		return r;
	}
	rs_audit_rules_count_prefix(s->ctl, RS_AUDIT_KEY_PREFIX, &s->expected_rules);
	return 0;
}

bool rs_audit_src_restore_info(const struct rs_audit_src *s, struct rs_audit_state *st)
{
	if (!s->changed_enabled && !s->changed_backlog)
		return false;
	*st = s->saved;
	return true;
}

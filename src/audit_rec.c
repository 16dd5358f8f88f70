/* Audit records: from log text or netlink to resolvstale events. */
#include <auparse.h>
#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include "resolvstale/audit_rec.h"
#include "resolvstale/hash.h"
#include "resolvstale/strnum.h"

/* --- decoders -------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rs_audit_decode_str(const char *raw, char *out, size_t outlen)
{
	size_t n, o = 0;

	if (outlen == 0)
		return -EINVAL;
	out[0] = '\0';
	if (raw == NULL)
		return -ENOENT;
	if (strcmp(raw, "(null)") == 0 || strcmp(raw, "?") == 0 || strcmp(raw, "(none)") == 0)
		return -ENOENT;
	n = strlen(raw);
	if (raw[0] == '"') {
		/* Audit quotes values that need no escaping: up to the next quote. */
		const char *end = strchr(raw + 1, '"');
		size_t len = end ? (size_t)(end - raw - 1) : n - 1;
		if (len >= outlen)
			len = outlen - 1;
		memcpy(out, raw + 1, len);
		out[len] = '\0';
		return end ? 0 : -EINVAL;
	}
	if (n % 2 == 0 && n > 0) {
		bool hex = true;
		for (size_t i = 0; i < n && hex; i++)
			hex = hexval(raw[i]) >= 0;
		if (hex) {
			for (size_t i = 0; i + 1 < n && o + 1 < outlen; i += 2) {
				char c = (char)(hexval(raw[i]) << 4 | hexval(raw[i + 1]));
				if (c == '\0')
					break;
				out[o++] = c;
			}
			out[o] = '\0';
			return 0;
		}
	}
	n = n < outlen - 1 ? n : outlen - 1;
	memcpy(out, raw, n);
	out[n] = '\0';
	return 0;
}

int rs_audit_decode_proctitle(const char *raw, char *out, size_t outlen)
{
	size_t n = raw ? strlen(raw) : 0, o = 0;

	if (outlen == 0)
		return -EINVAL;
	out[0] = '\0';
	if (raw == NULL || n == 0)
		return -ENOENT;
	if (raw[0] == '"' || n % 2 != 0)
		return rs_audit_decode_str(raw, out, outlen);
	for (size_t i = 0; i < n; i++)
		if (hexval(raw[i]) < 0)
			return rs_audit_decode_str(raw, out, outlen);
	/* Hex of argv joined by NULs: the NULs become spaces. */
	for (size_t i = 0; i + 1 < n && o + 1 < outlen; i += 2) {
		char c = (char)(hexval(raw[i]) << 4 | hexval(raw[i + 1]));
		out[o++] = c == '\0' ? ' ' : c;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return 0;
}

int rs_audit_decode_sockaddr(const char *hex, struct rs_addr *addr, uint16_t *port)
{
	unsigned char b[128];
	size_t n = hex ? strlen(hex) : 0, len = n / 2;
	int family;

	memset(addr, 0, sizeof(*addr));
	*port = 0;
	if (n < 4 || n % 2 != 0 || len > sizeof(b))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	/* sa_family is in host order (records come from this host's kernel or
	 * one of the same byte order); the port is in network order. */
	family = b[0] | b[1] << 8;
	if (family == AF_INET) {
		if (len < 8)
			return -EINVAL;
		*port = (uint16_t)(b[2] << 8 | b[3]);
		addr->family = AF_INET;
		memcpy(&addr->u.v4, b + 4, 4);
	} else if (family == AF_INET6) {
		if (len < 24)
			return -EINVAL;
		*port = (uint16_t)(b[2] << 8 | b[3]);
		addr->family = AF_INET6;
		memcpy(&addr->u.v6, b + 8, 16);
		if (len >= 28) {
			uint32_t scope = (uint32_t)b[24] | (uint32_t)b[25] << 8 |
					 (uint32_t)b[26] << 16 | (uint32_t)b[27] << 24;
			if (scope != 0)
				snprintf(addr->scope, sizeof(addr->scope), "%u", scope);
		}
	}
	return family;
}

uint64_t rs_audit_decode_dev(const char *s)
{
	char major[16], minor[16];
	const char *colon = s ? strchr(s, ':') : NULL;
	uint64_t ma, mi;
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - s)) == 0 || n >= sizeof(major) ||
	    strlen(colon + 1) >= sizeof(minor))
		return 0;
	memcpy(major, s, n);
	major[n] = '\0';
	strcpy(minor, colon + 1);
	if (rs_strtox64(major, &ma) < 0 || rs_strtox64(minor, &mi) < 0 || ma > 0xfff ||
	    mi > 0xfffff)
		return 0;
	return makedev((unsigned)ma, (unsigned)mi);
}

/* --- classification -------------------------------------------------------- */

static bool in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

bool rs_audit_is_stat(const char *sc)
{
	static const char *const l[] = {"stat",    "lstat", "newfstatat", "fstatat64", "stat64",
					"lstat64", "statx", "oldstat",    "oldlstat",  NULL};
	return in_list(sc, l);
}

bool rs_audit_is_open(const char *sc)
{
	static const char *const l[] = {"open", "openat", "openat2", NULL};
	return in_list(sc, l);
}

bool rs_audit_is_write(const char *sc)
{
	static const char *const l[] = {
		"rename",     "renameat",  "renameat2",   "unlink",       "unlinkat",  "truncate",
		"truncate64", "creat",     "link",        "linkat",       "symlink",   "symlinkat",
		"chmod",      "fchmodat",  "fchmodat2",   "chown",        "lchown",    "fchownat",
		"chown32",    "lchown32",  "utime",       "utimes",       "utimensat", "futimesat",
		"setxattr",   "lsetxattr", "removexattr", "lremovexattr", "mknod",     "mknodat",
		NULL};
	return in_list(sc, l);
}

/* The send call behind i386's socketcall(2), by its call number. */
static const char *socketcall_name(uint64_t call)
{
	switch (call) {
	case 3:
		return "connect";
	case 11:
		return "sendto";
	case 16:
		return "sendmsg";
	case 20:
		return "sendmmsg";
	}
	return NULL;
}

/* The errno of a failed call: exit is -errno only within [-4095, -1]. */
static int exit_errno(const struct rs_audit_event *ae)
{
	if (ae->success || ae->exit >= 0 || ae->exit < -4095)
		return 0;
	return (int)-ae->exit;
}

#define AT_FDCWD_32 0xffffff9cu /* AT_FDCWD (-100) as audit prints a0..a3 */

static bool is_at_fdcwd(uint64_t arg)
{
	return (uint32_t)arg == AT_FDCWD_32;
}

/* Whether the relative names of this call are relative to the current
 * directory (then CWD tells where they are) or to a directory fd (then only
 * the inode can say what they name). */
static bool names_relative_to_cwd(const struct rs_audit_event *ae)
{
	const char *sc = ae->syscall;
	size_t n = strlen(sc);

	if (strcmp(sc, "renameat") == 0 || strcmp(sc, "renameat2") == 0 ||
	    strcmp(sc, "linkat") == 0)
		return is_at_fdcwd(ae->a0) && is_at_fdcwd(ae->a2);
	if (strcmp(sc, "symlinkat") == 0)
		return is_at_fdcwd(ae->a1);
	if ((n > 2 && strcmp(sc + n - 2, "at") == 0) || strcmp(sc, "openat2") == 0 ||
	    strcmp(sc, "statx") == 0 || strcmp(sc, "fstatat64") == 0 ||
	    strcmp(sc, "fchmodat2") == 0 || strcmp(sc, "faccessat2") == 0)
		return is_at_fdcwd(ae->a0);
	return true;
}

static bool opens_for_write(const struct rs_audit_event *ae)
{
	uint64_t flags;

	if (strcmp(ae->syscall, "open") == 0)
		flags = ae->a1;
	else if (strcmp(ae->syscall, "openat") == 0)
		flags = ae->a2;
	else
		return false; /* openat2 keeps its flags in memory */
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

static void base_event(const struct rs_audit_event *ae, enum rs_event_type type,
		       struct rs_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->source = RS_SRC_AUDIT;
	ev->time_ns = ae->time_ns;
	ev->proc.pid = ae->pid;
	ev->proc.ppid = ae->ppid;
	ev->proc.uid = ae->uid;
	ev->proc.auid = ae->auid;
	ev->proc.comm = ae->comm[0] ? ae->comm : NULL;
	ev->proc.exe = ae->exe[0] ? ae->exe : NULL;
	ev->proc.cmdline = ae->proctitle[0] ? ae->proctitle : NULL;
}

/* The PATH item that names the target, or NULL. */
static const char *matching_path(const struct rs_audit_event *ae, const struct rs_audit_match *m)
{
	char full[PATH_MAX];

	if (m->target == NULL)
		return NULL;
	for (size_t i = 0; i < ae->n_paths; i++) {
		const struct rs_audit_path *p = &ae->paths[i];
		if (strcmp(p->nametype, "PARENT") == 0 || p->name[0] == '\0')
			continue;
		if (m->target_ino != 0 && p->inode == m->target_ino &&
		    (m->target_dev == 0 || p->dev == 0 || p->dev == m->target_dev))
			return p->name;
		if (p->name[0] == '/') {
			if (strcmp(p->name, m->target) == 0)
				return p->name;
		} else if (ae->cwd[0] != '\0' && names_relative_to_cwd(ae)) {
			size_t cl = strlen(ae->cwd);
			const char *sep = cl > 0 && ae->cwd[cl - 1] == '/' ? "" : "/";
			if (snprintf(full, sizeof(full), "%s%s%s", ae->cwd, sep, p->name) <
				    (int)sizeof(full) &&
			    strcmp(full, m->target) == 0)
				return p->name;
		}
	}
	return NULL;
}

size_t rs_audit_classify(const struct rs_audit_event *ae, const struct rs_audit_match *m,
			 struct rs_event *out, size_t max)
{
	const char *sc = ae->syscall;
	size_t n = 0;
	bool ours = false;

	if (!ae->has_syscall || max == 0)
		return 0;
	if (strcmp(sc, "socketcall") == 0) {
		const char *real = socketcall_name(ae->a0);
		if (real == NULL)
			return 0;
		sc = real;
	}
	if (ae->has_sockaddr && ae->port == 53 && ae->addr.family != 0 &&
	    (strcmp(sc, "connect") == 0 || strcmp(sc, "sendto") == 0 ||
	     strcmp(sc, "sendmsg") == 0 || strcmp(sc, "sendmmsg") == 0)) {
		struct rs_event *ev = &out[n++];
		base_event(ae, RS_EV_DNS_SEND, ev);
		ev->u.dns.dst = ae->addr;
		ev->u.dns.port = ae->port;
		ev->u.dns.proto = RS_PROTO_UNKNOWN;
		ev->u.dns.syscall = sc;
		ev->u.dns.err = exit_errno(ae);
		ev->u.dns.fd = strcmp(ae->syscall, "socketcall") == 0 ? -1 : (int64_t)ae->a0;
		if (n == max)
			return n;
	}
	if (m->our_keys != NULL && m->our_keys[0] != '\0')
		ours = strncmp(ae->key, m->our_keys, strlen(m->our_keys)) == 0 &&
		       strstr(ae->key, "-dns") == NULL;
	if (ours || matching_path(ae, m) != NULL) {
		enum rs_event_type t;
		const char *path = m->target ? m->target : matching_path(ae, m);
		struct rs_event *ev;

		if (rs_audit_is_stat(sc))
			t = RS_EV_CONFIG_STAT;
		else if (rs_audit_is_open(sc))
			t = opens_for_write(ae) ? RS_EV_CONFIG_WRITE : RS_EV_CONFIG_OPEN;
		else if (rs_audit_is_write(sc) || (ours && strstr(ae->key, "-write") != NULL))
			t = RS_EV_CONFIG_WRITE;
		else
			return n;
		ev = &out[n++];
		base_event(ae, t, ev);
		ev->u.config.path = path;
		ev->u.config.syscall = sc;
		ev->u.config.err = exit_errno(ae);
	}
	return n;
}

/* --- sends on connected sockets ------------------------------------------------ */

#define INFER_WAYS 4

struct infer_slot {
	uint64_t key; /* 0: free */
	struct rs_addr addr;
	uint16_t port;
	uint64_t used; /* for eviction: the oldest goes */
};

struct rs_audit_infer {
	struct infer_slot *slots;
	size_t n_sets; /* a power of two; INFER_WAYS slots each */
	uint64_t clock;
	struct rs_audit_infer_stats stats;
};

struct rs_audit_infer *rs_audit_infer_new(size_t capacity)
{
	struct rs_audit_infer *ai = calloc(1, sizeof(*ai));
	size_t sets = 16;

	if (ai == NULL)
		return NULL;
	while (sets * INFER_WAYS < capacity && sets < ((size_t)1 << 22))
		sets <<= 1;
	ai->slots = calloc(sets * INFER_WAYS, sizeof(*ai->slots));
	if (ai->slots == NULL) {
		free(ai);
		return NULL;
	}
	ai->n_sets = sets;
	return ai;
}

void rs_audit_infer_free(struct rs_audit_infer *ai)
{
	if (ai == NULL)
		return;
	free(ai->slots);
	free(ai);
}

const struct rs_audit_infer_stats *rs_audit_infer_stats(const struct rs_audit_infer *ai)
{
	return &ai->stats;
}

static uint64_t infer_key(const struct rs_audit_event *ae)
{
	uint64_t h = rs_hash_str(ae->node);

	h = rs_hash_mix(h ^ ((uint64_t)(uint32_t)ae->pid << 32) ^ (ae->a0 & 0xffffffffu));
	return h | 1;
}

static struct infer_slot *infer_find(struct rs_audit_infer *ai, uint64_t key, bool add)
{
	struct infer_slot *set = &ai->slots[(key >> 8 & (ai->n_sets - 1)) * INFER_WAYS];
	struct infer_slot *victim = &set[0];

	for (int i = 0; i < INFER_WAYS; i++) {
		if (set[i].key == key)
			return &set[i];
		/* A free slot first, else the least recently used. */
		if (victim->key != 0 && (set[i].key == 0 || set[i].used < victim->used))
			victim = &set[i];
	}
	if (!add)
		return NULL;
	if (victim->key != 0)
		ai->stats.evicted++;
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return victim;
}

/* A send that carries no address: the socket was connected before. */
static bool addressless_send(const struct rs_audit_event *ae)
{
	static const char *const sends[] = {"sendto", "sendmsg", "sendmmsg", "send",
					    "write",  "writev",  NULL};

	if (ae->has_sockaddr && ae->addr.family != 0)
		return false;
	for (int i = 0; sends[i] != NULL; i++)
		if (strcmp(ae->syscall, sends[i]) == 0)
			return true;
	return false;
}

size_t rs_audit_infer_apply(struct rs_audit_infer *ai, const struct rs_audit_event *ae,
			    struct rs_event *out, size_t n, size_t max)
{
	struct infer_slot *slot;

	if (!ae->has_syscall || strcmp(ae->syscall, "socketcall") == 0)
		return n; /* socketcall's fd is behind a pointer */
	if (strcmp(ae->syscall, "connect") == 0) {
		bool dns = ae->has_sockaddr && ae->port == 53 && ae->addr.family != 0;
		slot = infer_find(ai, infer_key(ae), dns);
		if (slot != NULL && dns) {
			/* Failed connects too: EINPROGRESS is a TCP connect under way. */
			slot->addr = ae->addr;
			slot->port = ae->port;
			slot->used = ++ai->clock;
			ai->stats.learned++;
		} else if (slot != NULL) {
			slot->key = 0; /* the fd now leads elsewhere */
			slot->used = 0;
			ai->stats.forgotten++;
		}
		return n;
	}
	if (!addressless_send(ae) || n >= max)
		return n;
	slot = infer_find(ai, infer_key(ae), false);
	if (slot == NULL)
		return n;
	slot->used = ++ai->clock;
	base_event(ae, RS_EV_DNS_SEND, &out[n]);
	out[n].u.dns.dst = slot->addr;
	out[n].u.dns.port = slot->port;
	out[n].u.dns.proto = RS_PROTO_UNKNOWN;
	out[n].u.dns.syscall = ae->syscall;
	out[n].u.dns.err = exit_errno(ae);
	out[n].u.dns.fd = (int64_t)ae->a0;
	out[n].u.dns.inferred = true;
	ai->stats.inferred++;
	return n + 1;
}

/* --- the feed -------------------------------------------------------------- */

struct rs_audit_feed {
	auparse_state_t *au;
	rs_audit_event_fn fn;
	void *ctx;
	struct rs_audit_event *ev; /* reused: large */
	struct rs_audit_feed_stats stats;
	char *line;
	size_t line_cap;
};

static void field_u64(auparse_state_t *au, uint64_t *v, int base)
{
	const char *s = auparse_get_field_str(au);
	uint64_t x;

	/* Audit writes arch and a0..a3 in hex without a prefix. */
	if (s == NULL)
		return;
	if ((base == 16 ? rs_strtox64(s, &x) : rs_strtou64(s, 0, UINT64_MAX, &x)) == 0)
		*v = x;
}

static void field_i64(auparse_state_t *au, int64_t *v)
{
	const char *s = auparse_get_field_str(au);

	if (s != NULL && rs_strtoi64(s, INT64_MIN, INT64_MAX, v) < 0)
		*v = -1;
}

static void field_str(auparse_state_t *au, char *out, size_t len)
{
	if (rs_audit_decode_str(auparse_get_field_str(au), out, len) < 0)
		out[0] = '\0';
}

static void extract_syscall(auparse_state_t *au, struct rs_audit_event *ev)
{
	uint64_t arch = 0, nr = UINT64_MAX;
	int64_t v;

	ev->has_syscall = true;
	if (auparse_first_field(au) <= 0)
		return;
	do {
		const char *name = auparse_get_field_name(au);
		if (name == NULL)
			continue;
		switch (name[0]) {
		case 'a':
			if (strcmp(name, "arch") == 0)
				field_u64(au, &arch, 16);
			else if (strcmp(name, "a0") == 0)
				field_u64(au, &ev->a0, 16);
			else if (strcmp(name, "a1") == 0)
				field_u64(au, &ev->a1, 16);
			else if (strcmp(name, "a2") == 0)
				field_u64(au, &ev->a2, 16);
			else if (strcmp(name, "auid") == 0)
				field_i64(au, &ev->auid);
			break;
		case 's':
			if (strcmp(name, "syscall") == 0)
				field_u64(au, &nr, 10);
			else if (strcmp(name, "success") == 0) {
				const char *s = auparse_get_field_str(au);
				ev->success = s != NULL && strcmp(s, "yes") == 0;
			}
			break;
		case 'e':
			if (strcmp(name, "exit") == 0)
				field_i64(au, &ev->exit);
			else if (strcmp(name, "exe") == 0)
				field_str(au, ev->exe, sizeof(ev->exe));
			break;
		case 'p':
			if (strcmp(name, "pid") == 0) {
				field_i64(au, &v);
				ev->pid = v >= 0 && v <= INT32_MAX ? (int32_t)v : 0;
			} else if (strcmp(name, "ppid") == 0) {
				field_i64(au, &v);
				ev->ppid = v >= 0 && v <= INT32_MAX ? (int32_t)v : -1;
			}
			break;
		case 'u':
			if (strcmp(name, "uid") == 0)
				field_i64(au, &ev->uid);
			break;
		case 'c':
			if (strcmp(name, "comm") == 0)
				field_str(au, ev->comm, sizeof(ev->comm));
			break;
		case 'k':
			if (strcmp(name, "key") == 0)
				field_str(au, ev->key, sizeof(ev->key));
			break;
		}
	} while (auparse_next_field(au) > 0);
	ev->syscall_nr = nr <= INT32_MAX ? (int)nr : -1;
	if (nr <= INT32_MAX) {
		int machine = audit_elf_to_machine((unsigned)arch);
		const char *sc = machine >= 0 ? audit_syscall_to_name((int)nr, machine) : NULL;
		if (sc != NULL)
			snprintf(ev->syscall, sizeof(ev->syscall), "%s", sc);
		else
			snprintf(ev->syscall, sizeof(ev->syscall), "%d", (int)nr);
	}
}

static void extract_path(auparse_state_t *au, struct rs_audit_event *ev)
{
	struct rs_audit_path *p;

	if (ev->n_paths >= RS_AUDIT_MAX_PATHS)
		return;
	p = &ev->paths[ev->n_paths++];
	memset(p, 0, sizeof(*p));
	if (auparse_first_field(au) <= 0)
		return;
	do {
		const char *name = auparse_get_field_name(au);
		if (name == NULL)
			continue;
		if (strcmp(name, "name") == 0)
			field_str(au, p->name, sizeof(p->name));
		else if (strcmp(name, "nametype") == 0)
			field_str(au, p->nametype, sizeof(p->nametype));
		else if (strcmp(name, "inode") == 0)
			field_u64(au, &p->inode, 10);
		else if (strcmp(name, "dev") == 0)
			p->dev = rs_audit_decode_dev(auparse_get_field_str(au));
	} while (auparse_next_field(au) > 0);
}

static void extract_one(auparse_state_t *au, struct rs_audit_event *ev, int type)
{
	const char *s;

	switch (type) {
	case AUDIT_SYSCALL:
		extract_syscall(au, ev);
		break;
	case AUDIT_SOCKADDR:
		s = auparse_find_field(au, "saddr");
		ev->has_sockaddr = true;
		if (rs_audit_decode_sockaddr(s, &ev->addr, &ev->port) < 0)
			ev->addr.family = 0;
		break;
	case AUDIT_PATH:
		extract_path(au, ev);
		break;
	case AUDIT_PROCTITLE:
		s = auparse_find_field(au, "proctitle");
		if (rs_audit_decode_proctitle(s, ev->proctitle, sizeof(ev->proctitle)) < 0)
			ev->proctitle[0] = '\0';
		break;
	case AUDIT_CWD:
		s = auparse_find_field(au, "cwd");
		if (rs_audit_decode_str(s, ev->cwd, sizeof(ev->cwd)) < 0)
			ev->cwd[0] = '\0';
		break;
	case AUDIT_CONFIG_CHANGE: {
		int64_t v = -1;
		ev->has_config_change = true;
		if (auparse_first_field(au) <= 0)
			break;
		do {
			const char *name = auparse_get_field_name(au);
			if (name == NULL)
				continue;
			if (strcmp(name, "op") == 0)
				field_str(au, ev->cc_op, sizeof(ev->cc_op));
			else if (strcmp(name, "key") == 0)
				field_str(au, ev->cc_key, sizeof(ev->cc_key));
			else if (strcmp(name, "pid") == 0) {
				field_i64(au, &v);
				ev->cc_pid = v >= 0 && v <= INT32_MAX ? (int32_t)v : 0;
			}
		} while (auparse_next_field(au) > 0);
		break;
	}
	}
}

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *user)
{
	struct rs_audit_feed *f = user;
	struct rs_audit_event *ev = f->ev;
	char *node;

	if (type != AUPARSE_CB_EVENT_READY)
		return;
	if (auparse_first_record(au) <= 0)
		return;
	/* Reset only what a previous event may have set: the path array is
	 * large and cleared per entry as it is used. */
	memset(ev, 0, offsetof(struct rs_audit_event, cwd));
	ev->cwd[0] = '\0';
	ev->n_paths = 0;
	ev->has_config_change = false;
	ev->cc_op[0] = ev->cc_key[0] = '\0';
	ev->cc_pid = 0;
	ev->pid = 0;
	ev->ppid = -1;
	ev->uid = ev->auid = -1;
	ev->serial = auparse_get_serial(au);
	{
		/* A hostile log may carry any number of seconds: clamp rather
		 * than overflow (9223372035 s is the year 2262). */
		time_t sec = auparse_get_time(au);
		if (sec < 0 || sec > 9223372035)
			sec = sec < 0 ? 0 : 9223372035;
		ev->time_ns = (int64_t)sec * 1000000000LL +
			      (int64_t)(auparse_get_milli(au) % 1000) * 1000000LL;
	}
	node = (char *)auparse_get_node(au);
	if (node != NULL) {
		snprintf(ev->node, sizeof(ev->node), "%s", node);
		free(node);
	}
	ev->first_type = auparse_get_type(au);
	do {
		ev->n_records++;
		extract_one(au, ev, auparse_get_type(au));
	} while (auparse_next_record(au) > 0);
	f->stats.events++;
	f->fn(f->ctx, ev);
}

struct rs_audit_feed *rs_audit_feed_new(rs_audit_event_fn fn, void *ctx)
{
	struct rs_audit_feed *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->ev = calloc(1, sizeof(*f->ev));
	f->au = auparse_init(AUSOURCE_FEED, NULL);
	if (f->ev == NULL || f->au == NULL) {
		rs_audit_feed_free(f);
		return NULL;
	}
	f->fn = fn;
	f->ctx = ctx;
	auparse_set_escape_mode(f->au, AUPARSE_ESC_RAW);
	auparse_add_callback(f->au, on_event, f, NULL);
	return f;
}

void rs_audit_feed_free(struct rs_audit_feed *f)
{
	if (f == NULL)
		return;
	if (f->au != NULL) {
		auparse_flush_feed(f->au);
		auparse_destroy(f->au);
	}
	free(f->ev);
	free(f->line);
	free(f);
}

int rs_audit_feed_text(struct rs_audit_feed *f, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			f->stats.records++;
	if (auparse_feed(f->au, data, len) < 0) {
		f->stats.bad++;
		return -EINVAL;
	}
	return 0;
}

int rs_audit_feed_record(struct rs_audit_feed *f, int type, const char *payload, size_t len)
{
	const char *name = audit_msg_type_to_name(type);
	char unknown[32];
	size_t need;
	int n;

	if (name == NULL) {
		snprintf(unknown, sizeof(unknown), "UNKNOWN[%d]", type);
		name = unknown;
	}
	/* Records end at the payload's NUL or length, whichever comes first. */
	len = strnlen(payload, len);
	while (len > 0 && payload[len - 1] == '\n')
		len--;
	need = strlen(name) + len + 16;
	if (need > f->line_cap) {
		char *p = realloc(f->line, need);
		if (p == NULL)
			return -ENOMEM;
		f->line = p;
		f->line_cap = need;
	}
	n = snprintf(f->line, f->line_cap, "type=%s msg=%.*s\n", name, (int)len, payload);
	if (n < 0)
		return -EINVAL;
	return rs_audit_feed_text(f, f->line, (size_t)n);
}

void rs_audit_feed_age(struct rs_audit_feed *f)
{
	auparse_feed_age_events(f->au);
}

void rs_audit_feed_flush(struct rs_audit_feed *f)
{
	auparse_flush_feed(f->au);
}

const struct rs_audit_feed_stats *rs_audit_feed_stats(const struct rs_audit_feed *f)
{
	return &f->stats;
}

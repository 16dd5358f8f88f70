/* The audit rules the daemon loads, as data. */
#include <errno.h>
#include <libaudit.h>
#include <linux/audit.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/audit_rules.h"
#include "resolvstale/strnum.h"

/* i386 socketcall(2) call numbers (linux/net.h). */
#define SYS_CONNECT_NR  3
#define SYS_SENDTO_NR   11
#define SYS_SENDMSG_NR  16
#define SYS_SENDMMSG_NR 20

static void set_fields(struct rs_audit_rule *r, const char *a, const char *b, const char *c)
{
	const char *v[3] = {a, b, c};
	size_t n = 0;

	memset(r->fields, 0, sizeof(r->fields));
	for (size_t i = 0; i < 3; i++)
		if (v[i] != NULL)
			snprintf(r->fields[n++], sizeof(r->fields[0]), "%s", v[i]);
}

size_t rs_audit_rules_build(const char *target, pid_t self, struct rs_audit_rule *out,
			    size_t max)
{
	static const char *const dns_sc[] = {"connect", "sendto", "sendmsg", "sendmmsg", NULL};
	static const char *const conf64[] = {"stat",   "lstat",  "newfstatat", "statx",
					     "open",   "openat", "openat2",    NULL};
	static const char *const conf32[] = {"stat64", "lstat64", "fstatat64", "statx",
					     "open",   "openat",  "openat2",   NULL};
	static const int socketcalls[] = {SYS_CONNECT_NR, SYS_SENDTO_NR, SYS_SENDMSG_NR,
					  SYS_SENDMMSG_NR};
	static const char *const fams[] = {"saddr_fam=2", "saddr_fam=10"};
	char self_field[32];
	size_t n = 0;

	snprintf(self_field, sizeof(self_field), "pid!=%ld", (long)self);
#define NEXT() (n < max ? memset(&out[n], 0, sizeof(out[n])), &out[n++] : NULL)
	if (target != NULL) {
		struct rs_audit_rule *r;

		/* First: writes (the kernel gives an event the key of the first
		 * rule that matches, and a write is also an open). */
		if ((r = NEXT()) != NULL) {
			r->arch = RS_ARCH_ANY;
			r->path = target;
			set_fields(r, "perm=wa", NULL, NULL);
			r->key = RS_AUDIT_KEY_WRITE;
		}
		for (int a = 0; a < 2; a++) {
			if ((r = NEXT()) == NULL)
				break;
			r->arch = a == 0 ? RS_ARCH_B64 : RS_ARCH_B32;
			memcpy(r->syscalls, a == 0 ? conf64 : conf32, sizeof(conf64));
			r->path = target;
			set_fields(r, self_field, NULL, NULL);
			r->key = RS_AUDIT_KEY_CONF;
		}
	}
	for (int a = 0; a < 2; a++) {
		for (int f = 0; f < 2; f++) {
			struct rs_audit_rule *r = NEXT();
			if (r == NULL)
				break;
			r->arch = a == 0 ? RS_ARCH_B64 : RS_ARCH_B32;
			memcpy(r->syscalls, dns_sc, sizeof(dns_sc));
			set_fields(r, fams[f], NULL, NULL);
			r->key = RS_AUDIT_KEY_DNS;
		}
	}
	/* i386 glibc sends through socketcall(2), the call in a0. */
	for (size_t c = 0; c < sizeof(socketcalls) / sizeof(socketcalls[0]); c++) {
		for (int f = 0; f < 2; f++) {
			struct rs_audit_rule *r = NEXT();
			char a0[32];
			if (r == NULL)
				break;
			r->arch = RS_ARCH_B32;
			r->syscalls[0] = "socketcall";
			snprintf(a0, sizeof(a0), "a0=%d", socketcalls[c]);
			set_fields(r, a0, fams[f], NULL);
			r->key = RS_AUDIT_KEY_DNS;
		}
	}
#undef NEXT
	return n;
}

void rs_audit_rule_format(const struct rs_audit_rule *r, struct rs_sbuf *out)
{
	rs_sbuf_puts(out, "-a always,exit");
	if (r->arch == RS_ARCH_B64)
		rs_sbuf_puts(out, " -F arch=b64");
	else if (r->arch == RS_ARCH_B32)
		rs_sbuf_puts(out, " -F arch=b32");
	for (size_t i = 0; i < RS_AUDIT_MAX_SYSCALLS && r->syscalls[i] != NULL; i++)
		rs_sbuf_printf(out, "%s%s", i == 0 ? " -S " : ",", r->syscalls[i]);
	if (r->path != NULL)
		rs_sbuf_printf(out, " -F path=%s", r->path);
	for (size_t i = 0; i < RS_AUDIT_MAX_FIELDS && r->fields[i][0] != '\0'; i++)
		rs_sbuf_printf(out, " -F %s", r->fields[i]);
	rs_sbuf_printf(out, " -F key=%s", r->key);
}

/* --- kernel side ----------------------------------------------------------- */

static int add_field(struct audit_rule_data *d, uint32_t field, uint32_t op, uint32_t value)
{
	if (d->field_count >= AUDIT_MAX_FIELDS)
		return -E2BIG;
	d->fields[d->field_count] = field;
	d->fieldflags[d->field_count] = op;
	d->values[d->field_count] = value;
	d->field_count++;
	return 0;
}

static int add_string(struct audit_rule_data *d, uint32_t field, const char *s)
{
	size_t n = strlen(s);
	int r = add_field(d, field, AUDIT_EQUAL, (uint32_t)n);

	if (r < 0)
		return r;
	memcpy(d->buf + d->buflen, s, n);
	d->buflen += (uint32_t)n;
	return 0;
}

/* "perm=wa" -> AUDIT_PERM_WRITE | AUDIT_PERM_ATTR */
static int perm_value(const char *s, uint32_t *v)
{
	*v = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			*v |= AUDIT_PERM_READ;
			break;
		case 'w':
			*v |= AUDIT_PERM_WRITE;
			break;
		case 'x':
			*v |= AUDIT_PERM_EXEC;
			break;
		case 'a':
			*v |= AUDIT_PERM_ATTR;
			break;
		default:
			return -EINVAL;
		}
	}
	return *v ? 0 : -EINVAL;
}

static int numeric_field(struct audit_rule_data *d, const char *spec)
{
	static const struct {
		const char *name;
		uint32_t field;
	} names[] = {
		{"saddr_fam", AUDIT_SADDR_FAM}, {"a0", AUDIT_ARG0}, {"a1", AUDIT_ARG1},
		{"pid", AUDIT_PID},             {"perm", AUDIT_PERM},
	};
	const char *op = strstr(spec, "!=");
	uint32_t opflag = op ? AUDIT_NOT_EQUAL : AUDIT_EQUAL;
	const char *val;
	size_t nl;
	uint64_t v;

	if (op == NULL)
		op = strchr(spec, '=');
	if (op == NULL)
		return -EINVAL;
	nl = (size_t)(op - spec);
	val = op + (opflag == AUDIT_NOT_EQUAL ? 2 : 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t pv;
		if (strlen(names[i].name) != nl || strncmp(spec, names[i].name, nl) != 0)
			continue;
		if (names[i].field == AUDIT_PERM) {
			if (perm_value(val, &pv) < 0)
				return -EINVAL;
			return add_field(d, AUDIT_PERM, opflag, pv);
		}
		if (rs_strtou64(val, 0, UINT32_MAX, &v) < 0)
			return -EINVAL;
		return add_field(d, names[i].field, opflag, (uint32_t)v);
	}
	return -EINVAL;
}

/* The machine (libaudit's machine_t) for a rule's arch on this host. */
static int rule_machine(enum rs_audit_arch arch, unsigned *elf)
{
	int host = audit_detect_machine();

	*elf = 0;
	if (host < 0)
		return -EOPNOTSUPP;
	if (arch == RS_ARCH_ANY)
		return host;
	if (arch == RS_ARCH_B64) {
		*elf = audit_machine_to_elf(host);
		return host;
	}
	switch (host) {
	case MACH_86_64:
		*elf = audit_machine_to_elf(MACH_X86);
		return MACH_X86;
	case MACH_AARCH64:
		*elf = audit_machine_to_elf(MACH_ARM);
		return MACH_ARM;
	case MACH_PPC64:
		*elf = audit_machine_to_elf(MACH_PPC);
		return MACH_PPC;
	case MACH_S390X:
		*elf = audit_machine_to_elf(MACH_S390);
		return MACH_S390;
	default:
		return -EOPNOTSUPP; /* no 32-bit ABI known for this host */
	}
}

/* Build the kernel's form of a rule. Syscalls unknown on the rule's ABI are
 * left out (e.g. stat64 does not exist on aarch64); a rule left with none is
 * -EOPNOTSUPP. */
static int to_data(const struct rs_audit_rule *r, struct audit_rule_data **out)
{
	size_t extra = (r->path ? strlen(r->path) : 0) + strlen(r->key);
	struct audit_rule_data *d = calloc(1, sizeof(*d) + extra);
	unsigned elf;
	int machine, nsc = 0, rc;

	*out = NULL;
	if (d == NULL)
		return -ENOMEM;
	machine = rule_machine(r->arch, &elf);
	if (machine < 0) {
		free(d);
		return machine;
	}
	if (elf != 0 && (rc = add_field(d, AUDIT_ARCH, AUDIT_EQUAL, elf)) < 0)
		goto fail;
	if (r->syscalls[0] == NULL) {
		for (int i = 0; i < AUDIT_BITMASK_SIZE; i++)
			d->mask[i] = ~0u;
	} else {
		for (size_t i = 0; i < RS_AUDIT_MAX_SYSCALLS && r->syscalls[i]; i++) {
			int nr = audit_name_to_syscall(r->syscalls[i], machine);
			if (nr < 0 || nr >= AUDIT_BITMASK_SIZE * 32)
				continue;
			d->mask[nr / 32] |= 1u << (nr % 32);
			nsc++;
		}
		if (nsc == 0) {
			rc = -EOPNOTSUPP;
			goto fail;
		}
	}
	if (r->path != NULL && (rc = add_string(d, AUDIT_WATCH, r->path)) < 0)
		goto fail;
	for (size_t i = 0; i < RS_AUDIT_MAX_FIELDS && r->fields[i][0] != '\0'; i++)
		if ((rc = numeric_field(d, r->fields[i])) < 0)
			goto fail;
	if ((rc = add_string(d, AUDIT_FILTERKEY, r->key)) < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	free(d);
	return rc;
}

int rs_audit_rules_add(int fd, const struct rs_audit_rule *rules, size_t n, char *err,
		       size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		struct audit_rule_data *d;
		struct rs_sbuf text = RS_SBUF_INIT;
		int rc = to_data(&rules[i], &d);

		if (rc == -EOPNOTSUPP)
			continue; /* an ABI this host does not have */
		if (rc == 0) {
			rc = audit_add_rule_data(fd, d, AUDIT_FILTER_EXIT, AUDIT_ALWAYS);
			free(d);
			/* The same rule may be there from another run. */
			if (rc == -EEXIST)
				rc = 0;
		}
		if (rc < 0) {
			rs_audit_rule_format(&rules[i], &text);
			snprintf(err, errlen, "cannot add audit rule '%s': %s", rs_sbuf_str(&text),
				 strerror(-rc));
			rs_sbuf_free(&text);
			return rc;
		}
	}
	return 0;
}

static bool string_field(uint32_t f)
{
	switch (f) {
	case AUDIT_SUBJ_USER:
	case AUDIT_SUBJ_ROLE:
	case AUDIT_SUBJ_TYPE:
	case AUDIT_SUBJ_SEN:
	case AUDIT_SUBJ_CLR:
	case AUDIT_OBJ_USER:
	case AUDIT_OBJ_ROLE:
	case AUDIT_OBJ_TYPE:
	case AUDIT_OBJ_LEV_LOW:
	case AUDIT_OBJ_LEV_HIGH:
	case AUDIT_WATCH:
	case AUDIT_DIR:
	case AUDIT_FILTERKEY:
	case AUDIT_EXE:
		return true;
	}
	return false;
}

int rs_audit_rule_data_key(const void *data, size_t len, char *key, size_t keylen)
{
	const struct audit_rule_data *d = data;
	size_t off = 0;

	if (len < sizeof(*d) || d->field_count > AUDIT_MAX_FIELDS || d->buflen > len - sizeof(*d))
		return -EINVAL;
	for (uint32_t i = 0; i < d->field_count; i++) {
		uint32_t f = d->fields[i];
		if (!string_field(f))
			continue;
		if (d->values[i] > d->buflen - off)
			return -EINVAL;
		if (f == AUDIT_FILTERKEY) {
			size_t n = d->values[i] < keylen - 1 ? d->values[i] : keylen - 1;
			memcpy(key, d->buf + off, n);
			key[n] = '\0';
			return 0;
		}
		off += d->values[i];
	}
	return -ENOENT;
}

/* Copies of the listed rules whose key starts with prefix. */
struct rule_copy {
	struct audit_rule_data *d;
};

static int list_prefix(int fd, const char *prefix, struct rule_copy **out, size_t *n_out)
{
	struct rule_copy *v = NULL;
	size_t n = 0;
	int rc = audit_request_rules_list_data(fd);

	*out = NULL;
	*n_out = 0;
	if (rc < 0)
		return rc;
	for (int guard = 0; guard < 100000; guard++) {
		struct audit_reply rep;
		char key[256];

		rc = audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0);
		if (rc < 0)
			break;
		if (rc == 0 || rep.type == NLMSG_DONE) {
			rc = 0;
			break;
		}
		if (rep.type == NLMSG_ERROR) {
			rc = rep.error && rep.error->error ? rep.error->error : -EIO;
			break;
		}
		if (rep.type != AUDIT_LIST_RULES || rep.len < 0)
			continue;
		if (rs_audit_rule_data_key(rep.ruledata, (size_t)rep.len, key, sizeof(key)) != 0 ||
		    strncmp(key, prefix, strlen(prefix)) != 0)
			continue;
		struct rule_copy *nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			rc = -ENOMEM;
			break;
		}
		v = nv;
		v[n].d = malloc((size_t)rep.len);
		if (v[n].d == NULL) {
			rc = -ENOMEM;
			break;
		}
		memcpy(v[n].d, rep.ruledata, (size_t)rep.len);
		n++;
	}
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i].d);
		free(v);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

int rs_audit_rules_count_prefix(int fd, const char *prefix, unsigned *count)
{
	struct rule_copy *v;
	size_t n;
	int rc = list_prefix(fd, prefix, &v, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		free(v[i].d);
	free(v);
	*count = (unsigned)n;
	return 0;
}

int rs_audit_rules_delete_prefix(int fd, const char *prefix, unsigned *deleted, char *err,
				 size_t errlen)
{
	struct rule_copy *v;
	size_t n;
	int rc = list_prefix(fd, prefix, &v, &n);

	*deleted = 0;
	if (rc < 0) {
		snprintf(err, errlen, "cannot list audit rules: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		int r = audit_delete_rule_data(fd, v[i].d, v[i].d->flags, v[i].d->action);
		if (r < 0 && r != -ENOENT && rc == 0) {
			rc = r;
			snprintf(err, errlen, "cannot delete an audit rule: %s", strerror(-r));
		} else if (r >= 0) {
			(*deleted)++;
		}
		free(v[i].d);
	}
	free(v);
	return rc;
}

int rs_audit_get_state(int fd, struct rs_audit_state *st)
{
	int rc = audit_request_status(fd);

	if (rc < 0)
		return rc;
	for (int guard = 0; guard < 1000; guard++) {
		struct audit_reply rep;

		rc = audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0);
		if (rc <= 0)
			return rc < 0 ? rc : -EIO;
		if (rep.type == NLMSG_ERROR && rep.error && rep.error->error)
			return rep.error->error;
		if (rep.type != AUDIT_GET || rep.status == NULL)
			continue;
		memset(st, 0, sizeof(*st));
		st->enabled = rep.status->enabled;
		st->failure = rep.status->failure;
		st->pid = rep.status->pid;
		st->rate_limit = rep.status->rate_limit;
		st->backlog_limit = rep.status->backlog_limit;
		st->lost = rep.status->lost;
		st->backlog = rep.status->backlog;
		st->backlog_wait_time = rep.status->backlog_wait_time;
		return 0;
	}
	return -EIO;
}

/* Facts about a process, read from /proc without ptrace. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/procinfo.h"
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

int rs_proc_read_ident(int proc_dirfd, int32_t pid, struct rs_proc_ident *out)
{
	char name[16], buf[4096], link[PATH_MAX];
	struct rs_proc_stat st;
	uint64_t v;
	ssize_t n;
	int dfd, r;

	memset(out, 0, sizeof(*out));
	out->uid = out->auid = -1;
	if (pid <= 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%d", (int)pid);
	dfd = openat(proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
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
	close(dfd);
	return r;
}

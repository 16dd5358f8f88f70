/* Differential check of resolvstale's resolv.conf parser against glibc.
 *
 *   rc_glibc_diff --target FILE INPUT...
 *
 * For each INPUT, parses it with rs_resolvconf_parse(), then copies it into
 * FILE and calls glibc's res_init(), which reads /etc/resolv.conf. FILE must
 * be bind-mounted over /etc/resolv.conf in a private mount namespace (the
 * caller does that: tests/integration/glibc_differential.sh); the tool
 * checks that /etc/resolv.conf is FILE's inode and refuses to run otherwise,
 * so that it can never write the host's real resolver configuration.
 *
 * Compares what glibc uses: nameservers (address and scope id), search list
 * (glibc's legacy _res exposes the first 6), ndots, timeout, attempts and the
 * option flags. Prints one line per difference; exit 0 if all agree, 1 if not,
 * 2 on usage or set-up errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resolvstale/resolvconf.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/strnum.h"

#define INPUT_MAX (2 * 1024 * 1024)

static unsigned long flag_to_res(unsigned flags)
{
	unsigned long r = 0;

	if (flags & RS_RCO_ROTATE)
		r |= RES_ROTATE;
	if (flags & RS_RCO_EDNS0)
		r |= RES_USE_EDNS0;
	if (flags & RS_RCO_SINGLE_REQUEST_REOPEN)
		r |= RES_SNGLKUPREOP;
	if (flags & RS_RCO_SINGLE_REQUEST)
		r |= RES_SNGLKUP;
	if (flags & RS_RCO_NO_TLD_QUERY)
		r |= RES_NOTLDQUERY;
	if (flags & RS_RCO_NO_RELOAD)
		r |= RES_NORELOAD;
	if (flags & RS_RCO_USE_VC)
		r |= RES_USEVC;
	if (flags & RS_RCO_TRUST_AD)
		r |= RES_TRUSTAD;
#ifdef RES_NOAAAA
	if (flags & RS_RCO_NO_AAAA)
		r |= RES_NOAAAA;
#endif
	return r;
}

static unsigned long res_mask(void)
{
	unsigned long m = RES_ROTATE | RES_USE_EDNS0 | RES_SNGLKUPREOP | RES_SNGLKUP |
			  RES_NOTLDQUERY | RES_NORELOAD | RES_USEVC | RES_TRUSTAD;
#ifdef RES_NOAAAA
	m |= RES_NOAAAA;
#endif
	return m;
}

static unsigned scope_id(const char *scope)
{
	uint64_t v;

	if (scope[0] == '\0')
		return 0;
	if (rs_strtou64(scope, 0, UINT32_MAX, &v) == 0)
		return (unsigned)v;
	return if_nametoindex(scope);
}

/* One canonical description of a configuration, built from either side. */
static void describe_ours(const struct rs_resolvconf *rc, struct rs_sbuf *sb)
{
	struct rs_addr eff[RS_RC_MAXNS];
	char text[RS_ADDR_STRLEN];
	size_t n = rs_resolvconf_effective(rc, eff);

	for (size_t i = 0; i < n; i++) {
		struct rs_addr plain = eff[i];
		plain.scope[0] = '\0';
		rs_sbuf_printf(sb, "ns %s scope %u\n", rs_addr_format(&plain, text, sizeof(text)),
			       eff[i].family == AF_INET6 ? scope_id(eff[i].scope) : 0);
	}
	for (size_t i = 0; i < rc->n_search && i < MAXDNSRCH; i++)
		rs_sbuf_printf(sb, "search [%s]\n", rc->search[i]);
	rs_sbuf_printf(sb, "ndots %d timeout %d attempts %d flags %lx\n", rc->ndots, rc->timeout,
		       rc->attempts, flag_to_res(rc->flags));
}

static void describe_glibc(struct rs_sbuf *sb)
{
	char text[INET6_ADDRSTRLEN];

	for (int i = 0; i < _res.nscount && i < MAXNS; i++) {
		if (_res.nsaddr_list[i].sin_family == AF_INET) {
			inet_ntop(AF_INET, &_res.nsaddr_list[i].sin_addr, text, sizeof(text));
			rs_sbuf_printf(sb, "ns %s scope 0\n", text);
		} else if (_res._u._ext.nsaddrs[i] != NULL) {
			struct sockaddr_in6 *s6 = _res._u._ext.nsaddrs[i];
			inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
			rs_sbuf_printf(sb, "ns %s scope %u\n", text, s6->sin6_scope_id);
		} else {
			rs_sbuf_printf(sb, "ns ? family %d\n", _res.nsaddr_list[i].sin_family);
		}
	}
	for (int i = 0; i < MAXDNSRCH && _res.dnsrch[i] != NULL; i++)
		rs_sbuf_printf(sb, "search [%s]\n", _res.dnsrch[i]);
	rs_sbuf_printf(sb, "ndots %d timeout %d attempts %d flags %lx\n", (int)_res.ndots,
		       _res.retrans, _res.retry, _res.options & res_mask());
}

/* res_init() keeps some state of an earlier call (timeout, attempts, option
 * bits), so every input is read by a fresh child process. */
static int glibc_in_child(struct rs_sbuf *out)
{
	int fds[2], status;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	if (pipe(fds) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct rs_sbuf sb = RS_SBUF_INIT;
		close(fds[0]);
		res_init();
		describe_glibc(&sb);
		if (write(fds[1], sb.buf, sb.len) != (ssize_t)sb.len)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		rs_sbuf_append(out, buf, (size_t)n);
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return 0;
}

static int read_input(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -errno;
	*buf = malloc(INPUT_MAX);
	if (*buf == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(*buf, 1, INPUT_MAX, f);
	fclose(f);
	*len = n;
	return 0;
}

static int write_target(const char *target, const char *buf, size_t len)
{
	int fd = open(target, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		off += (size_t)w;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct stat st_target, st_etc;
	const char *target;
	int bad = 0;

	if (argc < 4 || strcmp(argv[1], "--target") != 0) {
		fprintf(stderr, "usage: rc_glibc_diff --target FILE INPUT...\n");
		return 2;
	}
	target = argv[2];
	if (stat(target, &st_target) < 0 || stat("/etc/resolv.conf", &st_etc) < 0 ||
	    st_target.st_dev != st_etc.st_dev || st_target.st_ino != st_etc.st_ino) {
		fprintf(stderr,
			"rc_glibc_diff: /etc/resolv.conf is not %s: bind-mount it in a "
			"private mount namespace first\n",
			target);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		struct rs_sbuf ours = RS_SBUF_INIT, theirs = RS_SBUF_INIT;
		struct rs_resolvconf *rc = malloc(sizeof(*rc));
		char *buf = NULL;
		size_t len = 0;
		int r;

		if (rc == NULL)
			return 2;
		r = read_input(argv[i], &buf, &len);
		if (r < 0) {
			fprintf(stderr, "rc_glibc_diff: %s: %s\n", argv[i], strerror(-r));
			return 2;
		}
		rs_resolvconf_parse(buf, len, rc);
		describe_ours(rc, &ours);
		if (len > RS_RC_MAX_FILE) {
			/* Ours reads the first RS_RC_MAX_FILE bytes and drops the
			 * line cut there; give glibc the same text. */
			size_t cut = RS_RC_MAX_FILE;
			while (cut > 0 && buf[cut - 1] != '\n')
				cut--;
			len = cut;
		}
		r = write_target(target, buf, len);
		if (r < 0) {
			fprintf(stderr, "rc_glibc_diff: write %s: %s\n", target, strerror(-r));
			return 2;
		}
		r = glibc_in_child(&theirs);
		if (r < 0) {
			fprintf(stderr, "rc_glibc_diff: res_init in a child: %s\n", strerror(-r));
			return 2;
		}
		if (strcmp(rs_sbuf_str(&ours), rs_sbuf_str(&theirs)) != 0) {
			printf("DIFF %s\n--- resolvstale\n%s--- glibc\n%s", argv[i],
			       rs_sbuf_str(&ours), rs_sbuf_str(&theirs));
			bad++;
		}
		rs_sbuf_free(&ours);
		rs_sbuf_free(&theirs);
		free(buf);
		free(rc);
	}
	printf("rc_glibc_diff: %d inputs, %d differ\n", argc - 3, bad);
	return bad ? 1 : 0;
}

/* gai_loop: a CPU-bound load of glibc lookups, and a spinner, for the
 * overhead benchmark (tests/bench/dns_overhead.sh).
 *
 *   gai_loop [--name NAME] [--expect ADDR] SECONDS
 *   gai_loop --spin SECONDS
 *
 * The first form calls getaddrinfo(NAME, "80") (AF_INET, SOCK_STREAM,
 * AI_NUMERICSERV; NAME defaults to bench.test) back to back for SECONDS and
 * prints one line on stdout:
 *
 *   lookups=N failures=F seconds=S rate=R max_ms=M
 *
 * where a failure is an error from getaddrinfo or an answer other than
 * --expect (default 192.0.2.1), R is lookups per second, failures included,
 * and M the slowest single lookup (a tracer that makes syscalls wait shows
 * there before it shows in the rate). The first error is described on
 * stderr. Each call goes through everything a real client pays for: the
 * resolv.conf check, the hosts file, a socket, a send to the nameserver and
 * the wait for its answer.
 *
 * --spin keeps one CPU busy for SECONDS and exits: on the 2-vCPU test
 * machines an idle CPU makes the lookup loop wake-up-bound, which hides the
 * cost of a tracer (DESIGN.md §9).
 *
 * Both forms stop by themselves after SECONDS (at most 3600) and when their
 * parent dies. Uses only libc, so that it measures glibc and nothing else.
 * Exit 0, 1 when a lookup failed, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECONDS 3600

static void usage(void)
{
	fprintf(stderr, "usage: gai_loop [--name NAME] [--expect ADDR] SECONDS\n"
			"       gai_loop --spin SECONDS\n");
	exit(2);
}

/* A whole number of seconds in [1, MAX_SECONDS]: no sign, no junk. */
static int parse_seconds(const char *s, unsigned *out)
{
	unsigned v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > MAX_SECONDS)
			return -ERANGE;
	}
	if (v == 0)
		return -ERANGE;
	*out = v;
	return 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int spin(unsigned seconds)
{
	int64_t end = now_ns() + (int64_t)seconds * 1000000000;
	volatile uint64_t sink = 0;

	while (now_ns() < end) {
		for (unsigned i = 0; i < 100000; i++)
			sink += i;
	}
	return 0;
}

static int lookup_loop(const char *name, const struct in_addr *expect, unsigned seconds)
{
	struct addrinfo hints, *res;
	uint64_t lookups = 0, failures = 0;
	int64_t start, end, before, t, slowest = 0;
	int rc, first_rc = 0, first_errno = 0;
	bool wrong_seen = false;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;

	start = now_ns();
	end = start + (int64_t)seconds * 1000000000;
	t = start;
	do {
		before = t;
		res = NULL;
		rc = getaddrinfo(name, "80", &hints, &res);
		lookups++;
		if (rc != 0) {
			if (failures++ == 0) {
				first_rc = rc;
				first_errno = errno;
			}
		} else {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)res->ai_addr;

			if (res->ai_family != AF_INET || sin->sin_addr.s_addr != expect->s_addr) {
				failures++;
				wrong_seen = true;
			}
			freeaddrinfo(res);
		}
		t = now_ns();
		if (t - before > slowest)
			slowest = t - before;
	} while (t < end);

	if (first_rc != 0)
		fprintf(stderr, "gai_loop: first failure: %s: %s\n", name,
			first_rc == EAI_SYSTEM ? strerror(first_errno) : gai_strerror(first_rc));
	if (wrong_seen)
		fprintf(stderr, "gai_loop: %s: answers other than the expected address\n", name);
	printf("lookups=%llu failures=%llu seconds=%.3f rate=%.0f max_ms=%.1f\n",
	       (unsigned long long)lookups, (unsigned long long)failures, (double)(t - start) / 1e9,
	       (double)lookups / ((double)(t - start) / 1e9), (double)slowest / 1e6);
	return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *name = "bench.test", *expect_s = "192.0.2.1";
	struct in_addr expect;
	unsigned seconds;
	bool spin_mode = false;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--spin") == 0)
			spin_mode = true;
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
			expect_s = argv[++i];
		else
			usage();
	}
	if (i != argc - 1 || parse_seconds(argv[i], &seconds) < 0)
		usage();
	if (inet_pton(AF_INET, expect_s, &expect) != 1) {
		fprintf(stderr, "gai_loop: --expect %s: not an IPv4 address\n", expect_s);
		return 2;
	}
	/* A benchmark killed half-way must not leave a CPU spinning. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		perror("gai_loop: prctl");
		return 2;
	}
	return spin_mode ? spin(seconds) : lookup_loop(name, &expect, seconds);
}

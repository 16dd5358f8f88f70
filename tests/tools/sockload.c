/* Load generator for the /proc socket scan benchmark: N processes holding M
 * sockets each, in a private network namespace.
 *
 *   sockload -n PROCS -m SOCKETS [--ready FILE] [--no-unshare]
 *
 * Enters a new network namespace (unless --no-unshare), brings lo up, widens
 * the accept queue limit and the local port range there, and listens on TCP
 * 127.53.0.1:53 (never accepting: connections wait in the accept queue, whose
 * backlog covers all of them, so clients stay established and the listener
 * holds one fd). Then forks PROCS children; child i binds every socket to its
 * own local address 127.60.x.y (so that 100k sockets never run out of local
 * ports) and makes socket k according to k % 10:
 *
 *   0-3  UDP connected to 127.53.0.1:53
 *   4-5  UDP connected to 127.53.0.2:53
 *   6-7  UDP unconnected, after one sendto 127.53.0.1:53 (no remote port)
 *   8-9  TCP connected to 127.53.0.1:53
 *
 * Children keep stdio and their sockets, nothing else.
 *
 * When every child is ready it writes one line to FILE (atomically, by
 * rename) or stdout:
 *
 *   ready pid=P netns=N procs=N sockets=N udp53=N tcp53=N unconnected=N expected=N
 *
 * where expected = udp53 + tcp53 is what a scan for remote port 53 must find,
 * then sleeps until SIGTERM, SIGINT or SIGHUP, kills its children (by pid)
 * and exits 0. Children die with it (PR_SET_PDEATHSIG) if it is killed.
 * Exit 1 if a child failed to make its sockets or was not ready within
 * 300 s, 2 on usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resolvstale/strnum.h"

#define MAX_PROCS   20000
#define MAX_SOCKETS 1000
#define READY_SECS  300

enum kind { K_UDP1, K_UDP2, K_UNCONN, K_TCP };

static enum kind kind_of(unsigned k)
{
	unsigned m = k % 10;

	if (m <= 3)
		return K_UDP1;
	if (m <= 5)
		return K_UDP2;
	if (m <= 7)
		return K_UNCONN;
	return K_TCP;
}

static void die(const char *what)
{
	fprintf(stderr, "sockload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static void setup_netns(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS lo up");
	close(fd);
	/* Per-namespace sysctls (opened from inside it): room in the accept
	 * queue for every client, and ports to spare. */
	if (write_file("/proc/sys/net/core/somaxconn", "65535\n") < 0)
		die("net.core.somaxconn");
	if (write_file("/proc/sys/net/ipv4/ip_local_port_range", "1024 65000\n") < 0)
		die("net.ipv4.ip_local_port_range");
}

static struct sockaddr_in sin4(const char *addr, uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, addr, &a.sin_addr);
	return a;
}

/* Child i: make the sockets, report, wait to be killed. */
static void child(unsigned i, unsigned m, int ready_fd, pid_t parent)
{
	struct sockaddr_in local, dns1 = sin4("127.53.0.1", 53), dns2 = sin4("127.53.0.2", 53);
	char ok = 0;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	/* Hold stdio, the sockets and nothing inherited from whoever started
	 * the generator: a child has exactly M + 3 fds. */
	if ((ready_fd > 3 && close_range(3, (unsigned)ready_fd - 1, 0) < 0) ||
	    close_range((unsigned)ready_fd + 1, ~0u, 0) < 0)
		_exit(1);
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_addr.s_addr = htonl(0x7f3c0000u + i + 1); /* 127.60.0.0 + i + 1 */
	for (unsigned k = 0; k < m && ok == 0; k++) {
		enum kind kd = kind_of(k);
		int fd = socket(AF_INET, (kd == K_TCP ? SOCK_STREAM : SOCK_DGRAM), 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
			ok = 1;
			break;
		}
		switch (kd) {
		case K_UDP1:
		case K_TCP:
			if (connect(fd, (struct sockaddr *)&dns1, sizeof(dns1)) < 0)
				ok = 1;
			break;
		case K_UDP2:
			if (connect(fd, (struct sockaddr *)&dns2, sizeof(dns2)) < 0)
				ok = 1;
			break;
		case K_UNCONN:
			/* Nobody listens: the datagram is dropped, the socket stays
			 * unconnected (no remote port). */
			if (sendto(fd, "q", 1, 0, (struct sockaddr *)&dns1, sizeof(dns1)) < 0)
				ok = 1;
			break;
		}
	}
	if (write(ready_fd, &ok, 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;)
		pause();
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void kill_children(pid_t *kids, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	for (unsigned i = 0; i < n; i++)
		if (kids[i] > 0)
			waitpid(kids[i], NULL, 0);
}

static void usage(void)
{
	fprintf(stderr, "usage: sockload -n PROCS -m SOCKETS [--ready FILE] [--no-unshare]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in lst = sin4("127.53.0.1", 53);
	const char *ready_path = NULL;
	uint64_t n = 0, m = 0;
	bool do_unshare = true;
	unsigned udp53 = 0, tcp53 = 0, unconn = 0, got = 0, failed = 0;
	int lfd, pfd[2], one = 1;
	pid_t *kids, self = getpid();
	char line[512], netns[64] = "?";
	struct sigaction sa;
	sigset_t block, old;
	time_t deadline;
	ssize_t l;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "-n") == 0 && v != NULL) {
			if (rs_strtou64(v, 1, MAX_PROCS, &n) < 0)
				usage();
			i++;
		} else if (strcmp(argv[i], "-m") == 0 && v != NULL) {
			if (rs_strtou64(v, 1, MAX_SOCKETS, &m) < 0)
				usage();
			i++;
		} else if (strcmp(argv[i], "--ready") == 0 && v != NULL) {
			ready_path = v;
			i++;
		} else if (strcmp(argv[i], "--no-unshare") == 0) {
			do_unshare = false;
		} else {
			usage();
		}
	}
	if (n == 0 || m == 0)
		usage();
	for (unsigned k = 0; k < m; k++) {
		switch (kind_of(k)) {
		case K_UDP1:
		case K_UDP2:
			udp53++;
			break;
		case K_UNCONN:
			unconn++;
			break;
		case K_TCP:
			tcp53++;
			break;
		}
	}

	/* Signals wait until every child is forked and the line is out. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (do_unshare)
		setup_netns();
	l = readlink("/proc/self/ns/net", line, sizeof(line) - 1);
	if (l > 5) {
		line[l] = '\0';
		snprintf(netns, sizeof(netns), "%.*s", (int)(l - 6), line + 5);
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&lst, sizeof(lst)) < 0)
		die("bind 127.53.0.1:53");
	if (listen(lfd, (int)(n * tcp53 + 128 < 65535 ? n * tcp53 + 128 : 65535)) < 0)
		die("listen");
	if (pipe2(pfd, O_CLOEXEC) < 0)
		die("pipe");
	kids = calloc(n, sizeof(*kids));
	if (kids == NULL)
		die("calloc");
	for (unsigned i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			fprintf(stderr, "sockload: fork %u: %s\n", i, strerror(errno));
			kill_children(kids, i);
			return 1;
		}
		if (kids[i] == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			close(lfd);
			close(pfd[0]);
			child(i, (unsigned)m, pfd[1], self);
		}
	}
	close(pfd[1]);
	deadline = time(NULL) + READY_SECS;
	while (got < n) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		char buf[4096];
		int left = (int)(deadline - time(NULL));

		if (left <= 0 || poll(&p, 1, left * 1000) <= 0)
			break;
		l = read(pfd[0], buf, sizeof(buf));
		if (l <= 0)
			break; /* every child closed its end: some died */
		for (ssize_t k = 0; k < l; k++)
			failed += buf[k] != 0;
		got += (unsigned)l;
	}
	close(pfd[0]);
	if (got < n || failed > 0) {
		fprintf(stderr, "sockload: %u of %" PRIu64 " children ready, %u failed\n", got, n,
			failed);
		kill_children(kids, (unsigned)n);
		return 1;
	}
	snprintf(line, sizeof(line),
		 "ready pid=%d netns=%s procs=%" PRIu64 " sockets=%" PRIu64 " udp53=%" PRIu64
		 " tcp53=%" PRIu64 " unconnected=%" PRIu64 " expected=%" PRIu64 "\n",
		 (int)self, netns, n, n * m, n * udp53, n * tcp53, n * unconn, n * (udp53 + tcp53));
	if (ready_path != NULL) {
		char tmp[4096];
		int fd;

		snprintf(tmp, sizeof(tmp), "%s.tmp", ready_path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
		    close(fd) < 0 || rename(tmp, ready_path) < 0) {
			fprintf(stderr, "sockload: cannot write %s: %s\n", ready_path,
				strerror(errno));
			kill_children(kids, (unsigned)n);
			return 1;
		}
	} else {
		fputs(line, stdout);
		fflush(stdout);
	}
	while (!stop)
		sigsuspend(&old);
	kill_children(kids, (unsigned)n);
	free(kids);
	close(lfd);
	return 0;
}

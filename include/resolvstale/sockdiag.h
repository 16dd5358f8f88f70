/* A network namespace's socket tables, as the kernel gives them: the
 * NETLINK_SOCK_DIAG inet_diag dump (fast, filtered in the kernel) and the
 * /proc/PID/net/{udp,udp6,tcp,tcp6} text tables (the fallback).
 *
 * Both parsers are pure functions over buffers that yield struct rs_sock; they
 * are fuzzed (tests/fuzz/fuzz_sockdiag.c, fuzz_procnet.c). The I/O wrappers
 * below them open a sock_diag socket inside a namespace, run one dump, replay
 * a recorded one, or read a /proc/net table in large chunks. Nothing here
 * prints; every function returns 0 (or a count) or a negative errno.
 */
#ifndef RESOLVSTALE_SOCKDIAG_H
#define RESOLVSTALE_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "resolvstale/event.h"
#include "resolvstale/sock.h"

/* Called once per socket; the socket is valid during the call only. Return 0
 * to go on, a negative errno to stop (the parser returns it). */
typedef int (*rs_sock_fn)(void *ctx, const struct rs_sock *s);

/* --- NETLINK_SOCK_DIAG ---------------------------------------------------- */

/* Bytes a request needs (nlmsghdr + inet_diag_req_v2 + the bytecode). */
#define RS_SOCKDIAG_REQ_LEN 92
/* A receive buffer large enough for any datagram of a dump (the kernel fills
 * at most 32 KiB per datagram). */
#define RS_SOCKDIAG_RECV_LEN (64 * 1024)

/* Write a SOCK_DIAG_BY_FAMILY dump request for family (AF_INET, AF_INET6) and
 * proto, all states, filtered in the kernel by inet_diag bytecode on the
 * remote port (the `ss 'dport = :53'` filter: one INET_DIAG_BC_D_COND with an
 * AF_UNSPEC host condition). Returns the length (RS_SOCKDIAG_REQ_LEN) or
 * -EINVAL (bad family, proto, or len too small). */
int rs_sockdiag_build_request(void *buf, size_t len, int family, enum rs_proto proto,
			      uint16_t dport, uint32_t seq);

/* The state of one dump's reply across its datagrams. */
struct rs_sockdiag_parser {
	uint32_t seq;        /* expected nlmsg_seq: other messages are skipped */
	int family;          /* requested family; messages of another are malformed */
	enum rs_proto proto; /* from the request: replies do not say */
	uint64_t netns;      /* copied into every rs_sock */
	bool interrupted;    /* a message carried NLM_F_DUMP_INTR */
	bool done;           /* NLMSG_DONE seen */
	uint64_t messages;   /* inet_diag messages parsed */
	uint64_t skipped;    /* messages of another sequence (a stale dump) */
};

void rs_sockdiag_parser_init(struct rs_sockdiag_parser *p, uint32_t seq, int family,
			     enum rs_proto proto, uint64_t netns);

#define RS_SOCKDIAG_MORE 0 /* the dump goes on: feed the next datagram */
#define RS_SOCKDIAG_DONE 1 /* NLMSG_DONE: the dump is complete */

/* Parse one datagram of a dump reply (or several datagrams back to back, as a
 * recorded dump is stored). The caller has already checked that the sender's
 * nl_pid is 0 and that the datagram was not truncated (MSG_TRUNC). Returns
 * RS_SOCKDIAG_MORE, RS_SOCKDIAG_DONE, or a negative errno:
 *   -EAGAIN   the dump completed but was interrupted (NLM_F_DUMP_INTR): the
 *             kernel's tables changed under it; discard and retry;
 *   -EBADMSG  a truncated or malformed message, bytes left over after the
 *             last message or after NLMSG_DONE, a datagram after DONE;
 *   -E...     the errno of an NLMSG_ERROR or of a negative NLMSG_DONE status;
 *   whatever fn returned.
 * Sockets are handed to fn as they are parsed, so a dump that fails later has
 * already delivered some: callers discard them on error. */
int rs_sockdiag_parse(struct rs_sockdiag_parser *p, const void *buf, size_t len, rs_sock_fn fn,
		      void *ctx);

/* Open a NETLINK_SOCK_DIAG socket (close-on-exec, with a receive timeout) in
 * the network namespace of nsfd: setns() there on the calling thread, create
 * the socket, setns() back to orig_nsfd. With nsfd < 0 the socket is made in
 * the current namespace. Returns the fd, or a negative errno: -EPERM when
 * setns is refused (no CAP_SYS_ADMIN), -EPROTONOSUPPORT without sock_diag,
 * and -ENOTRECOVERABLE if the thread could not return to orig_nsfd (it is
 * then in the wrong namespace: the caller must stop using it). */
int rs_sockdiag_open(int nsfd, int orig_nsfd);

/* Dump the sockets of one family and proto to remote port dport through fd
 * and hand each one to fn. buf (RS_SOCKDIAG_RECV_LEN bytes) is scratch space.
 * If record_fd >= 0, every datagram received is also appended to it, so that
 * rs_sockdiag_replay can play the dump back. Returns RS_SOCKDIAG_DONE or a
 * negative errno (see rs_sockdiag_parse; -EMSGSIZE for a truncated datagram,
 * -ENOBUFS when the kernel dropped part of the dump, -ETIMEDOUT). */
int rs_sockdiag_dump(int fd, int family, enum rs_proto proto, uint16_t dport, uint32_t seq,
		     uint64_t netns, void *buf, size_t buflen, int record_fd, rs_sock_fn fn,
		     void *ctx);

/* Play back a recorded dump: the file name below dirfd holds the datagrams of
 * one dump back to back (at most 64 MiB). The expected sequence number is the
 * first message's. Returns RS_SOCKDIAG_DONE or a negative errno (-ENOENT if
 * there is no such recording; a recording that ends before NLMSG_DONE is
 * -EBADMSG). */
int rs_sockdiag_replay(int dirfd, const char *name, int family, enum rs_proto proto, uint64_t netns,
		       rs_sock_fn fn, void *ctx);

/* The file name of a recording: "<netns>-<udp|tcp><4|6>.nl". */
void rs_sockdiag_record_name(char *buf, size_t len, uint64_t netns, int family,
			     enum rs_proto proto);

/* --- /proc/PID/net/{udp,udp6,tcp,tcp6} ------------------------------------ */

/* Longest line accepted (the kernel writes under 200 bytes). */
#define RS_PROCNET_LINE_MAX 512

/* The state of one table across the chunks it is read in. */
struct rs_procnet_parser {
	int family;          /* AF_INET (udp, tcp) or AF_INET6 (udp6, tcp6) */
	enum rs_proto proto; /* the table's */
	uint64_t netns;      /* copied into every rs_sock */
	bool skipping;       /* inside an over-long line, up to its newline */
	uint64_t lines;      /* lines seen, header and malformed included */
	uint64_t sockets;    /* sockets handed to fn */
	uint64_t malformed;  /* lines that are neither the header nor a socket */
};

void rs_procnet_parser_init(struct rs_procnet_parser *p, int family, enum rs_proto proto,
			    uint64_t netns);

/* Parse the complete lines at the start of buf[0..len). Addresses are hex
 * 32-bit words in host byte order (the kernel prints each word with %08X),
 * ports and the state hex, the inode decimal; the header line ("sl
 * local_address ...") is recognised wherever it is, malformed lines are
 * counted, never fatal. A partial last line is left for the next call unless
 * eof is true (then it is parsed too); a line of RS_PROCNET_LINE_MAX bytes or
 * more is counted as malformed and skipped without being kept. Returns the
 * number of bytes consumed (the caller keeps the rest, always shorter than
 * RS_PROCNET_LINE_MAX, and feeds it again in front of the next chunk), or
 * the negative errno fn returned. */
ssize_t rs_procnet_feed(struct rs_procnet_parser *p, const char *buf, size_t len, bool eof,
			rs_sock_fn fn, void *ctx);

/* Read the table name (e.g. "net/udp6") below dirfd, asking for at least
 * 64 KiB per read, and parse it with p. buf is scratch space of buflen bytes
 * (at least 64 KiB + RS_PROCNET_LINE_MAX). Returns 0 or a negative errno
 * (-ENOENT: no such table, or the process is gone).
 *
 * This is the slow path. Each read of /proc/net/udp restarts the kernel's
 * walk of the UDP table from its start, and on 6.x a read returns at most one
 * seq_file buffer (about 4 KiB) however much is asked for, so reading the
 * table costs time quadratic in its UDP sockets whatever the read size
 * (about 15 s for 100k here; reads under 4 KiB are worse still). The TCP
 * tables remember their position and read in linear time. */
int rs_procnet_read(int dirfd, const char *name, struct rs_procnet_parser *p, char *buf,
		    size_t buflen, rs_sock_fn fn, void *ctx);

#define RS_PROCNET_READ_MIN (64 * 1024)

#endif

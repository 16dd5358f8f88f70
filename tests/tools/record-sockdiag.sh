#!/bin/bash
# Record real NETLINK_SOCK_DIAG replies for the unit tests and the fuzz seeds.
#
#   sudo bash tests/tools/record-sockdiag.sh      (after `make tools`)
#
# Creates three private network namespaces, each with lo up and one python3
# process holding sockets (nothing is sent anywhere but to loopback addresses
# inside those namespaces):
#   A  the socket zoo: UDP connected to 127.53.0.1:53 (two of them), a TCP
#      connection to a listener on 127.53.0.1:53, an unconnected UDP socket
#      that sent to 127.53.0.1:53, UDP connected to 127.53.0.1:5353, AF_INET6
#      UDP connected to [::1]:53 and to ::ffff:127.53.0.1 port 53, AF_INET6 TCP
#      to [::1]:53, a TCP connection the server closed (CLOSE_WAIT) and one the
#      client closed first (TIME_WAIT: no inode any more);
#   B  400 UDP sockets connected to 127.53.0.2:53 (a dump of several
#      datagrams);
#   C  nothing to port 53 (empty dumps).
# Then runs build/tools/procscan_run --record on the real /proc (from the host
# namespace, as the daemon does) and copies the four recordings of each of A,
# B, C to tests/fixtures/sockdiag/ under fixed namespace numbers (the number
# is only a file name key; the replies do not contain it):
#   A = 4026532001, B = 4026532002, C = 4026532003.
# manifest.txt lists every socket as python3 saw it (fstat inode,
# getsockname, getpeername), independently of resolvstale's parsers; the
# unit tests take their expected inodes from it. Then regenerate the /proc
# fixture tree, whose fds point at these inodes:
#   bash tests/tools/make-proc-fixtures.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/fixtures/sockdiag
run=$top/build/tools/procscan_run
[ "$(id -u)" -eq 0 ] || { echo "record-sockdiag: needs root" >&2; exit 2; }
[ -x "$run" ] || { echo "record-sockdiag: $run missing (make tools)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-record.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/holder.py" <<'EOF'
import os, socket, sys, time

which, out = sys.argv[1], sys.argv[2]
keep, lines = [], []
S, D, T = socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.AF_INET6

def fmt(s, a):
    if a is None:
        return "-"
    return ("[%s]:%d" if s.family == T else "%s:%d") % (a[0], a[1])

def note(role, s):
    try:
        peer = s.getpeername()
    except OSError:
        peer = None
    lines.append("role=%s fd=%d inode=%d proto=%s family=%s local=%s remote=%s" % (
        role, s.fileno(), os.fstat(s.fileno()).st_ino,
        "tcp" if s.type == S else "udp", "inet6" if s.family == T else "inet",
        fmt(s, s.getsockname()), fmt(s, peer)))
    keep.append(s)

def sock(fam, typ):
    return socket.socket(fam, typ)

if which == "A":
    l4 = sock(socket.AF_INET, S); l4.bind(("127.53.0.1", 53)); l4.listen(16)
    l6 = sock(T, S); l6.bind(("::1", 53)); l6.listen(16)
    keep += [l4, l6]
    u = sock(socket.AF_INET, D); u.connect(("127.53.0.1", 53)); note("udp4-conn", u)
    u = sock(socket.AF_INET, D); u.connect(("127.53.0.1", 53)); note("udp4-conn-2", u)
    t = sock(socket.AF_INET, S); t.connect(("127.53.0.1", 53)); note("tcp4-conn", t)
    keep.append(l4.accept()[0])
    u = sock(socket.AF_INET, D); u.sendto(b"q", ("127.53.0.1", 53)); note("udp4-unconn", u)
    u = sock(socket.AF_INET, D); u.connect(("127.53.0.1", 5353)); note("udp4-5353", u)
    u = sock(T, D); u.connect(("::1", 53)); note("udp6-conn", u)
    u = sock(T, D); u.connect(("::ffff:127.53.0.1", 53)); note("udp6-mapped", u)
    t = sock(T, S); t.connect(("::1", 53)); note("tcp6-conn", t)
    keep.append(l6.accept()[0])
    # The server closes: the client sits in CLOSE_WAIT, still holding its fd.
    t = sock(socket.AF_INET, S); t.connect(("127.53.0.1", 53)); note("tcp4-closewait", t)
    a = l4.accept()[0]; a.close()
    # The client closes first: TIME_WAIT, a socket without an inode.
    t = sock(socket.AF_INET, S); t.connect(("127.53.0.1", 53))
    a = l4.accept()[0]
    lines.append("role=tcp4-timewait fd=-1 inode=0 proto=tcp family=inet local=%s remote=%s"
                 % (fmt(t, t.getsockname()), fmt(t, t.getpeername())))
    t.close(); time.sleep(0.1); a.close()
elif which == "B":
    for i in range(400):
        u = sock(socket.AF_INET, D); u.connect(("127.53.0.2", 53)); note("bulk-%d" % i, u)
with open(out + ".tmp", "w") as f:
    f.write("".join(l + "\n" for l in lines))
os.rename(out + ".tmp", out)
time.sleep(600)
EOF

declare -A fake=([A]=4026532001 [B]=4026532002 [C]=4026532003)
declare -A nsino
for ns in A B C; do
	unshare --net sh -c 'ip link set lo up && exec /usr/bin/python3 "$1" "$2" "$3"' sh \
		"$tmp/holder.py" "$ns" "$tmp/$ns.txt" &
	pids+=("$!")
done
for i in $(seq 1 100); do
	[ -e "$tmp/A.txt" ] && [ -e "$tmp/B.txt" ] && [ -e "$tmp/C.txt" ] && break
	sleep 0.1
done
[ -e "$tmp/A.txt" ] && [ -e "$tmp/B.txt" ] && [ -e "$tmp/C.txt" ] ||
	{ echo "record-sockdiag: holders did not start" >&2; exit 1; }
i=0
for ns in A B C; do
	nsino[$ns]=$(readlink "/proc/${pids[$i]}/ns/net" | tr -dc 0-9)
	i=$((i + 1))
done

mkdir -p "$tmp/rec" "$out"
"$run" --record "$tmp/rec" --unowned --stats >"$tmp/scan.txt"
rm -f "$out"/*.nl "$out/manifest.txt"
for ns in A B C; do
	for t in udp4 udp6 tcp4 tcp6; do
		cp "$tmp/rec/${nsino[$ns]}-$t.nl" "$out/${fake[$ns]}-$t.nl"
	done
	sed "s/^/ns=$ns netns=${fake[$ns]} /" "$tmp/$ns.txt" >>"$out/manifest.txt"
done
echo "record-sockdiag: wrote $(ls "$out"/*.nl | wc -l) recordings and manifest.txt to $out"
echo "record-sockdiag: now run: bash tests/tools/make-proc-fixtures.sh"

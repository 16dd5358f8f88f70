#!/bin/bash
# (Re)generate tests/fixtures/proc/basic/: a tree laid out like /proc for the
# procscan unit tests (tests/unit/test_procscan.c). Its fds point at the
# socket inodes of the recorded sock_diag replies in tests/fixtures/sockdiag/
# (manifest.txt, written by tests/tools/record-sockdiag.sh); run this again
# after recording. Git holds the symlinks as they are; this script is the
# description of what each entry is for.
#
# Namespaces: A = 4026532001, B = 4026532002, C = 4026532003 have recorded
# replies; M = 4026532010 has none, so its processes' /proc/PID/net tables
# (written here) are the fallback.
#
#   100  python3, netns A: /dev/null, a pipe, an anon inode, a deleted file,
#        sockets udp4-conn (fd 3), tcp4-conn (4), udp4-unconn (5), udp4-5353 (7)
#   200  comm "x) R 1 (" (a hostile name), netns A: udp6-conn (3),
#        tcp6-conn (4), a socket in no dump (9)
#   300  comm "evil\n\e[31mred" (newline, terminal escape), netns A:
#        udp6-mapped (5), tcp4-closewait (6)
#   301  netns A: udp4-conn (3) too, as a forked child would share it
#   400  netns A, no fd/ directory (it exited between readdir and open)
#   500  no stat (exited): its socket udp4-conn-2 has no known owner
#   600  netns M: sockets 70001 (fd 3), 70002 (4), 70003 (5), 70004 (6) from
#        its net/ tables (udp, udp6 with an IPv4-mapped peer, tcp, tcp6), with a
#        malformed line in udp
#   700  netns C (no socket to port 53): fd 3 names udp4-conn of A, which
#        lives in another namespace: never matched, the fd walk is skipped
#   800  netns B: bulk-0 (fd 10) and bulk-399 (fd 409); the other 398 have no
#        known owner
#   900  stat is garbage (unreadable)
#   901  fd is a regular file (unreadable)
#   902  ns/net names no namespace (unreadable)
#   1000 a symlink to 100, self -> 100, 0, 007, 12ab, net/, cpuinfo: not
#        processes
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
manifest=$top/tests/fixtures/sockdiag/manifest.txt
root=$top/tests/fixtures/proc/basic
A=4026532001 B=4026532002 C=4026532003 M=4026532010

ino() {
	local v
	v=$(awk -v r="role=$1" '$3 == r { sub("inode=", "", $5); print $5 }' "$manifest")
	[ -n "$v" ] || { echo "make-proc-fixtures: no role $1 in $manifest" >&2; exit 1; }
	printf '%s' "$v"
}

# stat PID COMM STARTTIME: a /proc/PID/stat line (comm may hold anything).
stat_line() {
	printf '%s (%s) S 1 %s %s 0 -1 4194304 120 0 0 0 5 3 0 0 20 0 1 0 %s 12345678 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n' \
		"$1" "$2" "$1" "$1" "$3"
}

# proc PID COMM STARTTIME NETNS: a process directory with stat and ns/net.
proc() {
	mkdir -p "$root/$1/ns" "$root/$1/fd"
	stat_line "$1" "$2" "$3" >"$root/$1/stat"
	ln -s "net:[$4]" "$root/$1/ns/net"
}

fd() { ln -s "$3" "$root/$1/fd/$2"; }

rm -rf "$root"
mkdir -p "$root"

proc 100 python3 1000 $A
fd 100 0 /dev/null
fd 100 1 'pipe:[9001]'
fd 100 2 'anon_inode:[eventfd]'
fd 100 3 "socket:[$(ino udp4-conn)]"
fd 100 4 "socket:[$(ino tcp4-conn)]"
fd 100 5 "socket:[$(ino udp4-unconn)]"
fd 100 6 '/tmp/cache.db (deleted)'
fd 100 7 "socket:[$(ino udp4-5353)]"

proc 200 'x) R 1 (' 2000 $A
fd 200 3 "socket:[$(ino udp6-conn)]"
fd 200 4 "socket:[$(ino tcp6-conn)]"
fd 200 9 'socket:[999999]'

proc 300 $'evil\n\e[31mred' 3000 $A
fd 300 5 "socket:[$(ino udp6-mapped)]"
fd 300 6 "socket:[$(ino tcp4-closewait)]"

proc 301 python3 3010 $A
fd 301 3 "socket:[$(ino udp4-conn)]"

proc 400 vanished 4000 $A
rmdir "$root/400/fd"

proc 500 nostat 5000 $A
fd 500 3 "socket:[$(ino udp4-conn-2)]"
rm "$root/500/stat"

proc 600 fallback 6000 $M
fd 600 3 'socket:[70001]'
fd 600 4 'socket:[70002]'
fd 600 5 'socket:[70003]'
fd 600 6 'socket:[70004]'
fd 600 7 'socket:[70005]'
mkdir -p "$root/600/net"
cat >"$root/600/net/udp" <<'EOF'
   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  101: 0100007F:9C40 0900357F:0035 01 00000000:00000000 00:00000000 00000000     0        0 70001 2 0000000000000000 0
  102: 0100007F:9C41 0900357F:14E9 01 00000000:00000000 00:00000000 00000000     0        0 70005 2 0000000000000000 0
  103: this line is not a socket
  104: 00000000:9C42 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 70006 2 0000000000000000 0
EOF
cat >"$root/600/net/udp6" <<'EOF'
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  201: 0000000000000000FFFF00000100007F:9C43 0000000000000000FFFF00000900357F:0035 01 00000000:00000000 00:00000000 00000000     0        0 70002 2 0000000000000000 0
EOF
cat >"$root/600/net/tcp" <<'EOF'
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C44 0900357F:0035 01 00000000:00000000 00:00000000 00000000     0        0 70003 1 0000000000000000 20 4 30 10 -1
   1: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 70007 1 0000000000000000 100 0 0 10 0
EOF
cat >"$root/600/net/tcp6" <<'EOF'
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:9C45 00000000000000000000000001000000:0035 08 00000000:00000000 00:00000000 00000000     0        0 70004 1 0000000000000000 20 4 30 10 -1
EOF

proc 700 otherns 7000 $C
fd 700 3 "socket:[$(ino udp4-conn)]"

proc 800 bulk 8000 $B
fd 800 10 "socket:[$(ino bulk-0)]"
fd 800 409 "socket:[$(ino bulk-399)]"

proc 900 garbage 9000 $A
printf 'garbage without parentheses\n' >"$root/900/stat"
fd 900 3 "socket:[$(ino udp4-conn)]"

proc 901 fdfile 9010 $A
rmdir "$root/901/fd"
printf 'not a directory\n' >"$root/901/fd"

proc 902 badns 9020 $A
rm "$root/902/ns/net"
ln -s 'net:[abc]' "$root/902/ns/net"
fd 902 3 "socket:[$(ino udp4-conn)]"

# Entries that are not processes.
ln -s 100 "$root/1000"
ln -s 100 "$root/self"
for d in 0 007 12ab net; do
	mkdir -p "$root/$d/fd"
	ln -s "socket:[$(ino udp4-conn)]" "$root/$d/fd/3"
	stat_line 1 notaprocess 1 >"$root/$d/stat"
	ln -s "net:[$A]" "$root/$d/ns" 2>/dev/null || true
done
printf 'processor\t: 0\n' >"$root/cpuinfo"
echo "make-proc-fixtures: wrote $root"

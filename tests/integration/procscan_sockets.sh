#!/bin/bash
# The /proc socket scan against the real kernel (build/tools/procscan_run, the
# code the scan command and the daemon run).
#
# In a private network namespace N1 (lo up), one python3 process per socket:
#   udp4     UDP connected to 127.53.0.1:53                      reported
#   tcp4     TCP connected to a listener on 127.53.0.1:53        reported
#   unconn4  UDP, unconnected, after a sendto to 127.53.0.1:53   not reported
#   udp5353  UDP connected to 127.53.0.1:5353                    not reported
#   udp6     AF_INET6 UDP connected to [::1]:53                  reported
#   mapped   AF_INET6 UDP connected to ::ffff:127.53.0.1 port 53 reported
#   listen   the TCP listener (and the connection it accepted)   not reported
# and in a second namespace N2:
#   udp4b    UDP connected to 127.53.0.2:53                      reported
# procscan_run runs in the test's own (host) network namespace and must reach
# both namespaces itself. Asserts the exact hits of our processes (pid,
# starttime, netns as readlink /proc/PID/ns/net says, fd, proto, family,
# state, inode, local and remote address as python3 saw them), with
# sock_diag, with the /proc/PID/net fallback (--no-sockdiag), and across
# repeated scans with one scanner (the netlink socket cache). Nothing is sent
# outside the two namespaces; only the processes started here are stopped.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
RUN=$RS_TOOLS/procscan_run
[ -x "$RUN" ] || rs_die "$RUN is missing (make tools)"
[ -x /usr/bin/python3 ] || rs_die "/usr/bin/python3 is missing (make test-deps)"
command -v nsenter >/dev/null || rs_die "nsenter is missing (util-linux)"
command -v ip >/dev/null || rs_die "ip is missing (iproute2)"
rs_tmpdir T

cat >"$T/hold.py" <<'EOF'
import os, socket, sys, time
kind, out = sys.argv[1], sys.argv[2]
A4, A6, D, S = socket.AF_INET, socket.AF_INET6, socket.SOCK_DGRAM, socket.SOCK_STREAM
if kind == "listen":
    s = socket.socket(A4, S)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.53.0.1", 53))
    s.listen(16)
elif kind == "unconn4":
    s = socket.socket(A4, D)
    s.sendto(b"q", ("127.53.0.1", 53))
else:
    fam, typ, dst = {
        "udp4": (A4, D, ("127.53.0.1", 53)),
        "tcp4": (A4, S, ("127.53.0.1", 53)),
        "udp5353": (A4, D, ("127.53.0.1", 5353)),
        "udp6": (A6, D, ("::1", 53)),
        "mapped": (A6, D, ("::ffff:127.53.0.1", 53)),
        "udp4b": (A4, D, ("127.53.0.2", 53)),
    }[kind]
    s = socket.socket(fam, typ)
    s.connect(dst)
local = s.getsockname()
fmt = "[%s]:%d" if s.family == A6 else "%s:%d"
with open(out + ".tmp", "w") as f:
    f.write("fd=%d inode=%d local=%s\n" % (s.fileno(), os.fstat(s.fileno()).st_ino,
                                          fmt % (local[0], local[1])))
os.rename(out + ".tmp", out)
keep = []
while kind == "listen":
    keep.append(s.accept()[0])
time.sleep(300)
EOF

# Two network namespaces, each held by a sleep we started.
rs_spawn N1 unshare --net sleep 300
rs_spawn N2 unshare --net sleep 300
ns_ready() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
rs_wait_until 5 ns_ready "$N1" || rs_die "no network namespace N1"
rs_wait_until 5 ns_ready "$N2" || rs_die "no network namespace N2"
nsenter --net="/proc/$N1/ns/net" ip link set lo up || rs_die "cannot bring lo up in N1"
nsenter --net="/proc/$N2/ns/net" ip link set lo up || rs_die "cannot bring lo up in N2"

declare -A PID
# start KIND HOLDER: one python3 holding one socket, in HOLDER's namespace.
start() {
	local kind=$1 holder=$2 hpid
	rs_spawn hpid nsenter --net="/proc/$holder/ns/net" /usr/bin/python3 "$T/hold.py" \
		"$kind" "$T/$kind.info"
	PID[$kind]=$hpid
	rs_wait_until 10 test -e "$T/$kind.info" || rs_die "$kind: the holder did not start"
}
start listen "$N1"
for kind in udp4 tcp4 unconn4 udp5353 udp6 mapped; do
	start "$kind" "$N1"
done
start udp4b "$N2"

starttime() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $20}'; }
netns() { readlink "/proc/$1/ns/net" | tr -dc 0-9; }
info() { sed -n "s/.*$2=\([^ ]*\).*/\1/p" "$T/$1.info"; }

# The line procscan_run must print for KIND.
expect() {
	local kind=$1 proto=$2 family=$3 state=$4 remote=$5 p=${PID[$1]}
	printf 'pid=%s starttime=%s netns=%s fd=%s proto=%s family=%s state=%s inode=%s local=%s remote=%s comm=python3\n' \
		"$p" "$(starttime "$p")" "$(netns "$p")" "$(info "$kind" fd)" "$proto" "$family" \
		"$state" "$(info "$kind" inode)" "$(info "$kind" local)" "$remote"
}
{
	expect udp4 udp inet connected 127.53.0.1:53
	expect tcp4 tcp inet established 127.53.0.1:53
	expect udp6 udp inet6 connected '[::1]:53'
	expect mapped udp inet6 connected '[::ffff:127.53.0.1]:53'
	expect udp4b udp inet connected 127.53.0.2:53
} | sort >"$T/expected"
rs_check "the two namespaces differ" "$([ "$(netns "$N1")" != "$(netns "$N2")" ] && echo yes)" yes

ours_re="^pid=($(IFS='|'; echo "${PID[*]}")) "
# scan NAME ARGS...: our processes' hits, sorted, into $T/NAME.
scan() {
	local name=$1
	shift
	"$RUN" --stats "$@" >"$T/$name.all" 2>"$T/$name.stats" ||
		rs_die "procscan_run $* failed: $(cat "$T/$name.stats")"
	grep -E "$ours_re" "$T/$name.all" | sort >"$T/$name"
}
stat_of() { tr ' ' '\n' <"$T/$1.stats" | sed -n "s/^$2=//p"; }

scan sockdiag
if diff -u "$T/expected" "$T/sockdiag"; then
	rs_pass "sock_diag: exactly the expected hits (5 sockets, 2 namespaces)"
else
	rs_fail "sock_diag: hits differ (diff above)"
fi
rs_check "sock_diag: no /proc/net fallback" "$(stat_of sockdiag fallbacks)" 0
rs_check "sock_diag: netlink sockets opened in N1, N2 and here" \
	"$([ "$(stat_of sockdiag nl_opened)" -ge 3 ] && echo yes)" yes

scan tables --no-sockdiag
if diff -u "$T/expected" "$T/tables"; then
	rs_pass "/proc/net fallback: the same hits"
else
	rs_fail "/proc/net fallback: hits differ (diff above)"
fi
rs_check "fallback: no dump" "$(stat_of tables dumps)" 0
rs_check "fallback: namespaces read from /proc/PID/net" \
	"$([ "$(stat_of tables fallbacks)" -ge 3 ] && echo yes)" yes

scan repeated --repeat 3
if diff -u "$T/expected" "$T/repeated"; then
	rs_pass "third scan with the cached netlink sockets: the same hits"
else
	rs_fail "third scan: hits differ (diff above)"
fi
# (Only namespaces born since the first scan need a new socket.)
rs_check "third scan: the netlink sockets come from the cache" \
	"$([ "$(stat_of repeated nl_opened)" -lt "$(stat_of sockdiag nl_opened)" ] && echo yes)" yes

for kind in unconn4 udp5353 listen; do
	rs_check "$kind is not reported" "$(grep -c "^pid=${PID[$kind]} " "$T/sockdiag.all")" 0
done

# Only N2's process: --netns keeps one namespace.
"$RUN" --netns "$(netns "$N2")" >"$T/n2" 2>&1 || rs_die "procscan_run --netns failed"
rs_check "--netns N2: one hit, udp4b's" "$(cut -d' ' -f1 "$T/n2" | tr '\n' ' ')" "pid=${PID[udp4b]} "

# A holder exits: its socket disappears from the next scan, nothing else.
rs_stop_pid "${PID[udp6]}"
scan after
grep -v "^pid=${PID[udp6]} " "$T/expected" >"$T/expected.after"
if diff -u "$T/expected.after" "$T/after"; then
	rs_pass "after udp6's holder exited: the other 4 hits"
else
	rs_fail "after an exit: hits differ (diff above)"
fi
rs_finish

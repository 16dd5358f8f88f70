#!/bin/bash
# `resolvstale scan` against the real kernel: processes holding sockets to the
# old resolver in two network namespaces (UDP connected, TCP, IPv4-mapped),
# sockets that must not be reported (unconnected UDP, another port), a process
# in its own mount namespace with its own resolv.conf, and processes started
# before the change whose resolver reads the file once (at risk) or on every
# lookup (not at risk). Asserts the JSON, the text and the exit status.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
command -v jq >/dev/null || rs_die "jq is missing (make test-deps)"
rs_tmpdir T
OLD=127.53.0.1
NEW=127.53.0.2

# Two network namespaces, lo up.
rs_spawn NSA unshare --net sleep 300
rs_spawn NSB unshare --net sleep 300
for h in "$NSA" "$NSB"; do
	rs_wait_until 5 test -e "/proc/$h/ns/net" || rs_die "no network namespace"
	nsenter --net="/proc/$h/ns/net" ip link set lo up
done
netns_of() { readlink "/proc/$1/ns/net" | tr -dc 0-9; }

printf 'nameserver %s\n' "$OLD" >/etc/resolv.conf # host-safe

# Started before the change: glibc with no-reload (reads the file once) and
# plain glibc (reloads on use).
rs_spawn NORELOAD env RES_OPTIONS=no-reload sleep 300
rs_spawn PLAIN sleep 300
sleep 1.2 # the change must come after their start, at clock-tick resolution

HOLD='
import socket, sys, time
kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect((host, port))
elif kind == "udp6":
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.connect((host, port))
elif kind == "unconnected":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", (host, port))
elif kind == "tcp":
    s = socket.create_connection((host, port))
elif kind == "listen":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port)); s.listen(16); conns = []
    print("ready", s.fileno(), flush=True)
    while True:
        c, _ = s.accept(); conns.append(c)
print("ready", s.fileno(), flush=True)
time.sleep(300)
'
# hold VAR NSPID KIND HOST PORT: a holder process; its fd number lands in VAR_FD.
hold() {
	local var=$1 ns=$2 out
	out=$T/$var.out
	rs_spawn "$var" nsenter --net="/proc/$ns/ns/net" /usr/bin/python3 -c "$HOLD" "$3" "$4" "$5" >"$out"
	rs_wait_until 5 grep -q ready "$out" || rs_die "holder $var did not start"
	printf -v "${var}_FD" '%s' "$(awk '{print $2}' "$out")"
}
hold LISTENER "$NSA" listen "$OLD" 53
hold UDP_OLD "$NSA" udp "$OLD" 53
hold UDP_NEW "$NSA" udp "$NEW" 53
hold TCP_OLD "$NSA" tcp "$OLD" 53
hold MAPPED "$NSA" udp6 "::ffff:$OLD" 53
hold UNCONN "$NSA" unconnected "$OLD" 53
hold OTHERPORT "$NSA" udp "$OLD" 5353
hold NSB_OLD "$NSB" udp "$OLD" 53

# A process in its own mount namespace with its own /etc (a container's copy
# of resolv.conf), in network namespace A, connected to the old address. The
# whole directory is bind-mounted: a mount on the file itself would be
# detached by the kernel when the host renames a new file over it.
mkdir -p "$T/ownetc"
printf 'nameserver 127.53.0.9\n' >"$T/ownetc/resolv.conf"
rs_spawn OWNMNT unshare --mount --propagation private sh -c \
	"mount --bind '$T/ownetc' /etc && exec nsenter --net=/proc/$NSA/ns/net \
	/usr/bin/python3 -c '$HOLD' udp $OLD 53 >'$T/own.out'"
rs_wait_until 5 grep -q ready "$T/own.out" || rs_die "own-mount holder did not start"
# The python process is OWNMNT after the exec chain.
OWNMNT_FD=$(awk '{print $2}' "$T/own.out")

# The change.
printf 'nameserver %s\n' "$NEW" >/etc/resolv.conf.new # host-safe
mv /etc/resolv.conf.new /etc/resolv.conf # host-safe

"$RS_BIN" scan --format json --retired "$OLD" --db "$T/none.db" >"$T/scan.json" 2>"$T/scan.err"
rc=$?
rs_check "exit 1: a process talks to a retired resolver" "$rc" 1
rs_check "no error output" "$(cat "$T/scan.err")" ""
J=$T/scan.json
# Flatten: one object per socket with its process's members.
flat() { jq -c '[.processes[] | . as $p | .sockets[] | ($p | del(.sockets)) + {socket: .} + .]' "$1"; }
flat "$T/scan.json" >"$T/flat.json"
sock() { jq -c --argjson p "$1" '[.[] | select(.pid == $p)]' "$T/flat.json"; }
one() { jq -r --argjson p "$1" "[.[] | select(.pid == \$p)][0] | $2" "$T/flat.json"; }

rs_check "UDP connected to old: fd, remote, proto, state, retired" \
	"$(one "$UDP_OLD" '[.fd, .remote, .rport, .proto, .state, .retired] | map(tostring) | join(" ")')" \
	"$UDP_OLD_FD $OLD 53 udp connected true"
rs_check "UDP connected to old: its network namespace" "$(one "$UDP_OLD" .socket.netns)" "$(netns_of "$UDP_OLD")"
rs_check "UDP connected to old: config domain host" "$(one "$UDP_OLD" .config_domain)" host
rs_check "UDP connected to new: not retired" \
	"$(one "$UDP_NEW" '[.remote, .retired] | map(tostring) | join(" ")')" "$NEW false"
rs_check "TCP to old: established, retired" \
	"$(one "$TCP_OLD" '[.fd, .proto, .state, .retired] | map(tostring) | join(" ")')" \
	"$TCP_OLD_FD tcp established true"
rs_check "IPv4-mapped connect is retired" \
	"$(one "$MAPPED" '[.remote, .retired] | map(tostring) | join(" ")')" "::ffff:$OLD true"
rs_check "unconnected UDP not reported" "$(sock "$UNCONN")" "[]"
rs_check "another port not reported" "$(sock "$OTHERPORT")" "[]"
rs_check "the listener's sockets not reported (local port 53 only)" "$(sock "$LISTENER")" "[]"
rs_check "second namespace: found, its namespace" \
	"$(one "$NSB_OLD" '[.remote, .netns, .retired] | map(tostring) | join(" ")')" \
	"$OLD $(netns_of "$NSB_OLD") true"
rs_check "the two namespaces differ" "$([ "$(netns_of "$NSB_OLD")" != "$(netns_of "$UDP_OLD")" ] && echo yes)" yes
OWNPY=$(jq -r '.[] | select(.config_domain == "other") | .pid' "$T/flat.json")
rs_check "own mount namespace: one socket, config domain other" "$(echo "$OWNPY" | wc -w)" 1
rs_check "own mount namespace: its own file's nameservers, not retired (loopback is per namespace)" \
	"$(one "$OWNPY" '[(.config_nameservers | join(",")), .retired, .fd] | map(tostring) | join(" ")')" \
	"127.53.0.9 false $OWNMNT_FD"
rs_check "own mount namespace: another mntns than ours" \
	"$([ "$(one "$OWNPY" .mntns)" != "$(readlink /proc/self/ns/mnt | tr -dc 0-9)" ] && echo yes)" yes
rs_check "starttime is /proc/PID/stat's field 22" "$(one "$UDP_OLD" .starttime)" \
	"$(awk '{print $22}' "/proc/$UDP_OLD/stat")"
rs_check "runtime of the python holder" "$(one "$UDP_OLD" '[.runtime, .reload_rule] | join(" ")')" \
	"glibc reloads-on-use"

# At risk: the no-reload glibc process started before the change; the plain
# one reloads on use; processes started after the change are not examined.
risk() { jq -r --argjson p "$1" '[.at_risk[] | select(.pid == $p)] | length' "$J"; }
rs_check "RES_OPTIONS=no-reload started before the change: at risk" "$(risk "$NORELOAD")" 1
rs_check "at-risk reason names the rule" \
	"$(jq -r --argjson p "$NORELOAD" '.at_risk[] | select(.pid == $p) | .reason' "$J" | grep -c reads-once)" 1
rs_check "plain glibc started before the change: not at risk" "$(risk "$PLAIN")" 0
rs_check "a process started after the change: not at risk" "$(risk "$UDP_OLD")" 0

# Text output: one row per process and server, RETIRED marked.
"$RS_BIN" scan --retired "$OLD" --db "$T/none.db" >"$T/scan.txt"
rs_check "text: exit 1" "$?" 1
rs_check "text: the TCP row is marked" \
	"$(grep -E "^  $TCP_OLD +python3 +tcp +$OLD:53 RETIRED +established" "$T/scan.txt" | wc -l)" 1
rs_check "text: the summary" "$(tail -1 "$T/scan.txt")" \
	"4 processes talk to a retired resolver; 1 process at risk."

# Without sock_diag: the same sockets from /proc/PID/net.
"$RS_BIN" scan --format json --retired "$OLD" --db "$T/none.db" --no-sockdiag --no-at-risk >"$T/fb.json"
flat "$T/fb.json" >"$T/fbflat.json"
rs_check "fallback: the same sockets" \
	"$(jq -c '[.[] | [.pid, .fd, .remote, .proto, .state]] | sort' "$T/fbflat.json")" \
	"$(jq -c '[.[] | [.pid, .fd, .remote, .proto, .state]] | sort' "$T/flat.json")"
rs_check "every socket once" "$(jq '[.[] | .socket.inode] | unique | length' "$T/flat.json")" \
	"$(jq 'length' "$T/flat.json")"

# Retired servers from the store: a daemon records the change.
printf 'nameserver %s\n' "$OLD" >/etc/resolv.conf # host-safe
rs_spawn DAEMON "$RS_BIN" daemon --db "$T/state.db" --sources none
rs_wait_until 5 test -s "$T/state.db" || rs_die "no store"
sleep 0.3
printf 'nameserver %s\n' "$NEW" >/etc/resolv.conf # host-safe
rs_wait_until 5 sh -c "'$RS_BIN' history --db '$T/state.db' --format json | jq -e '.generations | length == 2' >/dev/null" ||
	rs_fail "no generation 1"
rs_stop_pid "$DAEMON"
"$RS_BIN" scan --format json --db "$T/state.db" --no-at-risk >"$T/store.json"
rs_check "retired from the store" "$(jq -r '.retired | join(",")' "$T/store.json")" "$OLD"
rs_check "retired from: the generations" "$(jq -r '.retired_from' "$T/store.json" | cut -d' ' -f1-2)" \
	"generations 0-1"
"$RS_BIN" scan --retired bogus >/dev/null 2>"$T/bad.err"
rs_check "bad --retired: exit 2" "$?" 2
rs_check "bad --retired: one line" "$(wc -l <"$T/bad.err")" 1
rs_finish

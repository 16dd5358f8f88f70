#!/bin/bash
# The eBPF tripwire against the real kernel (issue 7):
#   late start  clients start before the daemon, which runs with
#               --sources ebpf,fanotify,procscan (no audit: audit enabled by
#               earlier tests would see these clients too and hide a gap);
#               every stale client is found, with evidence from ebpf or
#               procscan: a no-reload glibc loop (every 0.5 s), an unconnected
#               sendto loop, a Java-style AF_INET6 socket connected to the
#               IPv4-mapped old address, an idle UDP socket connected to the
#               old resolver before the daemon started; a reloading glibc loop
#               is reloaded (a current-server send seen by ebpf);
#   fence off   nothing is rewritten: the stale clients get the old server's
#               answer;
#   redirect    the no-reload client and the sendto client get the new
#               server's answer while asking the old one, and are still
#               reported stale, the evidence says redirected;
#   refuse      the sendto client's send fails with EPERM;
#   writers     sed -i's rename is named (pid, comm) by the tripwire alone;
#   flood       a sender of 3000 queries makes a bounded number of events
#               whose counts add up to 3000;
#   cleanup     programs detached after SIGTERM and after kill -9;
#   no cgroup2  without a cgroup v2 mount the source says why, the daemon goes
#               on (or exits 2 when --fence was asked for).
# The hooks act in every network namespace of the host: the resolvers are on
# unusual loopback addresses (127.53.0.x) in a namespace of our own, so that
# nothing else on the machine is touched.
set -u
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
for tool in jq dnsmasq dig nsenter ip bpftool; do
	command -v "$tool" >/dev/null || rs_die "$tool is missing (make deps test-deps)"
done
rs_tmpdir T
OLD=127.53.0.1
NEW=127.53.0.2
LIFE=120

# Does this kernel let us attach cgroup programs at all? (Not: skip.)
if ! grep -q ' - cgroup2 ' /proc/self/mountinfo; then
	rs_log "no cgroup v2 hierarchy mounted: skipped"
	exit 77
fi

rs_netns HOLDER
NS=(nsenter "--net=/proc/$HOLDER/ns/net")
# The old server answers 192.0.2.1, the new one 192.0.2.2: an answer says
# who really answered, whatever address the client asked.
rs_spawn _ "${NS[@]}" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
	--listen-address="$OLD" --port=53 --pid-file= --user=root \
	--address=/test.example/192.0.2.1 --log-facility=/dev/null 2>>"$T/dnsmasq.err"
rs_spawn _ "${NS[@]}" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
	--listen-address="$NEW" --port=53 --pid-file= --user=root \
	--address=/test.example/192.0.2.2 --log-facility=/dev/null 2>>"$T/dnsmasq.err"
answers() { [ -n "$("${NS[@]}" dig @"$1" test.example +short +tries=1 +time=1 2>/dev/null)" ]; }
for a in "$OLD" "$NEW"; do
	rs_wait_until 5 answers "$a" || rs_die "dnsmasq on $a does not answer: $(cat "$T/dnsmasq.err")"
done
printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$OLD" >/etc/resolv.conf # host-safe

# client.py MODE: prints "ready PID" then, every 0.5 s, "answer ADDRESS" (or
# "error WHY") until LIFE seconds passed.
#   gai     getaddrinfo (glibc; RES_OPTIONS=no-reload in the environment
#           makes it stale)
#   sendto  an unconnected UDP socket: sendto(OLD) + recvfrom, and like musl
#           it accepts only a reply whose source is the server it asked
#   mapped  a new AF_INET6 socket connected to ::ffff:OLD each time (Java)
#   hold    one UDP socket connected to OLD at start, one query, then idle
cat >"$T/client.py" <<'EOF'
import os, socket, sys, time
mode, server, life = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.time() + life
QUERY = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04test\x07example\x00\x00\x01\x00\x01"

def ask(sock, dest, connected):
    sock.settimeout(1.5)
    if connected:
        sock.send(QUERY)
    else:
        sock.sendto(QUERY, dest)
    while True:
        data, src = sock.recvfrom(512)
        if connected or src[0] == dest[0]:
            break
        print("ignored reply from", src[0], flush=True)
    return socket.inet_ntoa(data[-4:])

def once():
    if mode == "gai":
        return socket.getaddrinfo("test.example", 53, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0]
    if mode == "sendto":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            return ask(s, (server, 53), False)
    if mode == "mapped":
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.connect(("::ffff:" + server, 53))
            return ask(s, None, True)

print("ready", os.getpid(), flush=True)
if mode == "hold":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((server, 53))
    print("answer", ask(s, None, True), flush=True)
    while time.time() < end:
        time.sleep(0.5)
    sys.exit(0)
while time.time() < end:
    try:
        print("answer", once(), flush=True)
    except OSError as e:
        print("error", e.errno, flush=True)
    time.sleep(0.5)
EOF
client() { # VAR NAME MODE [env...]: start a client in the namespace
	local var=$1 name=$2 mode=$3
	shift 3
	rs_spawn "$var" "${NS[@]}" env "$@" python3 "$T/client.py" "$mode" "$OLD" "$LIFE" \
		>"$T/$name.out" 2>"$T/$name.err"
	rs_wait_until 5 grep -q '^ready' "$T/$name.out" || rs_die "client $name did not start"
}
# Answers a client printed after line N: last ones.
last_answer() { tail -n 1 "$T/$1.out" | awk '{print $1 ":" $2}'; }
lines() { wc -l <"$T/$1.out"; }

# --- late start: the clients first ------------------------------------------------
client NOREL norel gai RES_OPTIONS=no-reload
client RELOAD reload gai
client SENDTO sendto sendto
client MAPPED mapped mapped
client HOLD hold hold
rs_wait_until 5 grep -q '^answer' "$T/hold.out" || rs_die "the hold client got no answer"
sleep 1
for c in norel reload sendto mapped; do
	rs_check "$c: answered by the old server before the change" "$(last_answer "$c")" "answer:192.0.2.1"
done

rs_tmpdir D
LOG=$T/daemon.log
daemon() { # DB [options]: start the daemon, wait for its start line
	local db=$1
	shift
	: >"$LOG"
	rs_spawn DAEMON "$RS_BIN" daemon --db "$db" --log-format json --grace 1s "$@" \
		>"$LOG" 2>"$T/daemon.err"
	rs_wait_until 10 grep -q '"event":"daemon_start"' "$LOG" ||
		rs_die "daemon did not start: $(cat "$T/daemon.err")"
}
attached() { bpftool cgroup show "$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)" 2>/dev/null | grep -c ' tw_'; }
tw_progs() { bpftool prog show 2>/dev/null | grep -c ' name tw_'; }

daemon "$D/late.db" --sources ebpf,fanotify,procscan
# A kernel or sandbox that refuses the programs: the source says why and the
# daemon goes on without it. Nothing of this test can run then.
if grep -q 'source ebpf not started' "$T/daemon.err"; then
	rs_log "the eBPF source cannot start here: $(grep -m1 'source ebpf not started' "$T/daemon.err"): skipped"
	exit 77
fi
rs_check "sources: ebpf,fanotify,procscan" \
	"$(jq -r 'select(.event == "daemon_start") | .sources | sort | join(",")' "$LOG")" \
	"ebpf,fanotify,procscan"
rs_check "the start-up log says ebpf tracks the sends" \
	"$(jq -r 'select(.event == "notice") | .message' "$LOG" | grep -c '^DNS sends: the ebpf tripwire')" 1
rs_check "four programs attached to the cgroup v2 root" "$(attached)" 4
"$RS_BIN" status --db "$D/late.db" --format json >"$T/status.json" 2>"$T/status.err"
rs_check "status: exit 0 while the daemon runs" "$?" 0
rs_check "status: running, its pid, its sources" \
	"$(jq -r '[.state, .pid, (.sources | sort | join(","))] | map(tostring) | join(" ")' "$T/status.json")" \
	"running $DAEMON ebpf,fanotify,procscan"
rs_check "status: says the tripwire tracks the sends" \
	"$(jq -r '.send_tracking | startswith("DNS sends: the ebpf tripwire")' "$T/status.json")" true

sed -i "s/$OLD/$NEW/" /etc/resolv.conf # host-safe
rs_wait_until 5 grep -q '"event":"config_change","generation":1' "$LOG" ||
	rs_die "no generation 1: $(cat "$T/daemon.err")"
REPORT=$T/report.json
verdict() { # PID: its verdict in the report
	jq -r --argjson p "$1" '[.processes[] | select(.pid == $p) | .verdict] | unique | join("+")' \
		"$REPORT" 2>/dev/null
}
sources_of() { # PID: the sources of its stale evidence
	jq -r --argjson p "$1" '[.processes[] | select(.pid == $p) | .evidence[]? |
		select(.retired == true) | .source] | unique | join(",")' "$REPORT" 2>/dev/null
}
report_now() { "$RS_BIN" report --db "$D/late.db" --format json --all >"$REPORT" 2>"$T/report.err"; }
settled() {
	report_now
	[ "$(verdict "$NOREL")" = stale ] && [ "$(verdict "$SENDTO")" = stale ] &&
		[ "$(verdict "$MAPPED")" = stale ] && [ "$(verdict "$HOLD")" = stale ] &&
		[ "$(verdict "$RELOAD")" = reloaded ]
}
rs_wait_until 20 settled || rs_log "verdicts not all as expected after 20 s: asserting the last report"
rs_check "late start: no-reload glibc loop is stale" "$(verdict "$NOREL")" stale
rs_check "late start: its evidence is from ebpf" "$(sources_of "$NOREL")" ebpf
rs_check "late start: unconnected sendto loop is stale" "$(verdict "$SENDTO")" stale
rs_check "late start: its evidence is from ebpf" "$(sources_of "$SENDTO")" ebpf
rs_check "late start: IPv4-mapped IPv6 connect (Java-style) is stale" "$(verdict "$MAPPED")" stale
rs_check "late start: its evidence is from ebpf" "$(sources_of "$MAPPED")" ebpf
rs_check "late start: idle socket connected before the daemon is stale" "$(verdict "$HOLD")" stale
rs_check "late start: its evidence is from procscan" "$(sources_of "$HOLD")" procscan
rs_check "late start: reloading glibc loop is reloaded" "$(verdict "$RELOAD")" reloaded
rs_check "the mapped client's sends are logged as $OLD" \
	"$(jq -r --argjson p "$MAPPED" 'select(.event == "dns_send" and .pid == $p and .source == "ebpf") | .dst' "$LOG" | sort -u)" \
	"$OLD"
n=$(lines norel)
sleep 1.2
rs_check "fence off: nothing rewritten (no-reload client answered by the old server)" \
	"$(last_answer norel)" "answer:192.0.2.1"
rs_check "fence off: nothing rewritten (sendto client answered by the old server)" \
	"$(last_answer sendto)" "answer:192.0.2.1"
rs_check "fence off: no dns_send is fenced" "$(jq -c 'select(.fenced == true)' "$LOG" | wc -l)" 0
rs_stop_pid "$DAEMON"
rs_check "daemon (late start): no error output" "$(cat "$T/daemon.err")" ""
rs_check "no events lost" "$(jq -c 'select(.event == "events_lost")' "$LOG" | wc -l)" 0
rs_check "after SIGTERM: no program attached" "$(attached)" 0
"$RS_BIN" status --db "$D/late.db" --format json >"$T/status.json" 2>"$T/status.err"
rs_check "status after SIGTERM: exit 1, stopped" "$? $(jq -r .state "$T/status.json")" "1 stopped"
rs_wait_until 5 [ "$(tw_progs)" -eq 0 ]
rs_check "after SIGTERM: programs freed" "$(tw_progs)" 0

# --- the fence: redirect -------------------------------------------------------
daemon "$D/fence.db" --sources ebpf,procscan --fence redirect --retired "$OLD"
rs_check "redirect: six programs attached (with the reply ones)" "$(attached)" 6
redirected() { [ "$(last_answer "$1")" = "answer:192.0.2.2" ]; }
rs_wait_until 10 redirected norel
rs_check "redirect: the no-reload client is answered by the new server" "$(last_answer norel)" "answer:192.0.2.2"
rs_wait_until 10 redirected sendto
rs_check "redirect: the sendto client is answered by the new server" "$(last_answer sendto)" "answer:192.0.2.2"
rs_check "redirect: the sendto client ignored no reply (source rewritten back)" \
	"$(grep -c '^ignored' "$T/sendto.out")" 0
rs_check "redirect: the mapped client is answered by the new server" \
	"$(rs_wait_until 10 redirected mapped; last_answer mapped)" "answer:192.0.2.2"
rs_check "redirect: fenced sends are logged" \
	"$([ "$(jq -c 'select(.event == "dns_send" and .fenced == true)' "$LOG" | wc -l)" -gt 0 ] && echo yes)" yes
REPORT=$T/fence.json
fence_settled() {
	"$RS_BIN" report --db "$D/fence.db" --format json --all >"$REPORT" 2>"$T/report.err"
	[ "$(verdict "$NOREL")" = stale ] && [ "$(verdict "$SENDTO")" = stale ]
}
rs_wait_until 10 fence_settled
rs_check "redirect: the no-reload client is still stale" "$(verdict "$NOREL")" stale
rs_check "redirect: the sendto client is still stale" "$(verdict "$SENDTO")" stale
rs_check "redirect: the evidence says redirected" \
	"$(jq -r --argjson p "$SENDTO" '[.processes[] | select(.pid == $p) | .evidence[]? | .syscall // empty] | map(select(endswith("(redirected)"))) | length > 0' "$REPORT")" true
# kill -9: the links die with the process.
kill -KILL "$DAEMON"
wait "$DAEMON" 2>/dev/null
rs_wait_until 5 [ "$(attached)" -eq 0 ]
rs_check "after kill -9: no program attached" "$(attached)" 0
"$RS_BIN" status --db "$D/fence.db" >"$T/status.txt" 2>"$T/status.err"
rs_check "status after kill -9: exit 1, killed" "$? $(grep -c 'stopped without saving' "$T/status.txt")" "1 1"
rs_wait_until 5 [ "$(tw_progs)" -eq 0 ]
rs_check "after kill -9: programs freed" "$(tw_progs)" 0
n=$(lines norel)
back() { [ "$(lines norel)" -gt "$((n + 1))" ] && [ "$(last_answer norel)" = "answer:192.0.2.1" ]; }
rs_wait_until 5 back
rs_check "after kill -9: nothing rewritten any more" "$(last_answer norel)" "answer:192.0.2.1"

# --- the fence: refuse -----------------------------------------------------------
daemon "$D/refuse.db" --sources ebpf --fence refuse --retired "$OLD"
refused() { [ "$(last_answer sendto)" = "error:1" ]; }
rs_wait_until 10 refused
rs_check "refuse: the sendto client's send fails with EPERM" "$(last_answer sendto)" "error:1"
# Who wrote the file, from the tripwire alone (no fanotify, no audit): sed -i
# renames its temporary file over it and exits at once.
sed -i 's/^options/options/' /etc/resolv.conf # host-safe
writer() {
	"$RS_BIN" history --db "$D/refuse.db" --format json --events 2>/dev/null |
		jq -r '[.generations[].file_events[]? | .writer.comm // empty] | last // empty'
}
named() { [ -n "$(writer)" ]; }
rs_wait_until 5 named
rs_check "writers: sed's rename named by ebpf alone" "$(writer)" sed
rs_check "writers: the rename logged as config_write from ebpf" \
	"$(jq -r 'select(.event == "config_write" and .source == "ebpf") | .comm' "$LOG" | sort -u)" sed
rs_stop_pid "$DAEMON"
rs_check "daemon (refuse): no error output" "$(cat "$T/daemon.err")" ""
rs_check "after the last stop: no program attached" "$(attached)" 0

# --- a flooding stale sender ---------------------------------------------------
# 3000 sends as fast as python can: the kernel reports at most 10 a second
# (and the first at once), and the counts add up to every send.
daemon "$D/flood.db" --sources ebpf --retired "$OLD"
"${NS[@]}" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3000):
    s.sendto(b"\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", (sys.argv[1], 53))
print(__import__("os").getpid())' "$OLD" >"$T/flood.out"
FLOOD=$(cat "$T/flood.out")
sum_counts() { jq -s --argjson p "$FLOOD" '[.[] | select(.event == "dns_send" and .pid == $p) | (.count // 1)] | add // 0' "$LOG"; }
all_counted() { [ "$(sum_counts)" -eq 3000 ]; }
rs_wait_until 5 all_counted
rs_check "flood: every send counted" "$(sum_counts)" 3000
N_EV=$(jq -s --argjson p "$FLOOD" '[.[] | select(.event == "dns_send" and .pid == $p)] | length' "$LOG")
rs_check "flood: a bounded number of events ($N_EV for 3000 sends)" "$([ "$N_EV" -ge 1 ] && [ "$N_EV" -le 60 ] && echo yes)" yes
flood_report() {
	"$RS_BIN" report --db "$D/flood.db" --format json --all 2>/dev/null |
		jq -r --argjson p "$FLOOD" '[.processes[] | select(.pid == $p) | .stale_count] | add // 0'
}
flood_stored() { [ "$(flood_report)" = 3000 ]; }
rs_wait_until 5 flood_stored
rs_check "flood: the report counts 3000 stale sends" "$(flood_report)" 3000
rs_stop_pid "$DAEMON"
rs_check "daemon (flood): no error output" "$(cat "$T/daemon.err")" ""

# --- a host without cgroup v2 --------------------------------------------------
# In a mount namespace of its own without the cgroup2 mount, the source says
# why it cannot start, the daemon goes on with the others and says who
# tracks sends; with --fence it refuses to run unfenced.
CG=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
NOCG=(unshare --mount --propagation private sh -c 'umount -l "$0" && exec "$@"' "$CG")
timeout --preserve-status -s INT 3 "${NOCG[@]}" "$RS_BIN" daemon --db "$D/nocg.db" --sources ebpf,procscan \
	>"$T/nocg.log" 2>"$T/nocg.err"
rs_check "no cgroup v2: the daemon ran and stopped on SIGINT (exit 0)" "$?" 0
rs_check "no cgroup v2: one line says why the tripwire did not start" \
	"$(grep -c 'source ebpf not started: no cgroup v2 hierarchy is mounted' "$T/nocg.err")" 1
rs_check "no cgroup v2: the start-up line says sends are not tracked, and why" \
	"$(grep -c 'DNS sends: not tracked by any source (ebpf not available: no cgroup v2' "$T/nocg.log")" 1
timeout -s INT 3 "${NOCG[@]}" "$RS_BIN" daemon --db "$D/nocg2.db" --sources ebpf,procscan \
	--fence redirect >"$T/nocg.log" 2>"$T/nocg.err"
rs_check "no cgroup v2 with --fence: exit 2" "$?" 2
rs_check "no cgroup v2 with --fence: says so" \
	"$(grep -c -- '--fence redirect needs the ebpf source: not starting' "$T/nocg.err")" 1

# --- bad options ---------------------------------------------------------------
"$RS_BIN" daemon --db "$D/x.db" --sources fanotify --fence redirect >/dev/null 2>"$T/opt.err"
rs_check "--fence without ebpf: exit 2" "$?" 2
rs_check "--fence without ebpf: one line" "$(wc -l <"$T/opt.err")" 1
"$RS_BIN" daemon --db "$D/x.db" --fence sideways >/dev/null 2>"$T/opt.err"
rs_check "--fence sideways: exit 2" "$?" 2
rs_finish

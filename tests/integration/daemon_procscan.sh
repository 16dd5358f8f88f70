#!/bin/bash
# The /proc scanner inside the daemon: socket_seen and process_info events in
# the log and in the store, a scan at start, after a change, and periodically;
# a socket that appears later; sockets logged once, not at every scan.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
for tool in jq sqlite3; do
	command -v "$tool" >/dev/null || rs_die "$tool is missing (make test-deps)"
done
rs_tmpdir T
LOG=$T/daemon.log
OLD=127.53.0.1
NEW=127.53.0.2
printf 'nameserver %s\n' "$OLD" >/etc/resolv.conf # host-safe

rs_netns NS
HOLD='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect((sys.argv[1], 53))
print("ready", s.fileno(), flush=True); time.sleep(300)
'
rs_spawn H1 nsenter --net="/proc/$NS/ns/net" /usr/bin/python3 -c "$HOLD" "$OLD" >"$T/h1.out"
rs_wait_until 5 grep -q ready "$T/h1.out" || rs_die "holder 1 did not start"
H1_FD=$(awk '{print $2}' "$T/h1.out")

rs_spawn DAEMON "$RS_BIN" daemon --db "$T/state.db" --log-format json --sources procscan \
	--scan-interval 1s >"$LOG" 2>"$T/daemon.err"
have() { [ "$(jq -c "select($1)" "$LOG" | wc -l)" -ge "${2:-1}" ]; }
rs_wait_until 10 have '.event == "daemon_start"' || rs_die "daemon did not start: $(cat "$T/daemon.err")"
rs_check "sources" "$(jq -r 'select(.event == "daemon_start") | .sources | join(",")' "$LOG")" procscan

rs_wait_until 5 have ".event == \"socket_seen\" and .pid == $H1" ||
	rs_fail "no socket_seen for the holder started before the daemon"
rs_check "socket_seen: fd, remote, proto, state, source" \
	"$(jq -r "select(.event == \"socket_seen\" and .pid == $H1) | [.fd, .remote, .rport, .proto, .state, .source] | map(tostring) | join(\" \")" "$LOG" | head -1)" \
	"$H1_FD $OLD 53 udp connected procscan"
rs_check "socket_seen: starttime" \
	"$(jq -r "select(.event == \"socket_seen\" and .pid == $H1) | .starttime" "$LOG" | head -1)" \
	"$(awk '{print $22}' "/proc/$H1/stat")"
rs_wait_until 5 have ".event == \"process_info\" and .pid == $H1" ||
	rs_fail "no process_info for the holder"
rs_check "process_info: runtime, reload rule, config domain" \
	"$(jq -r "select(.event == \"process_info\" and .pid == $H1) | [.runtime, .reload_rule, .config_domain, .comm] | join(\" \")" "$LOG" | head -1)" \
	"glibc reloads-on-use host python3"

# Periodic scans (1 s) must not log the same socket again.
sleep 2.5
rs_check "a socket is logged once" "$(jq -c "select(.event == \"socket_seen\" and .pid == $H1)" "$LOG" | wc -l)" 1

# A socket that appears later is logged by the next scan.
rs_spawn H2 nsenter --net="/proc/$NS/ns/net" /usr/bin/python3 -c "$HOLD" "$NEW" >"$T/h2.out"
rs_wait_until 5 grep -q ready "$T/h2.out" || rs_die "holder 2 did not start"
rs_wait_until 5 have ".event == \"socket_seen\" and .pid == $H2" ||
	rs_fail "the periodic scan did not find the new socket"

# The store keeps processes and sockets, with last_seen moving on.
q() { sqlite3 "$T/state.db" "$1"; }
rs_check "store: the holder's socket" \
	"$(q "select fd, remote, rport, proto, state from sockets where pid = $H1")" "$H1_FD|$OLD|53|udp|connected"
rs_check "store: the holder's process and runtime" \
	"$(q "select comm, runtime, reload_rule, config_domain from processes where pid = $H1")" \
	"python3|glibc|reloads-on-use|host"
first=$(q "select last_seen_ns from sockets where pid = $H1")
sleep 2.5
rs_check "store: last_seen moves with each scan" \
	"$([ "$(q "select last_seen_ns from sockets where pid = $H1")" -gt "$first" ] && echo yes)" yes

# A change triggers a scan at once; the socket rows get the new generation.
printf 'nameserver %s\n' "$NEW" >/etc/resolv.conf # host-safe
rs_wait_until 5 have '.event == "config_change" and .generation == 1' || rs_fail "no generation 1"
rs_wait_until 3 sh -c "[ \"\$(sqlite3 '$T/state.db' 'select generation from sockets where pid = $H1')\" = 1 ]" ||
	rs_fail "the socket rows were not refreshed after the change"
rs_stop_pid "$DAEMON"
rs_check "no error output" "$(cat "$T/daemon.err")" ""
rs_finish

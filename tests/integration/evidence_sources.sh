#!/bin/bash
# The evidence sources against the real kernel: fanotify and audit.
#
# A private mount namespace with an overlay over /etc; two dnsmasq servers
# (the old and the new resolver) on loopback addresses in a network namespace
# the test creates; the daemon stays in the host network namespace (the audit
# multicast group is delivered there only) but shares the test's mount
# namespace, so it watches the overlay's /etc/resolv.conf. Asserts that:
#   - a python3 getaddrinfo loop produces dns_send events (audit) with its own
#     pid and the server's address, and config_stat events;
#   - after the file is rewritten (sed -i) the generation's writer is sed and
#     the loop's process opens the file again (config_open) and moves on;
#   - cat produces a config_open from fanotify with cat's pid;
#   - rules removed by someone else are re-added and reported;
#   - a crashed daemon's rules are removed at the next start;
#   - the kernel audit state (enabled, failure, pid, rate_limit, backlog_limit,
#     backlog_wait_time, rule list) is the same before and after.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
for tool in jq auditctl dnsmasq; do
	command -v "$tool" >/dev/null || rs_die "$tool is missing (make test-deps)"
done
rs_tmpdir T
LOG=$T/daemon.log

rs_audit_save "$T"

# The network namespace with the old and the new resolver.
rs_netns HOLDER
NS=(nsenter "--net=/proc/$HOLDER/ns/net")
for addr in 127.53.0.1 127.53.0.2; do
	rs_spawn _ "${NS[@]}" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$addr" --port=53 --pid-file= --user=root \
		--address=/test.example/192.0.2.1 --log-facility=/dev/null 2>>"$T/dnsmasq.err"
done
sleep 0.3

printf 'nameserver 127.53.0.1\n' >/etc/resolv.conf # host-safe
start_daemon() {
	rs_spawn DAEMON "$RS_BIN" daemon --db "$T/state.db" --log-format json \
		--sources audit,fanotify --audit-always >>"$LOG" 2>>"$T/daemon.err"
	rs_wait_until 10 grep -q '"event":"daemon_start"' "$LOG" ||
		rs_die "daemon did not start: $(cat "$T/daemon.err")"
}
start_daemon
rs_check "both sources started" \
	"$(jq -r 'select(.event == "daemon_start") | .sources | join(",")' "$LOG" | tail -1)" \
	"fanotify,audit"
rs_check "15 rules with our key prefix loaded" "$(auditctl -l | grep -c 'resolvstale-live-')" 15

# ev JQ-FILTER: how many event lines match.
ev() { jq -c "select($1)" "$LOG" | wc -l; }
have_ev() { [ "$(ev "$1")" -ge "${2:-1}" ]; }

# A glibc client (python3 getaddrinfo) resolving every 0.1 s for 5 s.
"${NS[@]}" /usr/bin/python3 -c '
import socket, time
end = time.time() + 5
while time.time() < end:
    try:
        socket.getaddrinfo("host.test.example", 80, socket.AF_INET)
    except OSError:
        pass
    time.sleep(0.1)
' &
PY=$!
rs_pids+=("$PY")
rs_wait_until 5 have_ev ".event == \"dns_send\" and .pid == $PY and .dst == \"127.53.0.1\"" ||
	rs_fail "no dns_send from the python client ($PY) to 127.53.0.1"
rs_check "dns_send: from audit, port 53, comm python3" \
	"$(jq -r "select(.event == \"dns_send\" and .pid == $PY) | [.source, .port, .comm, .syscall] | join(\" \")" "$LOG" | sort -u | head -1)" \
	"audit 53 python3 connect"
rs_check "dns_send carries the client's starttime" \
	"$(jq -r "select(.event == \"dns_send\" and .pid == $PY) | .starttime" "$LOG" | head -1)" \
	"$(awk '{print $22}' /proc/$PY/stat)"
rs_wait_until 5 have_ev ".event == \"config_stat\" and .pid == $PY" ||
	rs_fail "no config_stat from the python client"
rs_check "config_stat: from audit, of /etc/resolv.conf" \
	"$(jq -r "select(.event == \"config_stat\" and .pid == $PY) | [.source, .path] | join(\" \")" "$LOG" | sort -u | head -1)" \
	"audit /etc/resolv.conf"

# The change, by sed -i (rename over the file).
opens_before=$(ev ".event == \"config_open\" and .pid == $PY")
sed -i 's/127.53.0.1/127.53.0.2/' /etc/resolv.conf # host-safe
rs_wait_until 5 have_ev '.event == "config_change" and .generation == 1' ||
	rs_fail "no generation 1 after sed -i"
rs_check "generation 1 retired/added" \
	"$(jq -r 'select(.event == "config_change" and .generation == 1) | [(.retired | join(",")), (.added | join(","))] | join(" ")' "$LOG")" \
	"127.53.0.1 127.53.0.2"
rs_check "generation 1 writer is sed" \
	"$(jq -r 'select(.event == "config_change" and .generation == 1) | [.writer.comm, .writer.exe] | join(" ")' "$LOG")" \
	"sed /usr/bin/sed"
rs_check "history shows the writer" \
	"$("$RS_BIN" history --db "$T/state.db" --format json | jq -r '.generations[1].writer.comm')" sed
rs_wait_until 5 have_ev ".event == \"config_open\" and .pid == $PY" $((opens_before + 1)) ||
	rs_fail "the python client did not open the file again after the change"
rs_check "the re-read is seen by audit and fanotify" \
	"$(jq -r "select(.event == \"config_open\" and .pid == $PY) | .source" "$LOG" | sort -u | tr '\n' ' ')" \
	"audit fanotify "
rs_wait_until 5 have_ev ".event == \"dns_send\" and .pid == $PY and .dst == \"127.53.0.2\"" ||
	rs_fail "the python client did not send to the new resolver"

# cat: an open from fanotify with cat's pid.
cat /etc/resolv.conf >/dev/null &
CAT=$!
wait "$CAT"
rs_wait_until 5 have_ev ".event == \"config_open\" and .source == \"fanotify\" and .pid == $CAT" ||
	rs_fail "no config_open from fanotify for cat ($CAT)"
# fanotify gives only the pid: cat is usually gone before /proc can be read.
# Audit's record of the same open names the program.
rs_wait_until 5 have_ev ".event == \"config_open\" and .source == \"audit\" and .pid == $CAT" ||
	rs_fail "no config_open from audit for cat ($CAT)"
rs_check "audit names cat" \
	"$(jq -r "select(.event == \"config_open\" and .source == \"audit\" and .pid == $CAT) | [.comm, .exe] | join(\" \")" "$LOG" | head -1)" \
	"cat /usr/bin/cat"
rs_check "no evidence event is about the daemon itself" "$(ev "has(\"source\") and .pid == $DAEMON")" 0
wait "$PY"

# Someone else deletes our rules (augenrules --load starts with -D): the
# daemon adds them again and reports the gap.
auditctl -D -k resolvstale-live-dns >/dev/null
rs_wait_until 15 have_ev '.event == "events_lost" and (.reason | test("removed"))' ||
	rs_fail "rule removal not reported as lost events"
rs_wait_until 5 have_ev '.event == "warning" and (.message | test("added them again"))' ||
	rs_fail "rule removal not reported"
rs_check "rules back after removal" "$(auditctl -l | grep -c 'resolvstale-live-')" 15

# A crash leaves the rules behind; the next start removes them first.
kill -KILL "$DAEMON"
wait "$DAEMON" 2>/dev/null
rs_check "a killed daemon leaves its rules" "$(auditctl -l | grep -c 'resolvstale-live-')" 15
start_daemon
rs_wait_until 5 have_ev '.event == "notice" and (.message | test("left by an earlier"))' ||
	rs_fail "leftover rules not reported"
rs_check "no duplicate rules after restart" "$(auditctl -l | grep -c 'resolvstale-live-')" 15
rs_stop_pid "$DAEMON"
rs_check "rules removed at stop" "$(auditctl -l | grep -c 'resolvstale-live-')" 0

# Each source alone finds the writer of a rename: fanotify through its
# directory mark (its pid always; its name when /proc could be read before
# sed exited, which fanotify cannot guarantee), audit through the path watch
# (pid and name, from the record).
for src in fanotify audit; do
	rs_spawn ONE "$RS_BIN" daemon --db "$T/$src.db" --log-format json --sources "$src" \
		>"$T/$src.log" 2>>"$T/daemon.err"
	rs_wait_until 10 grep -q '"event":"daemon_start"' "$T/$src.log" || rs_die "no $src daemon"
	sed -i "s/^nameserver .*/nameserver 127.53.0.$([ $src = audit ] && echo 3 || echo 4)/" \
		/etc/resolv.conf &
	SED=$!
	wait "$SED"
	rs_wait_until 5 grep -q '"event":"config_change","generation":[1-9]' "$T/$src.log" ||
		rs_fail "$src alone: no generation"
	writer=$(jq -r 'select(.event == "config_change" and .generation > 0) | .writer |
		"\(.pid) \(.comm)"' "$T/$src.log" | tail -1)
	if [ "$src" = audit ]; then
		rs_check "audit alone: the writer is sed, by pid and name" "$writer" "$SED sed"
	else
		rs_check "fanotify alone: the writer is sed's pid" "${writer%% *}" "$SED"
		case "${writer#* }" in
		sed | null) rs_pass "fanotify alone: the writer's name is sed or unknown" ;;
		*) rs_fail "fanotify alone: the writer's name is '${writer#* }'" ;;
		esac
	fi
	rs_stop_pid "$ONE"
done

# The kernel's audit state: restored by the daemon itself, before our trap.
rs_audit_check_restored
rs_check "every log line is JSON" "$(jq -s length "$LOG" >/dev/null 2>&1 && echo ok)" ok
rs_finish

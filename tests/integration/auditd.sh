#!/bin/bash
# resolvstale with a real auditd (Debian's auditd 3.0.x, installed by make
# test-deps): the audit plugin under auditd's dispatcher, the daemon on the
# multicast group next to a running auditd, and replay of the log that auditd
# wrote.
#
# Safety: a private mount namespace with an overlay over /etc (and one over
# /run, where auditd writes its pid file); the kernel's audit state saved first
# and put back at the end, also on failure: auditd stopped by its pid (the
# kernel's audit pid must be 0 again), the shipped rules deleted by their keys
# (only if the test loaded them), the daemon's own rules and the enabled flag
# and backlog_limit as common.sh restores them. DNS goes only to two dnsmasq
# on 127.53.0.1 (OLD) and 127.53.0.2 (NEW) in a network namespace the test
# creates. Every wait is bounded.
#
# With no auditd running (kernel audit pid 0), the test starts its own:
# `auditd -n -c DIR` (-f would write the records to stdout instead of the log
# file) with a private auditd.conf (log file under the temp dir, ENRICHED,
# INCREMENTAL_ASYNC, plugin_dir a temp plugins.d) and the shipped plugin
# config (src/auditd/resolvstale.conf.in) made active. auditd 3.0 passes at
# most two words of `args` to a plugin, and runs it with an empty environment,
# so `path` is a small wrapper (plugin.sh) that runs `resolvstale audit-plugin
# --db ... --sources audit,procscan` with the records on its stdin, forwards
# auditd's SIGTERM/SIGHUP to it, and records its pid and exit status. The
# shipped rules (audit-rules/40-resolvstale.rules) are loaded with auditctl -R.
# Then, with the two clients (python3 getaddrinfo loops every 0.2 s: A plain
# glibc, reloads resolv.conf; B with RES_OPTIONS=no-reload, keeps the old
# server) and a `sed -i` change from OLD to NEW:
#   - the plugin's store shows B stale and A reloaded;
#   - auditd's own log holds B's SOCKADDR records for OLD, and the plugin's
#     evidence count for them is never more than the log's in the same window;
#     auditd is still alive, registered and logging after the plugin ran;
#   - `resolvstale daemon --sources audit` (multicast reader) starts next to
#     auditd, sees B's sends, and auditd's log grows meanwhile; once stopped,
#     its resolvstale-live-* rules are gone and the shipped rules still loaded;
#   - SIGTERM to auditd stops the plugin, which exits 0, and its store is
#     consistent (report works and says the same);
#   - `resolvstale replay --db plugin.db` on auditd's log gives the same
#     verdicts for A and B as the plugin's store.
#
# With an auditd already running (someone else's), the test says so and does
# not start its own or touch its configuration: the daemon reads that auditd's
# multicast stream through the change and must judge A and B; that auditd must
# still be registered and alive afterwards; replay runs on its log if the log
# is readable (RS_AUDITD_LOG=FILE, else log_file of /etc/audit/auditd.conf).
# Set RS_AUDITD_KEEP=DIR to keep the logs and reports in DIR.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
for tool in jq auditctl auditd ausearch dnsmasq dig nsenter ip; do
	command -v "$tool" >/dev/null || rs_die "$tool is missing (make test-deps)"
done
[ -x /usr/bin/python3 ] || rs_die "/usr/bin/python3 is missing (make test-deps)"
rs_tmpdir T
START=$(date +%s)
OLD=127.53.0.1
NEW=127.53.0.2
OLD_HEX=020000357F350001 # a sockaddr_in for OLD:53 as SOCKADDR's saddr= starts
GRACE=1s
RULES=$RS_TOP/audit-rules/40-resolvstale.rules

keep_artifacts() {
	[ -n "${RS_AUDITD_KEEP:-}" ] || return 0
	mkdir -p "$RS_AUDITD_KEEP" && cp -a "$T"/. "$RS_AUDITD_KEEP"/
}
rs_on_exit keep_artifacts

# auditd writes /var/run/auditd.pid (and auditd.state on SIGCONT): keep them
# in this mount namespace.
RUNOVL=$(mktemp -d /tmp/resolvstale-run.XXXXXX) || rs_die "mktemp failed"
mkdir -p "$RUNOVL/upper" "$RUNOVL/work"
rs_on_exit "umount -l /run 2>/dev/null; rm -rf '$RUNOVL'"
mount -t overlay overlay -o "lowerdir=/run,upperdir=$RUNOVL/upper,workdir=$RUNOVL/work" /run ||
	rs_die "cannot mount an overlay over /run"

# --- the kernel's audit state, saved and restored -----------------------------
rs_audit_save "$T"
kpid() { auditctl -s | awk '/^pid /{print $2}'; }
n_rules() { auditctl -l | grep -c -- "$1"; }
AUDITD=           # the auditd this test started
DAEMON=           # the resolvstale daemon
LOADED_RULES=     # the test loaded the shipped rules (and deletes them)
PRESENT_BEFORE=$(grep -c 'resolvstale-rules-' "$T/audit.before")
gone() { # PID: exited (or a zombie)
	! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
kpid_is() { [ "$(kpid)" = "$1" ]; }
# Stop what we started, by pid, and put the audit state back. Idempotent:
# called at the end of the test and again on exit.
restore_audit() {
	local k
	[ -n "$DAEMON" ] && rs_stop_pid "$DAEMON"
	if [ -n "$AUDITD" ]; then
		rs_stop_pid "$AUDITD"
		rs_wait_until 5 kpid_is 0 || rs_log "the kernel's audit pid is $(kpid), not 0"
		AUDITD=
	fi
	# The plugin(s) auditd started: they end at the end of their input;
	# stopped by pid if not.
	for k in $(cat "$T/plugin.pid" 2>/dev/null); do
		rs_wait_until 5 gone "$k" || rs_stop_pid "$k"
	done
	if [ -n "$LOADED_RULES" ]; then
		for k in write conf dns; do
			auditctl -D -k "resolvstale-rules-$k" >/dev/null 2>&1
		done
	fi
	rs_audit_restore
}
rs_on_exit restore_audit

# --- auditd: someone else's, or ours -------------------------------------------
FOREIGN=$(kpid)
if [ "$FOREIGN" != 0 ]; then
	rs_log "an auditd already runs (kernel audit pid $FOREIGN, $(cat "/proc/$FOREIGN/comm" 2>/dev/null || echo '?')):" \
		"not starting one; the daemon reads its multicast stream; the plugin part is skipped"
	MODE=foreign
else
	MODE=own
fi

# --- the network namespace and the two resolvers --------------------------------
rs_netns HOLDER
NS=(nsenter "--net=/proc/$HOLDER/ns/net")
for addr in "$OLD" "$NEW"; do
	rs_spawn _ "${NS[@]}" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$addr" --port=53 --pid-file= --user=root \
		--address=/test.example/192.0.2.1 --log-facility=/dev/null 2>>"$T/dnsmasq.err"
done
answers() { [ "$("${NS[@]}" dig @"$1" test.example +short +tries=1 +time=1 2>/dev/null)" = 192.0.2.1 ]; }
for addr in "$OLD" "$NEW"; do
	rs_wait_until 5 answers "$addr" || rs_die "dnsmasq on $addr does not answer: $(cat "$T/dnsmasq.err")"
done
printf 'nameserver %s\n' "$OLD" >/etc/resolv.conf # host-safe

# JSON event logs: ev FILE JQ-FILTER counts matching lines; have_ev FILE
# FILTER [N]: at least N.
ev() { jq -c "select($2)" "$1" 2>/dev/null | wc -l; }
have_ev() { [ "$(ev "$1" "$2")" -ge "${3:-1}" ]; }

# --- our auditd with the plugin ----------------------------------------------------
PLOG=$T/plugin.err # the plugin's event log (its stderr)
ALOG=$T/log/audit.log
if [ "$MODE" = own ]; then
	mkdir -p "$T/conf" "$T/plugins.d" "$T/log"
	# Every keyword auditd 3.0.9 reads; disk space actions IGNORE so that a
	# nearly full /tmp cannot suspend logging mid-test; no rotation in 60 s.
	cat >"$T/conf/auditd.conf" <<-EOF
		local_events = yes
		write_logs = yes
		log_file = $ALOG
		log_group = root
		log_format = ENRICHED
		flush = INCREMENTAL_ASYNC
		freq = 50
		max_log_file = 512
		num_logs = 2
		priority_boost = 0
		name_format = NONE
		max_log_file_action = IGNORE
		space_left = 8
		space_left_action = IGNORE
		admin_space_left = 4
		admin_space_left_action = IGNORE
		disk_full_action = IGNORE
		disk_error_action = IGNORE
		use_libwrap = no
		tcp_listen_queue = 5
		tcp_max_per_addr = 1
		tcp_client_max_idle = 0
		transport = TCP
		distribute_network = no
		q_depth = 2000
		overflow_action = SYSLOG
		max_restarts = 10
		plugin_dir = $T/plugins.d
		end_of_event_timeout = 2
	EOF
	chmod 0640 "$T/conf/auditd.conf"
	# The plugin, as auditd runs it: empty environment, records on stdin. The
	# wrapper forwards auditd's signals and records the plugin's pid and exit
	# status (one line per start: auditd restarts a plugin that died).
	cat >"$T/plugin.sh" <<-EOF
		#!/bin/bash
		exec 2>>'$PLOG'
		'$RS_BIN' audit-plugin --db '$T/plugin.db' --sources audit,procscan --grace $GRACE \\
			--log-format json --log-events dns_send,events_lost <&0 &
		child=\$!
		echo "\$child" >>'$T/plugin.pid'
		fwd=
		trap 'fwd=1; kill -TERM \$child' TERM
		trap 'fwd=1; kill -HUP \$child' HUP
		while :; do
			fwd=
			wait "\$child"
			rc=\$?
			[ -n "\$fwd" ] || break
		done
		echo "\$rc" >>'$T/plugin.rc'
		exit "\$rc"
	EOF
	chmod 0750 "$T/plugin.sh"
	# The shipped plugin config, turned on, path = the wrapper, no args.
	sed -e 's/^active = no$/active = yes/' -e "s|^path = .*|path = $T/plugin.sh|" \
		-e '/^args = /d' "$RS_TOP/src/auditd/resolvstale.conf.in" >"$T/plugins.d/resolvstale.conf"
	chmod 0640 "$T/plugins.d/resolvstale.conf"
	rs_check "plugin config: active, the wrapper as path, string format" \
		"$(grep -E '^(active|path|type|format) = ' "$T/plugins.d/resolvstale.conf" | tr '\n' ' ')" \
		"active = yes path = $T/plugin.sh type = always format = string "

	rs_spawn AUDITD auditd -n -c "$T/conf" >"$T/auditd.out" 2>"$T/auditd.err"
	rs_wait_until 10 kpid_is "$AUDITD" ||
		rs_die "auditd ($AUDITD) did not register with the kernel (pid $(kpid)): $(cat "$T/auditd.err")"
	rs_wait_until 10 have_ev "$PLOG" '.event == "daemon_start"' ||
		rs_die "the plugin did not start: $(cat "$PLOG" 2>/dev/null)"
	PLUGIN=$(head -1 "$T/plugin.pid")
	rs_check "the plugin runs under auditd, sources audit,procscan" \
		"$(ps -o ppid= -p "$(ps -o ppid= -p "$PLUGIN" | tr -d ' ')" | tr -d ' ') $(jq -r 'select(.event == "daemon_start") | .sources | join(",")' "$PLOG")" \
		"$AUDITD audit,procscan"
	rs_wait_until 5 grep -q 'type=DAEMON_START' "$ALOG" || rs_fail "no DAEMON_START in auditd's log"
	rs_log "auditd $AUDITD (kernel audit pid $(kpid)), plugin $PLUGIN"
	if [ "$PRESENT_BEFORE" -eq 0 ]; then
		LOADED_RULES=yes
		auditctl -R "$RULES" >"$T/auditctl-R.out" 2>&1 ||
			rs_fail "auditctl -R $RULES: $(tail -3 "$T/auditctl-R.out")"
	fi
	rs_check "the 15 shipped rules are loaded" "$(n_rules resolvstale-rules-)" 15
fi

# In foreign mode the daemon runs through the change (it takes the plugin's
# place as the judge); in our mode it starts later, next to auditd.
start_daemon() {
	rs_spawn DAEMON "$RS_BIN" daemon --db "$T/daemon.db" --log-format json --sources audit --audit-always \
		--grace "$GRACE" >"$T/daemon.log" 2>"$T/daemon.err"
	rs_wait_until 10 have_ev "$T/daemon.log" '.event == "daemon_start"' ||
		rs_die "the daemon did not start: $(cat "$T/daemon.err")"
	rs_check "the daemon's audit source runs next to auditd" \
		"$(jq -r 'select(.event == "daemon_start") | .sources | join(",")' "$T/daemon.log")" audit
}
if [ "$MODE" = foreign ]; then
	start_daemon
	JUDGE_LOG=$T/daemon.log JUDGE_DB=$T/daemon.db
else
	JUDGE_LOG=$PLOG JUDGE_DB=$T/plugin.db
fi

# --- the clients -------------------------------------------------------------------
cat >"$T/client.py" <<'EOF'
import os, socket, sys, time
end = time.time() + float(sys.argv[1])
def lookup():
    try:
        return socket.getaddrinfo("test.example", 53, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0]
    except OSError as e:
        return "error:" + str(e.errno)
print("ready", os.getpid(), lookup(), flush=True)
while time.time() < end:
    lookup()
    time.sleep(0.2)
EOF
# client VAR NAME CMD...: spawn, wait for "ready PID ANSWER", check the pid.
client() {
	local var=$1 name=$2 cpid
	shift 2
	rs_spawn cpid "$@" >"$T/$name.out" 2>"$T/$name.err"
	rs_wait_until 10 grep -q '^ready' "$T/$name.out" || rs_die "client $name did not start: $(cat "$T/$name.err")"
	rs_check "client $name: pid $cpid is the python3 resolving test.example" \
		"$(awk '/^ready/{print $2, $3}' "$T/$name.out") $(cat "/proc/$cpid/comm" 2>/dev/null)" "$cpid 192.0.2.1 python3"
	printf -v "$var" '%s' "$cpid"
}
client A a "${NS[@]}" /usr/bin/python3 "$T/client.py" 50
client B b "${NS[@]}" env RES_OPTIONS=no-reload /usr/bin/python3 "$T/client.py" 50
rs_log "clients: a=$A (reloads), b=$B (no-reload)"
# sends LOG PID DST [N]: at least N dns_send events from PID to DST in LOG.
sends() { have_ev "$1" ".event == \"dns_send\" and .pid == $2 and .dst == \"$3\"" "${4:-1}"; }
rs_wait_until 5 sends "$JUDGE_LOG" "$A" "$OLD" || rs_fail "no dns_send from a to $OLD in $JUDGE_LOG"
rs_wait_until 5 sends "$JUDGE_LOG" "$B" "$OLD" || rs_fail "no dns_send from b to $OLD in $JUDGE_LOG"

# --- the change ----------------------------------------------------------------------
sed -i "s/$OLD/$NEW/" /etc/resolv.conf # host-safe
rs_wait_until 5 have_ev "$JUDGE_LOG" '.event == "config_change" and .generation == 1' ||
	rs_die "no generation 1 after sed -i: $(tail -3 "$JUDGE_LOG")"

verdict() { # REPORT PID: the verdict(s) of that pid, "absent" if not listed
	jq -r --argjson p "$2" '[.processes[] | select(.pid == $p) | .verdict] | unique
		| if length == 0 then "absent" else join("+") end' "$1" 2>/dev/null
}
REPORT=$T/report.json
settled() {
	"$RS_BIN" report --db "$JUDGE_DB" --format json --fail-on never >"$REPORT.new" 2>>"$T/report.err" &&
		mv "$REPORT.new" "$REPORT" &&
		[ "$(verdict "$REPORT" "$B")" = stale ] && [ "$(verdict "$REPORT" "$A")" = reloaded ]
}
rs_wait_until 15 settled || rs_log "verdicts not as expected 15 s after the change: asserting the last report"
WHO=$([ "$MODE" = own ] && echo "the plugin's store" || echo "the daemon's store")
rs_check "$WHO: b (no-reload) is stale" "$(verdict "$REPORT" "$B")" stale
rs_check "$WHO: a (reloads) is reloaded, not stale" "$(verdict "$REPORT" "$A")" reloaded
rs_check "$WHO: generation 1 retired $OLD" "$(jq -c '.generation | [.number, .retired]' "$REPORT")" "[1,[\"$OLD\"]]"
rs_check "$WHO: no events lost" "$(jq -r .lost_events "$REPORT")" 0

# b's evidence: the dns_send rows to OLD (count, first, last in ms).
b_rows() {
	jq -r --argjson p "$B" --arg old "$OLD" '[.processes[] | select(.pid == $p) | .evidence[]
		| select(.kind == "dns_send" and .dst == $old)]
		| def ms: capture("^(?<s>[^.]*)(\\.(?<f>[0-9]+))?Z$") as $c
			| ($c.s + "Z" | fromdateiso8601) * 1000 + (($c.f // "") + "000" | .[0:3] | tonumber);
		if length == 0 then "0 0 0" else
		"\(map(.count) | add) \(map(.first | ms) | min) \(map(.last | ms) | max)" end' "$1"
}
# log_sends FILE... : "MS PID" for each event of auditd's log with a SOCKADDR
# to OLD:53 (the SYSCALL record of the same serial gives the pid).
log_sends() {
	awk -v hex="$OLD_HEX" '
		{ if (!match($0, /msg=audit\([0-9]+\.[0-9]+:[0-9]+\)/)) next
		  split(substr($0, RSTART + 10, RLENGTH - 11), t, ":"); ser = t[2]
		  sub(/\./, "", t[1]); ms[ser] = t[1] }
		/^type=SYSCALL / && match($0, / pid=[0-9]+ /) { pid[ser] = substr($0, RSTART + 5, RLENGTH - 6) }
		/^type=SOCKADDR / && index($0, "saddr=" hex) { hit[ser] = 1 }
		END { for (s in hit) print ms[s], (s in pid ? pid[s] : "?") }' "$@"
}
# ev_ms LOG PID: the times (ms) of the dns_send events from PID to OLD in LOG.
ev_ms() {
	jq -r --argjson p "$2" --arg old "$OLD" 'select(.event == "dns_send" and .pid == $p and .dst == $old)
		| .time | capture("^(?<s>[^.]*)(\\.(?<f>[0-9]+))?Z$") as $c
		| ($c.s + "Z" | fromdateiso8601) * 1000 + (($c.f // "") + "000" | .[0:3] | tonumber)' "$1" | sort
}
# not_logged LOG PID: how many of PID's dns_send events to OLD in LOG have no
# record at the same millisecond in auditd's log.
not_logged() {
	comm -23 <(ev_ms "$1" "$2") <(log_sends "$ALOG" | awk -v p="$2" '$2 == p {print $1}' | sort) | wc -l
}
n_log_sends() { # PID FROM-MS TO-MS FILE...
	local p=$1 from=$2 to=$3
	shift 3
	log_sends "$@" | awk -v p="$p" -v f="$from" -v t="$to" '$2 == p && $1 >= f && $1 <= t' | wc -l
}

if [ "$MODE" = own ]; then
	# --- auditd's own log still holds every record ------------------------------------
	read -r PCOUNT PFIRST PLAST <<<"$(b_rows "$REPORT")"
	LCOUNT=$(n_log_sends "$B" "$PFIRST" "$PLAST" "$ALOG")
	LALL=$(n_log_sends "$B" 0 99999999999999 "$ALOG")
	rs_log "b -> $OLD: plugin evidence $PCOUNT sends in [$PFIRST, $PLAST] ms; auditd's log $LCOUNT in that window, $LALL in all"
	rs_check "auditd's log holds b's SOCKADDR records for $OLD:53" "$([ "$LALL" -gt 0 ] && echo yes)" yes
	rs_check "the plugin counted b's stale sends" "$([ "$PCOUNT" -gt 0 ] && echo yes)" yes
	rs_check "the plugin's count is not more than auditd's log has ($PCOUNT <= $LCOUNT)" \
		"$([ "$PCOUNT" -le "$LCOUNT" ] && echo yes)" yes
	rs_check "ausearch finds b's connects to $OLD:53 in auditd's log" \
		"$(ausearch -if "$ALOG" -p "$B" -sc connect -i 2>/dev/null | grep -c "laddr=$OLD lport=53" | awk '{print ($1 > 0) ? "yes" : "no"}')" yes
	size() { stat -c %s "$ALOG"; }
	S0=$(size)
	grows() { [ "$(size)" -gt "$1" ]; }
	rs_check "auditd is alive, registered and logging after the plugin ran" \
		"$(kill -0 "$AUDITD" 2>/dev/null && kpid_is "$AUDITD" && rs_wait_until 5 grows "$S0" && echo yes)" yes

	# --- the daemon on the multicast group, next to auditd -----------------------------
	S1=$(size)
	D_FROM=$(($(date +%s%3N) - 1))
	start_daemon
	rs_check "the daemon's 15 resolvstale-live-* rules are loaded" "$(n_rules resolvstale-live-)" 15
	rs_wait_until 5 sends "$T/daemon.log" "$B" "$OLD" 3 || rs_fail "the daemon did not see 3 dns_send from b to $OLD"
	rs_check "the daemon's dns_send for b: from audit, connect to $OLD:53" \
		"$(jq -r "select(.event == \"dns_send\" and .pid == $B) | [.source, .syscall, .dst, .port] | join(\" \")" "$T/daemon.log" | sort -u | head -1)" \
		"audit connect $OLD 53"
	sleep 1
	D_TO=$(date +%s%3N)
	rs_check "each of the daemon's dns_send from b is a record in auditd's log" \
		"$(not_logged "$T/daemon.log" "$B")" 0
	rs_check "auditd still registered while the daemon runs" "$(kpid)" "$AUDITD"
	rs_check "auditd's log grew while the daemon ran" "$([ "$(size)" -gt "$S1" ] && echo yes)" yes
	rs_check "auditd logged b's sends while the daemon ran" \
		"$([ "$(n_log_sends "$B" "$D_FROM" "$D_TO" "$ALOG")" -gt 0 ] && echo yes)" yes
	kill -TERM "$DAEMON"
	rs_wait_until 10 gone "$DAEMON" || rs_fail "the daemon did not stop within 10 s"
	wait "$DAEMON"
	rs_check "the daemon stopped with exit 0" "$?" 0
	DAEMON=
	rs_check "the daemon reported no error" "$(jq -r 'select(.event == "error") | .message' "$T/daemon.log")" ""
	# Not asserted: with the shipped rules loaded first (no pid!= exclusion),
	# the daemon may see its own reads of resolv.conf (audit-rules/README.md).
	SELF=$(jq -r --argjson p "$(jq -r 'select(.event == "daemon_start") | .pid' "$T/daemon.log")" \
		'select(has("source") and .pid == $p) | "\(.event) \(.syscall) \(.path // .dst)"' "$T/daemon.log" |
		sort | uniq -c | tr -s ' \n' ' ')
	[ -z "$SELF" ] || rs_log "the daemon's evidence about itself:$SELF"
	rs_check "auditd still runs and is registered after the daemon stopped" \
		"$(kill -0 "$AUDITD" 2>/dev/null && kpid)" "$AUDITD"
	rs_check "the daemon's rules are gone" "$(n_rules resolvstale-live-)" 0
	rs_check "the shipped rules are still loaded" "$(n_rules resolvstale-rules-)" 15
	rs_check "the plugin is still running (never restarted)" \
		"$(kill -0 "$PLUGIN" 2>/dev/null && wc -l <"$T/plugin.pid")" 1

	# --- stop auditd: it stops the plugin -----------------------------------------------
	for c in A B; do rs_stop_pid "${!c}"; done
	kill -TERM "$AUDITD"
	rs_wait_until 10 gone "$AUDITD" || rs_fail "auditd did not stop within 10 s of SIGTERM"
	wait "$AUDITD"
	rs_check "auditd exited 0" "$?" 0
	AUDITD=
	rs_wait_until 10 gone "$PLUGIN" || rs_fail "the plugin ($PLUGIN) still runs 10 s after auditd stopped"
	rs_wait_until 5 test -s "$T/plugin.rc"
	rs_check "the plugin exited 0" "$(cat "$T/plugin.rc" 2>/dev/null)" 0
	rs_check "the plugin logged its stop" "$(ev "$PLOG" '.event == "daemon_stop"')" 1
	rs_check "the plugin logged no error" "$(jq -r 'select(.event == "error") | .message' "$PLOG" 2>&1)" ""
	jq -r 'select(.event == "warning") | "plugin warning: \(.message)"' "$PLOG" 2>/dev/null |
		while read -r line; do rs_log "$line"; done
	rs_check "the kernel's audit pid is 0 again" "$(kpid)" 0
	rs_check "auditd's log ends with DAEMON_END" "$(grep -c 'type=DAEMON_END' "$ALOG")" 1
	"$RS_BIN" report --db "$T/plugin.db" --format json --fail-on never >"$T/report.final.json" 2>"$T/report.final.err"
	rs_check "report on the plugin's store after it stopped: exit 0" "$?" 0
	rs_check "... b still stale, a reloaded, daemon not running" \
		"$(verdict "$T/report.final.json" "$B") $(verdict "$T/report.final.json" "$A") $(jq -r .daemon_running "$T/report.final.json")" \
		"stale reloaded false"
	rs_check "the plugin's own reads are not in its store" \
		"$(jq -r --argjson p "$PLUGIN" '[.processes[] | select(.pid == $p)] | length' "$T/report.final.json")" 0
	read -r PCOUNT2 _ _ <<<"$(b_rows "$T/report.final.json")"
	LFINAL=$(n_log_sends "$B" 0 99999999999999 "$ALOG")
	rs_check "final: the plugin's count of b's sends is not more than auditd's log has ($PCOUNT2 <= $LFINAL)" \
		"$([ "$PCOUNT2" -le "$LFINAL" ] && echo yes)" yes
	# The plugin logs every dns_send (--log-events): with no loss reported,
	# it saw each of b's sends that auditd logged (b sends to OLD only; the
	# clients stopped before auditd, so none was in flight at its stop).
	rs_check "each of the plugin's dns_send from b is a record in auditd's log" "$(not_logged "$PLOG" "$B")" 0
	rs_check "the plugin saw as many of b's sends as auditd logged ($LFINAL), no loss reported" \
		"$(ev_ms "$PLOG" "$B" | wc -l) $(jq -r .lost_events "$T/report.final.json")" "$LFINAL 0"
	REPLAY_LOG=$ALOG
	JUDGE_REPORT=$T/report.final.json
else
	# --- someone else's auditd ----------------------------------------------------------
	rs_check "the daemon's 15 resolvstale-live-* rules are loaded" "$(n_rules resolvstale-live-)" 15
	rs_check "that auditd still runs and is registered" \
		"$(kill -0 "$FOREIGN" 2>/dev/null && kpid)" "$FOREIGN"
	for c in A B; do rs_stop_pid "${!c}"; done
	kill -TERM "$DAEMON"
	rs_wait_until 10 gone "$DAEMON" || rs_fail "the daemon did not stop within 10 s"
	wait "$DAEMON"
	rs_check "the daemon stopped with exit 0" "$?" 0
	DAEMON=
	rs_check "the daemon's rules are gone" "$(n_rules resolvstale-live-)" 0
	rs_check "that auditd still runs and is registered after the daemon stopped" \
		"$(kill -0 "$FOREIGN" 2>/dev/null && kpid)" "$FOREIGN"
	JUDGE_REPORT=$T/report.final.json
	"$RS_BIN" report --db "$T/daemon.db" --format json --fail-on never >"$JUDGE_REPORT" 2>>"$T/report.err"
	REPLAY_LOG=${RS_AUDITD_LOG:-$(awk -F' *= *' '$1 == "log_file" {print $2}' /etc/audit/auditd.conf 2>/dev/null)}
	if [ -n "$REPLAY_LOG" ] && [ -r "$REPLAY_LOG" ]; then
		ALOG=$REPLAY_LOG
		rs_check "that auditd's log holds b's SOCKADDR records for $OLD:53" \
			"$([ "$(n_log_sends "$B" "${START}000" 99999999999999 "$ALOG")" -gt 0 ] && echo yes)" yes
		rs_check "each of the daemon's dns_send from b is a record in that auditd's log" \
			"$(not_logged "$T/daemon.log" "$B")" 0
	else
		rs_log "replay skipped: that auditd's log (${REPLAY_LOG:-unknown}) is not readable (set RS_AUDITD_LOG)"
		REPLAY_LOG=
	fi
fi

# --- replay of auditd's log: the same verdicts -----------------------------------------
# Compared by pid for the two clients only: replay has no /proc facts (no
# runtime, no at-risk prediction, no processes seen only by the scanner, no
# start times), so other processes may differ: dnsmasq and the unaffected
# ones, and resolvstale's own processes, whose reads of resolv.conf (also of
# other processes' copies through /proc/PID/root) are in the log: the live
# plugin and daemon skip their own, replay cannot tell them apart.
if [ -n "$REPLAY_LOG" ]; then
	"$RS_BIN" replay --db "$JUDGE_DB" --grace "$GRACE" --format json --fail-on never \
		--since "@$((START - 1))" "$REPLAY_LOG"* >"$T/replay.json" 2>"$T/replay.err"
	rs_check "replay of auditd's log: exit 0" "$?" 0
	for c in A B; do
		rs_check "replay: ${c,,} (${!c}) has the same verdict as $WHO" \
			"$(verdict "$T/replay.json" "${!c}")" "$(verdict "$JUDGE_REPORT" "${!c}")"
	done
	rs_check "replay: the change retired $OLD" "$(jq -c '.generation.retired' "$T/replay.json")" "[\"$OLD\"]"
	read -r RCOUNT _ _ <<<"$(b_rows "$T/replay.json")"
	read -r JCOUNT _ _ <<<"$(b_rows "$JUDGE_REPORT")"
	rs_check "replay: b's sends to $OLD since the change, as many as in $WHO ($JCOUNT)" "$RCOUNT" "$JCOUNT"
fi

# --- leave the kernel as found -----------------------------------------------------------
restore_audit
rs_check "the kernel's audit pid is as before ($FOREIGN: no auditd of ours registered)" "$(kpid)" "$FOREIGN"
rs_check "no resolvstale rule left" "$(n_rules 'resolvstale-')" "$PRESENT_BEFORE"
rs_audit_check_restored
rs_finish

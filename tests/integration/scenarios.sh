#!/bin/bash
# End-to-end scenarios: real clients, real resolvers, the daemon, a change of
# /etc/resolv.conf, and assertions on `resolvstale report` and `services`.
#
# A private mount namespace with an overlay over /etc; a network namespace the
# test creates, with three dnsmasq servers on loopback: 127.53.0.1 (OLD, the
# resolver being retired), 127.53.0.2 (NEW) and 127.53.0.3 (OWN, listed only
# by a process's own resolv.conf). The daemon stays in the host network
# namespace (audit multicast is delivered there only) but shares the test's
# mount namespace, so it watches the overlay's /etc/resolv.conf. It starts
# before the clients. /etc/resolv.conf lists OLD; after ~2 s of traffic,
# `sed -i` rewrites it to NEW. The clients, and the verdict each must get:
#   a  python3 getaddrinfo loop (every 0.2 s)                    reloaded
#   b  the same with RES_OPTIONS=no-reload                       stale
#   c  bash loop of `dig @OLD` (every 0.3 s): its dig processes  stale, explicit_server
#   d  RES_OPTIONS=no-reload, one lookup before the change, idle at-risk
#   e  a UDP socket connected to the nameserver of resolv.conf (OLD) at start,
#      one query before the change, then idle and open (like a c-ares channel)
#                                                                stale (socket evidence)
#   f  a getaddrinfo loop started after the change               unaffected
#   g  own mount namespace, own /etc listing OWN, resolving      other-config
#   h  own mount namespace, own /etc listing OLD, resolving      stale ("its own resolv.conf
#                                                                lists OLD", "fix or recreate")
# Before the verdicts, the test checks that the clients behave as described,
# from the daemon's event log and `resolvstale scan`, so that a wrong verdict
# can be told apart from a misbehaving client. It also checks the exit status
# of report (--fail-on, nagios), the services list, the kernel audit state
# before and after, and prints (does not assert) the detection latency: from
# b's first send to OLD after the change + grace to the first report that
# shows b stale.
#
# Every client's pid is the pid the test spawned (nsenter, env, unshare and
# sh -c 'exec' replace themselves, nothing forks): each client prints its own
# pid, and the test checks it against $! and /proc/PID/comm, and keeps its
# starttime to match report rows by (pid, starttime). The dig processes are
# found in the report as children (ppid) of c's bash. Set
# RS_SCENARIOS_KEEP=DIR to keep the daemon log, the reports and the clients'
# output in DIR.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
for tool in jq auditctl dnsmasq dig nsenter ip; do
	command -v "$tool" >/dev/null || rs_die "$tool is missing (make test-deps)"
done
[ -x /usr/bin/python3 ] || rs_die "/usr/bin/python3 is missing (make test-deps)"
rs_tmpdir T
LOG=$T/daemon.log
OLD=127.53.0.1
NEW=127.53.0.2
OWN=127.53.0.3
GRACE_MS=1000 # the daemon's --grace 1s
LIFE=90 # every client exits by itself after this many seconds
# Who tracks DNS sends (tests/integration/scenarios_ebpf.sh runs it again with
# ebpf): the verdicts must be the same.
SENDS=${RS_SCENARIO_SENDS:-audit}
case $SENDS in
audit) SRC_ARGS=(--sources audit,fanotify,procscan --audit-always) SRC_EXPECT=audit,fanotify,procscan ;;
ebpf) SRC_ARGS=(--sources ebpf,audit,fanotify,procscan) SRC_EXPECT=audit,ebpf,fanotify,procscan ;;
*) rs_die "RS_SCENARIO_SENDS must be audit or ebpf, not '$SENDS'" ;;
esac
rs_log "DNS sends tracked by $SENDS"

keep_artifacts() {
	[ -n "${RS_SCENARIOS_KEEP:-}" ] || return 0
	mkdir -p "$RS_SCENARIOS_KEEP" && cp -a "$T"/. "$RS_SCENARIOS_KEEP"/
}
rs_on_exit keep_artifacts

# --- the kernel's audit state, saved and restored ----------------------------
rs_audit_save "$T"

# --- the network namespace and its three resolvers ---------------------------
rs_netns HOLDER
NS=(nsenter "--net=/proc/$HOLDER/ns/net")
for addr in "$OLD" "$NEW" "$OWN"; do
	rs_spawn _ "${NS[@]}" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$addr" --port=53 --pid-file= --user=root \
		--address=/test.example/192.0.2.1 --log-facility=/dev/null 2>>"$T/dnsmasq.err"
done
answers() { [ "$("${NS[@]}" dig @"$1" test.example +short +tries=1 +time=1 2>/dev/null)" = 192.0.2.1 ]; }
for addr in "$OLD" "$NEW" "$OWN"; do
	rs_wait_until 5 answers "$addr" || rs_die "dnsmasq on $addr does not answer: $(cat "$T/dnsmasq.err")"
done

printf 'nameserver %s\n' "$OLD" >/etc/resolv.conf # host-safe

# --- the daemon ----------------------------------------------------------------
rs_spawn DAEMON "$RS_BIN" daemon --db "$T/state.db" --log-format json \
	"${SRC_ARGS[@]}" --grace 1s >"$LOG" 2>"$T/daemon.err"
# ms: an event's time in milliseconds since the epoch (jq); 0 if it has none.
JQDEF='def ms: (.time // "" | capture("^(?<s>[^.]*)(\\.(?<f>[0-9]+))?Z$")) as $c
	| ($c.s + "Z" | fromdateiso8601) * 1000 + (($c.f // "") + "000" | .[0:3] | tonumber)
	// 0;'
# ev JQ-FILTER: how many event lines match; have_ev JQ-FILTER [N]: at least N.
ev() { jq -c "$JQDEF select($1)" "$LOG" 2>/dev/null | wc -l; }
have_ev() { [ "$(ev "$1")" -ge "${2:-1}" ]; }
rs_wait_until 10 have_ev '.event == "daemon_start"' ||
	rs_die "daemon did not start: $(cat "$T/daemon.err")"
if [ "$SENDS" = ebpf ] && grep -q 'source ebpf not started' "$T/daemon.err"; then
	rs_log "the eBPF source cannot start here: $(grep -m1 'source ebpf not started' "$T/daemon.err"): skipped"
	exit 77
fi
rs_check "the daemon runs the sources asked for" \
	"$(jq -r 'select(.event == "daemon_start") | .sources | sort | join(",")' "$LOG")" \
	"$SRC_EXPECT"

# --- the clients ---------------------------------------------------------------
# client.py MODE LIFE: prints "ready PID FIRST-ANSWER" once it resolved (or
# connected and got an answer), then until LIFE seconds passed:
#   loop   getaddrinfo("test.example") every 0.2 s
#   once   nothing more (it resolved once): sleeps
#   hold   a UDP socket connected to the first nameserver of /etc/resolv.conf
#          as read at start (what a c-ares channel does), one query sent
#          before "ready"; the socket stays open and idle
cat >"$T/client.py" <<'EOF'
import os, socket, sys, time
mode, life = sys.argv[1], float(sys.argv[2])
end = time.time() + life
QUERY = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04test\x07example\x00\x00\x01\x00\x01"

def lookup():
    try:
        return socket.getaddrinfo("test.example", 53, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0]
    except OSError as e:
        return "error:" + str(e.errno)

if mode == "hold":
    with open("/etc/resolv.conf") as f:
        server = [l.split()[1] for l in f if l.startswith("nameserver")][0]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((server, 53))
    s.settimeout(2)
    s.send(QUERY)
    try:
        first = "answered" if s.recv(512)[:2] == QUERY[:2] else "bad-answer"
    except OSError:
        first = "no-answer"
else:
    first = lookup()
print("ready", os.getpid(), first, flush=True)
while time.time() < end:
    if mode == "loop":
        lookup()
        time.sleep(0.2)
    else:
        time.sleep(min(1.0, max(0.0, end - time.time())))
EOF

# stat_starttime PID: field 22 of /proc/PID/stat (after the last ')').
stat_starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }

# client VAR NAME CMD...: spawn a client, wait for its "ready" line, check that
# the pid it prints is $! and that /proc/$!/comm says python3. Sets VAR (pid)
# and VAR_ST (starttime).
client() {
	local var=$1 name=$2 cpid out
	shift 2
	out=$T/$name.out
	rs_spawn cpid "$@" >"$out" 2>"$T/$name.err"
	rs_wait_until 10 grep -q '^ready' "$out" || rs_die "client $name did not start: $(cat "$T/$name.err")"
	rs_check "client $name: the spawned pid is the python3 process" \
		"$(awk '/^ready/{print $2}' "$out") $(cat "/proc/$cpid/comm" 2>/dev/null)" "$cpid python3"
	printf -v "$var" '%s' "$cpid"
	printf -v "${var}_ST" '%s' "$(stat_starttime "$cpid")"
}
first_answer() { awk '/^ready/{print $3}' "$T/$1.out"; }
# within SECONDS DESCRIPTION COMMAND...: pass if COMMAND succeeds in time.
within() {
	local limit=$1 desc=$2
	shift 2
	if rs_wait_until "$limit" "$@"; then rs_pass "$desc"; else rs_fail "$desc: not within $limit s"; fi
}

# own_etc DIR NAMESERVER: a small /etc of one's own (a container's), bind-mounted
# over /etc in the client's own mount namespace. The directory, not the file:
# a bind mount on the file would be detached by the kernel when sed -i
# renames the host's new file over it.
own_etc() {
	mkdir -p "$1"
	printf 'nameserver %s\n' "$2" >"$1/resolv.conf"
	local f
	for f in nsswitch.conf hosts host.conf ld.so.cache; do
		[ -e "/etc/$f" ] && cp "/etc/$f" "$1/"
	done
	return 0
}
OWNMOUNT='mount --bind "$1" /etc || exit 1; shift; exec "$@"'
PY=(/usr/bin/python3 "$T/client.py")

client A a "${NS[@]}" "${PY[@]}" loop "$LIFE"
client B b "${NS[@]}" env RES_OPTIONS=no-reload "${PY[@]}" loop "$LIFE"
rs_spawn C "${NS[@]}" bash -c '
	end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		dig @"$1" test.example +tries=1 +time=1 >/dev/null
		sleep 0.3
	done' digloop "$OLD" "$LIFE"
client D d "${NS[@]}" env RES_OPTIONS=no-reload "${PY[@]}" once "$LIFE"
client E e "${NS[@]}" "${PY[@]}" hold "$LIFE"
own_etc "$T/etc-g" "$OWN"
client G g unshare --mount --propagation private sh -c "$OWNMOUNT" own "$T/etc-g" \
	"${NS[@]}" "${PY[@]}" loop "$LIFE"
own_etc "$T/etc-h" "$OLD"
client H h unshare --mount --propagation private sh -c "$OWNMOUNT" own "$T/etc-h" \
	"${NS[@]}" "${PY[@]}" loop "$LIFE"
rs_check "client c: the spawned pid is bash" "$(cat "/proc/$C/comm" 2>/dev/null)" bash
for c in a b d g h; do
	rs_check "client $c resolved test.example before the change" "$(first_answer "$c")" 192.0.2.1
done
rs_check "client e got an answer on its socket" "$(first_answer e)" answered
rs_log "clients: a=$A b=$B c=$C (bash) d=$D e=$E g=$G h=$H"

# What each one sends before the change (audit dns_send events). dig's
# sends come from its network thread (comm isc-net-0000): match its exe.
DIG=".ppid == $C and (.exe // \"\" | endswith(\"/dig\"))"
sends() { have_ev ".event == \"dns_send\" and $1 and .dst == \"$2\""; }
within 5 "a sends to $OLD before the change" sends ".pid == $A" "$OLD"
within 5 "b sends to $OLD before the change" sends ".pid == $B" "$OLD"
within 5 "d sent its one lookup to $OLD" sends ".pid == $D" "$OLD"
within 5 "e connected its socket to $OLD" sends ".pid == $E" "$OLD"
# The tripwire reports sends to the watched file's servers only: g's own
# server is none of them.
[ "$SENDS" = ebpf ] || within 5 "g sends to $OWN (its own file)" sends ".pid == $G" "$OWN"
within 5 "h sends to $OLD (its own file)" sends ".pid == $H" "$OLD"
within 5 "c: dig processes (children of $C) send to $OLD" sends "$DIG" "$OLD"
sleep 1.5 # ~2 s of traffic in all

# --- the change ----------------------------------------------------------------
sed -i "s/$OLD/$NEW/" /etc/resolv.conf # host-safe
CHANGE_NS=$(date +%s%N)
rs_wait_until 5 have_ev '.event == "config_change" and .generation == 1' ||
	rs_die "no generation 1 after sed -i: $(cat "$T/daemon.err")"
# GEN_MS: when the daemon recorded the change (grace counts from there);
# FILE_MS: when sed renamed the new file in (its ctime), a little earlier (the
# daemon settles 50 ms before it reads): a client may re-read in between.
GEN_MS=$(jq -r "$JQDEF"' select(.event == "config_change" and .generation == 1) | ms' "$LOG")
FILE_MS=$(jq -r "$JQDEF"' select(.event == "config_change" and .generation == 1) | .file | {time: .ctime} | ms' "$LOG")
[ -n "$FILE_MS" ] && [ "$FILE_MS" -le "$GEN_MS" ] || FILE_MS=$GEN_MS
STALE_MS=$((GEN_MS + GRACE_MS)) # sends after this are stale evidence
client F f "${NS[@]}" "${PY[@]}" loop "$LIFE"
rs_log "f=$F started after the change"

# --- the report: poll until the verdicts settle ---------------------------------
REPORT=$T/report.json
# verdict PID STARTTIME: the verdict(s) of that process in $REPORT.
verdict() {
	jq -r --argjson p "$1" --argjson st "${2:-null}" \
		'[.processes[] | select(.pid == $p and (.starttime == $st or .starttime == null))]
		 | if length == 0 then "absent" else map(.verdict) | unique | join("+") end' "$REPORT"
}
# field PID STARTTIME JQ: a member of that process's row.
field() {
	jq -r --argjson p "$1" --argjson st "${2:-null}" \
		"[.processes[] | select(.pid == \$p and (.starttime == \$st or .starttime == null))][0] | $3" "$REPORT"
}
# The dig processes (children of c's bash) that are stale with explicit_server.
digs_stale_explicit() {
	jq -r --argjson c "$C" '[.processes[] | select(.ppid == $c and .comm == "dig"
		and .verdict == "stale" and .explicit_server == true)] | length' "$REPORT"
}
B_STALE_NS=
polls=0
report_settled() {
	polls=$((polls + 1))
	"$RS_BIN" report --db "$T/state.db" --format json --fail-on never >"$REPORT.new" \
		2>>"$T/report.err" || return 1
	local now
	now=$(date +%s%N)
	mv "$REPORT.new" "$REPORT"
	if [ -z "$B_STALE_NS" ] && [ "$(verdict "$B" "$B_ST")" = stale ]; then
		B_STALE_NS=$now
	fi
	[ "$(verdict "$A" "$A_ST")" = reloaded ] &&
		[ "$(verdict "$B" "$B_ST")" = stale ] &&
		[ "$(verdict "$D" "$D_ST")" = at-risk ] &&
		[ "$(verdict "$E" "$E_ST")" = stale ] &&
		[ "$(verdict "$F" "$F_ST")" = unaffected ] &&
		[ "$(verdict "$G" "$G_ST")" = other-config ] &&
		[ "$(verdict "$H" "$H_ST")" = stale ] &&
		[ "$(digs_stale_explicit)" -ge 1 ]
}
HAVE_REPORT=
if "$RS_BIN" report --help >/dev/null 2>&1; then
	HAVE_REPORT=yes
	if rs_wait_until 15 report_settled; then
		rs_log "verdicts as expected $((($(date +%s%N) - CHANGE_NS) / 1000000)) ms after the change ($polls reports)"
	else
		rs_log "verdicts not all as expected 15 s after the change ($polls reports): asserting the last report"
	fi
else
	rs_fail "no report command in $RS_BIN: only the clients are checked"
	sleep $((GRACE_MS / 1000 + 2))
fi

# --- the clients after the change (event log, scan) ------------------------------
# sends_after MS WHO DST: a dns_send from WHO (a jq condition) to DST after MS.
sends_after() { have_ev ".event == \"dns_send\" and $2 and .dst == \"$3\" and ms > $1"; }
n_sends_after() { ev ".event == \"dns_send\" and $2 and .dst == \"$3\" and ms > $1"; }
within 5 "a moved to $NEW after the change" sends_after "$FILE_MS" ".pid == $A" "$NEW"
within 5 "a opened resolv.conf again after the change" \
	have_ev ".event == \"config_open\" and .pid == $A and ms > $FILE_MS"
rs_check "a sends nothing to $OLD after the change + grace" \
	"$(n_sends_after "$STALE_MS" ".pid == $A" "$OLD")" 0
within 5 "b keeps sending to $OLD after the change + grace" sends_after "$STALE_MS" ".pid == $B" "$OLD"
rs_check "b sends nothing to $NEW" "$(n_sends_after 0 ".pid == $B" "$NEW")" 0
rs_check "d sends nothing after the change" "$(ev ".event == \"dns_send\" and .pid == $D and ms > $FILE_MS")" 0
rs_check "e sends nothing after the change" "$(ev ".event == \"dns_send\" and .pid == $E and ms > $FILE_MS")" 0
within 5 "f sends to $NEW" sends_after "$FILE_MS" ".pid == $F" "$NEW"
rs_check "f sends nothing to $OLD" "$(n_sends_after 0 ".pid == $F" "$OLD")" 0
[ "$SENDS" = ebpf ] || within 5 "g keeps sending to $OWN" sends_after "$STALE_MS" ".pid == $G" "$OWN"
rs_check "g sends to nothing but $OWN" \
	"$(ev ".event == \"dns_send\" and .pid == $G and .dst != \"$OWN\"")" 0
within 5 "h keeps sending to $OLD after the change + grace" sends_after "$STALE_MS" ".pid == $H" "$OLD"
within 5 "c's dig processes send to $OLD after the change + grace" \
	sends_after "$STALE_MS" "$DIG" "$OLD"
"$RS_BIN" scan --format json --retired "$OLD" --db "$T/none.db" >"$T/scan.json" 2>"$T/scan.err"
rs_check "scan: e holds a socket connected to $OLD:53, retired" \
	"$(jq -r --argjson p "$E" '[.processes[] | select(.pid == $p) | .sockets[]
		| [.remote, .rport, .proto, .state, .retired] | map(tostring) | join(" ")] | join(",")' "$T/scan.json")" \
	"$OLD 53 udp connected true"
rs_check "scan: d is at risk (reads resolv.conf once)" \
	"$(jq -r --argjson p "$D" '[.at_risk[] | select(.pid == $p)] | length' "$T/scan.json")" 1
rs_check "scan: b is at risk too (no-reload)" \
	"$(jq -r --argjson p "$B" '[.at_risk[] | select(.pid == $p)] | length' "$T/scan.json")" 1

# --- the report's verdicts --------------------------------------------------------
if [ -n "$HAVE_REPORT" ]; then
	for c in A B D E F G H; do
		p=${!c} st_var=${c}_ST
		rs_log "report: ${c,,} ($p): $(field "$p" "${!st_var}" \
			'"\(.verdict) | \(.reason) | \(.action) | evidence: \([.evidence[]? | "\(.kind) \(.dst // "-") \(.retired // "-") x\(.count // "-")"] | join(", "))"')"
	done
	jq -r --argjson c "$C" '.processes[] | select(.ppid == $c)
		| "[scenarios] report: c child \(.pid) \(.comm): \(.verdict) explicit_server=\(.explicit_server) | \(.reason)"' \
		"$REPORT" | head -5
	rs_check "a (getaddrinfo loop): reloaded" "$(verdict "$A" "$A_ST")" reloaded
	rs_check "b (getaddrinfo loop, no-reload): stale" "$(verdict "$B" "$B_ST")" stale
	rs_check "b: a retired dns_send in its evidence" \
		"$(field "$B" "$B_ST" "[.evidence[] | select(.kind == \"dns_send\" and .dst == \"$OLD\" and .retired == true)] | length > 0")" \
		true
	rs_check "b: not an explicit server" "$(field "$B" "$B_ST" .explicit_server)" false
	rs_check "c: a dig process stale with explicit_server" \
		"$([ "$(digs_stale_explicit)" -ge 1 ] && echo yes)" yes
	rs_check "d (no-reload, idle): at-risk" "$(verdict "$D" "$D_ST")" at-risk
	rs_check "d: its reload rule" "$(field "$D" "$D_ST" .reload_rule)" reads-once
	rs_check "e (idle socket to $OLD): stale" "$(verdict "$E" "$E_ST")" stale
	rs_check "e: socket evidence to $OLD" \
		"$(field "$E" "$E_ST" "[.evidence[] | select(.kind == \"socket\" and .dst == \"$OLD\")] | length > 0")" true
	rs_check "f (started after the change): unaffected" "$(verdict "$F" "$F_ST")" unaffected
	rs_check "g (own resolv.conf, $OWN): other-config" "$(verdict "$G" "$G_ST")" other-config
	rs_check "g: config domain other" "$(field "$G" "$G_ST" .config_domain)" other
	rs_check "h (own resolv.conf, $OLD): stale" "$(verdict "$H" "$H_ST")" stale
	rs_check "h: the reason names its own file" \
		"$(field "$H" "$H_ST" ".reason | contains(\"its own resolv.conf lists $OLD\")")" true
	rs_check "h: the action is to fix or recreate" \
		"$(field "$H" "$H_ST" '.action | startswith("fix or recreate")')" true
	rs_check "generation 1, retired $OLD, added $NEW" \
		"$(jq -c '.generation | [.number, .retired, .added]' "$REPORT")" "[1,[\"$OLD\"],[\"$NEW\"]]"
	rs_check "the writer is sed" "$(jq -r '.generation.writer.comm' "$REPORT")" sed
	rs_check "summary counts the stale processes" \
		"$(jq -r '.summary.stale >= 4' "$REPORT")" true

	"$RS_BIN" report --db "$T/state.db" >"$T/report.txt" 2>>"$T/report.err"
	rs_check "report (text, --fail-on stale by default): exit 1" "$?" 1
	"$RS_BIN" report --db "$T/state.db" --format json >/dev/null 2>>"$T/report.err"
	rs_check "report --format json: exit 1" "$?" 1
	"$RS_BIN" report --db "$T/state.db" --fail-on never >/dev/null 2>>"$T/report.err"
	rs_check "report --fail-on never: exit 0" "$?" 0
	"$RS_BIN" report --db "$T/state.db" --format nagios >"$T/report.nagios" 2>>"$T/report.err"
	rs_check "report --format nagios: exit 2 (CRITICAL)" "$?" 2
	rs_check "nagios: one CRITICAL status line" "$(head -1 "$T/report.nagios" | grep -c CRITICAL)" 1
	rs_check "the text report names b's pid" "$(grep -qw "$B" "$T/report.txt" && echo yes)" yes

	"$RS_BIN" services --db "$T/state.db" --format json >"$T/services.json" 2>"$T/services.err"
	rs_check "services --format json: exit 0" "$?" 0
	listed() { # PID: how many entries list that pid
		jq -r --argjson p "$1" '[.services[] | select(any(.processes[]; .pid == $p))] | length' \
			"$T/services.json"
	}
	for c in B D E H; do
		rs_check "services: ${c,,} (${!c}) listed once" "$(listed "${!c}")" 1
	done
	for c in A F G; do
		rs_check "services: ${c,,} (${!c}) not listed" "$(listed "${!c}")" 0
	done
	"$RS_BIN" services --db "$T/state.db" >"$T/services.txt" 2>>"$T/services.err"
	rs_check "services (text): exit 0" "$?" 0
	rs_check "no error output from report and services" "$(cat "$T/report.err" "$T/services.err")" ""

	# Detection latency (printed, not asserted).
	FIRST_STALE_MS=$(jq -r "$JQDEF"' select(.event == "dns_send" and .pid == '"$B"' and .dst == "'"$OLD"'"
		and ms > '"$STALE_MS"') | ms' "$LOG" | sort -n | head -1)
	if [ -n "$B_STALE_NS" ] && [ -n "$FIRST_STALE_MS" ]; then
		rs_log "latency: b's first send to $OLD after the change + grace at +$((FIRST_STALE_MS - GEN_MS)) ms," \
			"first report showing b stale at +$((B_STALE_NS / 1000000 - GEN_MS)) ms:" \
			"detection latency $((B_STALE_NS / 1000000 - FIRST_STALE_MS)) ms"
	else
		rs_log "latency: not measured (b never reported stale, or no stale send seen)"
	fi
fi

# --- stop, and leave the kernel as found -------------------------------------------
rs_stop_pid "$DAEMON"
rs_check "daemon: no error output" "$(cat "$T/daemon.err")" ""
rs_check "every log line is JSON" "$(jq -s length "$LOG" >/dev/null 2>&1 && echo ok)" ok
rs_check "no events lost" "$(ev '.event == "events_lost"')" 0
if [ "$SENDS" = ebpf ]; then
	rs_check "ebpf: sends logged by ebpf" "$([ "$(ev '.event == "dns_send" and .source == "ebpf"')" -gt 0 ] && echo yes)" yes
	rs_check "ebpf: no audit send rules (no audit dns_send)" "$(ev '.event == "dns_send" and .source == "audit"')" 0
else
	rs_check "audit: sends logged by audit" "$([ "$(ev '.event == "dns_send" and .source == "audit"')" -gt 0 ] && echo yes)" yes
fi
rs_audit_check_restored
rs_finish

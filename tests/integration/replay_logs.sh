#!/bin/bash
# `resolvstale replay` on the checked-in logs of tests/fixtures/replay/ (made
# from the real captures in tests/fixtures/audit/, see its README.md):
# verdicts per process, rotated pieces in every order, enriched = raw, two
# hosts behind node= prefixes, garbage lines and a truncated last line,
# sends on sockets connected earlier (inferred), the time window, the exit
# statuses and errors; then --db: a store with a real generation history
# written by the daemon (in a private mount namespace over an overlay /etc),
# and a log whose records straddle its change.
#
# Replay only reads files; the namespace is for the daemon's /etc writes.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
command -v jq >/dev/null || rs_die "jq is missing (make test-deps)"
command -v gzip >/dev/null || rs_die "gzip is missing"
[ -x /usr/bin/python3 ] || rs_die "/usr/bin/python3 is missing"

rs_tmpdir T
F=$RS_TOP/tests/fixtures/replay
A=$RS_TOP/tests/fixtures/audit
OLD=127.53.0.1

# run NAME ARGS...: resolvstale replay ARGS, stdout to $T/NAME.out, stderr to
# $T/NAME.err; prints the exit status.
run() {
	local name=$1
	shift
	"$RS_BIN" replay "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $?
}
# js NAME FILTER: jq -r FILTER on $T/NAME.out.
js() { jq -r "$2" "$T/$1.out" 2>&1; }
# The verdict of PID in a report (one object with .processes), "absent" if
# not listed.
verdict_of() { jq -r --argjson p "$2" '[.processes[] | select(.pid == $p) | .verdict][0] // "absent"' "$T/$1.out" 2>&1; }
# What must not change between two readings of the same records.
norm() { jq -S -c '{processes, summary}' "$T/$1.out" 2>&1; }
# Without pids and times: what two runs of the same scenario share.
norm_nopid() {
	jq -S -c '{p: [.processes[] | {comm, exe, uid, verdict, counts, explicit_server, stale_count,
		stale_dst, ev: [.evidence[] | del(.first, .last)]}] | sort_by(.comm, .verdict),
		s: .summary}' "$T/$1.out" 2>&1
}
lines_of() { wc -l <"$T/$1.err" | tr -d ' '; }

# --- 0. the fixtures are what their script writes ------------------------------------------
mkdir -p "$T/fx"
/usr/bin/python3 "$F/make-fixtures.py" "$T/fx" || rs_die "make-fixtures.py failed"
rs_check "fixtures equal what make-fixtures.py writes" \
	"$(diff -r -x make-fixtures.py -x README.md "$T/fx" "$F" >/dev/null && echo same)" same

# --- 1. the unsplit capture: verdicts per process ------------------------------------------
rs_check "raw.log: exit 1 (non-compliant)" "$(run raw --retired $OLD --format json "$A/raw.log")" 1
rs_check "raw.log: python3 (9051) stale" "$(verdict_of raw 9051)" stale
rs_check "raw.log: dig (9052) stale" "$(verdict_of raw 9052)" stale
rs_check "raw.log: dig names the server itself (explicit_server)" \
	"$(js raw '.processes[] | select(.pid == 9052) | .explicit_server')" true
rs_check "raw.log: python3 follows resolv.conf (no explicit_server)" \
	"$(js raw '.processes[] | select(.pid == 9051) | .explicit_server')" false
rs_check "raw.log: python3's stale sends (3 connects incl. ::ffff:, 1 sendto)" \
	"$(js raw '.processes[] | select(.pid == 9051) | .stale_count')" 4
rs_check "raw.log: cat and both sed not stale (reloaded)" \
	"$(verdict_of raw 9055) $(verdict_of raw 9056) $(verdict_of raw 9057)" "reloaded reloaded reloaded"
rs_check "raw.log: dnsmasq's replies and the daemon's netlink sends are no processes" \
	"$(verdict_of raw 9034) $(verdict_of raw 9045)" "absent absent"
rs_check "raw.log: summary" "$(js raw '[.summary.stale, .summary.reloaded, .summary.counting_stale] | join(" ")')" "2 3 2"
rs_check "raw.log: counts (records events dns_sends inferred garbage)" \
	"$(js raw '.replay | [.records, .events, .dns_sends, .inferred_sends, .garbage_lines] | join(" ")')" \
	"213 53 6 0 0"
rs_check "raw.log: sed's renames over resolv.conf listed as writes" \
	"$(js raw '[.replay.resolv_conf_writes[] | "\(.pid):\(.comm):\(.syscall)"] | join(" ")')" \
	"9056:sed:rename 9057:sed:rename"
rs_check "raw.log: --retired alone: the change is the log's start, no grace" \
	"$(js raw '[.generation.number, .generation.time, .grace_ms] | join(" ")')" \
	"1 2026-11-21T22:31:38.615Z 0"
base=$(norm raw)

# --- 2. rotated pieces in any order ---------------------------------------------------------
P=("$F/audit.log.2" "$F/audit.log.1" "$F/audit.log")
n=0
for order in "0 1 2" "0 2 1" "1 0 2" "1 2 0" "2 0 1" "2 1 0"; do
	args=()
	for i in $order; do args+=("${P[$i]}"); done
	rc=$(run rot --retired $OLD --format json "${args[@]}")
	if [ "$rc" = 1 ] && [ "$(norm rot)" == "$base" ] &&
		[ "$(js rot '.replay.files | map(split("/")[-1]) | join(" ")')" = "audit.log.2 audit.log.1 audit.log" ] &&
		[ "$(js rot '[.replay.bytes, .replay.records, .replay.events] | join(" ")')" = "44421 213 53" ]; then
		n=$((n + 1))
	else
		rs_log "order ${order// /,}: exit $rc, files $(js rot '.replay.files | join(" ")')"
	fi
done
rs_check "rotated pieces, all 6 orders: read oldest first, same processes and summary as the whole log" "$n" 6
# The SYSCALL of python3's connect ends audit.log.2, its SOCKADDR opens
# audit.log.1: joined, the connect is a DNS send (else 5, not 6).
rs_check "an event cut across two pieces is joined (6 DNS sends)" "$(js rot '.replay.dns_sends')" 6
cat "${P[@]}" | "$RS_BIN" replay --retired $OLD --format json - >"$T/stdin.out" 2>"$T/stdin.err"
rs_check "'-' reads standard input: exit 1" "$?" 1
rs_check "'-' reads standard input: same as the whole log" "$(norm stdin)" "$base"
rs_check "'-' is named '-' in replay.files" "$(js stdin '.replay.files | join(" ")')" "-"
# The check above has teeth: pieces read newest first lose the sends.
cat "${P[2]}" "${P[1]}" "${P[0]}" | "$RS_BIN" replay --retired $OLD --format json - >"$T/wrong.out" 2>&1
rs_check "(the same pieces concatenated newest first do differ)" \
	"$([ "$(norm wrong)" != "$base" ] && echo differ)" differ

# --- 3. enriched = raw ----------------------------------------------------------------------
rs_check "enriched.log: exit 1" "$(run enr --retired $OLD --format json "$F/enriched.log")" 1
rs_check "enriched.log: same verdicts and evidence as raw.log (other pids and times)" \
	"$(norm_nopid enr)" "$(norm_nopid raw)"
rs_check "enriched.log: python3 (9089) and dig (9090) stale" "$(verdict_of enr 9089) $(verdict_of enr 9090)" "stale stale"
rs_check "enriched.log: same counts as raw.log" \
	"$(js enr '.replay | [.records, .events, .dns_sends, .garbage_lines] | join(" ")')" "213 53 6 0"

# --- 4. two hosts: node= prefixes -----------------------------------------------------------
rs_check "nodes.log: exit 1" "$(run nodes --retired $OLD --format json "$F/nodes.log")" 1
# Regression: the node name was quoted twice ("node":""alpha"").
rs_check "nodes.log: the JSON parses" "$(jq -e . "$T/nodes.out" >/dev/null 2>&1 && echo valid)" valid
rs_check "nodes.log: a nodes array of two, in order of appearance" "$(js nodes '[.nodes[].node] | join(" ")')" "alpha beta"
rs_check "nodes.log: each report is its node's (host)" "$(js nodes '[.nodes[].report.host] | join(" ")')" "alpha beta"
node_verdict() {
	jq -r --arg n "$1" --argjson p "$2" \
		'[.nodes[] | select(.node == $n) | .report.processes[] | select(.pid == $p) | .verdict][0] // "absent"' \
		"$T/nodes.out" 2>&1
}
rs_check "nodes.log alpha: python3 9051 and dig 9052 stale" \
	"$(node_verdict alpha 9051) $(node_verdict alpha 9052)" "stale stale"
rs_check "nodes.log beta: python3 9089 sent to 127.53.0.2 only, not stale" "$(node_verdict beta 9089)" reloaded
rs_check "nodes.log beta: dig 9090 stale" "$(node_verdict beta 9090)" stale
rs_check "nodes.log: no process of one node in the other" \
	"$(node_verdict alpha 9089) $(node_verdict alpha 9090) $(node_verdict beta 9051) $(node_verdict beta 9052)" \
	"absent absent absent absent"
rs_check "nodes.log: per-node summaries" \
	"$(js nodes '[.nodes[].report.summary | "\(.counting_stale)/\(.reloaded)"] | join(" ")')" "2/3 1/4"
rs_check "nodes.log: summary" \
	"$(js nodes '.summary | [.nodes, .counting_stale, .counting_at_risk, .stale, .reloaded] | join(" ")')" "2 3 0 3 7"
rs_check "nodes.log, text: a section per node and the total" \
	"$("$RS_BIN" replay --retired $OLD --color never "$F/nodes.log" | grep -E '^=== ' | tr '\n' '|')" \
	"=== node alpha ===|=== node beta ===|=== 2 nodes: 3 stale and 0 at risk count against compliance|"
rs_check "nodes.log, csv: one header, a node column" \
	"$("$RS_BIN" replay --retired $OLD --format csv "$F/nodes.log" | cut -d, -f1,3 | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')" \
	"alpha,9051 alpha,9052 alpha,9055 alpha,9056 alpha,9057 beta,9089 beta,9090 beta,9093 beta,9094 beta,9095 node,pid "
rs_check "--node alpha: exit 1" "$(run alpha --retired $OLD --format json --node alpha "$F/nodes.log")" 1
rs_check "--node alpha: one report (no nodes array), alpha's" "$(js alpha '[(.nodes == null), .host, .replay.node] | join(" ")')" "true alpha alpha"
rs_check "--node alpha: only alpha's processes" "$(js alpha '[.processes[].pid] | sort | join(" ")')" "9051 9052 9055 9056 9057"
rs_check "--node alpha: verdicts as in the whole log" "$(norm alpha)" "$base"
rs_check "--node beta: only beta's dig stale" \
	"$(run beta --retired $OLD --format json --node beta "$F/nodes.log") $(js beta '[.processes[] | select(.verdict == "stale") | .pid] | join(" ")')" "1 9090"

# --- 5. garbage lines and a truncated last line ---------------------------------------------
rs_check "garbage.log: exit 1 (non-compliant), not 2" "$(run garb --retired $OLD --format json "$F/garbage.log")" 1
rs_check "garbage.log: the 6 lines that are not records counted (not the empty one)" \
	"$(js garb '.replay.garbage_lines')" 6
rs_check "garbage.log: every line read (213 + 6 garbage + 1 empty + 2 truncated event)" \
	"$(js garb '.replay.lines')" 222
rs_check "garbage.log: same processes and verdicts as raw.log (garbage inside an event too)" \
	"$(norm garb)" "$base"
rs_check "garbage.log: the headerless port-53 SOCKADDR and the cut-off one are no sends" \
	"$(js garb '.replay.dns_sends') $(verdict_of garb 9060) $(verdict_of garb 9999)" "6 absent absent"
# A line longer than any record (64 KiB) in a small log: one garbage line.
{
	head -n 100 "$A/raw.log"
	head -c 100000 /dev/zero | tr '\0' x
	echo
	tail -n +101 "$A/raw.log"
} >"$T/long.log"
rs_check "a 100 kB line: exit 1" "$(run long --retired $OLD --format json "$T/long.log")" 1
rs_check "a 100 kB line: one garbage line, same verdicts" "$(js long '.replay.garbage_lines') $(norm long)" "1 $base"
# Regression: a long line that starts more than 64 KiB before the end of a
# 1 MiB read once made the next read(2) go past the buffer (FORTIFY abort).
/usr/bin/python3 - "$A/raw.log" "$T/long2.log" <<'EOF'
import sys
raw = open(sys.argv[1], "rb").read()
out = bytearray()
while len(out) < 900000:
    out += raw
out += b"x" * 300000 + b"\n"
for _ in range(30):
    out += raw
open(sys.argv[2], "wb").write(out)
EOF
rc=$(run long2 --retired $OLD --format json "$T/long2.log")
rs_check "a 300 kB line across a 1 MiB read boundary: exit 1, not a crash" "$rc" 1
rs_check "a 300 kB line across a 1 MiB read boundary: one garbage line" "$(js long2 '.replay.garbage_lines')" 1

# --- 6. sends on sockets connected earlier --------------------------------------------------
rs_check "inferred.log: exit 1" "$(run inf --retired $OLD --format json "$F/inferred.log")" 1
rs_check "inferred.log: 2 inferred sends of 4 DNS sends" \
	"$(js inf '.replay | [.inferred_sends, .dns_sends] | join(" ")')" "2 4"
inferred_ev() {
	jq -r --argjson p "$1" '[.processes[] | select(.pid == $p) | .evidence[] | select(.kind == "dns_send")
		| "\(.syscall):\(.dst):\(.port):\(.inferred // false):\(.count)"] | join(" ")' "$T/inf.out" 2>&1
}
# The sends after the reconnect to port 443 (one each) must not be there.
rs_check "inferred.log: P (9071): its connect, and one inferred sendto to 127.53.0.1" \
	"$(inferred_ev 9071)" "connect:127.53.0.1:53:false:1 sendto:127.53.0.1:53:true:1"
rs_check "inferred.log: Q (9072), same fd number: its own mapping, forgotten at its own reconnect" \
	"$(inferred_ev 9072)" "connect:127.53.0.1:53:false:1 sendto:127.53.0.1:53:true:1"
rs_check "inferred.log: P and Q stale" "$(verdict_of inf 9071) $(verdict_of inf 9072)" "stale stale"
rs_check "inferred.log: R (9073) never connected its fd 5: nothing" "$(verdict_of inf 9073)" absent
rs_check "inferred.log, text: the inferred sends are said" \
	"$("$RS_BIN" replay --retired $OLD --color never "$F/inferred.log" | grep -c '4 DNS sends (2 inferred from an earlier connect)')" 1

# --- 7. the time window ---------------------------------------------------------------------
SINCE=2026-11-21T22:31:41.250Z UNTIL=2026-11-21T22:31:41.270Z
rs_check "--since/--until: exit 1" \
	"$(run win --retired $OLD --format json --since $SINCE --until $UNTIL "${P[@]}")" 1
# Events (distinct serial) outside [41.250, 41.270], counted here from the log.
outside=$(awk 'match($0, /msg=audit\([0-9]+\.[0-9]+:[0-9]+\)/) {
	s = substr($0, RSTART + 10, RLENGTH - 11)
	if (s in seen) next
	seen[s] = 1
	split(s, a, /[.:]/)
	t = a[1] * 1000 + a[2]
	if (t < 1795300301250 || t > 1795300301270) n++
} END { print n }' "$A/raw.log")
rs_check "--since/--until: events outside the window counted ($outside)" "$(js win '.replay.outside_window')" "$outside"
rs_check "--since/--until: only dig's events (41.261) judged" "$(js win '[.processes[] | "\(.pid):\(.verdict)"] | join(" ")')" "9052:stale"
rs_check "--since: the change is at the window's start" "$(js win '.generation.time')" "$SINCE"

# --- 8. exit statuses -----------------------------------------------------------------------
rs_check "--format nagios: exit 2 (critical)" "$(run nag --retired $OLD --format nagios "${P[@]}")" 2
rs_check "--format nagios: one CRITICAL line" "$(grep -c '^RESOLVSTALE CRITICAL - 2 stale' "$T/nag.out")" 1
rs_check "--format nagios, two nodes: exit 2" "$(run nag2 --retired $OLD --format nagios "$F/nodes.log")" 2
rs_check "--format nagios, two nodes: the total" "$(grep -c '^RESOLVSTALE CRITICAL - 2 nodes: 3 stale' "$T/nag2.out")" 1
rs_check "--fail-on never: exit 0" "$(run never --retired $OLD --format json --fail-on never "${P[@]}")" 0
rs_check "--fail-on never: still reports the stale ones" "$(js never '.summary.counting_stale')" 2

# --- 9. errors ------------------------------------------------------------------------------
rs_check "no --retired and no --db: exit 2" "$(run e1 --format json "$F/audit.log")" 2
rs_check "no --retired and no --db: one line on stderr, nothing on stdout" \
	"$(lines_of e1) $(wc -c <"$T/e1.out")" "1 0"
rs_check "no --retired and no --db: says what to give" "$(grep -c -- '--retired ADDR.*--db PATH' "$T/e1.err")" 1
rs_check "missing file: exit 2" "$(run e2 --retired $OLD "$T/nonexistent.log")" 2
rs_check "missing file: one line naming it" \
	"$(lines_of e2) $(grep -c "$T/nonexistent.log: No such file or directory" "$T/e2.err")" "1 1"
rs_check "missing file among good ones: exit 2" "$(run e3 --retired $OLD "$F/audit.log" "$T/nonexistent.log")" 2
gzip -c "$F/audit.log.1" >"$T/audit.log.1.gz"
rs_check "a gzip file: exit 2" "$(run e4 --retired $OLD "$T/audit.log.1.gz")" 2
rs_check "a gzip file: one line with the decompress hint" \
	"$(lines_of e4) $(grep -c 'compressed: decompress it first (zcat .* -)' "$T/e4.err")" "1 1"
rs_check "no file: exit 2" "$(run e5 --retired $OLD)" 2
rs_check "a directory: exit 2" "$(run e6 --retired $OLD "$F")" 2
rs_check "error with --format nagios: exit 3 (unknown)" "$(run e7 --retired $OLD --format nagios "$T/nonexistent.log")" 3
rs_check "--retired not an address: exit 2" "$(run e8 --retired old.example "$F/audit.log")" 2

# --- 10. --db: the changes from a store the daemon wrote --------------------------------------
DB=$T/state.db
LOG=$T/daemon.log
CONF=/etc/resolv.conf
ngens() { "$RS_BIN" history --db "$DB" --format json 2>/dev/null | jq '.generations | length' 2>/dev/null; }
have_gens() { [ "$(ngens)" -ge "$1" ] 2>/dev/null; }
rm -f "$CONF" # host-safe: overlay /etc
printf 'nameserver %s\n' "$OLD" >"$CONF"
rs_spawn DAEMON "$RS_BIN" daemon --db "$DB" --log-format json --settle 50ms --empty-grace 600ms \
	--sources none >>"$LOG" 2>>"$T/daemon.err"
rs_wait_until 5 grep -q daemon_start "$LOG" || rs_die "daemon did not start: $(cat "$T/daemon.err")"
rs_wait_until 5 have_gens 1 || rs_die "no generation at start"
printf 'nameserver 127.53.0.2\n' >"$CONF"
rs_wait_until 5 have_gens 2 || rs_die "no generation for the change"
rs_stop_pid "$DAEMON"
"$RS_BIN" history --db "$DB" --format json >"$T/hist.json"
rs_check "the daemon recorded generation 1 retiring $OLD" \
	"$(jq -r '.generations[1] | "\(.generation) \(.retired | join(","))"' "$T/hist.json")" "1 $OLD"
gen_ms=$(date -d "$(jq -r '.generations[1].time' "$T/hist.json")" +%s%3N)

# shift IN OUT DELTA_MS: every msg=audit(SEC.MS:SERIAL) moved by DELTA_MS.
shift_log() {
	/usr/bin/python3 - "$@" <<'EOF'
import re, sys
src, dst, d = sys.argv[1], sys.argv[2], int(sys.argv[3])
pat = re.compile(rb"msg=audit\((\d+)\.(\d{3}):")
def sub(m):
    t = int(m.group(1)) * 1000 + int(m.group(2)) + d
    return b"msg=audit(%d.%03d:" % (t // 1000, t % 1000)
with open(src, "rb") as f, open(dst, "wb") as g:
    for line in f:
        g.write(pat.sub(sub, line, count=1))
EOF
}
# raw.log ends 6 s before the change (last record 1795300303.052): python3's
# and dig's sends to 127.53.0.1 happened while it was the configured server.
shift_log "$A/raw.log" "$T/before.log" $((gen_ms - 6000 - 1795300303052))
# inferred.log's connects (400.100, 400.110) 4.9 s before the change, its
# sends (410.100...) 5.1 s after it, past the 2 s grace.
shift_log "$F/inferred.log" "$T/straddle.log" $((gen_ms - 1795300405000))
rs_check "--db: exit 1" "$(run db --db "$DB" --format json "$T/before.log" "$T/straddle.log")" 1
rs_check "--db: reported on generation 1, the store's change" \
	"$(js db '[.generation.number, .generation.time, (.generation.retired | join(","))] | join(" ")')" \
	"1 $(jq -r '.generations[1].time' "$T/hist.json") $OLD"
rs_check "--db: the store's grace (2 s)" "$(js db '.grace_ms')" 2000
rs_check "--db: sends before the change are not stale (python3 9051, dig 9052)" \
	"$(js db '[.processes[] | select(.pid == 9051 or .pid == 9052) | select(.verdict == "stale")] | length')" 0
rs_check "(the same records with --retired, the change at their start, are stale)" \
	"$(run dbctl --retired $OLD --format json "$T/before.log") $(verdict_of dbctl 9051) $(verdict_of dbctl 9052)" \
	"1 stale stale"
rs_check "--db: connected before the change, sent after: stale by the inferred sends (9071 9072)" \
	"$(verdict_of db 9071) $(verdict_of db 9072)" "stale stale"
rs_check "--db: the stale evidence of 9071 is the inferred sendto" \
	"$(js db '[.processes[] | select(.pid == 9071) | .evidence[] | select(.retired == true) | "\(.syscall):\(.inferred // false)"] | join(" ")')" \
	"sendto:true"
rs_check "--db: counting stale" "$(js db '.summary.counting_stale')" 2
rs_check "--db: --generation 0 (before the change): nothing stale, exit 0" \
	"$(run db0 --db "$DB" --generation 0 --format json "$T/before.log" "$T/straddle.log") $(js db0 '.summary.counting_stale')" \
	"0 0"
rs_check "--db: a store without history: exit 2" "$(run db2 --db "$T/none.db" --format json "$T/before.log")" 2

rs_finish

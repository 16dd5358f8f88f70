#!/bin/bash
# Every kind of change to resolv.conf, against the real kernel's inotify, in a
# private mount namespace with an overlay over /etc (nothing reaches the host's
# /etc). Asserts through `history --format json` that exactly the right
# generations were recorded, with the right retired and added sets, and that
# edits which leave the effective configuration alone are file events only.
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
command -v jq >/dev/null || rs_die "jq is missing (make test-deps)"

rs_tmpdir T
DB=$T/state.db
LOG=$T/daemon.log
CONF=/etc/resolv.conf

gens() { "$RS_BIN" history --db "$DB" --format json | jq -c '.generations'; }
ngens() { gens | jq 'length'; }
nfile_events() { jq -s '[.[] | select(.event == "config_file")] | length' "$LOG"; }
# Predicates for rs_wait_until (re-evaluated on every poll).
have_gens() { [ "$(ngens)" -ge "$1" ]; }
have_file_events() { [ "$(nfile_events)" -ge "$1" ]; }

# expect_gen DESCRIPTION NAMESERVERS RETIRED ADDED: wait for the next
# generation and check it ("a b" lists, in order).
expected=0
expect_gen() {
	local desc=$1 ns=$2 ret=$3 add=$4 g
	expected=$((expected + 1))
	if ! rs_wait_until 5 have_gens "$expected"; then
		rs_fail "$desc: no generation $((expected - 1)) within 5 s"
		return
	fi
	g=$(gens | jq -c ".[$((expected - 1))]")
	rs_check "$desc: nameservers" "$(jq -r '.nameservers | join(" ")' <<<"$g")" "$ns"
	rs_check "$desc: retired" "$(jq -r '.retired | join(" ")' <<<"$g")" "$ret"
	rs_check "$desc: added" "$(jq -r '.added | join(" ")' <<<"$g")" "$add"
}

# expect_file_event DESCRIPTION CHANGE: wait for a file event (no generation).
seen_events=0
expect_file_event() {
	local desc=$1 change=$2 got
	seen_events=$((seen_events + 1))
	if ! rs_wait_until 5 have_file_events "$seen_events"; then
		rs_fail "$desc: no file event within 5 s"
		return
	fi
	got=$(jq -s -r "[.[] | select(.event == \"config_file\")][$((seen_events - 1))].change" "$LOG")
	rs_check "$desc: file event" "$got" "$change"
	sleep 0.3 # a generation, if one were (wrongly) coming, would be here by now
	rs_check "$desc: no new generation" "$(ngens)" "$expected"
}

start_daemon() {
	rs_spawn DAEMON "$RS_BIN" daemon --db "$DB" --log-format json --settle 50ms \
		--empty-grace 600ms --sources none >>"$LOG" 2>>"$T/daemon.err"
	rs_wait_until 5 grep -q daemon_start "$LOG" || rs_die "daemon did not start: $(cat "$T/daemon.err")"
}

printf 'nameserver 10.53.0.1\nnameserver 10.53.0.2\n' >"$CONF"
start_daemon
expected=1
rs_check "generation 0 recorded at start" "$(gens | jq -r '.[0].nameservers | join(" ")')" \
	"10.53.0.1 10.53.0.2"

# 1. In-place write of the same length, no truncation (one byte changes).
printf '3' | dd of="$CONF" bs=1 seek=19 conv=notrunc status=none
expect_gen "in-place write" "10.53.0.3 10.53.0.2" "10.53.0.1" "10.53.0.3"

# 2. Truncate + write (passes through an empty file: no generation for it).
printf 'nameserver 10.53.0.4\nnameserver 10.53.0.2\n' >"$CONF"
expect_gen "truncate + write" "10.53.0.4 10.53.0.2" "10.53.0.3" "10.53.0.4"

# 3. Rename over, as sed -i does.
sed -i 's/10.53.0.2/10.53.0.5/' "$CONF"
expect_gen "sed -i" "10.53.0.4 10.53.0.5" "10.53.0.2" "10.53.0.5"

# 4. Rename over with mv.
printf 'nameserver 10.53.0.6\n' >/etc/resolv.conf.new # host-safe: overlay /etc
mv /etc/resolv.conf.new "$CONF" # host-safe
expect_gen "mv over" "10.53.0.6" "10.53.0.4 10.53.0.5" "10.53.0.6"

# 5a. Same-mtime replacement in place (cp -p keeps the old mtime).
printf 'nameserver 10.53.0.7\n' >"$T/same.conf"
touch -r "$CONF" "$T/same.conf"
cp -p "$T/same.conf" "$CONF"
expect_gen "cp -p, same mtime" "10.53.0.7" "10.53.0.6" "10.53.0.7"

# 5b. Same-mtime replacement by rename (touch -r, then mv).
printf 'nameserver 10.53.0.8\n' >/etc/resolv.conf.new # host-safe: overlay /etc
touch -r "$CONF" /etc/resolv.conf.new
mv /etc/resolv.conf.new "$CONF" # host-safe
expect_gen "touch -r + mv, same mtime" "10.53.0.8" "10.53.0.7" "10.53.0.8"

# 6. Symlink re-point (ln -sfn), then a write to the new target: the watch
# must follow the link.
mkdir -p "$T/a" "$T/b"
printf 'nameserver 10.53.1.1\n' >"$T/a/resolv.conf"
printf 'nameserver 10.53.1.2\n' >"$T/b/resolv.conf"
ln -sfn "$T/a/resolv.conf" "$CONF"
expect_gen "ln -sfn to a" "10.53.1.1" "10.53.0.8" "10.53.1.1"
ln -sfn "$T/b/resolv.conf" "$CONF"
expect_gen "ln -sfn re-point to b" "10.53.1.2" "10.53.1.1" "10.53.1.2"
printf 'nameserver 10.53.1.3\n' >"$T/b/resolv.conf"
expect_gen "write to the new link target" "10.53.1.3" "10.53.1.2" "10.53.1.3"
printf 'nameserver 10.53.1.9\n' >"$T/a/resolv.conf"
sleep 0.4
rs_check "write to the old link target: no generation" "$(ngens)" "$expected"

# 7. The directory of the link target replaced by another one (rename).
mkdir -p "$T/dir.new"
printf 'nameserver 10.53.2.1\n' >"$T/dir.new/resolv.conf"
mv "$T/b" "$T/b.old"
mv "$T/dir.new" "$T/b"
expect_gen "target directory replaced" "10.53.2.1" "10.53.1.3" "10.53.2.1"

# 8. A symlinked directory in the middle of the chain re-pointed.
mkdir -p "$T/real1" "$T/real2"
printf 'nameserver 10.53.3.1\n' >"$T/real1/resolv.conf"
printf 'nameserver 10.53.3.2\n' >"$T/real2/resolv.conf"
ln -sfn "$T/real1" "$T/mid"
ln -sfn "$T/mid/resolv.conf" "$CONF"
expect_gen "link through a directory link" "10.53.3.1" "10.53.2.1" "10.53.3.1"
ln -sfn "$T/real2" "$T/mid.tmp" && mv -T "$T/mid.tmp" "$T/mid"
expect_gen "directory link re-pointed" "10.53.3.2" "10.53.3.1" "10.53.3.2"

# Back to a plain file for the rest.
rm "$CONF"
printf 'nameserver 10.53.4.1\nnameserver 10.53.4.2\nnameserver 10.53.4.3\nnameserver 10.53.4.4\nnameserver 10.53.4.5\noptions rotate edns0\n' >"$CONF"
expect_gen "delete + re-create at once (one generation)" "10.53.4.1 10.53.4.2 10.53.4.3" \
	"10.53.3.2" "10.53.4.1 10.53.4.2 10.53.4.3"

# 9. Edits that leave the effective configuration alone.
echo "# a comment" >>"$CONF"
expect_file_event "comment appended" modified
touch "$CONF"
expect_file_event "touch" touched
sed -i 's/^options rotate edns0$/options edns0 rotate/' "$CONF"
expect_file_event "options reordered" replaced
sed -i -e 's/10.53.4.4/10.53.4.X/' -e 's/10.53.4.5/10.53.4.4/' -e 's/10.53.4.X/10.53.4.5/' "$CONF"
expect_file_event "ignored 4th/5th nameservers swapped" replaced
cp -p "$CONF" /etc/resolv.conf.cp && mv /etc/resolv.conf.cp "$CONF" # host-safe: overlay /etc
expect_file_event "identical copy renamed over" replaced

# 10. Delete and leave it missing: a real generation (glibc uses 127.0.0.1).
rm "$CONF"
expect_gen "deleted and left missing" "127.0.0.1" "10.53.4.1 10.53.4.2 10.53.4.3" "127.0.0.1"
rs_check "missing file state" "$(gens | jq -r '.[-1].file.state')" missing
printf 'nameserver 10.53.5.1\n' >"$CONF"
expect_gen "re-created" "10.53.5.1" "127.0.0.1" "10.53.5.1"

# 11. Emptied and left empty: also a generation after the grace time.
: >"$CONF"
expect_gen "emptied and left empty" "127.0.0.1" "10.53.5.1" "127.0.0.1"
rs_check "empty file state" "$(gens | jq -r '.[-1].file.state')" empty
printf 'nameserver 10.53.5.2\n' >"$CONF"
expect_gen "written again" "10.53.5.2" "127.0.0.1" "10.53.5.2"

# 12. A search/option change is a generation without retired/added servers.
printf 'nameserver 10.53.5.2\nsearch example.test\noptions ndots:2\n' >"$CONF"
expect_gen "search and options added" "10.53.5.2" "" ""

# 13. Restart: nothing changed -> resumed, no new generation; changed while
# stopped -> a generation marked at_start.
rs_stop_pid "$DAEMON"
rs_check "daemon stopped by SIGTERM logs daemon_stop" "$(grep -c daemon_stop "$LOG")" 1
start_daemon
sleep 0.3
rs_check "restart without change: no generation" "$(ngens)" "$expected"
rs_check "restart says resumed" "$(jq -s -r '[.[] | select(.event == "daemon_start")][1].resumed' "$LOG")" true
rs_stop_pid "$DAEMON"
printf 'nameserver 10.53.6.1\n' >"$CONF"
start_daemon
expect_gen "changed while stopped" "10.53.6.1" "10.53.5.2" "10.53.6.1"
rs_check "marked at_start" "$(gens | jq -r '.[-1].at_start')" true

# 14. SIGHUP re-reads (no change: no generation) and the daemon keeps going.
kill -HUP "$DAEMON"
sleep 0.3
rs_check "SIGHUP without change: no generation" "$(ngens)" "$expected"
sed -i 's/10.53.6.1/10.53.6.2/' "$CONF"
expect_gen "change after SIGHUP" "10.53.6.2" "10.53.6.1" "10.53.6.2"

# The whole list, exactly: numbers are consecutive from 0.
rs_check "generation numbers" "$(gens | jq -r '[.[].generation] | map(tostring) | join(",")')" \
	"$(seq -s, 0 $((expected - 1)))"
rs_check "every JSON line parses" "$(jq -s 'length' "$LOG" >/dev/null 2>&1 && echo ok)" ok
rs_check "config_change lines = generations" \
	"$(jq -s '[.[] | select(.event == "config_change")] | length' "$LOG")" "$expected"
rs_check "no errors on stderr" "$(cat "$T/daemon.err")" ""
rs_stop_pid "$DAEMON"
rs_finish

#!/usr/bin/python3
"""Event latency: from a syscall to its JSON line on the daemon's stdout.

A client in a private network namespace connects a UDP socket to a loopback
"resolver" address (port 53: no server is needed, the connect is the event)
and opens /etc/resolv.conf, one at a time, 100 ms apart; the daemon
(--sources audit,fanotify) runs in the host network namespace. For each
syscall the client notes the wall clock just before it; the reader notes when
the matching line arrives. Prints median and p90 per kind of event.

Run by tests/run-bench.sh in a private mount namespace with an overlay over
/etc. Restores the kernel's audit state (the daemon does; checked here).
BENCH_SIZE=smoke: 10 syscalls of each kind, full: 100.
"""
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("RS_BIN", os.path.join(TOP, "build", "resolvstale"))
N = 10 if os.environ.get("BENCH_SIZE", "smoke") == "smoke" else 100
ADDR = "127.53.9.9"

CLIENT = r'''
import os, socket, sys, time
n = int(sys.argv[1]); addr = sys.argv[2]
print(os.getpid(), flush=True)
sys.stdin.readline()
for i in range(n):
    t = time.time()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((addr, 53))
    print("connect", t, flush=True)
    s.close()
    time.sleep(0.05)
    t = time.time()
    with open("/etc/resolv.conf") as f:
        pass
    print("open", t, flush=True)
    time.sleep(0.05)
'''


def audit_state():
    out = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
    keep = ("enabled", "failure", "pid", "rate_limit", "backlog_limit", "backlog_wait_time")
    lines = [l for l in out.splitlines() if l.split(" ")[0] in keep]
    return lines + subprocess.run(["auditctl", "-l"], capture_output=True,
                                  text=True).stdout.splitlines()


def main():
    host = os.environ.get("RS_HOST_MNTNS", "")
    if not host or os.readlink("/proc/self/ns/mnt") == host:
        print("event_latency: refusing to run outside a private mount namespace",
              file=sys.stderr)
        return 2
    before = audit_state()
    tmp = tempfile.mkdtemp(prefix="resolvstale-bench.")
    with open("/etc/resolv.conf", "w") as f:
        f.write("nameserver %s\n" % ADDR)
    holder = subprocess.Popen(["unshare", "--net", "sleep", "120"])
    daemon = client = None
    try:
        for _ in range(50):
            if os.path.exists("/proc/%d/ns/net" % holder.pid) and os.readlink(
                    "/proc/%d/ns/net" % holder.pid) != os.readlink("/proc/self/ns/net"):
                break
            time.sleep(0.02)
        subprocess.run(["nsenter", "--net=/proc/%d/ns/net" % holder.pid, "ip", "link", "set",
                        "lo", "up"], check=True)
        daemon = subprocess.Popen([BIN, "daemon", "--db", tmp + "/s.db", "--log-format",
                                   "json", "--sources", "audit,fanotify", "--audit-always"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        buf = b""
        deadline = time.time() + 10
        started = False
        while time.time() < deadline and not started:
            r, _, _ = select.select([daemon.stdout], [], [], 0.5)
            if r:
                buf += os.read(daemon.stdout.fileno(), 65536)
                started = b'"daemon_start"' in buf
        if not started:
            print("event_latency: the daemon did not start", file=sys.stderr)
            return 1
        time.sleep(0.2)
        arrivals = {"audit dns_send": [], "audit config_open": [], "fanotify config_open": []}
        cpid_box = []
        stop = threading.Event()

        def reader(buf):
            while not stop.is_set():
                r, _, _ = select.select([daemon.stdout], [], [], 0.1)
                if not r:
                    continue
                chunk = os.read(daemon.stdout.fileno(), 65536)
                now = time.time()
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    l, buf = buf.split(b"\n", 1)
                    try:
                        ev = json.loads(l)
                    except ValueError:
                        continue
                    if not cpid_box or ev.get("pid") != cpid_box[0]:
                        continue
                    key = "%s %s" % (ev.get("source"), ev.get("event"))
                    if key in arrivals:
                        arrivals[key].append(now)

        client = subprocess.Popen(["nsenter", "--net=/proc/%d/ns/net" % holder.pid,
                                   "/usr/bin/python3", "-c", CLIENT, str(N), ADDR],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        cpid_box.append(int(client.stdout.readline()))
        th = threading.Thread(target=reader, args=(buf,), daemon=True)
        th.start()
        client.stdin.write("go\n")
        client.stdin.flush()
        sent = {"connect": [], "open": []}
        for line in client.stdout:
            kind, t = line.split()
            sent[kind].append(float(t))
        client.wait()
        deadline = time.time() + 5
        while time.time() < deadline and sum(len(v) for v in arrivals.values()) < 3 * N:
            time.sleep(0.05)
        stop.set()
        th.join(timeout=2)
        print("event_latency: %d connects and %d opens, syscall -> JSON line, ms" % (N, N))
        print("  %-24s %8s %8s %8s %6s" % ("event", "median", "p90", "max", "seen"))
        ok = True
        for key, kind in (("audit dns_send", "connect"), ("audit config_open", "open"),
                          ("fanotify config_open", "open")):
            lat = sorted((a - s) * 1000 for a, s in zip(arrivals[key], sent[kind]))
            if len(arrivals[key]) != N:
                ok = False
            if lat:
                p90 = lat[min(len(lat) - 1, int(round(0.9 * (len(lat) - 1))))]
                print("  %-24s %8.2f %8.2f %8.2f %3d/%d" % (key, statistics.median(lat), p90,
                                                          lat[-1], len(arrivals[key]), N))
            else:
                print("  %-24s %8s %8s %8s %3d/%d" % (key, "-", "-", "-", 0, N))
        if not ok:
            print("event_latency: some events were not seen", file=sys.stderr)
            return 1
        return 0
    finally:
        for p in (client, daemon, holder):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        subprocess.run(["rm", "-rf", tmp])
        if audit_state() != before:
            print("event_latency: the kernel audit state changed", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())

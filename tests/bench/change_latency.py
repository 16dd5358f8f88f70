#!/usr/bin/python3
"""Change-detection latency: from a rename over resolv.conf (what sed -i,
editors and NetworkManager do) to the config_change JSON line on the daemon's
stdout, beside inotifywait -m on the same directory in the same run (the raw
kernel notification a hand-made watcher script would get, with no reading,
parsing or recording). Two daemons watch the same file: the default --settle
(50ms, which absorbs multi-step edits) and --settle 0ms.

Run by tests/run-bench.sh inside a private mount namespace with an overlay over
/etc (it refuses to run otherwise). BENCH_SIZE=smoke does 5 edits, full 20.
"""
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("RS_BIN", os.path.join(TOP, "build", "resolvstale"))
CONF = "/etc/resolv.conf"
EDITS = 5 if os.environ.get("BENCH_SIZE", "smoke") == "smoke" else 20


def private_etc():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == "/etc":
                return line.split(" - ")[1].startswith("overlay")
    return False


def read_until(proc, pred, deadline):
    """Read lines from proc.stdout until pred(line) is true; return the time."""
    buf = proc._rs_buf
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if pred(line.decode(errors="replace")):
                proc._rs_buf = buf
                return time.monotonic()
        left = deadline - time.monotonic()
        if left <= 0:
            proc._rs_buf = buf
            return None
        r, _, _ = select.select([proc.stdout], [], [], left)
        if r:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                proc._rs_buf = buf
                return None
            buf += chunk


def spawn(argv):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p._rs_buf = b""
    return p


def is_change(line):
    try:
        return json.loads(line).get("event") == "config_change"
    except ValueError:
        return False


def main():
    host = os.environ.get("RS_HOST_MNTNS", "")
    if not host or os.readlink("/proc/self/ns/mnt") == host or not private_etc():
        print("change_latency: refusing to run outside a private mount namespace with an "
              "overlay over /etc", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="resolvstale-bench.")
    with open(CONF, "w") as f:
        f.write("nameserver 10.53.9.0\n")
    procs = []
    try:
        d50 = spawn([BIN, "daemon", "--db", tmp + "/a.db", "--log-format", "json"])
        d0 = spawn([BIN, "daemon", "--db", tmp + "/b.db", "--log-format", "json",
                    "--settle", "0ms"])
        iw = spawn(["inotifywait", "-m", "-q", "-e", "moved_to", "--format", "%f", "/etc"])
        procs = [d50, d0, iw]
        for d in (d50, d0):
            if read_until(d, is_change, time.monotonic() + 5) is None:
                print("change_latency: a daemon did not start", file=sys.stderr)
                return 1
        time.sleep(0.5)  # inotifywait sets its watch up
        lat = {"inotifywait": [], "resolvstale --settle 50ms": [], "resolvstale --settle 0ms": []}
        for i in range(1, EDITS + 1):
            with open(CONF + ".new", "w") as f:
                f.write("nameserver 10.53.9.%d\n" % i)
            t0 = time.monotonic()
            os.rename(CONF + ".new", CONF)
            deadline = t0 + 5
            ti = read_until(iw, lambda l: l == "resolv.conf", deadline)
            t0s = read_until(d0, is_change, deadline)
            t50 = read_until(d50, is_change, deadline)
            if None in (ti, t0s, t50):
                print("change_latency: edit %d not seen within 5 s" % i, file=sys.stderr)
                return 1
            lat["inotifywait"].append((ti - t0) * 1000)
            lat["resolvstale --settle 0ms"].append((t0s - t0) * 1000)
            lat["resolvstale --settle 50ms"].append((t50 - t0) * 1000)
            time.sleep(0.15)
        base = statistics.median(lat["inotifywait"])
        print("change_latency: %d renames over %s, edit -> line, milliseconds" % (EDITS, CONF))
        print("  %-28s %8s %8s %8s %10s" % ("watcher", "median", "p90", "max", "vs inotify"))
        for name, v in lat.items():
            v = sorted(v)
            p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
            med = statistics.median(v)
            print("  %-28s %8.2f %8.2f %8.2f %9.1fx" % (name, med, p90, v[-1],
                                                        med / base if base > 0 else 0))
        return 0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())

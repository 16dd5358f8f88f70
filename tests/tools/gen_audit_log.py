#!/usr/bin/python3
"""Write a synthetic auditd log (RAW format) for the audit parsing benchmark
(tests/bench/audit_parse.sh) and the replay benchmark (tests/bench/replay.sh),
modelled on the records captured on this kernel in
tests/fixtures/audit/raw.log.

    gen_audit_log.py [--seed N] [--records N] [--replay] OUT

The log has exactly --records records (default: 1,000,000 when
BENCH_SIZE=full, else 20,000), serials and timestamps increasing, one event
after another as auditd writes them. The mix:

  - DNS sends under the daemon's key (resolvstale-live-dns): connect and
    sendto to port 53 of an IPv4, IPv6 or IPv4-mapped server, some refused,
    from processes with plain and hex-encoded names (SYSCALL + SOCKADDR +
    PROCTITLE);
  - dnsmasq's replies under the same key, to client ports (not DNS sends);
  - stat and open of /etc/resolv.conf under resolvstale-live-conf (SYSCALL +
    CWD + PATH + PROCTITLE);
  - unrelated records under other keys: execve with EXECVE records, openat of
    other files, connects to port 443, and single-record USER_* / CRED_*
    login records.

Prints what a correct parser must find, one line of key=value pairs:

    records=N events=N dns_send=N config=N other_sends=N

--replay (tests/bench/replay.sh) changes the DNS part of the mix into a
resolver change seen from the processes: 127.53.0.1 is the OLD server
(retired before the log begins), 127.53.0.2 the new one.

  - stale processes send only to the old server (127.53.0.1 or
    ::ffff:127.53.0.1) and never read resolv.conf: four long-lived clients
    (python3, dig @127.53.0.1, java, "my resolver") and php-fpm workers
    forked from a master that read the old file, respawned under new pids
    as the log goes on;
  - fresh processes send only to the new server (127.53.0.2 or ::1) and
    stat/open resolv.conf: curl and cron jobs that come and go (new pids);
  - besides connect and sendto with an address, both groups use connected
    sockets as glibc does: connect to port 53, then two sendmmsg/sendto
    without an address on that fd (no SOCKADDR record).

The summary line then adds inferred=N (sends without an address that follow
a connect to port 53 on the same pid and fd), stale_procs=N (distinct pids
that sent to the old server) and fresh_procs=N. The rest of the mix (dnsmasq
replies, https connects, execve, opens, login records) is unchanged, and
without --replay the output is byte for byte what it was before the option
existed.

Run alone without OUT (as tests/run-bench.sh runs every script here), it
checks itself on a small log in memory and exits: the benchmark is
audit_parse.sh.
"""
import io
import os
import random
import sys

SEED = 20251121

SERVERS = [
    # (saddr hex of the struct sockaddr, weight)
    ("020000357F3500010000000000000000", 6),  # 127.53.0.1:53
    ("020000357F3500020000000000000000", 2),  # 127.53.0.2:53
    ("0A000035000000000000000000000000000000000000000100000000", 1),  # [::1]:53
    ("0A0000350000000000000000000000000000FFFF7F35000100000000", 1),  # ::ffff:127.53.0.1
]
HTTPS = [
    "020001BB5DB8D8220000000000000000",  # 93.184.216.34:443
    "020001BBC0000201 0000000000000000".replace(" ", ""),  # 192.0.2.1:443
    "0A0001BB0000000020010DB8000000000000000000000001 00000000".replace(" ", ""),
]


def hexs(s):
    return s.encode().hex().upper()


def proctitle(*argv):
    return "\0".join(argv).encode().hex().upper()


def quoted_or_hex(s):
    """As the kernel writes untrusted strings: quoted, or hex if it must."""
    if any(c in s for c in ' "') or any(ord(c) < 0x21 or ord(c) > 0x7E for c in s):
        return hexs(s)
    return '"%s"' % s


class Proc:
    def __init__(self, pid, comm, exe, argv, uid=0, auid=4294967295, ses=4294967295,
                 tty="(none)", ppid=1):
        self.pid = pid
        self.ppid = ppid
        self.comm = quoted_or_hex(comm)
        self.exe = quoted_or_hex(exe)
        self.title = proctitle(*argv)
        ids = " ".join("%s=%d" % (k, uid) for k in
                       ("uid", "gid", "euid", "suid", "fsuid", "egid", "sgid", "fsgid"))
        self.ids = "auid=%d %s tty=%s ses=%d" % (auid, ids, tty, ses)


CLIENTS = [
    Proc(9051, "python3", "/usr/bin/python3.11",
         ["/usr/bin/python3", "-c", "import socket; socket.getaddrinfo('host.test.example', 80)"],
         ppid=9008),
    Proc(9052, "isc-net-0000", "/usr/bin/dig", ["dig", "+tcp", "@127.53.0.1", "host.test.example"],
         ppid=9008),
    Proc(2210, "curl", "/usr/bin/curl", ["curl", "-s", "https://example.com/"], uid=1000,
         auid=1000, ses=3, tty="pts0", ppid=2100),
    Proc(1875, "java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
         ["java", "-jar", "/opt/app/app.jar"], uid=998, ppid=1),
    Proc(3301, "my resolver", "/opt/my app/bin/resolver", ["/opt/my app/bin/resolver", "-q"],
         uid=1000, auid=1000, ses=3, tty="pts1", ppid=2100),
]
DNSMASQ = Proc(9034, "dnsmasq", "/usr/sbin/dnsmasq",
               ["dnsmasq", "--no-daemon", "--listen-address=127.53.0.1", "--port=53"], ppid=9008)
NOISE = [
    Proc(812, "nginx", "/usr/sbin/nginx", ["nginx: worker process"], uid=33),
    Proc(2100, "bash", "/usr/bin/bash", ["-bash"], uid=1000, auid=1000, ses=3, tty="pts0"),
    Proc(640, "cron", "/usr/sbin/cron", ["/usr/sbin/cron", "-f"]),
    Proc(5120, "node", "/usr/bin/node", ["node", "/srv/api/server.js"], uid=1001),
]
OTHER_FILES = ["/etc/passwd", "/etc/hosts", "/var/log/syslog", "/etc/nsswitch.conf",
               "/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache"]
EXECS = [("/usr/bin/ls", ["ls", "-l", "/var/tmp"]),
         ("/usr/bin/grep", ["grep", "-r", "nameserver", "/etc/resolv.conf"]),
         ("/usr/bin/sleep", ["sleep", "1"])]
USER_TYPES = ["USER_AUTH", "USER_ACCT", "CRED_ACQ", "USER_LOGIN", "USER_START", "USER_END",
              "CRED_DISP", "USER_CMD"]

PATH_TAIL = ("dev=00:27 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 "
             "cap_fe=0 cap_fver=0 cap_frootid=0")


OLD_SERVERS = [("020000357F3500010000000000000000", 8),  # 127.53.0.1:53
               ("0A0000350000000000000000000000000000FFFF7F35000100000000", 1)]  # mapped
NEW_SERVERS = [("020000357F3500020000000000000000", 8),  # 127.53.0.2:53
               ("0A000035000000000000000000000000000000000000000100000000", 1)]  # [::1]:53
STALE_CLIENTS = [CLIENTS[0], CLIENTS[1], CLIENTS[3], CLIENTS[4]]
FRESH_CLIENTS = [CLIENTS[2]]


class Gen:
    def __init__(self, seed, replay=False):
        self.rng = random.Random(seed)
        self.sec = 1795400000
        self.ms = 0
        self.serial = 1000
        self.counts = dict(records=0, events=0, dns_send=0, config=0, other_sends=0)
        # kind, weight: how often each event shape appears
        self.kinds = [
            (self.dns_connect, 14), (self.dns_sendto, 4), (self.dnsmasq_reply, 6),
            (self.conf_stat, 8), (self.conf_open, 6), (self.execve, 8),
            (self.open_other, 14), (self.user_record, 10), (self.connect_https, 12),
        ]
        self.cum = []
        total = 0
        for _, w in self.kinds:
            total += w
            self.cum.append(total)
        self.sizes = {self.dns_connect: 3, self.dns_sendto: 3, self.dnsmasq_reply: 3,
                      self.conf_stat: 4, self.conf_open: 4, self.execve: 6,
                      self.open_other: 4, self.user_record: 1, self.connect_https: 3}
        self.server_cum = []
        total = 0
        for _, w in SERVERS:
            total += w
            self.server_cum.append(total)
        self.replay = replay
        if replay:
            self.replay_init()

    # --- --replay: a resolver change seen from the processes -------------------

    def replay_init(self):
        self.counts.update(inferred=0, stale_procs=0, fresh_procs=0)
        self.stale_pids = set()
        self.fresh_pids = set()
        self.next_pid = 20000
        self.fpm = [self.spawn_fpm() for _ in range(3)]
        self.cron = []  # [Proc, events left]
        self.kinds = [(self.dns_connect, 12), (self.dns_sendto, 4), (self.dns_connected, 4),
                      (self.dnsmasq_reply, 6), (self.conf_stat, 8), (self.conf_open, 6),
                      (self.execve, 8), (self.open_other, 14), (self.user_record, 10),
                      (self.connect_https, 12)]
        self.cum = []
        total = 0
        for _, w in self.kinds:
            total += w
            self.cum.append(total)
        self.sizes[self.dns_connected] = 7

    def spawn_fpm(self):
        self.next_pid += 1
        return Proc(self.next_pid, "php-fpm8.2", "/usr/sbin/php-fpm8.2",
                    ["php-fpm: pool www"], uid=33, ppid=1200)

    def spawn_cron(self):
        self.next_pid += 1
        return Proc(self.next_pid, "curl", "/usr/bin/curl",
                    ["curl", "-fsS", "https://status.example.net/ping"], uid=0, ppid=640)

    def tick(self):
        """Between events: php-fpm workers respawn, cron jobs come and go."""
        if self.rng.random() < 1 / 400:
            self.fpm[self.rng.randrange(len(self.fpm))] = self.spawn_fpm()
        if self.rng.random() < 1 / 300:
            self.cron.append([self.spawn_cron(), 80])
        for c in self.cron:
            c[1] -= 1
        self.cron = [c for c in self.cron if c[1] > 0]

    def pick(self, table):
        total = sum(w for _, w in table)
        x = self.rng.random() * total
        for saddr, w in table:
            if x < w:
                return saddr
            x -= w
        return table[-1][0]

    def replay_client(self):
        """(process, stale): 60 % of the DNS traffic comes from stale ones."""
        if self.rng.random() < 0.6:
            return self.rng.choice(STALE_CLIENTS + self.fpm), True
        return self.rng.choice(FRESH_CLIENTS + [c[0] for c in self.cron]), False

    def replay_send(self, out, nr, exit_ok, ok=True):
        p, stale = self.replay_client()
        saddr = self.pick(OLD_SERVERS if stale else NEW_SERVERS)
        self.send(out, p, nr, saddr, '"resolvstale-live-dns"', ok, exit_ok)
        (self.stale_pids if stale else self.fresh_pids).add(p.pid)
        self.counts["dns_send"] += 1

    def dns_connected(self, out):
        """glibc on a connected socket: connect, then sends without an address."""
        p, stale = self.replay_client()
        saddr = self.pick(OLD_SERVERS if stale else NEW_SERVERS)
        fd = self.rng.randint(3, 40)
        m = self.stamp()
        alen = 16 if saddr.startswith("02") else 28
        out.append(self.syscall(m, 42, True, fd, 0x7ffe70424000, alen, 0, p,
                                '"resolvstale-live-dns"'))
        out.append("type=SOCKADDR %s saddr=%s\n" % (m, saddr))
        out.append("type=PROCTITLE %s proctitle=%s\n" % (m, p.title))
        for _ in range(2):
            nr = 307 if self.rng.random() < 0.7 else 44
            m = self.stamp()
            out.append(self.syscall(m, nr, True, fd, 0x7fbc1ccf7c50, 2 if nr == 307 else 35, 0,
                                    p, '"resolvstale-live-dns"', "2" if nr == 307 else "35"))
            out.append("type=PROCTITLE %s proctitle=%s\n" % (m, p.title))
        (self.stale_pids if stale else self.fresh_pids).add(p.pid)
        self.counts["dns_send"] += 1
        self.counts["inferred"] += 2

    def stamp(self):
        self.ms += self.rng.randint(0, 3)
        if self.ms >= 1000:
            self.sec += self.ms // 1000
            self.ms %= 1000
        self.serial += 1
        self.counts["events"] += 1
        return "msg=audit(%d.%03d:%d):" % (self.sec, self.ms, self.serial)

    def syscall(self, m, nr, ok, a0, a1, a2, items, p, key, exit_ok="0"):
        res = "success=yes exit=%s" % exit_ok if ok else "success=no exit=-111"
        return ("type=SYSCALL %s arch=c000003e syscall=%d %s a0=%x a1=%x a2=%x a3=0 items=%d "
                "ppid=%d pid=%d %s comm=%s exe=%s key=%s\n"
                % (m, nr, res, a0, a1, a2, items, p.ppid, p.pid, p.ids, p.comm, p.exe, key))

    def send(self, out, p, nr, saddr, key, ok=True, exit_ok="0"):
        m = self.stamp()
        a1 = 0x7ffe70424000 + self.rng.randrange(0, 0x1000, 16)
        alen = 16 if saddr.startswith("02") else 28
        out.append(self.syscall(m, nr, ok, self.rng.randint(3, 40), a1, alen, 0, p, key,
                                exit_ok))
        out.append("type=SOCKADDR %s saddr=%s\n" % (m, saddr))
        out.append("type=PROCTITLE %s proctitle=%s\n" % (m, p.title))

    def server(self):
        x = self.rng.random() * self.server_cum[-1]
        for (saddr, _), c in zip(SERVERS, self.server_cum):
            if x < c:
                return saddr
        return SERVERS[-1][0]

    def dns_connect(self, out):
        if self.replay:
            self.replay_send(out, 42, "0", self.rng.random() >= 0.05)
            return
        ok = self.rng.random() >= 0.05
        self.send(out, self.rng.choice(CLIENTS), 42, self.server(), '"resolvstale-live-dns"', ok)
        self.counts["dns_send"] += 1

    def dns_sendto(self, out):
        if self.replay:
            self.replay_send(out, 44, "35")
            return
        self.send(out, self.rng.choice(CLIENTS), 44, self.server(), '"resolvstale-live-dns"',
                  exit_ok="35")
        self.counts["dns_send"] += 1

    def dnsmasq_reply(self, out):
        port = self.rng.randint(1024, 65535)
        saddr = "02%s%04X7F0000010000000000000000" % ("00", port)
        self.send(out, DNSMASQ, 46, saddr, '"resolvstale-live-dns"', exit_ok="51")
        self.counts["other_sends"] += 1

    def connect_https(self, out):
        self.send(out, self.rng.choice(NOISE + CLIENTS[2:4]), 42, self.rng.choice(HTTPS),
                  '"net-out"')
        self.counts["other_sends"] += 1

    def path_event(self, out, p, nr, a2, name, key, inode, cwd="/"):
        m = self.stamp()
        out.append(self.syscall(m, nr, True, 0xffffff9c, 0x7fbc1cef386a, a2, 1, p, key,
                                "3" if nr == 257 else "0"))
        out.append("type=CWD %s cwd=%s\n" % (m, quoted_or_hex(cwd)))
        out.append("type=PATH %s item=0 name=%s inode=%d %s\n"
                   % (m, quoted_or_hex(name), inode, PATH_TAIL))
        out.append("type=PROCTITLE %s proctitle=%s\n" % (m, p.title))

    def conf_client(self):
        if self.replay:  # only fresh processes read the file again
            return self.rng.choice(FRESH_CLIENTS + [c[0] for c in self.cron])
        return self.rng.choice(CLIENTS)

    def conf_stat(self, out):
        nr = 262 if self.rng.random() < 0.8 else 332  # newfstatat, statx
        self.path_event(out, self.conf_client(), nr, 0x7ffe704257f0, "/etc/resolv.conf",
                        '"resolvstale-live-conf"', 915)
        self.counts["config"] += 1

    def conf_open(self, out):
        self.path_event(out, self.conf_client(), 257, 0x80000, "/etc/resolv.conf",
                        '"resolvstale-live-conf"', 915)
        self.counts["config"] += 1

    def open_other(self, out):
        self.path_event(out, self.rng.choice(NOISE), 257, 0x80000, self.rng.choice(OTHER_FILES),
                        '"file-access"', self.rng.randint(1000, 900000), cwd="/srv/api")

    def execve(self, out):
        exe, argv = self.rng.choice(EXECS)
        p = self.rng.choice(NOISE)
        m = self.stamp()
        out.append(self.syscall(m, 59, True, 0x55d0c0ffee00, 0x55d0c0ffef00, 0x55d0c0fff000, 2,
                                p, '"exec-log"'))
        args = " ".join("a%d=%s" % (i, quoted_or_hex(a)) for i, a in enumerate(argv))
        out.append("type=EXECVE %s argc=%d %s\n" % (m, len(argv), args))
        out.append("type=CWD %s cwd=\"/home/alice\"\n" % m)
        out.append("type=PATH %s item=0 name=%s inode=%d %s\n"
                   % (m, quoted_or_hex(exe), self.rng.randint(1000, 900000), PATH_TAIL))
        out.append("type=PATH %s item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=4242 %s\n"
                   % (m, PATH_TAIL))
        out.append("type=PROCTITLE %s proctitle=%s\n" % (m, proctitle(*argv)))

    def user_record(self, out):
        t = self.rng.choice(USER_TYPES)
        m = self.stamp()
        ses = self.rng.randint(1, 50)
        out.append("type=%s %s pid=%d uid=0 auid=1000 ses=%d subj=unconfined msg='op=PAM:session_open "
                   "grantors=pam_unix acct=\"alice\" exe=\"/usr/sbin/sshd\" hostname=192.0.2.10 "
                   "addr=192.0.2.10 terminal=ssh res=success'\n"
                   % (t, m, self.rng.randint(2000, 30000), ses))

    def write(self, f, n):
        out = []
        left = n
        kinds = [k for k, _ in self.kinds]
        while left > 0:
            kind = self.rng.choices(kinds, cum_weights=self.cum)[0]
            if self.sizes[kind] > left:
                kind = self.user_record
            before = len(out)
            if self.replay:
                self.tick()
            kind(out)
            left -= len(out) - before
            if len(out) >= 8192:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))
        self.counts["records"] = n
        if self.replay:
            self.counts["stale_procs"] = len(self.stale_pids)
            self.counts["fresh_procs"] = len(self.fresh_pids)
        return self.counts


def summary(counts):
    keys = ["records", "events", "dns_send", "config", "other_sends"]
    if "inferred" in counts:
        keys += ["inferred", "stale_procs", "fresh_procs"]
    return " ".join("%s=%d" % (k, counts[k]) for k in keys)


def self_check(replay=False):
    buf = io.StringIO()
    counts = Gen(SEED, replay).write(buf, 2000)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2000, len(lines)
    last = (0, 0)
    serials = set()
    for line in lines:
        stamp = line.split("msg=audit(", 1)[1].split(")", 1)[0]
        t, s = stamp.split(":")
        key = (float(t), int(s))
        assert key >= last, (key, last)
        last = key
        serials.add(s)
    assert len(serials) == counts["events"]
    again = io.StringIO()
    Gen(SEED, replay).write(again, 2000)
    assert again.getvalue() == buf.getvalue(), "not deterministic"
    if replay:
        assert counts["stale_procs"] > 4 and counts["fresh_procs"] > 1, counts
    print("gen_audit_log.py: generator for audit_parse.sh%s; self-check ok (%s)"
          % (" --replay (replay.sh)" if replay else "", summary(counts)))


def main(argv):
    seed = SEED
    n = 1000000 if os.environ.get("BENCH_SIZE", "smoke") == "full" else 20000
    args = argv[1:]
    out = None
    replay = False
    while args:
        a = args.pop(0)
        if a == "--seed" and args:
            seed = int(args.pop(0))
        elif a == "--records" and args:
            n = int(args.pop(0))
        elif a == "--replay":
            replay = True
        elif a.startswith("-"):
            print("usage: gen_audit_log.py [--seed N] [--records N] [--replay] OUT",
                  file=sys.stderr)
            return 2
        else:
            out = a
    if out is None:
        self_check()
        self_check(replay=True)
        return 0
    if n < 1:
        print("gen_audit_log.py: --records must be positive", file=sys.stderr)
        return 2
    with open(out, "w", buffering=1 << 20) as f:
        counts = Gen(seed, replay).write(f, n)
    print(summary(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

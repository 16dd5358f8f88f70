#!/usr/bin/python3
"""Deterministic generator of resolv.conf inputs for the glibc differential test.

    rc_gen.py --out DIR [--count N] [--seed S]

Writes DIR/gen-NNNNN.conf: a mix of valid lines and mutated ones (keywords with
odd separators, addresses in inet_aton and IPv6 forms with scopes, CR, NUL,
long tokens, options with numbers), so that tests/tools/rc_glibc_diff can
compare resolvstale's parser with glibc's res_init() on each file. The same
seed always gives the same files (Python's random.Random is stable across
versions for randrange/choice/random on integers and sequences).

Inputs stay inside the known limits of the comparison (see
tests/integration/glibc_differential.sh):
  - no line over 1024 bytes (resolvstale ignores such lines by design);
  - no search line whose first 6 domains need more than 256 bytes (glibc's
    legacy _res, which rc_glibc_diff reads, truncates the list there);
  - no sortlist line on which glibc's res_init() never returns (the test
    checks those separately, with a time limit).
"""

import argparse
import os
import random
import sys

MAX_LINE = 1024
DNSRCH_BYTES = 256
MAXDNSRCH = 6

KEYWORDS = ["nameserver", "search", "domain", "options", "sortlist"]
FLAG_NAMES = [
    "rotate", "edns0", "single-request-reopen", "single-request", "no_tld_query",
    "no-tld-query", "no-reload", "use-vc", "trust-ad", "no-aaaa", "inet6", "debug",
    "insecure1", "ndots", "timeout", "attempts", "-rotate", "strict-error",
]
SEPARATORS = [" ", " ", " ", "\t", "  ", " \t ", "\t\t", "", "\r", "\v", "\f", "\x00", ":", "="]
NUMBERS = [
    "0", "1", "2", "5", "7", "15", "16", "30", "31", "99", "-1", "-3", "-16", "+4", " 3",
    "007", "0x10", "1e3", "", "abc", "3abc", "2147483647", "2147483648", "-2147483649",
    "4294967296", "4294967301", "99999999999", "9223372036854775807",
    "9223372036854775808", "99999999999999999999", "-99999999999999999999", "5\r",
]
SCOPES = [
    "lo", "1", "0", "2", "4294967295", "4294967296", "00001", "0000000000000000001",
    "99999999999999999999", "eth0", "", "lo%x", "1x", "x1", "0x1", "-1", "+1",
    "verylonginterfacename0", "lo\r",
]


def octet(r):
    return str(r.choice([0, 1, 2, 10, 53, 127, 192, 255, 256, 300, r.randrange(256)]))


def ipv4(r):
    kind = r.randrange(10)
    if kind < 4:
        return ".".join(str(r.randrange(256)) for _ in range(4))
    if kind == 4:  # inet_aton shorthand: a, a.b, a.b.c
        parts = r.randrange(1, 4)
        top = [2**32 - 1 + r.randrange(-1, 3), 2**24 - 1 + r.randrange(-1, 3),
               2**16 - 1 + r.randrange(-1, 3)][3 - parts]
        head = [str(r.randrange(256)) for _ in range(parts - 1)]
        return ".".join(head + [str(r.choice([0, 1, top, r.randrange(top + 1)]))])
    if kind == 5:  # hex and octal parts
        parts = []
        for _ in range(4):
            v = r.randrange(256)
            parts.append(r.choice([hex(v), "0X%x" % v, "0%o" % v, str(v), "0x", "08", "09"]))
        return ".".join(parts)
    if kind == 6:
        return ".".join(octet(r) for _ in range(r.choice([3, 4, 4, 5])))
    if kind == 7:
        return r.choice(["127.1", "0x7f.0.0.1", "017700000001", "10.258", "1.2.3.4.",
                         ".1.2.3", "1..2.3", "0", "4294967295", "4294967296", "0xffffffff",
                         "0x100000000", "1.2.3.04", "1.2.3.4 ", "1.2.3.4x", "-1.2.3.4"])
    if kind == 8:
        return "127.0.0.%d" % r.randrange(256)
    return "%d.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(256),
                            r.randrange(256))


def ipv6(r):
    kind = r.randrange(8)
    if kind == 0:
        return ":".join("%x" % r.randrange(65536) for _ in range(8))
    if kind == 1:
        return r.choice(["::1", "::", "2001:db8::53", "fe80::1", "ff02::1", "ff01::2",
                         "ff05::3", "fe80::", "febf::1", "fec0::1", "::ffff:192.0.2.1",
                         "::192.0.2.1", "2001:db8::192.0.2.1", "64:ff9b::10.0.0.1"])
    if kind == 2:
        return r.choice([":::", "1:2:3:4:5:6:7:8:9", "2001:db8::g", "::ffff:1.2.3",
                         "1::2::3", "fe80:::1", "[::1]", "2001:db8::1/64", "::ffff:256.1.1.1",
                         "12345::1", "2001:db8:0:0:0:0:0:0:1"])
    if kind == 3:
        return "fe80::%x" % r.randrange(65536)
    if kind == 4:
        return "2001:db8:%x::%x" % (r.randrange(65536), r.randrange(65536))
    if kind == 5:
        return "ff0%x::%x" % (r.randrange(16), r.randrange(65536))
    if kind == 6:
        return "::ffff:%d.%d.%d.%d" % tuple(r.randrange(256) for _ in range(4))
    return "%x::%x" % (r.randrange(65536), r.randrange(65536))


def address(r):
    kind = r.randrange(12)
    if kind < 5:
        a = ipv4(r)
    elif kind < 9:
        a = ipv6(r)
        if r.random() < 0.45:
            a += "%" + r.choice(SCOPES)
    elif kind == 9:
        a = r.choice(["ns1.example.com", "localhost", "", "#", ";", "1.2.3.4#53",
                      "1.2.3.4:53", "192.0.2.1%eth0", "%lo", "x" * r.randrange(1, 300)])
    else:
        a = ipv4(r) + r.choice(["\r", "\v", "\f", "#c", ";", ",", "/24", "%lo"])
    if r.random() < 0.15:
        a += r.choice([" ", "\t"]) + r.choice(["# comment", "extra", ipv4(r), "\r"])
    return a


def domain_name(r):
    kind = r.randrange(8)
    if kind < 4:
        labels = r.randrange(1, 5)
        return ".".join(
            "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789-")
                    for _ in range(r.randrange(1, 12)))
            for _ in range(labels))
    if kind == 4:
        return r.choice([".", "example.com.", "a", "-", "xn--bcher-kva.example",
                         "svc.cluster.local", "_tcp.example", "a\\.b", "#x", ";y"])
    if kind == 5:
        return "".join(chr(r.randrange(0x21, 0x7f)) for _ in range(r.randrange(1, 20)))
    if kind == 6:
        return "d" * r.randrange(50, 260)
    return "".join(chr(r.choice([r.randrange(0x21, 0x7f), r.randrange(0x80, 0x100)]))
                   for _ in range(r.randrange(1, 10)))


def option(r):
    kind = r.randrange(10)
    if kind < 4:
        name = r.choice(["ndots:", "timeout:", "attempts:"])
        if r.random() < 0.1:
            name = name.upper() if r.random() < 0.5 else name[:-1]
        return name + r.choice(NUMBERS)
    if kind < 8:
        name = r.choice(FLAG_NAMES)
        if r.random() < 0.25:
            name += r.choice(["x", "-reopen", ":1", "=yes", "\r", "0"])
        if r.random() < 0.1:
            name = name[: r.randrange(len(name) + 1)]
        return name
    if kind == 8:
        return "".join(chr(r.randrange(0x21, 0x7f)) for _ in range(r.randrange(1, 70)))
    return r.choice(["", "o" * r.randrange(60, 80), "ndots:5:6", "timeout:1 attempts:2"])


def sortlist_entry(r):
    a = r.choice([ipv4(r), "130.155.160.0", "10.0.0.0", "192.168.1.1", "bogus", ""])
    if r.random() < 0.5:
        a += r.choice(["/", "&"]) + r.choice([ipv4(r), "8", "255.255.240.0", "", "x/y",
                                               "255.0.0.0&1"])
    return a


def keyword(r, kw):
    roll = r.random()
    if roll < 0.04:
        return kw.upper()
    if roll < 0.08:
        return kw[: r.randrange(1, len(kw))]
    if roll < 0.11:
        return kw + r.choice(["x", "s", "_"])
    if roll < 0.15:
        return r.choice([" ", "\t", "  "]) + kw
    return kw


def separator(r):
    return r.choice(SEPARATORS) if r.random() < 0.25 else " "


def line(r):
    kind = r.randrange(100)
    if kind < 30:
        kw, value = "nameserver", address(r)
    elif kind < 45:
        kw = "search"
        value = r.choice([" ", "\t", " \t"]).join(
            domain_name(r) for _ in range(r.randrange(0, 9)))
        if r.random() < 0.2:
            value += r.choice([" ", "\t", "  ", "\r", " \r"])
    elif kind < 53:
        kw = "domain"
        value = " ".join(domain_name(r) for _ in range(r.randrange(0, 3)))
    elif kind < 73:
        kw = "options"
        value = r.choice([" ", "\t", "  "]).join(option(r) for _ in range(r.randrange(0, 7)))
    elif kind < 80:
        kw = "sortlist"
        value = r.choice([" ", "\t", ";"]).join(
            sortlist_entry(r) for _ in range(r.randrange(0, 12)))
    elif kind < 88:
        return r.choice(["#", ";", "# ", "; ", " #", "\t;"]) + r.choice(
            ["comment", "nameserver 192.0.2.99", "", "options rotate"])
    elif kind < 93:
        return r.choice(["", " ", "\t", "\r", " \t "])
    else:
        return "".join(chr(r.randrange(1, 256)) for _ in range(r.randrange(1, 80))).replace(
            "\n", " ")
    return keyword(r, kw) + separator(r) + value


def mutate(r, text):
    roll = r.random()
    if roll < 0.05 and text:
        i = r.randrange(len(text) + 1)
        return text[:i] + "\x00" + text[i:]
    if roll < 0.10:
        i = r.randrange(len(text) + 1)
        return text[:i] + "\r" + text[i:]
    if roll < 0.14 and text:
        i = r.randrange(len(text))
        return text[:i] + chr(r.randrange(1, 256)) + text[i + 1:]
    if roll < 0.17 and text:
        return text[: r.randrange(len(text))]
    if roll < 0.20:
        return text + r.choice([" ", "\t"]) + "t" * r.randrange(100, 900)
    return text


def c_string(b):
    """What glibc's string functions see of a line: up to the first NUL."""
    i = b.find(b"\x00")
    return b if i < 0 else b[:i]


def search_fits(b):
    """False for a search or domain line whose first MAXDNSRCH domains glibc's
    _res cannot hold (rc_glibc_diff compares _res; glibc even aborts on some)."""
    s = c_string(b)
    if s.startswith(b"search") and s[6:7] in (b" ", b"\t"):
        names = [t for t in s[6:].replace(b"\t", b" ").split(b" ") if t]
    elif s.startswith(b"domain") and s[6:7] in (b" ", b"\t"):
        names = s[6:].replace(b"\t", b" ").replace(b"\n", b" ").split()[:1]
    else:
        return True
    return sum(len(t) + 1 for t in names[:MAXDNSRCH]) <= DNSRCH_BYTES


def sortlist_hangs(b):
    """True when glibc's sortlist loop in res_init() would never end on b."""
    s = c_string(b)
    if not (s.startswith(b"sortlist") and s[8:9] in (b" ", b"\t")):
        return False
    ws = b" \t\n\v\f\r"

    def tok(c, in_mask):
        if c >= 0x80 or c == ord(";") or c in ws:
            return False
        return in_mask or c not in b"/&"

    def aton_ok(t):
        # Only needed to know whether a '/' or '&' is consumed; a loose check
        # that errs towards "valid" would hide a hang, so be exact enough:
        # inet_aton parts are decimal, octal or hex numbers joined by dots.
        parts = t.split(b".")
        if not 1 <= len(parts) <= 4:
            return False
        vals = []
        for p in parts:
            if not p or not chr(p[0]).isdigit():
                return False
            if any(c not in b"0123456789abcdefABCDEFxX" for c in p):
                return False
            try:
                if p[:2].lower() == b"0x":
                    v = int(p[2:], 16)  # strtoul reads "0x" alone as "0"
                elif p[:1] == b"0" and len(p) > 1:
                    v = int(p[1:], 8)
                else:
                    v = int(p, 10)
            except ValueError:
                return False
            vals.append(v)
        limits = {1: [2**32], 2: [256, 2**24], 3: [256, 256, 2**16], 4: [256] * 4}[len(vals)]
        return all(v < lim for v, lim in zip(vals, limits))

    i, n = 8, len(s)
    for _ in range(n + 2):
        while i < n and s[i] in b" \t":
            i += 1
        if i >= n or s[i] in b"\n;":
            return False
        start = i
        while i < n and tok(s[i], False):
            i += 1
        if i == start:
            return True
        if aton_ok(s[start:i]) and i < n and s[i] in b"/&":
            i += 1
            while i < n and tok(s[i], True):
                i += 1
    return True


def encode(text):
    return text.encode("latin-1")


def generate(r):
    lines = []
    eol = r.choice([b"\n", b"\n", b"\n", b"\r\n"])
    for _ in range(r.randrange(0, 14)):
        for _attempt in range(20):
            b = encode(mutate(r, line(r)))
            b = b.replace(b"\n", b" ")[: MAX_LINE + 1 - len(eol)]
            if search_fits(b + eol) and not sortlist_hangs(b + eol):
                lines.append(b)
                break
    body = eol.join(lines)
    if lines and r.random() < 0.85:
        body += eol
    return body


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=53)
    args = ap.parse_args()
    r = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        with open(os.path.join(args.out, "gen-%05d.conf" % i), "wb") as f:
            f.write(generate(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())

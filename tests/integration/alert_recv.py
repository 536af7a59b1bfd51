# SPDX-License-Identifier: GPL-2.0-only
"""Local alert receivers for the tests: the far end of every sink.

  alert_recv.py http LOG PORTFILE [--port N] [--secret S] [--wrong-secret W]
  alert_recv.py smtp OUT PORTFILE [--port N]
  alert_recv.py udp  OUT PORTFILE [--port N]

All bind 127.0.0.1 (port 0: an ephemeral one, written to PORTFILE).

http: every request is appended to LOG as one JSON line {t, method, path,
headers, body, sig, sig_wrong}; t is the arrival time (unix seconds). A
first path segment of three digits is the status to answer (429 with
Retry-After: 7, 503 with an HTTP-date 60 s ahead); anything else gets 202.
With --secret, sig is the X-Xdpguard-Signature check with it: "ok", "bad"
(no v1 matches), "stale" (t outside 300 s), "none" (no header); sig_wrong
is the same check with --wrong-secret, which must never be "ok".

smtp: each message is written to OUT.N (N from 1) with the envelope first.
udp: each datagram is written to OUT.N.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import socket
import sys
import threading
import time

TOLERANCE = 300


def write_port(portfile, port):
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(portfile + ".tmp", portfile)


def verify(secret, header, body):
    if not secret:
        return None
    if not header:
        return "none"
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    ts = [v for k, v in parts if k == "t"]
    sigs = [v for k, v in parts if k == "v1"]
    if len(ts) != 1 or not sigs or not ts[0].isdigit():
        return "bad"
    mac = hmac.new(secret.encode(), ts[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(mac, s) for s in sigs):
        return "bad"
    if abs(time.time() - int(ts[0])) > TOLERANCE:
        return "stale"
    return "ok"


def serve_http(a):
    lock = threading.Lock()

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            t = time.time()
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            sig = self.headers.get("X-Xdpguard-Signature")
            rec = {"t": t, "method": self.command, "path": self.path,
                   "headers": dict(self.headers.items()),
                   "body": body.decode("utf-8", "replace"),
                   "sig": verify(a.secret, sig, body),
                   "sig_wrong": verify(a.wrong_secret, sig, body)}
            with lock, open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")
            first = self.path.strip("/").split("/")[0].split("?")[0]
            code = int(first) if first.isdigit() and len(first) == 3 else 202
            self.send_response(code)
            if code == 429:
                self.send_header("Retry-After", "7")
            if code == 503:
                import email.utils
                self.send_header("Retry-After",
                                 email.utils.formatdate(time.time() + 60, usegmt=True))
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer.allow_reuse_address = True
    s = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), H)
    write_port(a.portfile, s.server_address[1])
    s.serve_forever()


def serve_smtp(a):
    import asyncore
    import smtpd

    count = [0]

    class S(smtpd.SMTPServer):
        def process_message(self, peer, mailfrom, rcpttos, data, **kw):
            count[0] += 1
            path = "%s.%d" % (a.out, count[0])
            with open(path + ".tmp", "wb") as f:
                f.write(("MAIL FROM %s\nRCPT TO %s\n" % (mailfrom, ",".join(rcpttos))).encode())
                f.write(data if isinstance(data, bytes) else data.encode())
            os.rename(path + ".tmp", path)

    s = S(("127.0.0.1", a.port), None, decode_data=False)
    write_port(a.portfile, s.socket.getsockname()[1])
    asyncore.loop(timeout=0.2)


def serve_udp(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", a.port))
    write_port(a.portfile, s.getsockname()[1])
    n = 0
    while True:
        d, _ = s.recvfrom(65536)
        n += 1
        with open("%s.%d" % (a.out, n), "wb") as f:
            f.write(d)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["http", "smtp", "udp"])
    p.add_argument("out")
    p.add_argument("portfile")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--secret")
    p.add_argument("--wrong-secret")
    a = p.parse_args()
    {"http": serve_http, "smtp": serve_smtp, "udp": serve_udp}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())

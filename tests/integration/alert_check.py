# SPDX-License-Identifier: GPL-2.0-only
"""Checks on what the alert receivers got (tests/integration/alerts.sh).

  alert_check.py LOG CHECK ID [ARG...]

LOG is alert_recv.py's request log. Exit 0 when the check holds; otherwise
prints why on stderr and exits 1. The schemas are the services' documented
required fields.
"""
import json
import sys

SEVERITIES = {"critical", "error", "warning", "info"}


def requests(log, prefix):
    out = []
    try:
        with open(log) as f:
            for line in f:
                r = json.loads(line)
                if r["path"].startswith(prefix):
                    try:
                        r["json"] = json.loads(r["body"])
                    except ValueError:
                        r["json"] = None
                    out.append(r)
    except FileNotFoundError:
        pass
    return out


def about(r, ident):
    return ident in r["body"] or ident in r["path"]


def webhook_kind(r):
    return (r["json"] or {}).get("type")


def pd_kind(r):
    return (r["json"] or {}).get("event_action")


def fail(msg):
    sys.stderr.write(msg + "\n")
    return 1


def one(log, prefix, ident, kind_of, kind):
    rs = [r for r in requests(log, prefix) if about(r, ident) and kind_of(r) == kind]
    if not rs:
        raise LookupError("no %s %s for %s" % (prefix, kind, ident))
    return rs[0]


def check_hook_open(log, ident, secret_header):
    r = one(log, "/hook", ident, webhook_kind, "open")
    b = r["json"]
    problems = []
    if r["sig"] != "ok":
        problems.append("signature with the right secret: %s" % r["sig"])
    if r["sig_wrong"] == "ok":
        problems.append("a wrong secret verified the signature")
    if r["headers"].get("X-Team") != "noc":
        problems.append("configured header X-Team missing")
    if b["incident"]["id"] != ident:
        problems.append("incident.id %r" % b["incident"]["id"])
    if b["classification"]["family"] != "udp_flood":
        problems.append("classification.family %r" % b["classification"]["family"])
    if b["severity"] not in SEVERITIES:
        problems.append("severity %r" % b["severity"])
    if not b["top_sources"] or not isinstance(b["top_sources"], list):
        problems.append("no top_sources")
    for k in ("node", "summary", "peak", "mitigation", "pcap", "sent_at"):
        if k not in b:
            problems.append("no %s" % k)
    return problems


def check_pd(log, ident, action, routing_key):
    b = one(log, "/pd", ident, pd_kind, action)["json"]
    problems = []
    if b.get("routing_key") != routing_key:
        problems.append("routing_key")
    if b.get("dedup_key") != ident:
        problems.append("dedup_key %r" % b.get("dedup_key"))
    if action == "trigger":
        p = b.get("payload", {})
        for k in ("summary", "source", "severity"):
            if not isinstance(p.get(k), str) or not p.get(k):
                problems.append("payload.%s missing" % k)
        if p.get("severity") not in SEVERITIES:
            problems.append("payload.severity %r" % p.get("severity"))
        if len(p.get("summary", "")) > 1024:
            problems.append("summary over 1024")
        if p.get("custom_details", {}).get("family") != "udp_flood":
            problems.append("custom_details.family")
    return problems


def check_slack(log, ident):
    rs = [r for r in requests(log, "/slack") if about(r, ident)]
    if not rs:
        return ["no slack message for %s" % ident]
    b = rs[0]["json"]
    problems = []
    if not isinstance(b.get("text"), str) or not b["text"]:
        problems.append("no fallback text")
    blocks = b.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return problems + ["no blocks"]
    if blocks[0].get("type") != "header" or blocks[0]["text"]["type"] != "plain_text":
        problems.append("first block is not a plain_text header")
    if len(blocks[0]["text"]["text"]) > 150:
        problems.append("header over 150")
    for bl in blocks:
        if bl.get("type") not in ("header", "section", "context", "divider"):
            problems.append("block type %r" % bl.get("type"))
        if bl.get("type") == "section" and len(bl.get("fields", [])) > 10:
            problems.append("section with over 10 fields")
    return problems


def check_discord(log, ident, mention):
    rs = [r for r in requests(log, "/discord") if about(r, ident)]
    if not rs:
        return ["no discord message for %s" % ident]
    b = rs[0]["json"]
    problems = []
    embeds = b.get("embeds")
    if not isinstance(embeds, list) or len(embeds) != 1:
        return ["embeds"]
    e = embeds[0]
    if not isinstance(e.get("title"), str) or len(e["title"]) > 256:
        problems.append("title")
    if not isinstance(e.get("color"), int):
        problems.append("color")
    if len(e.get("fields", [])) > 25:
        problems.append("over 25 fields")
    total = len(e.get("title", "")) + len(e.get("description", "")) + sum(
        len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
    if total > 6000:
        problems.append("embed over 6000")
    sev = None
    for f in e.get("fields", []):
        if f["name"].lower() == "severity":
            sev = f["value"].lower()
    if sev == "critical" and b.get("content") != mention:
        problems.append("critical without the mention")
    return problems


def check_og(log, ident, action, key):
    problems = []
    if action == "create":
        rs = [r for r in requests(log, "/og/v2/alerts") if r["path"] == "/og/v2/alerts"
              and (r["json"] or {}).get("alias") == ident]
        if not rs:
            return ["no OpsGenie create for %s" % ident]
        b = rs[0]["json"]
        if len(b.get("message", "")) > 130 or not b.get("message"):
            problems.append("message")
        if b.get("priority") not in ("P1", "P2", "P3", "P4", "P5"):
            problems.append("priority")
    else:
        rs = [r for r in requests(log, "/og/v2/alerts/%s/close" % ident)
              if "identifierType=alias" in r["path"]]
        if not rs:
            return ["no OpsGenie close for %s" % ident]
    if rs[0]["headers"].get("Authorization") != "GenieKey " + key:
        problems.append("Authorization header")
    return problems


def count(log, prefix, ident, kind):
    """Requests about ident of one kind (open/close/trigger/resolve)."""
    n = 0
    for r in requests(log, prefix):
        if not about(r, ident):
            continue
        k = webhook_kind(r) or pd_kind(r)
        if prefix.startswith("/og"):
            k = "close" if "/close" in r["path"] else "create"
        if prefix.startswith("/slack") or prefix.startswith("/discord"):
            k = "resolved" if "Resolved" in r["body"] else "open-or-update"
        if k == kind:
            n += 1
    return n


def arrival(log, prefix, ident, kind):
    r = one(log, prefix, ident, lambda r: webhook_kind(r) or pd_kind(r), kind)
    return r["t"]


def main():
    log, name, ident = sys.argv[1:4]
    args = sys.argv[4:]
    try:
        if name == "hook_open":
            problems = check_hook_open(log, ident, None)
        elif name == "pd":
            problems = check_pd(log, ident, args[0], args[1])
        elif name == "slack":
            problems = check_slack(log, ident)
        elif name == "discord":
            problems = check_discord(log, ident, args[0])
        elif name == "og":
            problems = check_og(log, ident, args[0], args[1])
        elif name == "count":
            print(count(log, args[0], ident, args[1]))
            return 0
        elif name == "arrival":
            print("%.6f" % arrival(log, args[0], ident, args[1]))
            return 0
        elif name == "has":
            problems = [] if one(log, args[0], ident, lambda r: webhook_kind(r) or pd_kind(r),
                                 args[1]) else ["missing"]
        else:
            return fail("unknown check " + name)
    except (LookupError, KeyError, TypeError, AttributeError) as e:
        return fail("%s: %s" % (name, e))
    if problems:
        return fail("%s %s: %s" % (name, ident, "; ".join(problems)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

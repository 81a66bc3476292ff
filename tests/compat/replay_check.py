#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Replay the responses recorded from Hestia's real PHP API (corpus.jsonl)
against hestia-apid and compare status, Content-Type, Hestia-Exit-Code and
body. A case may differ only where expected-differences.jsonl names it (or,
for the content type, its "*" rule); there our own answer is asserted.

Usage: replay_check.py BASE_URL SECRETS.json HOOK
HOOK VARIANT is run whenever the case's config variant changes; it restarts
the daemon and prints the new BASE_URL on its last line."""
import hashlib
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import httpraw  # noqa: E402


def load(name):
    with open(os.path.join(here, name)) as f:
        return [json.loads(line) for line in f if line.strip()]


def expected(case, diffs, secrets):
    exp = dict(case["response"])
    want = {"status": exp["status"],
            "Content-Type": exp["headers"].get("Content-Type"),
            "Hestia-Exit-Code": exp["headers"].get("Hestia-Exit-Code")}
    if "body" in exp:
        want["body"] = httpraw.fill(exp["body"], secrets).encode()
    else:
        want["body_len"] = exp["body_len"]
        want["body_sha256"] = exp["body_sha256"]
    ctmap = diffs.get("*", {}).get("content_type", {})
    if want["Content-Type"] in ctmap:
        want["Content-Type"] = ctmap[want["Content-Type"]]
    ours = diffs.get(case["name"])
    if ours is not None:
        for k, v in ours["response"].items():
            want[k] = httpraw.fill(v, secrets).encode() if k == "body" else v
    return want


def compare(want, status, hdrs, data):
    out = []
    if status != want["status"]:
        out.append("status: expected %s, got %s" % (want["status"], status))
    for h in ("Content-Type", "Hestia-Exit-Code"):
        if hdrs.get(h.lower()) != want[h]:
            out.append("%s: expected %r, got %r" % (h, want[h],
                                                   hdrs.get(h.lower())))
    if "body" in want:
        if data != want["body"]:
            out.append("body: expected %r, got %r" % (want["body"][:300],
                                                      data[:300]))
    elif (len(data) != want["body_len"] or
          hashlib.sha256(data).hexdigest() != want["body_sha256"]):
        out.append("body: expected %d bytes, got %d" % (want["body_len"],
                                                        len(data)))
    if hdrs.get("x-content-type-options") != "nosniff":
        out.append("X-Content-Type-Options: nosniff missing")
    return out


def main():
    base, secrets_path, hook = sys.argv[1:4]
    secrets = json.load(open(secrets_path))
    cases = load("corpus.jsonl")
    diffs = {d["name"]: d for d in load("expected-differences.jsonl")}
    names = {c["name"] for c in cases}
    for n in diffs:
        if n != "*" and n not in names:
            print("FAIL expected-differences.jsonl names unknown case %s" % n)
            sys.exit(1)
    passed = failed = differ = 0
    current = "default"
    for c in cases:
        if c["config"] != current:
            r = subprocess.run([hook, c["config"]], check=True,
                               capture_output=True, text=True)
            base = r.stdout.strip().splitlines()[-1]
            current = c["config"]
        want = expected(c, diffs, secrets)
        try:
            status, hdrs, data = httpraw.send(base, c, secrets, timeout=30)
        except Exception as e:  # noqa: BLE001
            print("FAIL %s: request error %s" % (c["name"], e))
            failed += 1
            continue
        problems = compare(want, status, hdrs, data)
        if problems:
            failed += 1
            print("FAIL %s [%s]" % (c["name"], c["config"]))
            for p in problems:
                print("  " + p)
        else:
            passed += 1
            if c["name"] in diffs:
                differ += 1
    print("replay: %d cases, %d as recorded, %d deliberate differences "
          "(named in expected-differences.jsonl)" % (passed + failed,
                                                     passed - differ, differ))
    print("replay: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

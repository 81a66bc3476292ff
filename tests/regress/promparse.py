# SPDX-License-Identifier: GPL-3.0-or-later
"""Read a /metrics answer on stdin, parse it with prometheus_client's
parser, check what that lax parser lets through (a HELP and a TYPE before
each family's samples, each family once, counter or gauge, the
hestia_apid_ prefix, counters ending in _total, values that are counts),
and print each sample as NAME{LABEL="VALUE",...} VALUE, labels sorted.
Exits 1, saying why, on anything wrong."""
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)')


def die(why):
    print("promparse: " + why, file=sys.stderr)
    sys.exit(1)


def lines_check(text):
    """The 0.0.4 text format, line by line, as we promise to write it."""
    if not text.endswith("\n"):
        die("the text does not end with a newline")
    seen = set()
    family = None
    state = None	# "help", "type", "samples"
    for n, line in enumerate(text[:-1].split("\n"), 1):
        if line.startswith("# HELP "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not parts[3].strip():
                die("line %d: HELP without text" % n)
            family = parts[2]
            if not NAME.fullmatch(family):
                die("line %d: bad name %s" % (n, family))
            if family in seen:
                die("line %d: %s again" % (n, family))
            if not family.startswith("hestia_apid_"):
                die("line %d: %s without the prefix" % (n, family))
            seen.add(family)
            state = "help"
        elif line.startswith("# TYPE "):
            parts = line.split(" ")
            if state != "help" or len(parts) != 4 or parts[2] != family:
                die("line %d: TYPE not right after its HELP" % n)
            if parts[3] not in ("counter", "gauge"):
                die("line %d: type %s" % (n, parts[3]))
            if parts[3] == "counter" and not family.endswith("_total"):
                die("line %d: counter %s without _total" % (n, family))
            state = "type"
        else:
            m = SAMPLE.fullmatch(line)
            if m is None:
                die("line %d: not a sample: %r" % (n, line))
            if state not in ("type", "samples") or m.group(1) != family:
                die("line %d: %s outside its family" % (n, m.group(1)))
            state = "samples"
    return seen


def main():
    text = sys.stdin.read()
    declared = lines_check(text)
    out = []
    parsed = set()
    for fam in text_string_to_metric_families(text):
        if fam.type not in ("counter", "gauge"):
            die("%s parsed as %s" % (fam.name, fam.type))
        if not fam.documentation:
            die("%s parsed without HELP" % fam.name)
        parsed.add(fam.name + ("_total" if fam.type == "counter" else ""))
        for s in fam.samples:
            v = s.value
            if math.isnan(v) or math.isinf(v) or v < 0 or v != int(v):
                die("%s: value %r is not a count" % (s.name, v))
            labels = ",".join('%s="%s"' % (k, s.labels[k])
                              for k in sorted(s.labels))
            out.append("%s%s %d" % (s.name, "{%s}" % labels if labels
                                     else "", int(v)))
    if parsed != declared:
        die("the parser saw %s" % sorted(parsed ^ declared))
    print("\n".join(out))


main()

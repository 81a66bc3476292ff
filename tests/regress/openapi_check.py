#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Check api/openapi.json, and real answers against it.
#   openapi_check.py SPEC doc
#   openapi_check.py SPEC answer METHOD PATH STATUS CONTENT-TYPE BODY-FILE
#   openapi_check.py SPEC covered SEEN-FILE   (lines "METHOD PATH STATUS")
# Prints what is wrong and exits 1; prints "ok" otherwise.
import json
import sys

import jsonschema

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def fail(msg):
    print(msg)
    sys.exit(1)


def resolve(spec, ref):
    if not ref.startswith("#/"):
        fail("external $ref %s" % ref)
    node = spec
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            fail("$ref %s does not resolve" % ref)
        node = node[part]
    return node


def refs(spec, node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                resolve(spec, v)
            else:
                refs(spec, v)
    elif isinstance(node, list):
        for v in node:
            refs(spec, v)


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def check_doc(spec):
    if not str(spec.get("openapi", "")).startswith("3.1."):
        fail("not an OpenAPI 3.1 document")
    for key in ("title", "version"):
        if key not in spec.get("info", {}):
            fail("info.%s missing" % key)
    refs(spec, spec)
    v = jsonschema.Draft202012Validator
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        v.check_schema(schema)
    ids = set()
    for path, method, op in operations(spec):
        where = "%s %s" % (method.upper(), path)
        if "operationId" not in op or op["operationId"] in ids:
            fail("%s: operationId missing or not unique" % where)
        ids.add(op["operationId"])
        if not op.get("responses"):
            fail("%s: no responses" % where)
        for status, resp in op["responses"].items():
            if not status.isdigit() or "description" not in resp:
                fail("%s %s: a status and a description" % (where, status))
            for ctype, media in resp.get("content", {}).items():
                if "schema" not in media:
                    fail("%s %s %s: no schema" % (where, status, ctype))
                v.check_schema(media["schema"])
        for scheme in op.get("security", []):
            for name in scheme:
                if name not in spec["components"]["securitySchemes"]:
                    fail("%s: unknown security scheme %s" % (where, name))


def check_answer(spec, method, path, status, ctype, body):
    item = spec["paths"].get(path)
    if item is None:
        fail("%s is not described" % path)
    # A method the path does not describe is answered 405 with an Error.
    if method.lower() not in item and not (method == "HEAD" and "get" in item):
        if status != "405":
            fail("%s %s: not described, answered %s, not 405" %
                 (method, path, status))
        validate(spec, body, {"$ref": "#/components/schemas/Error"},
                 "%s %s %s" % (method, path, status))
        return
    head = method == "HEAD"
    if head:
        method = "GET"
    resp = item[method.lower()]["responses"].get(status)
    if resp is None:
        fail("%s %s answered %s, which is not described" %
             (method, path, status))
    media_type = ctype.split(";")[0].strip()
    content = resp.get("content", {})
    if media_type not in content:
        fail("%s %s %s: content type %s is not described (%s)" %
             (method, path, status, ctype, ", ".join(content) or "none"))
    if media_type != "application/json" or head:
        return
    validate(spec, body, content[media_type]["schema"],
             "%s %s %s" % (method, path, status))


def validate(spec, body, schema, where):
    try:
        doc = json.loads(body)
    except ValueError as e:
        fail("%s: not JSON: %s" % (where, e))
    resolver = jsonschema.RefResolver(base_uri="", referrer=spec)
    try:
        jsonschema.validate(doc, schema, resolver=resolver,
                            cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as e:
        fail("%s: %s" % (where, e.message))


def check_covered(spec, seen_file):
    seen = set()
    with open(seen_file) as f:
        for line in f:
            seen.add(tuple(line.split()))
    missing = []
    for path, method, op in operations(spec):
        for status in op["responses"]:
            if (method.upper(), path, status) not in seen:
                missing.append("%s %s %s" % (method.upper(), path, status))
    if missing:
        fail("described but never seen: " + "; ".join(missing))


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    mode = sys.argv[2]
    if mode == "doc":
        check_doc(spec)
    elif mode == "answer":
        with open(sys.argv[7], encoding="utf-8") as f:
            body = f.read()
        check_answer(spec, *sys.argv[3:7], body)
    elif mode == "covered":
        check_covered(spec, sys.argv[3])
    else:
        fail("usage")
    print("ok")


main()

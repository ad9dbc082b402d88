#!/usr/bin/env python3
"""Checks every answer the API tests received against docs/openapi.json.

usage: check_responses.py OPENAPI_JSON RESPONSES_DIR [MIN_ANSWERS]

Each answer (tests/response_log.cpp writes them, one JSON line each, bytes
as hex) must be documented: its path matches a path of the document (or it
is 404 route_not_found), its method is one the path takes (or it is 405
method_not_allowed), its status is one of the operation's responses, its
content type one the response lists, and its JSON body valid against that
schema. An error body's code must be named in the description of that
status (`code`), so a code the document does not mention for a route fails.
X-Request-Id is on every answer. (Stream answers' bodies go to the tests'
own receivers, so only their status and headers are checked.) The
dashboard's page and files are checked like the rest; CORS preflights
(OPTIONS) are counted, not checked.
"""
import collections
import glob
import json
import os
import re
import sys

from openapi_schema_validator import OAS31Validator

GENERIC = {404: "RouteNotFound", 405: "MethodNotAllowed", 408: "RequestTimeout"}
# Answers the HTTP layer gives on any route, before a route is known.
ANY_ROUTE = {"bad_request": ("BadRequest", 400),
             "uri_too_long": ("UriTooLong", 414),
             "headers_too_large": ("HeadersTooLarge", 431)}


def load_answers(folder):
    for path in sorted(glob.glob(os.path.join(folder, "responses-*.jsonl"))):
        with open(path) as f:
            for line in f:
                raw = json.loads(line)
                yield {
                    "method": bytes.fromhex(raw["method"]).decode(),
                    "path": bytes.fromhex(raw["path"]).decode("latin-1"),
                    "status": raw["status"],
                    "headers": {bytes.fromhex(k).decode().lower():
                                bytes.fromhex(v).decode("latin-1")
                                for k, v in raw["headers"].items()},
                    "body": bytes.fromhex(raw["body"]),
                }


class Document:
    def __init__(self, doc):
        self.doc = doc
        self.routes = []
        for template, item in doc["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self.routes.append((re.compile("^" + pattern + "$"), template, item))

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def response_for(self, method, path, status):
        """(name for messages, response object) or (None, problem)."""
        for pattern, template, item in self.routes:
            if pattern.match(path):
                operation = item.get(method.lower())
                if operation is None:
                    if status == 405:
                        return "405 of " + template, self.generic(405)
                    return None, f"{method} {template}: method not documented"
                responses = operation["responses"]
                found = responses.get(str(status), responses.get("default"))
                if found is None:
                    if status in (405, 408):
                        return f"{status} of {template}", self.generic(status)
                    return None, (f"{method} {template}: status {status} not "
                                  f"documented (has {sorted(responses)})")
                return f"{method} {template} {status}", self.deref(found)
        if status == 404:
            return "404 of unknown path", self.generic(404)
        return None, f"{method} {path}: path not documented (status {status})"

    def generic(self, status):
        return self.doc["components"]["responses"][GENERIC[status]]


def error_code_of(body):
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value.get("error") if isinstance(value, dict) else None


def check(document, answer):
    """Problems with one answer (empty when it matches the document)."""
    path = answer["path"].split("?", 1)[0]
    code = error_code_of(answer["body"])
    if code in ANY_ROUTE:
        name = f"{answer['status']} {code} (any route)"
        component, status = ANY_ROUTE[code]
        if answer["status"] != status:
            return [f"{name}: {code} comes with {status}"]
        response = document.doc["components"]["responses"][component]
    else:
        name, response = document.response_for(answer["method"], path,
                                               answer["status"])
    if name is None:
        return [response]
    problems = []
    headers = answer["headers"]
    if not re.match(r"^[A-Za-z0-9._:-]{1,128}$", headers.get("x-request-id", "")):
        problems.append(f"{name}: X-Request-Id missing or malformed")
    content = response.get("content")
    if not content:
        if answer["body"]:
            problems.append(f"{name}: a body where the document has none")
        return problems
    media = headers.get("content-type", "").split(";", 1)[0].strip()
    by_type = {key.split(";", 1)[0].strip(): value
               for key, value in content.items()}
    if media not in by_type:
        return problems + [f"{name}: content type '{media}' not in "
                           f"{sorted(content)}"]
    schema = by_type[media].get("schema")
    if media != "application/json" or schema is None:
        return problems
    if not answer["body"] and path.endswith("/events/stream"):
        return problems  # read by the test's own receiver, not recorded
    try:
        body = json.loads(answer["body"])
    except ValueError as e:
        return problems + [f"{name}: body is not JSON ({e})"]
    root = dict(schema, components=document.doc["components"])
    for error in OAS31Validator(root).iter_errors(body):
        problems.append(f"{name}: {error.message} at "
                        f"{'/'.join(map(str, error.absolute_path)) or 'body'}")
    if answer["status"] >= 400 and isinstance(body, dict) and "error" in body:
        if f"`{body['error']}`" not in response.get("description", ""):
            problems.append(f"{name}: error code '{body['error']}' is not "
                            f"named in the status's description")
    return problems


def main():
    openapi, folder = sys.argv[1], sys.argv[2]
    least = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    with open(openapi) as f:
        document = Document(json.load(f))
    checked, skipped = collections.Counter(), collections.Counter()
    problems = collections.Counter()
    for answer in load_answers(folder):
        path = answer["path"].split("?", 1)[0]
        if answer["method"] in ("OPTIONS", "HEAD"):
            skipped[f"{answer['method']} {path}"] += 1
            continue
        checked[answer["status"]] += 1
        for problem in check(document, answer):
            problems[problem] += 1
    total = sum(checked.values())
    print(f"checked {total} answers against {openapi}: by status "
          f"{dict(sorted(checked.items()))}; not checked "
          f"{sum(skipped.values())} (preflights)")
    for problem, count in problems.most_common():
        print(f"  {count:6d} x {problem}")
    if total < least:
        print(f"FAIL: fewer than {least} answers recorded in {folder}")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

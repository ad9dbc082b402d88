#!/usr/bin/env python3
"""The checker of answers against the OpenAPI document can fail: answers
that break the document in each way it looks for are each reported, and a
documented one is not. usage: check_responses_test.py OPENAPI_JSON"""
import json
import os
import subprocess
import sys
import tempfile

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "check_responses.py")
JSON = {"Content-Type": "application/json", "X-Request-Id": "t-1"}
GOOD = ("GET", "/accounts/5", 200, JSON, '{"id":5,"name":"a","version":1}')
BAD = {
    "'name' is a required property": ("GET", "/accounts/5", 200, JSON,
                                      '{"id":5,"version":1}'),
    "is not named in the status's description": (
        "GET", "/accounts/5", 404, JSON,
        '{"error":"invalid_body","message":"x"}'),
    "status 418 not documented": ("GET", "/accounts/5", 418, JSON, "{}"),
    "X-Request-Id missing": ("GET", "/accounts/5", 200,
                             {"Content-Type": "application/json"},
                             '{"id":5,"name":"a","version":1}'),
    "path not documented": ("GET", "/nowhere", 200, JSON, "{}"),
    "content type 'text/html'": ("GET", "/accounts/5", 200,
                                 {"Content-Type": "text/html",
                                  "X-Request-Id": "t"}, "<p>"),
}


def run(folder, answers):
    hexed = lambda s: s.encode().hex()
    with open(os.path.join(folder, "responses-1.jsonl"), "w") as f:
        for method, path, status, headers, body in answers:
            f.write(json.dumps({
                "method": hexed(method), "path": hexed(path), "status": status,
                "headers": {hexed(k): hexed(v) for k, v in headers.items()},
                "body": hexed(body)}) + "\n")
    return subprocess.run([sys.executable, CHECKER, sys.argv[1], folder, "1"],
                          capture_output=True, text=True)


def main():
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        good = run(folder, [GOOD])
        if good.returncode != 0:
            failures.append("a documented answer was refused:\n" + good.stdout)
        for expected, answer in BAD.items():
            result = run(folder, [GOOD, answer])
            if result.returncode == 0 or expected not in result.stdout:
                failures.append(f"not reported: {expected}\n{result.stdout}")
    for failure in failures:
        print("FAIL:", failure)
    print(f"{1 + len(BAD) - len(failures)} of {1 + len(BAD)} cases as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The dashboard test's browser: headless Chromium driven over the Chrome
DevTools Protocol, with nothing but the standard library (a minimal
WebSocket client is below).

browser.py STEPS.json runs the steps in order and prints one JSON object:
{"ok": bool, "error": str, "results": {name: value}, "dialogs": [...],
 "exceptions": [...]}. Steps (objects):

  {"open": URL}                             navigate the tab
  {"wait": JS, "timeout": S, "what": TEXT}  until the expression is truthy
                                            (polled every 50 ms; one that
                                            throws is false), or fail
  {"eval": JS, "as": NAME}                  keep the expression's value
  {"http": {"method", "url", "body", "headers"}, "as": NAME}
                                            a request from here (the API),
                                            keeps its status
  {"screenshot": PATH}                      the viewport as a PNG

Every dialog the page opens is recorded; a confirm() is accepted, others
dismissed;
uncaught exceptions are recorded. Chromium runs in a session of its own
and is killed, with its children, at the end."""

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

DEADLINE = time.monotonic() + float(os.environ.get("LB_BROWSER_DEADLINE", "40"))


class Failure(Exception):
    pass


def left():
    remaining = DEADLINE - time.monotonic()
    if remaining <= 0:
        raise Failure("the browser script ran out of time")
    return remaining


class WebSocket:
    """RFC 6455 client: text frames, masked as a client must, no extensions."""

    def __init__(self, url):
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=left())
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((
            f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise Failure("websocket handshake refused: " + lines[0])
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if not any(l.lower().startswith("sec-websocket-accept:")
                   and l.split(":", 1)[1].strip() == accept for l in lines):
            raise Failure("websocket handshake: wrong Sec-WebSocket-Accept")

    def _fill(self):
        self.sock.settimeout(left())
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise Failure("the browser closed the DevTools connection")
        self.buf += chunk

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send(self, text):
        self._frame(0x1, text.encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._take(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._take(8))[0]
            mask = self._take(4) if b1 & 0x80 else None
            payload = self._take(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                raise Failure("the browser closed the DevTools connection")
            if opcode == 0x9:
                self._frame(0xA, payload)
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode()


class Tab:
    """One page target over CDP; events are handled as they arrive."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.dialogs = []
        self.exceptions = []

    def send(self, method, params=None):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method,
                                 "params": params or {}}))
        return self.next_id

    def call(self, method, params=None):
        wanted = self.send(method, params)
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise Failure(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.event(msg)

    def event(self, msg):
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Page.javascriptDialogOpening":
            self.dialogs.append(params.get("type", "") + ": " + params.get("message", ""))
            # confirm() says yes (the page asks before it deletes), the rest no.
            self.send("Page.handleJavaScriptDialog",
                      {"accept": params.get("type") == "confirm"})
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.exceptions.append(d.get("exception", {}).get("description")
                                   or d.get("text", ""))

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression,
                                           "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise Failure("evaluating " + expression[:80] + ": "
                          + (d.get("exception", {}).get("description") or d.get("text", "")))
        return r.get("result", {}).get("value")


def start_chromium(profile):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        raise Failure("no chromium on PATH (tools/setup installs it)")
    args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--hide-scrollbars", "--mute-audio",
            "--window-size=1280,900", "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
            "--user-data-dir=" + profile, "about:blank"]
    log = open(os.path.join(profile, "..", "chromium.log"), "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    port_file = os.path.join(profile, "DevToolsActivePort")
    while True:
        if proc.poll() is not None:
            raise Failure(f"chromium exited with {proc.returncode} at start")
        if os.path.exists(port_file):
            lines = open(port_file).read().split("\n")
            if len(lines) >= 2 and lines[0].strip():
                return proc, int(lines[0])
        left()
        time.sleep(0.05)


def page_target(port):
    while True:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                    timeout=left()) as r:
            for t in json.load(r):
                if t.get("type") == "page" and t.get("webSocketDebuggerUrl"):
                    return t["webSocketDebuggerUrl"]
        left()
        time.sleep(0.05)


def http(spec):
    req = urllib.request.Request(spec["url"], method=spec.get("method", "GET"),
                                 data=spec["body"].encode() if "body" in spec else None,
                                 headers=spec.get("headers", {}))
    try:
        with urllib.request.urlopen(req, timeout=min(left(), 20)) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def run(steps, tab, results):
    tab.call("Page.enable")
    tab.call("Runtime.enable")
    tab.call("Emulation.setDeviceMetricsOverride",
             {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    for step in steps:
        if "open" in step:
            tab.call("Page.navigate", {"url": step["open"]})
        elif "wait" in step:
            until = time.monotonic() + step.get("timeout", 10)
            # Before the page is there, its elements are not: that is "no".
            probe = "(() => { try { return !!(" + step["wait"] + "); } catch (e) { return false; } })()"
            while not tab.evaluate(probe):
                if time.monotonic() > until:
                    text = tab.evaluate("document.body ? document.body.innerText : ''")
                    raise Failure("timed out waiting for " + step.get("what", step["wait"])
                                  + "; the page says: " + (text or "")[:600])
                left()
                time.sleep(0.05)
        elif "eval" in step:
            results[step["as"]] = tab.evaluate(step["eval"])
        elif "http" in step:
            results[step["as"]] = http(step["http"])
        elif "screenshot" in step:
            shot = tab.call("Page.captureScreenshot", {"format": "png"})
            with open(step["screenshot"], "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            print("screenshot: " + os.path.abspath(step["screenshot"]), file=sys.stderr)
        else:
            raise Failure("unknown step " + json.dumps(step))


def main():
    steps = json.load(open(sys.argv[1]))
    out = {"ok": False, "error": "", "results": {}, "dialogs": [], "exceptions": []}
    work = tempfile.mkdtemp(prefix="lb-browser-")
    profile = os.path.join(work, "profile")
    os.mkdir(profile)
    proc = None
    tab = None
    try:
        proc, port = start_chromium(profile)
        tab = Tab(page_target(port))
        run(steps, tab, out["results"])
        out["ok"] = True
    except (Failure, OSError, ValueError) as e:
        out["error"] = f"{type(e).__name__}: {e}"
    finally:
        if tab:
            out["dialogs"], out["exceptions"] = tab.dialogs, tab.exceptions
        if proc:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            # The renderers and helpers leave with the browser: wait for them.
            until = time.monotonic() + 5
            while time.monotonic() < until:
                try:
                    os.killpg(proc.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        if not out["ok"] and os.path.exists(os.path.join(work, "chromium.log")):
            sys.stderr.write(open(os.path.join(work, "chromium.log"), errors="replace")
                             .read()[-2000:])
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

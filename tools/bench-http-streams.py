#!/usr/bin/env python3
"""SSE fan-out benchmark for tools/bench-http (Python 3 standard library only).

Opens N Server-Sent-Events streams on one account, waits until each is live
(the server's first line is the comment ": connected"), records the server's
RSS, checks that a plain GET is still answered, POSTs one event and measures
for every stream the delay from the POST until its "data:" line arrived.

Human-readable lines go to stdout; the last lines are "RESULT key=value" for
the calling script. Every wait is bounded, so this ends even when the server
stalls.
"""

import argparse
import asyncio
import json
import os
import signal
import time


def rss_kib(pid):
    """VmRSS of a process in KiB, or -1 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


async def read_head(reader):
    """Status code and lower-cased headers of an HTTP/1.1 response."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed before the status line")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


async def read_body(reader, headers):
    """The whole body of a response (Content-Length or chunked)."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        async for chunk in chunks(reader):
            body += chunk
        return body
    return await reader.readexactly(int(headers.get("content-length", "0")))


async def chunks(reader):
    """Yields the chunks of a chunked body until the last (empty) one."""
    while True:
        size_line = await reader.readline()
        if not size_line:
            return
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return
        data = await reader.readexactly(size + 2)  # the chunk and its CRLF
        yield data[:-2]


async def request(host, port, method, path, body=None, timeout=10.0):
    """One request on a fresh connection: (status, body bytes)."""
    async def go():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            payload = json.dumps(body).encode() if body is not None else b""
            head = (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Connection: close\r\nContent-Length: {len(payload)}\r\n")
            if body is not None:
                head += "Content-Type: application/json\r\n"
            writer.write(head.encode() + b"\r\n" + payload)
            await writer.drain()
            status, headers = await read_head(reader)
            return status, await read_body(reader, headers)
        finally:
            writer.close()
    return await asyncio.wait_for(go(), timeout)


class Stream:
    """One SSE client: connects, waits for ': connected', then notes when
    the first 'data:' line arrives."""

    def __init__(self):
        self.connected = asyncio.Event()
        self.state = "pending"      # pending, open, refused, failed
        self.detail = ""
        self.received_at = None
        self.ended_at = None        # when "event: end" arrived
        self.writer = None

    async def run(self, host, port, path, connect_sem, connect_timeout):
        try:
            async with connect_sem:  # a bounded burst of connects
                reader = await asyncio.wait_for(
                    self.open(host, port, path), connect_timeout)
            if reader is None:
                return
            await self.read_events(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError,
                ConnectionError, ValueError) as e:
            if self.state == "pending":
                self.state, self.detail = "failed", type(e).__name__
        finally:
            self.connected.set()

    async def open(self, host, port, path):
        reader, self.writer = await asyncio.open_connection(host, port)
        self.writer.write(
            (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
             "Accept: text/event-stream\r\n\r\n").encode())
        await self.writer.drain()
        status, headers = await read_head(reader)
        if status != 200:
            body = await read_body(reader, headers)
            try:
                self.detail = f"{status} {json.loads(body).get('error')}"
            except ValueError:
                self.detail = str(status)
            self.state = "refused"
            return None
        self.chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self.buffer = b""
        self.lines = self.sse_lines(reader)
        # The first line the server sends on a live stream.
        async for line in self.lines:
            if line.startswith(b": connected"):
                self.state = "open"
                self.connected.set()
                return reader
        raise ConnectionError("stream ended before ': connected'")

    async def sse_lines(self, reader):
        """Lines of the event stream, whatever the transfer encoding."""
        source = chunks(reader) if self.chunked else raw(reader)
        async for data in source:
            self.buffer += data
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                yield line.rstrip(b"\r")

    async def read_events(self, reader):
        async for line in self.lines:
            if line.startswith(b"data:") and self.received_at is None:
                self.received_at = time.monotonic()
            if line.startswith(b"event: end") and self.ended_at is None:
                self.ended_at = time.monotonic()

    def close(self):
        if self.writer is not None:
            self.writer.close()


async def raw(reader):
    while True:
        data = await reader.read(65536)
        if not data:
            return
        yield data


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


async def main(a):
    path = f"/accounts/{a.account}/events/stream"
    rss_before = rss_kib(a.pid)
    streams = [Stream() for _ in range(a.streams)]
    sem = asyncio.Semaphore(a.connect_burst)
    t_start = time.monotonic()
    tasks = [asyncio.create_task(s.run(a.host, a.port, path, sem, a.timeout))
             for s in streams]
    # Every stream is then open, refused or failed (each connect is bounded).
    try:
        await asyncio.wait_for(
            asyncio.gather(*(s.connected.wait() for s in streams)),
            a.timeout * (a.streams / a.connect_burst + 2))
    except asyncio.TimeoutError:
        pass  # those still pending count as failed below
    open_streams = [s for s in streams if s.state == "open"]
    refused = [s for s in streams if s.state == "refused"]
    failed = [s for s in streams if s.state not in ("open", "refused")]
    print(f"streams: {len(open_streams)} open, {len(refused)} refused, "
          f"{len(failed)} failed of {a.streams} "
          f"(in {time.monotonic() - t_start:.1f} s)")
    for kind, group in (("refused", refused), ("failed", failed)):
        reasons = {}
        for s in group:
            reasons[s.detail] = reasons.get(s.detail, 0) + 1
        for reason, n in sorted(reasons.items()):
            print(f"streams: {n} {kind}: {reason}")
    await asyncio.sleep(1.0)  # let the server settle before sampling RSS
    rss_open = rss_kib(a.pid)

    # A plain request must still be answered while the streams hold on.
    t = time.monotonic()
    try:
        status, _ = await request(a.host, a.port, "GET", f"/accounts/{a.account}",
                                  timeout=a.timeout)
    except (OSError, asyncio.TimeoutError, ConnectionError) as e:
        status = type(e).__name__
    get_ms = (time.monotonic() - t) * 1000
    print(f"streams: GET account while open: {status} in {get_ms:.1f} ms")

    t_post = time.monotonic()
    try:
        post_status, _ = await request(a.host, a.port, "POST",
                                       f"/accounts/{a.account}/events",
                                       body={"type": "bench"}, timeout=a.timeout)
    except (OSError, asyncio.TimeoutError, ConnectionError) as e:
        post_status = type(e).__name__
    post_ms = (time.monotonic() - t_post) * 1000
    print(f"streams: POST event: {post_status} in {post_ms:.1f} ms")

    # Wait (bounded) until every open stream has its data line.
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline and any(
            s.received_at is None and s.state == "open" for s in open_streams):
        await asyncio.sleep(0.01)
    delays = sorted((s.received_at - t_post) * 1000
                    for s in open_streams if s.received_at is not None)
    shutdown = {}
    if a.shutdown:
        shutdown = await stop_server(a, open_streams)
    for s in streams:
        s.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    per_stream = ((rss_open - rss_before) / len(open_streams)
                  if open_streams and rss_before > 0 and rss_open > 0 else float("nan"))
    p50, p99 = percentile(delays, 50), percentile(delays, 99)
    mx = delays[-1] if delays else float("nan")
    print(f"streams: {len(delays)}/{len(open_streams)} open streams received the "
          f"event; delay p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {mx:.1f} ms")
    print(f"streams: server RSS {rss_before / 1024:.1f} MiB before, "
          f"{rss_open / 1024:.1f} MiB with {len(open_streams)} streams "
          f"= {per_stream:.1f} KiB per stream")
    for key, value in (("wanted", a.streams), ("open", len(open_streams)),
                       ("refused", len(refused)), ("failed", len(failed)),
                       ("received", len(delays)), ("p50_ms", f"{p50:.1f}"),
                       ("p99_ms", f"{p99:.1f}"), ("max_ms", f"{mx:.1f}"),
                       ("rss_before_kib", rss_before), ("rss_open_kib", rss_open),
                       ("kib_per_stream", f"{per_stream:.1f}"),
                       ("get_status", status), ("get_ms", f"{get_ms:.1f}"),
                       ("post_status", post_status), ("post_ms", f"{post_ms:.1f}"),
                       *shutdown.items()):
        print(f"RESULT {key}={value}")


async def stop_server(a, open_streams):
    """SIGTERM with the streams open: how many get "event: end", and how
    long until the process is gone (the README promises 20 s)."""
    os.kill(a.pid, signal.SIGTERM)
    t = time.monotonic()
    exited = None
    while time.monotonic() < t + 30:
        if exited is None and not os.path.exists(f"/proc/{a.pid}") or \
                exited is None and proc_state(a.pid) == "Z":
            exited = time.monotonic() - t
        if exited is not None and all(s.ended_at is not None or s.writer is None
                                      for s in open_streams):
            break
        await asyncio.sleep(0.05)
    ended = sum(1 for s in open_streams if s.ended_at is not None)
    exit_s = f"{exited:.1f}" if exited is not None else "none"
    print(f"streams: SIGTERM with {len(open_streams)} open: {ended} got "
          f"'event: end'; the server was gone after {exit_s} s")
    return {"ended": ended, "exit_s": exit_s}


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--account", type=int, required=True)
    p.add_argument("--pid", type=int, required=True, help="server pid (for RSS)")
    p.add_argument("--streams", type=int, default=1000)
    p.add_argument("--connect-burst", type=int, default=50,
                   help="connects in flight at once (the listen backlog is small)")
    p.add_argument("--shutdown", action="store_true",
                   help="then SIGTERM the server with the streams still open")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds for each connect, the GET, the POST, delivery")
    asyncio.run(main(p.parse_args()))

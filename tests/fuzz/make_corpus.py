#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (tests/fuzz/corpus/<target>/):
real values in the shapes logbase and the original app write them, and a
few near misses. Run again after changing a seed here; the fuzzers' own
finds stay in build-fuzz/corpus/, out of the repository, except the inputs
of bugs they found: corpus/<target>/regression_*, kept as they were found."""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def key(n):
    """An 8-byte big-endian long, as Kafka's LongSerializer writes it."""
    return struct.pack(">q", n)


def record(value, k=b"", tombstone=False, *fields):
    """fuzz_input.hpp's record: flags, the key field, other fields, value."""
    out = bytes([1 if tombstone else 0]) + bytes([len(k)]) + k
    for f in fields:
        out += bytes([len(f)]) + f
    return out + value


def event(value, k, tombstone=False, mark=b""):
    """event_record's input: a record with the `idempotency` header field."""
    return record(value, k, tombstone, mark)


def changelog(*records):
    """stats_changelog's input: records, each flags, key field, value field."""
    out = b""
    for k, v, flags in records:
        out += bytes([flags, len(k)]) + k + bytes([len(v)]) + v
    return out


def count_key(account, day, type_):
    return key(account) + struct.pack(">I", day & 0xFFFFFFFF) + type_


MARK = b"1 00000000deadbeef 0 2 1714557600123 retry-42"

SEEDS = {
    "account_body": {
        "name": b'{"name":"Ada Lovelace"}',
        "unicode_escape": b'{"name":"caf\\u00e9 \\ud83d\\ude00"}',
        "spaces": b' \r\n{ "name" : "x" }\n',
        "unknown_field": b'{"name":"a","nick":"b"}',
        "twice": b'{"name":"a","name":"b"}',
        "not_string": b'{"name":42}',
        "array": b'[{"name":"a"}]',
        "truncated": b'{"name":"a',
        "control": b'{"name":"a\\u0001b"}',
        "empty": b'{"name":""}',
    },
    "events_body": {
        "one": b'{"type":"login"}',
        "instant": b'{"type":"login","happenedAt":"2024-05-01T10:00:00Z"}',
        "offset_fraction":
            b'{"happenedAt":"2024-05-01T12:00:00.123456789+02:00","type":"a.b:c-d_e"}',
        "epoch_seconds": b'{"type":"x","happenedAt":1714557600.5}',
        "exponent": b'{"type":"x","happenedAt":1.7145576E9}',
        "null_time": b'{"type":"x","happenedAt":null}',
        "batch": b'[{"type":"a"},{"type":"b","happenedAt":"2024-05-01T10:00:00Z"}]',
        "empty_batch": b"[]",
        "bad_type": b'{"type":"no spaces"}',
        "bad_time": b'{"type":"a","happenedAt":"2024-02-30T00:00:00Z"}',
        "trailing": b'{"type":"a"} x',
        "scalar": b'"login"',
    },
    "query_params": {
        "accounts": b"limit=10&after=5",
        "events": b"from=2024-05-01T00:00:00Z&to=2024-05-02T00:00:00.5%2B02:00&type=login&limit=100",
        "stream": b"from=2024-05-01T10:00:00Z&type=a&access_token=t\nLast-Event-ID: 42",
        "stats": b"from=2024-05-01&to=2024-05-31&type=login",
        "if_match": b"\nIf-Match: \"3\"",
        "if_match_star": b"\nIf-Match: *",
        "if_match_bad": b"\nIf-Match: W/\"3\"",
        "idempotency": b"\nIdempotency-Key: order-17\nIf-Match: 2",
        "idempotency_twice": b"\nIdempotency-Key: a\nIdempotency-Key: b",
        "unknown": b"limit=1&sort=asc",
        "encoded": b"type=%6Cogin&limit=%2B5",
    },
    "account_record": {
        "own": record(b'{"id":1,"name":"x","version":2,"eventsSince":0}', key(1)),
        "original": record(b'{"id":7,"name":"Ada"}', key(7)),
        "other_fields": record(b'{"name":"b","id":3,"createdBy":"kcat"}', key(3)),
        "key_disagrees": record(b'{"id":2,"name":"x"}', key(1)),
        "tombstone": record(b"", key(1), True),
        "short_key": record(b'{"id":1,"name":"x"}', b"1234567"),
        "string_key": record(b'{"id":1,"name":"x"}', b"1"),
        "version_zero": record(b'{"id":1,"name":"x","version":0}', key(1)),
        "escaped_name": record(b'{"id":9,"name":"a\\"b\\\\c\\u0007"}', key(9)),
    },
    "event_record": {
        "own": event(b'{"happenedAt":1714557600.123456789,"accountId":1,"type":"login"}', key(1)),
        "own_whole": event(b'{"happenedAt":1714557600.000000000,"accountId":2,"type":"x"}', key(2)),
        "original": event(b'{"happenedAt":1714557600.5,"accountId":1,"type":"login"}', key(1)),
        "iso": event(b'{"accountId":1,"type":"login","happenedAt":"2024-05-01T10:00:00Z"}', key(1)),
        "before_1970": event(b'{"happenedAt":-86400.25,"accountId":3,"type":"old"}', key(3)),
        "keyed_post": event(b'{"happenedAt":1714557600.1,"accountId":1,"type":"a"}', key(1), mark=MARK),
        "bad_mark": event(b'{"happenedAt":1714557600.1,"accountId":1,"type":"a"}', key(1),
                          mark=b"1 00000000deadbeef 2 2 1 k"),
        "tombstone": event(b"", key(1), tombstone=True),
        "no_time": event(b'{"accountId":1,"type":"login"}', key(1)),
        "exponent": event(b'{"happenedAt":1.7145576E9,"accountId":1,"type":"t"}', key(1)),
    },
    "stats_changelog": {
        "count": changelog((count_key(1, 19844, b"login"),
                            b'{"accountId":1,"day":"2024-05-01","type":"login","count":3,"eventsSince":0}', 0)),
        "checkpoint": changelog((b"__checkpoint", b'{"eventsOffset":1234}', 2)),
        "count_then_tombstone": changelog(
            (count_key(5, 19844, b"a"), b'{"count":1,"eventsSince":4}', 0),
            (count_key(5, 19845, b"b"), b'{"count":2,"eventsSince":4}', 0),
            (count_key(5, 19844, b"a"), b"", 1)),
        "before_1970": changelog((count_key(2, -3, b"x"), b'{"count":1}', 0)),
        "short_key": changelog((key(1) + b"\0\0", b'{"count":1}', 0)),
        "no_count": changelog((count_key(1, 1, b"x"), b'{"eventsSince":0}', 0)),
    },
    "id_blocks": {
        "first": bytes([8]) + key(0),
        "several": b"".join(bytes([8]) + key(n) for n in (0, 1, 1, 2)),
        "out_of_order": b"".join(bytes([8]) + key(n) for n in (5, 3, 4)),
        "negative": bytes([8]) + key(-1),
        "short_key": bytes([3]) + b"abc",
    },
    "member_record": {
        "member": record(b'{"node":"a","address":"10.0.0.2:4000","partitions":[0,2],"epoch":3}', b"a"),
        "no_address": record(b'{"node":"b","address":"","partitions":[],"epoch":0}', b"b"),
        "ipv6": record(b'{"node":"c","address":"[::1]:4000","partitions":[1],"epoch":1}', b"c"),
        "names_no_node": record(b'{"address":"h:1","partitions":[0],"epoch":1}', b"d"),
        "key_disagrees": record(b'{"node":"e","address":"","partitions":[0],"epoch":1}', b"f"),
        "tombstone": record(b"", b"a", True),
        "bad_partition": record(b'{"node":"a","address":"","partitions":[-1],"epoch":1}', b"a"),
    },
    "time_text": {
        "instant": b"2024-05-01T10:00:00Z",
        "fraction": b"2024-05-01T10:00:00.123456789Z",
        "offset": b"2024-05-01T10:00:00-05:30",
        "lower_case": b"2024-05-01t10:00:00.5z",
        "earliest": b"1677-09-21T00:12:44Z",
        "latest": b"2262-04-11T23:47:16.854775807Z",
        "leap_day": b"2024-02-29T00:00:00Z",
        "not_leap": b"2023-02-29T00:00:00Z",
        "epoch": b"1714557600.123456789",
        "epoch_negative": b"-1.5",
        "epoch_exponent": b"1.7145576E9",
        "day": b"2024-05-01",
    },
    "config_lines": {
        "file": b"# logbase\nhttp-port = 8081\nbootstrap-servers = 127.0.0.1:9092\n"
                b"events-partitions=4\n; comment\nkafka.linger.ms = 5\n",
        "node": b"node-name = a\nnode-address = 127.0.0.1:4000\nstandby-replicas = 1\n",
        "flags": b"--http-port=8080\n--allow-open\n--log-level=warn\n",
        "bad_number": b"http-port = 70000\n",
        "no_equals": b"http-port 8080\n",
        "tokens": b"# tokens\n" + b"ab" * 32 + b" admin ops laptop\n" + b"0f" * 32 + b" read\n",
        "cors": b"https://a.example, https://b.example:8443,*",
        "cors_path": b"https://a.example/app",
    },
    # request_head: the piece-size byte, then the bytes a socket hands over.
    "request_head": {
        "get": b"\x07GET /accounts/1 HTTP/1.1\r\nHost: x\r\n\r\n",
        "post": b"\x01POST /accounts/1/events HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 16\r\n"
                b"Idempotency-Key: k\r\n\r\n{\"type\":\"login\"}",
        "bare_lf": b"\x20GET / HTTP/1.1\nHost: x\n\n",
        "no_headers": b"\x03GET / HTTP/1.1\r\n\r\n",
    },
}


def main():
    for target, seeds in SEEDS.items():
        folder = os.path.join(HERE, "corpus", target)
        os.makedirs(folder, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
    print(f"wrote {sum(map(len, SEEDS.values()))} seeds for {len(SEEDS)} targets",
          file=sys.stderr)


if __name__ == "__main__":
    main()

"""HttpClient.stream: a body read in chunks, never whole, with the client's retries, timeouts, cap and errors."""

import gzip

import pytest

from assets.errors import SourceError
from assets.http import HttpClient, HttpSettings, iter_lines

PATH = "/stream/big.csv"
BODY = b"".join(b"line %06d,%s\n" % (i, b"x" * 40) for i in range(60_000))  # ~3 MB, many chunks


def client(**overrides) -> HttpClient:
    settings = {
        "retries": 1,
        "backoff_s": 0.01,
        "max_wait_s": 0.05,
        "read_timeout_s": 0.5,
        "connect_timeout_s": 1.0,
        **overrides,
    }
    return HttpClient("teststream", HttpSettings(**settings))


def test_the_body_arrives_in_bounded_chunks_and_splits_into_lines(server):
    server.behave(PATH, body=BODY, times=2)
    with client().stream(server.url + PATH, chunk_size=64 * 1024) as chunks:
        sizes = [len(chunk) for chunk in chunks]
    assert len(sizes) > 10 and max(sizes) <= 64 * 1024 and sum(sizes) == len(BODY)
    with client().stream(server.url + PATH, chunk_size=64 * 1024) as chunks:
        lines = list(iter_lines(chunks))
    assert len(lines) == 60_000 and lines[0] == b"line 000000," + b"x" * 40 and lines[-1].startswith(b"line 059999,")


def test_iter_lines_joins_lines_split_across_chunks_and_drops_crlf():
    chunks = [b"a,1\r\nb,", b"2\r", b"\nc,3", b""]
    assert list(iter_lines(chunks)) == [b"a,1", b"b,2", b"c,3"]
    assert list(iter_lines([b"only\n"])) == [b"only"]


def test_a_transient_status_is_retried_before_the_body_streams(server):
    server.behave(PATH, status=503, times=1)
    server.behave(PATH, body=b"ok\n", times=1)
    with client().stream(server.url + PATH) as chunks:
        assert b"".join(chunks) == b"ok\n"
    assert server.hits(PATH) == 2


@pytest.mark.parametrize(
    "behaviour, overrides, message",
    [
        ({"status": 500}, {}, r"teststream: GET http://127\.0\.0\.1:\d+/stream/big\.csv: HTTP 500 .*after 2 attempts"),
        ({"status": 404}, {}, r"teststream: GET .*big\.csv: HTTP 404"),
        ({"delay_s": 1.0, "body": b"late"}, {}, r"teststream: GET .*big\.csv: timed out"),
        ({"body": BODY, "truncate_to": 200_000}, {}, r"teststream: GET .*big\.csv: (body truncated|connection broke)"),
        (
            {"body": BODY},
            {"max_bytes": 1_000_000},
            r"teststream: GET .*big\.csv: response of \d+ bytes exceeds the 1000000-byte cap",
        ),
    ],
    ids=["http-500", "http-404", "timeout", "truncated", "declared-too-big"],
)
def test_failures_name_the_source_and_the_url(server, behaviour, overrides, message):
    server.behave(PATH, **behaviour)
    with pytest.raises(SourceError, match=message), client(**overrides).stream(server.url + PATH) as chunks:
        for _ in chunks:
            pass


def test_a_compressed_body_is_capped_on_its_inflated_size_while_it_streams(server):
    # Content-Length counts the gzip bytes (small); the cap must still stop the inflated body mid-stream
    server.behave(PATH, body=gzip.compress(BODY), headers={"Content-Encoding": "gzip"})
    read = 0
    with pytest.raises(SourceError, match=r"teststream: GET .*: response exceeds the 500000-byte cap"):
        with client().stream(server.url + PATH, max_bytes=500_000, chunk_size=64 * 1024) as chunks:
            for chunk in chunks:
                read += len(chunk)
    assert 0 < read <= 500_000


def test_a_compressed_body_is_not_mistaken_for_a_truncated_one(server):
    server.behave(PATH, body=gzip.compress(BODY), headers={"Content-Encoding": "gzip"})
    with client().stream(server.url + PATH) as chunks:
        assert b"".join(chunks) == BODY


def test_request_still_reads_whole_bodies_with_the_same_checks(server):
    server.behave(PATH, body=b"small body", times=1)
    assert client().get(server.url + PATH).content == b"small body"
    server.behave(PATH, body=BODY, truncate_to=1000)
    with pytest.raises(SourceError, match="body truncated|connection broke"):
        client().get(server.url + PATH)

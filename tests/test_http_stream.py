"""HttpClient.stream: a body read in chunks, never whole, with the client's retries, timeouts, cap and errors."""

import gzip
import random
import time

import pytest

from assets.errors import SourceError
from assets.http import HttpClient, HttpSettings, LineTooLong, check_line_lengths

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
        assert b"".join(chunks) == BODY


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


def _naive_first_long_line(body: bytes, limit: int) -> int | None:
    offset = 0
    for line in body.split(b"\n"):
        if len(line) > limit:
            return offset
        offset += len(line) + 1
    return None


def _cut(body: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *cuts, len(body)]
    return [body[a:b] for a, b in zip(bounds, bounds[1:])]


def test_check_line_lengths_finds_the_first_over_long_line_wherever_the_chunks_cut():
    rng = random.Random(7)
    for _ in range(3000):
        body = bytes(rng.choice(b"ab\n") for _ in range(rng.randint(0, 50)))
        limit = rng.randint(0, 6)
        chunks = _cut(body, sorted(rng.sample(range(len(body) + 1), min(len(body) + 1, rng.randint(0, 5)))))
        expected = _naive_first_long_line(body, limit)
        try:
            passed = b"".join(check_line_lengths(chunks, limit))
        except LineTooLong as exc:
            assert (exc.offset, exc.limit) == (expected, limit), (chunks, limit)
        else:
            assert expected is None and passed == body, (chunks, limit)


def test_a_line_of_10_mb_with_a_1_mb_limit_raises_at_once():
    chunks = (b"x" * (64 * 1024) for _ in range(160))  # 10 MB, no newline
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"a line longer than 1048576 bytes, starting at byte offset 0") as caught:
        for _ in check_line_lengths(chunks, 1024**2):
            pass
    assert time.perf_counter() - start < 1
    assert isinstance(caught.value, LineTooLong) and caught.value.offset == 0


def test_a_streamed_body_with_an_over_long_line_fails_while_it_streams(server):
    body = BODY[:100_000] + b"z" * 2_000_000 + b"\n" + BODY[:100_000]
    at = BODY[:100_000].rfind(b"\n") + 1
    server.behave(PATH, body=body)
    with pytest.raises(LineTooLong, match=rf"starting at byte offset {at}$"):
        with client().stream(server.url + PATH, chunk_size=64 * 1024) as chunks:
            for _ in check_line_lengths(chunks, 1024**2):
                pass

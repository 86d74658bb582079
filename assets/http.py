"""The one HTTP client every source uses: timeouts, bounded retries with backoff, a size cap.

Retries cover what is worth retrying (connection errors, timeouts, 429 and 5xx),
honour Retry-After up to a cap, and end in a SourceError that names the source,
the URL and what went wrong.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests

from assets.errors import SourceError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "gpucost/0.1 (+https://github.com/gpucost; GPU price and energy cost research)"


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    retries: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 30.0
    max_bytes: int = 256 * 1024 * 1024
    user_agent: str = USER_AGENT


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class HttpClient:
    """A requests session bound to one source, so every error names that source."""

    def __init__(self, source: str, settings: HttpSettings | None = None):
        self.source = source
        self.settings = settings or HttpSettings()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent

    def get(self, url: str, *, params=None, headers=None, retry_statuses=RETRY_STATUSES) -> requests.Response:
        return self.request("GET", url, params=params, headers=headers, retry_statuses=retry_statuses)

    def post_json(self, url: str, payload, *, headers=None, retry_statuses=RETRY_STATUSES) -> requests.Response:
        return self.request("POST", url, json=payload, headers=headers, retry_statuses=retry_statuses)

    def request(self, method: str, url: str, *, retry_statuses=RETRY_STATUSES, **kwargs) -> requests.Response:
        """Send a request; return the response with its body read (and size-checked), or raise SourceError."""
        response = self._send(method, url, retry_statuses=retry_statuses, **kwargs)
        self._read_capped(method, url, response)
        return response

    @contextmanager
    def stream(
        self,
        url: str,
        *,
        params=None,
        headers=None,
        retry_statuses=RETRY_STATUSES,
        max_bytes: int | None = None,
        chunk_size: int = 1 << 20,
    ) -> Iterator[Iterator[bytes]]:
        """GET a body too large to hold: yield an iterator of its chunks, never the whole body.

        Connecting, status handling and retries are those of `request`; while the body
        streams, the size cap (`max_bytes`, default the client's), a broken connection,
        a read timeout and a truncated body all raise SourceError naming the source.
        A failure mid-body is not retried: the caller has already consumed part of it.
        """
        response = self._send("GET", url, retry_statuses=retry_statuses, params=params, headers=headers)
        try:
            yield self._chunks("GET", url, response, max_bytes or self.settings.max_bytes, chunk_size)
        finally:
            response.close()

    def _send(self, method: str, url: str, *, retry_statuses=RETRY_STATUSES, **kwargs) -> requests.Response:
        """Connect and get a success status (retrying what is worth retrying); the body is left unread."""
        s = self.settings
        attempts = s.retries + 1
        for attempt in range(1, attempts + 1):
            wait = s.backoff_s * 2 ** (attempt - 1)
            try:
                response = self.session.request(
                    method, url, timeout=(s.connect_timeout_s, s.read_timeout_s), stream=True, **kwargs
                )
            except requests.Timeout as exc:
                problem = f"{method} {url}: timed out ({exc.__class__.__name__})"
            except requests.ConnectionError as exc:
                if "NameResolutionError" in str(exc) or "Name or service not known" in str(exc):
                    # no DNS answer: retrying in a few seconds rarely helps, and offline it only delays the fallback
                    raise SourceError(
                        self.source, f"{method} {url}: could not resolve the host name (no network?)"
                    ) from exc
                problem = f"{method} {url}: could not connect ({exc.__class__.__name__})"
            else:
                if response.status_code < 400:
                    return response
                problem = f"{method} {url}: HTTP {response.status_code} {response.reason}"
                status = response.status_code
                response.close()
                if status not in retry_statuses:
                    raise SourceError(self.source, problem, status=status)
                wait = _retry_after(response) or wait
                if attempt == attempts:
                    raise SourceError(self.source, f"{problem} (after {attempts} attempts)", status=status)
            if attempt == attempts:
                raise SourceError(self.source, f"{problem} (after {attempts} attempts)")
            time.sleep(min(wait, s.max_wait_s))
        raise AssertionError("unreachable")

    def _chunks(
        self, method: str, url: str, response: requests.Response, limit: int, chunk_size: int
    ) -> Iterator[bytes]:
        """The body in chunks, size-capped; every way a body can go wrong becomes a SourceError."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise SourceError(self.source, f"{method} {url}: response of {declared} bytes exceeds the {limit}-byte cap")
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=chunk_size):
                size += len(chunk)
                if size > limit:
                    raise SourceError(self.source, f"{method} {url}: response exceeds the {limit}-byte cap")
                yield chunk
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise SourceError(
                self.source, f"{method} {url}: connection broke while reading the body ({exc.__class__.__name__})"
            ) from exc
        # Content-Length counts the bytes on the wire: comparable only when the body is not compressed.
        if declared and declared.isdigit() and not response.headers.get("Content-Encoding") and int(declared) != size:
            raise SourceError(self.source, f"{method} {url}: body truncated ({size} of {declared} bytes)")

    def _read_capped(self, method: str, url: str, response: requests.Response) -> None:
        try:
            body = b"".join(self._chunks(method, url, response, self.settings.max_bytes, 1 << 16))
        finally:
            response.close()
        response._content = body


class LineTooLong(ValueError):
    """A line ran over the byte limit: the body is not the line-oriented text the caller expects."""

    def __init__(self, limit: int, offset: int):
        super().__init__(f"a line longer than {limit} bytes, starting at byte offset {offset}")
        self.limit = limit
        self.offset = offset


def check_line_lengths(chunks: Iterable[bytes], max_line_bytes: int) -> Iterator[bytes]:
    """Pass the chunks through unchanged; raise LineTooLong once a line's bytes before its \\n (a \\r counts) exceed
    the limit.

    Linear in the body and a few steps per chunk: from each line start, one rfind over the next
    `max_line_bytes + 1` bytes either jumps past every line ending there or proves the line too long.
    """
    limit = max_line_bytes
    run = 0  # bytes of the current line in the chunks already passed on
    offset = 0  # bytes in the chunks already passed on
    for chunk in chunks:
        size = len(chunk)
        first = chunk.find(b"\n", 0, limit - run + 1)
        if first == -1:
            if run + size > limit:
                raise LineTooLong(limit, offset - run)
            run += size
        else:
            start = first + 1
            while size - start > limit:
                last = chunk.rfind(b"\n", start, start + limit + 1)
                if last == -1:
                    raise LineTooLong(limit, offset + start)
                start = last + 1
            last = chunk.rfind(b"\n", start)
            run = size - (last + 1 if last != -1 else start)
        offset += size
        yield chunk


def iter_lines(chunks: Iterable[bytes], max_line_bytes: int | None = None) -> Iterator[bytes]:
    """Split streamed chunks into lines (without their line ending), holding one partial line at most.

    The partial line is kept as a list of pieces joined once, so a line spanning many chunks costs
    linear time. With `max_line_bytes`, a longer line raises LineTooLong (a ValueError) as soon as it
    is seen, instead of being held.
    """
    if max_line_bytes is not None:
        chunks = check_line_lengths(chunks, max_line_bytes)
    pending: list[bytes] = []
    for chunk in chunks:
        if b"\n" not in chunk:
            if chunk:
                pending.append(chunk)
            continue
        lines = chunk.split(b"\n")
        if pending:
            pending.append(lines[0])
            lines[0] = b"".join(pending)
            pending = []
        tail = lines.pop()
        if tail:
            pending.append(tail)
        for line in lines:
            yield line.removesuffix(b"\r")
    if pending:
        yield b"".join(pending).removesuffix(b"\r")

"""The one HTTP client every source uses: timeouts, bounded retries with backoff, a size cap, a deadline.

Retries cover what is worth retrying (connection errors, timeouts, 429 and 5xx),
honour Retry-After up to a cap, and end in a SourceError that names the source,
the URL and what went wrong. Redirects are followed only within the source's own
host (or hosts it lists), and a source's total deadline bounds every wait.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from assets.errors import SourceError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "gpucost/0.1 (+https://github.com/gpucost; GPU price and energy cost research)"


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    retries: int = 2
    backoff_s: float = 1.0
    max_wait_s: float = 30.0
    max_bytes: int = 256 * 1024 * 1024
    user_agent: str = USER_AGENT
    # the whole conversation with the source (every request, retry and body) ends by then, or fails
    deadline_s: float | None = None
    max_redirects: int = 5
    # hosts besides the request's own that a redirect may lead to (a CDN the source documents)
    redirect_hosts: frozenset[str] = frozenset()


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


def _shutdown(response: requests.Response) -> None:
    """Break a read blocked on this response's socket (closing alone does not wake a thread stuck in recv)."""
    connection = getattr(response.raw, "_connection", None) or getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    with suppress(Exception):
        response.close()


class HttpClient:
    """A requests session bound to one source, so every error names that source.

    With a deadline, a watchdog ends the conversation when it passes, whatever it is doing: a server
    that drips a byte every few seconds never trips a read timeout, but it does trip this.
    """

    def __init__(self, source: str, settings: HttpSettings | None = None):
        self.source = source
        self.settings = settings or HttpSettings()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent
        self.session.max_redirects = self.settings.max_redirects
        self._active: set[requests.Response] = set()
        self._lock = threading.Lock()
        self._expired = False
        self._started = time.monotonic()
        self._watchdog = None
        if self.settings.deadline_s is not None:
            self._watchdog = threading.Timer(self.settings.deadline_s, self.expire)
            self._watchdog.daemon = True
            self._watchdog.start()

    def expire(self) -> None:
        """The deadline passed: break every read under way; every later call fails at once."""
        with self._lock:
            self._expired = True
            active = list(self._active)
        for response in active:
            _shutdown(response)

    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        self.session.close()

    def _over_deadline(self, doing: str) -> SourceError:
        return SourceError(
            self.source,
            f"{doing}: gave up when the source's {self.settings.deadline_s:g} s deadline passed "
            f"({time.monotonic() - self._started:.0f} s in)",
        )

    def _check_deadline(self, doing: str) -> None:
        if self._expired:
            raise self._over_deadline(doing)

    def _remaining(self) -> float | None:
        if self.settings.deadline_s is None:
            return None
        return self.settings.deadline_s - (time.monotonic() - self._started)

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
        a read timeout, the deadline and a truncated body all raise SourceError naming the source.
        A failure mid-body is not retried: the caller has already consumed part of it.
        """
        response = self._send("GET", url, retry_statuses=retry_statuses, params=params, headers=headers)
        try:
            yield self._chunks("GET", url, response, max_bytes or self.settings.max_bytes, chunk_size)
        finally:
            self._release(response)

    def _release(self, response: requests.Response) -> None:
        with self._lock:
            self._active.discard(response)
        response.close()

    def _allowed_redirect(self, origin: str, target: str) -> bool:
        to = urlsplit(target)
        return to.scheme in ("http", "https") and (
            to.hostname == urlsplit(origin).hostname or to.hostname in self.settings.redirect_hosts
        )

    def _once(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request, redirects followed by hand: only within the source's host (or its allowed hosts)."""
        s = self.settings
        current = url
        for _ in range(s.max_redirects + 1):
            self._check_deadline(f"{method} {url}")
            remaining = self._remaining()
            read_timeout = s.read_timeout_s if remaining is None else max(0.1, min(s.read_timeout_s, remaining))
            response = self.session.request(
                method,
                current,
                timeout=(s.connect_timeout_s, read_timeout),
                stream=True,
                allow_redirects=False,
                **kwargs,
            )
            with self._lock:
                self._active.add(response)
            if response.status_code not in REDIRECT_STATUSES or "Location" not in response.headers:
                return response
            target = urljoin(current, response.headers["Location"])
            self._release(response)
            if not self._allowed_redirect(url, target):
                raise SourceError(
                    self.source,
                    f"{method} {url}: redirected to {target}, off the source's own host (only redirects within "
                    f"{urlsplit(url).hostname} are followed)",
                )
            current = target
            if response.status_code == 303:
                method, kwargs = "GET", {k: v for k, v in kwargs.items() if k not in ("json", "data")}
        raise SourceError(self.source, f"{method} {url}: more than {s.max_redirects} redirects")

    def _send(self, method: str, url: str, *, retry_statuses=RETRY_STATUSES, **kwargs) -> requests.Response:
        """Connect and get a success status (retrying what is worth retrying); the body is left unread.

        Every way a request can fail (timeouts, refused connections, bad URLs or schemes, decoding
        errors) ends in a SourceError that names the source and the URL.
        """
        s = self.settings
        attempts = s.retries + 1
        for attempt in range(1, attempts + 1):
            wait = s.backoff_s * 2 ** (attempt - 1)
            status = None
            try:
                response = self._once(method, url, **kwargs)
            except SourceError:
                raise
            except requests.Timeout as exc:
                problem = f"{method} {url}: timed out ({exc.__class__.__name__})"
            except requests.ConnectionError as exc:
                if self._expired:
                    raise self._over_deadline(f"{method} {url}") from exc
                if "NameResolutionError" in str(exc) or "Name or service not known" in str(exc):
                    # no DNS answer: retrying in a few seconds rarely helps, and offline it only delays the fallback
                    raise SourceError(
                        self.source, f"{method} {url}: could not resolve the host name (no network?)"
                    ) from exc
                problem = f"{method} {url}: could not connect ({exc.__class__.__name__})"
            except requests.RequestException as exc:  # bad URL or scheme, too many redirects, decoding errors
                raise SourceError(self.source, f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc
            else:
                if response.status_code < 400:
                    return response
                status = response.status_code
                problem = f"{method} {url}: HTTP {status} {response.reason}"
                self._release(response)
                if status not in retry_statuses:
                    raise SourceError(self.source, problem, status=status)
                wait = _retry_after(response) or wait
            if attempt == attempts:
                raise SourceError(self.source, f"{problem} (after {attempts} attempts)", status=status)
            remaining = self._remaining()
            pause = min(wait, s.max_wait_s)
            if remaining is not None and pause >= remaining:
                raise self._over_deadline(f"{problem}; a retry in {pause:g} s")
            time.sleep(pause)
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
                self._check_deadline(f"{method} {url}")
                size += len(chunk)
                if size > limit:
                    raise SourceError(self.source, f"{method} {url}: response exceeds the {limit}-byte cap")
                yield chunk
        except SourceError:
            raise
        except (requests.RequestException, OSError, ValueError) as exc:
            if self._expired:
                raise self._over_deadline(f"{method} {url}: still reading the body after {size} bytes") from exc
            raise SourceError(
                self.source, f"{method} {url}: connection broke while reading the body ({exc.__class__.__name__})"
            ) from exc
        self._check_deadline(f"{method} {url}")
        # Content-Length counts the bytes on the wire: comparable only when the body is not compressed.
        if declared and declared.isdigit() and not response.headers.get("Content-Encoding") and int(declared) != size:
            raise SourceError(self.source, f"{method} {url}: body truncated ({size} of {declared} bytes)")

    def _read_capped(self, method: str, url: str, response: requests.Response) -> None:
        try:
            body = b"".join(self._chunks(method, url, response, self.settings.max_bytes, 1 << 16))
        finally:
            self._release(response)
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

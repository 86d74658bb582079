"""The one HTTP client every source uses: timeouts, bounded retries with backoff, a size cap.

Retries cover what is worth retrying (connection errors, timeouts, 429 and 5xx),
honour Retry-After up to a cap, and end in a SourceError that names the source,
the URL and what went wrong.
"""

from __future__ import annotations

import time
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
                problem = f"{method} {url}: could not connect ({exc.__class__.__name__})"
            else:
                if response.status_code < 400:
                    self._read_capped(method, url, response)
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

    def _read_capped(self, method: str, url: str, response: requests.Response) -> None:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            response.close()
            raise SourceError(self.source, f"{method} {url}: response of {declared} bytes exceeds the {limit}-byte cap")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > limit:
                    raise SourceError(self.source, f"{method} {url}: response exceeds the {limit}-byte cap")
                chunks.append(chunk)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise SourceError(self.source, f"{method} {url}: connection broke while reading the body ({exc.__class__.__name__})") from exc
        finally:
            response.close()
        response._content = b"".join(chunks)
        if declared and declared.isdigit() and int(declared) != size:
            raise SourceError(self.source, f"{method} {url}: body truncated ({size} of {declared} bytes)")

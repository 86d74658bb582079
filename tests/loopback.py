"""A real HTTP server on 127.0.0.1 that serves recorded responses and can be told to misbehave.

Ingestion tests fetch through real sockets: timeouts, truncated bodies and wrong
statuses then fail the way they fail in production.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Behaviour:
    """How to answer one path: a status, a body, a delay, a truncation, extra headers; `times` = how often.

    `drip_s` sends the body one byte at a time, that many seconds apart (no read timeout ever trips);
    `hang` accepts the request and never answers (until the server is reset or stopped).
    """

    status: int = 200
    body: bytes | None = None
    delay_s: float = 0.0
    truncate_to: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    drip_s: float = 0.0
    hang: bool = False


@dataclass
class Seen:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]


class LoopbackServer:
    def __init__(self, root: Path = FIXTURES):
        self.root = root
        self.behaviours: dict[str, list[Behaviour]] = {}
        self.responders: dict[str, callable] = {}
        self.requests: list[Seen] = []
        self._release = threading.Event()  # set on reset/stop: hanging and dripping answers give up
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def handle(self):
                try:
                    super().handle()
                except (ConnectionResetError, BrokenPipeError):
                    pass  # a client hanging up mid-body (size cap, timeout) is the test, not a server error

            def do_GET(self):
                server._handle(self, b"")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                server._handle(self, self.rfile.read(length))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> LoopbackServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def behave(self, path: str, **kwargs) -> None:
        """Queue a behaviour for a path (checked before the recorded file is served)."""
        self.behaviours.setdefault(path, []).append(Behaviour(**kwargs))

    def respond(self, path: str, responder) -> None:
        """Answer a path with responder(Seen) -> (status, body, headers), e.g. per GraphQL query."""
        self.responders[path] = responder

    def reset(self) -> None:
        self._release.set()
        self._release = threading.Event()
        self.behaviours.clear()
        self.responders.clear()
        self.requests.clear()

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def _behaviour(self, path: str) -> Behaviour | None:
        queue = self.behaviours.get(path)
        if not queue:
            return None
        current = queue[0]
        if current.times is not None:
            current.times -= 1
            if current.times <= 0:
                queue.pop(0)
        return current

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        parts = urlsplit(handler.path)
        seen = Seen(handler.command, parts.path, parts.query, body, dict(handler.headers))
        self.requests.append(seen)
        behaviour = self._behaviour(parts.path) or Behaviour()
        release = self._release
        if behaviour.hang:
            release.wait(timeout=600)
            handler.close_connection = True
            return
        if behaviour.delay_s:
            time.sleep(behaviour.delay_s)
        headers = {"Content-Type": "application/octet-stream"}
        if behaviour.body is not None or behaviour.status != 200:
            status, payload = behaviour.status, behaviour.body or b""
        elif parts.path in self.responders:
            status, payload, extra = self.responders[parts.path](seen)
            headers.update(extra)
        else:
            file = (self.root / parts.path.lstrip("/")).resolve()
            if self.root.resolve() in file.parents and file.is_file():
                status, payload = 200, file.read_bytes()
            else:
                status, payload = 404, b"not found"
        headers.update(behaviour.headers)
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        sent = payload if behaviour.truncate_to is None else payload[: behaviour.truncate_to]
        try:
            if behaviour.drip_s:
                for i in range(len(sent)):
                    if release.wait(behaviour.drip_s):
                        break
                    handler.wfile.write(sent[i : i + 1])
                    handler.wfile.flush()
            else:
                handler.wfile.write(sent)
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        if behaviour.truncate_to is not None:
            handler.close_connection = True

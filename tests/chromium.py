"""Headless Chromium driven over the DevTools protocol on a pipe: load a page, hear its errors, ask what it drew.

`--remote-debugging-pipe` speaks CDP as NUL-terminated JSON on file descriptors 3 (to the browser) and 4 (from
it): no port, no websocket client. Errors are every uncaught exception (Runtime.exceptionThrown), every
console.error/console.assert (Runtime.consoleAPICalled) and every browser log entry at level error
(Log.entryAdded: a script or stylesheet that failed to load, a blocked request). Every request the page makes is
recorded, so a test can also say that nothing was fetched from outside the file.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing on the page may reach a network: no name resolves
    "--remote-debugging-pipe",
]


@dataclass
class Visit:
    """What one page load produced: its errors and the URLs it requested."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class DevTools:
    """One headless Chromium process and one page in it; use as a context manager."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 1600, timeout_s: float = 60.0):
        self.profile, self.width, self.height, self.timeout_s = profile, width, height, timeout_s
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []
        self.session: str | None = None
        self.visit = Visit()

    def __enter__(self) -> DevTools:
        if CHROMIUM is None:
            raise RuntimeError("chromium is not installed (apt-get install chromium)")
        # pipe ends above the standard descriptors, so the child's dup2 onto 3 and 4 cannot clobber one another
        to_browser_r, to_browser_w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in os.pipe())
        from_browser_r, from_browser_w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in os.pipe())
        self.log = open(self.profile.parent / f"{self.profile.name}.log", "wb")
        devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        actions = [
            (os.POSIX_SPAWN_DUP2, devnull, 0),
            (os.POSIX_SPAWN_DUP2, self.log.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, self.log.fileno(), 2),
            (os.POSIX_SPAWN_DUP2, to_browser_r, 3),
            (os.POSIX_SPAWN_DUP2, from_browser_w, 4),
        ]
        argv = [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={self.width},{self.height}"]
        self.pid = os.posix_spawn(CHROMIUM, [*argv, "about:blank"], os.environ, file_actions=actions, setsid=True)
        for fd in (to_browser_r, from_browser_w, devnull):
            os.close(fd)
        self._write, self._read = to_browser_w, from_browser_r
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.session = None
            self.call("Browser.close", timeout_s=10)
        except Exception:
            pass  # a browser that already died needs no closing: the kill below makes sure
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            time.sleep(0.1)
        try:
            os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass  # it has exited and been reaped
        for fd in (self._write, self._read):
            os.close(fd)
        self.log.close()

    # -- the protocol --------------------------------------------------------------------------------------------
    def _send(self, method: str, params: dict | None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise ConnectionError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._record(message)
        return message

    def call(self, method: str, params: dict | None = None, timeout_s: float | None = None) -> dict:
        """Send a command and wait for its answer, recording the events that arrive meanwhile."""
        wanted = self._send(method, params)
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, event: str, timeout_s: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while True:
            for seen in self._events:
                if seen["method"] == event:
                    self._events.remove(seen)
                    return seen
            self._receive(deadline)

    def _record(self, message: dict) -> None:
        method, params = message["method"], message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.visit.errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            self.visit.errors.append(f"console.{params['type']}: {' '.join(texts)}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.visit.errors.append(f"{params['entry']['source']}: {params['entry']['text']}")
        elif method == "Network.requestWillBeSent":
            self.visit.requests.append(params["request"]["url"])
        self._events.append(message)

    # -- what a test asks ----------------------------------------------------------------------------------------
    def load(self, url: str, settle_ms: int = 500) -> Visit:
        """Navigate, wait for the load event and `settle_ms` more (charts draw after load), return what happened."""
        self.visit = Visit()
        self._events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        self.evaluate(f"new Promise(done => requestAnimationFrame(() => setTimeout(done, {settle_ms})))")
        return self.visit

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (awaited when it is a promise)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            width, height = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params |= {
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            }
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", params)["data"]))
        return path

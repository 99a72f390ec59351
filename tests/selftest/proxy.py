"""A misbehaving network between the suite and the reference server: a small reverse proxy on 127.0.0.1.

`FaultyProxy(upstream).start()` listens on a free port and forwards every request to `upstream`, except the
requests a rule picks (`proxy.inject(Fault(...), match=..., count=...)`), which the *environment* answers:

    delay          the answer comes `seconds` late (past the harness's request timeout)
    reset          headers and half the body, then a TCP reset
    truncate       headers and half the body, then the connection closes (the body shorter than its length)
    gateway        a gateway's own 502/503/504 page (status `status`), not the API's error envelope
    html-200       an HTML page with status 200 (a captive portal, a login wall)
    wrong-type     status 200, `text/plain`, a body that is not the API's JSON (a load balancer's "OK")
    rate-limited   429 API_RATE_LIMIT_EXCEEDED with Retry-After: 1 (someone else spending the key)
    down           the connection drops unanswered and the listening socket closes for `seconds` (connections
                   refused), then opens again on the same port: a target that goes away mid-run and comes back

The proxy runs in a thread of the test process; the compliance run (a subprocess) targets it through a profile
whose base_url is the proxy's (`profile_via`). It speaks just enough HTTP/1.1 for httpx: one request per
connection (`Connection: close`), bodies by Content-Length.
"""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"})
GATEWAY_PAGE = b"<html><head><title>{status} Bad Gateway</title></head><body><h1>{status}</h1><hr>nginx</body></html>"
HTML_PAGE = b"<!doctype html><html><body><h1>Please sign in to the corporate network</h1></body></html>"
RATE_LIMITED = b'{"error":{"code":"API_RATE_LIMIT_EXCEEDED","message":"Too many requests"}}'


@dataclass(frozen=True)
class Fault:
    kind: str
    seconds: float = 0.0
    status: int = 502


@dataclass
class Rule:
    fault: Fault
    method: str | None  # None: any
    path: re.Pattern[str]
    remaining: int | None  # None: every matching request
    hits: int = 0


@dataclass
class FaultyProxy:
    upstream: str
    host: str = "127.0.0.1"
    port: int = 0
    rules: list[Rule] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # "METHOD path -> fault" for every injected answer
    _loop: asyncio.AbstractEventLoop | None = None
    _server: asyncio.Server | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _back: asyncio.Future[None] | None = None

    # -- control (from the test's thread) --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def inject(self, fault: Fault, *, match: str = ".*", method: str | None = None, count: int | None = None,
               ) -> Rule:
        rule = Rule(fault, method, re.compile(match), count)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def go_down(self, seconds: float) -> None:
        """Stop listening for `seconds` (new connections are refused), then listen again on the same port."""
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._outage(seconds), self._loop).result(timeout=5)

    def start(self) -> FaultyProxy:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="faulty-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving (in the proxy's thread) ---------------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=60)
        self._loop.run_until_complete(self._listen())
        ready.set()
        self._loop.run_forever()

    async def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock)

    async def _outage(self, seconds: float) -> None:
        assert self._server is not None
        self._server.close()  # the listening socket only: connections in progress finish
        self.seen.append(f"down for {seconds:g} s")

        async def back() -> None:
            await asyncio.sleep(seconds)
            await self._listen()

        self._back = asyncio.ensure_future(back())

    def _pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self.rules:
                if rule.remaining == 0 or (rule.method and rule.method != method) or not rule.path.search(path):
                    continue
                rule.hits += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                self.seen.append(f"{method} {path} -> {rule.fault.kind}")
                return rule.fault
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = [tuple(line.split(":", 1)) for line in lines[1:] if ":" in line]
            length = next((int(v) for k, v in headers if k.strip().lower() == "content-length"), 0)
            body = await reader.readexactly(length) if length else b""
            fault = self._pick(method, target.split("?", 1)[0])
            await self._answer(writer, fault, method, target, [(k.strip(), v.strip()) for k, v in headers], body)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            if not writer.is_closing():
                writer.close()

    async def _answer(self, writer: asyncio.StreamWriter, fault: Fault | None, method: str, target: str,
                      headers: list[tuple[str, str]], body: bytes) -> None:
        if fault is not None and fault.kind == "down":
            await self._outage(fault.seconds)
            writer.transport.abort()
            return None
        if fault is not None and fault.kind == "gateway":
            page = GATEWAY_PAGE.replace(b"{status}", str(fault.status).encode())
            return await _write(writer, fault.status, [("content-type", "text/html")], page)
        if fault is not None and fault.kind == "html-200":
            return await _write(writer, 200, [("content-type", "text/html; charset=utf-8")], HTML_PAGE)
        if fault is not None and fault.kind == "wrong-type":
            return await _write(writer, 200, [("content-type", "text/plain")], b"OK")
        if fault is not None and fault.kind == "rate-limited":
            return await _write(writer, 429, [("content-type", "application/json"), ("retry-after", "1")],
                                RATE_LIMITED)
        forwarded = [(k, v) for k, v in headers if k.lower() not in HOP_HEADERS and k.lower() != "host"]
        upstream = await self._client.request(method, target, headers=forwarded, content=body)
        answer_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS]
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        if fault is not None and fault.kind in ("reset", "truncate"):
            await _write_head(writer, upstream.status_code, answer_headers, len(upstream.content))
            writer.write(upstream.content[: len(upstream.content) // 2])
            await writer.drain()
            if fault.kind == "reset":
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
            writer.close()
            return None
        await _write(writer, upstream.status_code, answer_headers, upstream.content)
        return None


async def _write_head(writer: asyncio.StreamWriter, status: int, headers: list[tuple[str, str]], length: int
                      ) -> None:
    lines = [f"HTTP/1.1 {status} X", *(f"{k}: {v}" for k, v in headers), f"content-length: {length}",
             "connection: close", "", ""]
    writer.write("\r\n".join(lines).encode("latin-1"))
    await writer.drain()


async def _write(writer: asyncio.StreamWriter, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    await _write_head(writer, status, headers, len(body))
    writer.write(body)
    await writer.drain()


def profile_via(profile: Path, proxy: FaultyProxy, out: Path, **safety: object) -> Path:
    """A copy of `profile` whose base_url is the proxy's, with extra `[safety]` values (e.g. request_timeout)."""
    text = re.sub(r'^base_url = ".*"$', f'base_url = "{proxy.base_url}"', profile.read_text(encoding="utf-8"),
                  count=1, flags=re.M)
    extra = "".join(f"{key} = {_toml(value)}\n" for key, value in safety.items())
    if extra:
        text = text.replace("[safety]\n", "[safety]\n" + extra, 1) if "[safety]\n" in text else \
            text + "\n[safety]\n" + extra
    out.write_text(text, encoding="utf-8")
    return out


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, int | float) else f'"{value}"'

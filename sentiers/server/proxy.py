"""The sticky reverse proxy in front of the workshop's Streamlit workers.

A Streamlit session lives in one process: its websocket, its uploads (``/_stcore/upload_file``), its media
and downloads (``/media``) and its agent-API calls must all reach the worker that holds it. The proxy
gives each new visitor a worker (the one with the fewest visitors given so far, round robin on ties) and a
cookie naming it (``sentiers_worker``); every later request, HTTP or websocket, carrying that cookie goes
to that worker. A visitor whose worker is down is given another one (its Streamlit session is lost, the
page reconnects to a new one, as after a server restart).

Requests and answers are streamed both ways, bodies are never held whole. The websocket's origin is
checked here (same host, as Streamlit checks it) because the worker sees the proxy, not the browser; the
XSRF token Streamlit carries in the subprotocol and its cookie are passed through and checked by the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx
import websockets
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger(__name__)

COOKIE = "sentiers_worker"
DOWN_SECONDS = 5.0
HEALTH_PATH = "/_sentiers/health"  # every worker's health, answered by the proxy
# hop-by-hop headers (RFC 9110 §7.6.1) and those the proxy sets itself
_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
}
_SET_HERE = {"date", "server"}  # the proxy's server writes its own
_WS_FORWARDED = {"cookie", "user-agent", "accept-language"}
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass
class Workers:
    """The workers' base URLs and which of them answer; who was given which (counts only)."""

    urls: Sequence[str]
    down: dict[int, float] = field(default_factory=dict)  # worker -> when it failed to answer
    given: list[int] = field(init=False)  # visitors given to each worker

    def __post_init__(self) -> None:
        if not self.urls:
            raise ValueError("no worker")
        self.given = [0] * len(self.urls)

    def is_down(self, index: int) -> bool:
        """Failed to answer in the last DOWN_SECONDS (the supervisor restarts a worker in a few seconds)."""
        failed = self.down.get(index)
        return failed is not None and time.monotonic() - failed < DOWN_SECONDS

    def choose(self, cookie: str | None) -> tuple[int, bool]:
        """The worker for a request carrying ``cookie``, and whether the visitor is given it now (the answer
        then sets the cookie): the cookie's worker when it is a worker that answers, else the one given to
        the fewest visitors so far."""
        if cookie is not None and cookie.isdigit():
            index = int(cookie)
            if index < len(self.urls) and not self.is_down(index):
                return index, False
        alive = [i for i in range(len(self.urls)) if not self.is_down(i)] or list(range(len(self.urls)))
        index = min(alive, key=lambda i: self.given[i])  # ties: the first, so new visitors go round
        self.given[index] += 1
        return index, True


def _cookie_header(index: int) -> tuple[bytes, bytes]:
    return b"set-cookie", f"{COOKIE}={index}; Path=/; HttpOnly; SameSite=Lax".encode("latin-1")


def _raw_target(scope) -> str:
    """The path and query as the client sent them (percent-encoding kept: « %2F » stays one segment)."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string") or b""
    return raw.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")


def same_origin(origin: str | None, host: str | None) -> bool:
    """Streamlit's websocket rule: no Origin (not a browser) or an Origin naming the Host asked for."""
    return origin is None or urlparse(origin).netloc == (host or "")


def create_app(urls: Sequence[str], timeout: float = 600.0) -> Starlette:
    """The proxy's ASGI app over the workers at ``urls`` (``http://127.0.0.1:PORT``)."""
    workers = Workers(list(urls))
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=10.0),
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        follow_redirects=False,
    )

    async def http_proxy(request: Request) -> Response:
        index, given = workers.choose(request.cookies.get(COOKIE))
        url = workers.urls[index] + _raw_target(request.scope)
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP]
        if request.client:
            headers.append(("x-forwarded-for", request.client.host))
        headers.append(("x-forwarded-host", request.headers.get("host", "")))
        body = request.stream() if request.method not in ("GET", "HEAD") else None
        upstream_request = client.build_request(request.method, url, headers=headers, content=body)
        try:
            upstream = await client.send(upstream_request, stream=True)
        except httpx.TransportError as exc:
            workers.down[index] = time.monotonic()
            log.warning("worker %s unreachable (%s): marked down", workers.urls[index], exc)
            return PlainTextResponse(
                "Sentiers redémarre un de ses processus : rechargez la page dans un instant.", status_code=503
            )
        workers.down.pop(index, None)
        response = StreamingResponse(
            upstream.aiter_raw(), status_code=upstream.status_code, background=BackgroundTask(upstream.aclose)
        )
        response.raw_headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in upstream.headers.multi_items()
            if k.lower() not in _HOP and k.lower() not in _SET_HERE
        ]
        if given:
            response.raw_headers.append(_cookie_header(index))
        return response

    async def health(_request: Request) -> Response:
        """200 when every worker answers its own health check (for a load balancer or a test)."""

        async def one(url: str) -> bool:
            try:
                answer = await client.get(url + "/_stcore/health", timeout=5.0)
            except httpx.TransportError:
                return False
            return answer.status_code == 200

        answers = await asyncio.gather(*(one(u) for u in workers.urls))
        text = " ".join("ok" if a else "absent" for a in answers)
        return PlainTextResponse(text, status_code=200 if all(answers) else 503)

    async def ws_proxy(websocket: WebSocket) -> None:
        if not same_origin(websocket.headers.get("origin"), websocket.headers.get("host")):
            await websocket.close(code=1008)
            return
        index, _given = workers.choose(websocket.cookies.get(COOKIE))
        url = workers.urls[index].replace("http://", "ws://", 1) + _raw_target(websocket.scope)
        asked = websocket.headers.get("sec-websocket-protocol", "")
        protocols = [p.strip() for p in asked.split(",") if p.strip()]
        headers = [(k, v) for k, v in websocket.headers.items() if k.lower() in _WS_FORWARDED]
        try:
            upstream = await websockets.connect(
                url,
                subprotocols=protocols or None,  # type: ignore[arg-type]
                additional_headers=headers,
                max_size=None,
                compression=None,
                ping_interval=None,
                open_timeout=30,
            )
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            workers.down[index] = time.monotonic()
            log.warning("worker %s refused the websocket (%s)", workers.urls[index], exc)
            await websocket.close(code=1013)
            return
        await websocket.accept(subprotocol=upstream.subprotocol)

        async def browser_to_worker() -> None:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes")
                await upstream.send(data if data is not None else message.get("text", ""))

        async def worker_to_browser() -> None:
            async for data in upstream:
                if isinstance(data, bytes):
                    await websocket.send_bytes(data)
                else:
                    await websocket.send_text(data)

        tasks = [asyncio.ensure_future(browser_to_worker()), asyncio.ensure_future(worker_to_browser())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(
                    asyncio.CancelledError, WebSocketDisconnect, websockets.WebSocketException, RuntimeError
                ):
                    await task
            await upstream.close()
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # the browser may have gone first
                await websocket.close()

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return Starlette(
        routes=[
            Route(HEALTH_PATH, health),
            Route("/{path:path}", http_proxy, methods=_METHODS),
            WebSocketRoute("/{path:path}", ws_proxy),
        ],
        lifespan=lifespan,
    )

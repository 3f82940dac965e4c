"""The workshop server's sticky proxy (sentiers/server/proxy.py), in front of two small real backends.

The backends are real HTTP and websocket servers (uvicorn, on free localhost ports, each in a thread) that say
who they are and what reached them; the proxy runs the same way. What is checked: a visitor is given one
backend and keeps it (HTTP and websocket), visitors are spread, bodies arrive whole both ways, Streamlit's
subprotocols and cookies reach the backend, a cross-site websocket is refused, and a backend that stops
answering gets its visitors a French 503 once, then another backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.sync.client import connect

from sentiers.server.proxy import COOKIE, HEALTH_PATH, Workers, create_app, same_origin


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _backend(name: str) -> Starlette:
    async def who(request: Request) -> Response:
        return JSONResponse(
            {
                "name": name,
                "cookie": request.headers.get("cookie", ""),
                "target": (request.scope["raw_path"] + b"?" + request.scope["query_string"]).decode(),
            }
        )

    async def echo(request: Request) -> Response:
        body = await request.body()
        big = b"x" * 3_000_000  # an answer larger than any buffer, streamed back
        digest = hashlib.sha256(body).hexdigest()
        return Response(big, headers={"x-name": name, "x-digest": digest, "x-length": str(len(body))})

    async def health(_request: Request) -> Response:
        return Response("ok")

    async def ws(websocket: WebSocket) -> None:
        asked = [p.strip() for p in websocket.headers.get("sec-websocket-protocol", "").split(",") if p]
        await websocket.accept(subprotocol=asked[0] if asked else None)
        await websocket.send_text(f"{name}|{','.join(asked)}|{websocket.headers.get('cookie', '')}")
        while True:
            data = await websocket.receive_bytes()
            await websocket.send_bytes(name.encode() + b":" + data)

    return Starlette(
        routes=[
            Route("/who", who),
            Route("/media/{rest:path}", who),
            Route("/echo", echo, methods=["POST"]),
            Route("/_stcore/health", health),
            WebSocketRoute("/_stcore/stream", ws),
        ]
    )


@contextlib.contextmanager
def _serve(app, port: int) -> Iterator[uvicorn.Server]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def farm() -> Iterator[dict]:
    ports = [_free_port(), _free_port()]
    proxy_port = _free_port()
    with contextlib.ExitStack() as stack:
        backends = [stack.enter_context(_serve(_backend(f"w{i}"), p)) for i, p in enumerate(ports)]
        stack.enter_context(_serve(create_app([f"http://127.0.0.1:{p}" for p in ports]), proxy_port))
        yield {"url": f"http://127.0.0.1:{proxy_port}", "backends": backends}


def test_a_visitor_keeps_its_backend_and_visitors_are_spread(farm):
    visitors = [requests.Session() for _ in range(4)]
    first = [v.get(f"{farm['url']}/who", timeout=10).json()["name"] for v in visitors]
    assert sorted(first) == ["w0", "w0", "w1", "w1"]
    for visitor, name in zip(visitors, first, strict=True):
        assert visitor.cookies.get(COOKIE) == name[1:]
        for _ in range(5):
            answer = visitor.get(f"{farm['url']}/who", timeout=10).json()
            assert answer["name"] == name
            assert f"{COOKIE}={name[1:]}" in answer["cookie"]  # the cookie reaches the backend too


def test_paths_and_queries_reach_the_backend_as_sent(farm):
    answer = requests.get(
        f"{farm['url']}/media/a%2Fb%20c.csv?q=Die%20%26%20Crest&x=%C3%A9", timeout=10
    ).json()
    assert answer["target"] == "/media/a%2Fb%20c.csv?q=Die%20%26%20Crest&x=%C3%A9"


def test_bodies_arrive_whole_both_ways(farm):
    visitor = requests.Session()
    body = bytes(range(256)) * 8_000  # 2 MB, every byte value
    answer = visitor.post(f"{farm['url']}/echo", data=body, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["x-length"] == str(len(body))
    assert answer.headers["x-digest"] == hashlib.sha256(body).hexdigest()
    assert answer.content == b"x" * 3_000_000
    assert answer.headers.get("date", "").count("GMT") == 1  # one Date: the proxy's, not two


def test_the_websocket_reaches_the_visitors_backend_with_its_subprotocols_and_cookie(farm):
    visitor = requests.Session()
    name = visitor.get(f"{farm['url']}/who", timeout=10).json()["name"]
    ws_url = farm["url"].replace("http://", "ws://") + "/_stcore/stream"
    cookie = f"{COOKIE}={visitor.cookies.get(COOKIE)}"
    with connect(ws_url, subprotocols=["streamlit", "token123"], additional_headers={"Cookie": cookie}) as ws:
        assert ws.subprotocol == "streamlit"
        hello = ws.recv(timeout=10)
        backend, protocols, seen_cookie = hello.split("|")
        assert backend == name and protocols == "streamlit,token123" and cookie in seen_cookie
        payload = bytes(range(256)) * 4_000  # binary frames, as Streamlit's protobuf messages
        ws.send(payload)
        assert ws.recv(timeout=10) == name.encode() + b":" + payload


def test_a_cross_site_websocket_is_refused(farm):
    ws_url = farm["url"].replace("http://", "ws://") + "/_stcore/stream"
    with pytest.raises(Exception), connect(ws_url, origin="http://evil.example", open_timeout=10) as ws:  # noqa: B017
        ws.recv(timeout=5)
    assert same_origin(None, "127.0.0.1:8501")
    assert same_origin("http://127.0.0.1:8501", "127.0.0.1:8501")
    assert not same_origin("http://evil.example", "127.0.0.1:8501")


def test_a_backend_that_stops_gets_a_french_503_then_another_backend(farm):
    visitor = requests.Session()
    name = visitor.get(f"{farm['url']}/who", timeout=10).json()["name"]
    dead = farm["backends"][int(name[1:])]
    dead.should_exit = True
    deadline = time.monotonic() + 10
    while dead.started and time.monotonic() < deadline:  # uvicorn clears nothing: wait for the port to close
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", dead.config.port)) != 0:
                break
        time.sleep(0.05)
    refused = visitor.get(f"{farm['url']}/who", timeout=10)
    assert refused.status_code == 503 and "rechargez la page" in refused.text
    health = requests.get(f"{farm['url']}{HEALTH_PATH}", timeout=10)
    assert health.status_code == 503 and "absent" in health.text
    moved = visitor.get(f"{farm['url']}/who", timeout=10).json()["name"]
    assert moved != name
    assert visitor.get(f"{farm['url']}/who", timeout=10).json()["name"] == moved


def test_choose_spreads_new_visitors_keeps_known_ones_and_skips_a_down_worker():
    workers = Workers(["http://a", "http://b", "http://c"])
    given = [workers.choose(None) for _ in range(6)]
    assert sorted(i for i, _ in given) == [0, 0, 1, 1, 2, 2] and all(new for _, new in given)
    assert workers.choose("1") == (1, False)
    for bad in ("7", "-1", "x", "", "1" * 500):
        index, new = workers.choose(bad)
        assert new and 0 <= index < 3
    workers.down[1] = time.monotonic()
    assert workers.choose("1")[0] != 1
    assert all(workers.choose(None)[0] != 1 for _ in range(6))
    workers.down = {i: time.monotonic() for i in range(3)}  # all down: still one, not an error
    assert 0 <= workers.choose(None)[0] < 3
    with pytest.raises(ValueError):
        Workers([])

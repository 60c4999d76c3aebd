"""The model server's HTTP layer under hostile clients (issue 14), over real sockets on 127.0.0.1.

The app runs in this process on uvicorn with the shared server setup (`booth_core.http_server`) and
shortened deadlines, serving the small random SAM checkpoint of `conftest.small_model_dir`.
"""

from __future__ import annotations

import argparse
import logging
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from booth_core.http_server import listen_socket, server_config
from inference_container.model_server.app import create_app
from inference_container.model_server.loader import engine_factory
from tests.raw_http import closed_by_server, connect, head, jpeg_claiming, png_claiming, read_response

# Each test starts a real model server: slow for the edit loop, run by `make test`.
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


@pytest.fixture(scope="module")
def model_server(small_model_dir):
    app = create_app(engine_factory(small_model_dir, "sam", "cpu"), max_concurrency=2)
    config = server_config(
        app, header_timeout=0.5, body_timeout=1.0, keep_alive=0.5, log_level="warning", lifespan="on"
    )
    sock = listen_socket("127.0.0.1", 0)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    port = sock.getsockname()[1]
    deadline = time.monotonic() + 120
    while True:  # the engine loads in the background; /ping says when
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "model server not ready"
        time.sleep(0.1)
    yield server, port
    server.should_exit = True
    thread.join(10)


def invocation_head(length: int, content_type: str = "image/jpeg") -> bytes:
    return head("POST", "/invocations", {"Content-Type": content_type, "Content-Length": str(length)})


@pytest.mark.parametrize(
    ("content_type", "length", "status", "code"),
    [("text/plain", 5_000_000, 400, "BAD_REQUEST"), ("image/jpeg", 10 * 1024 * 1024 + 1, 413, "TOO_LARGE")],
)
def test_refused_on_its_headers_before_the_body(model_server, content_type, length, status, code):
    _, port = model_server
    sock = connect(port)
    sock.sendall(invocation_head(length, content_type))  # the body never follows
    answer, _, body = read_response(sock)
    assert answer == status and code.encode() in body
    assert closed_by_server(sock, within=5.0)


def test_slow_headers_and_stalled_bodies_are_closed(model_server):
    _, port = model_server
    slow = connect(port)
    slow.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\n")
    stalled = connect(port)
    stalled.sendall(invocation_head(100_000) + b"\xff\xd8" + b"\x00" * 500)
    assert closed_by_server(slow, within=5.0) and closed_by_server(stalled, within=5.0)


@pytest.mark.parametrize("make", [png_claiming, jpeg_claiming])
def test_a_photo_claiming_too_many_pixels_is_refused_before_decoding(model_server, make):
    _, port = model_server
    body = make(7999, 7999)
    kind = "image/png" if body.startswith(b"\x89PNG") else "image/jpeg"
    reply = httpx.post(f"http://127.0.0.1:{port}/invocations", content=body, headers={"Content-Type": kind})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "BAD_IMAGE" and "7999x7999" in error["message"]


def test_accepted_connections_have_tcp_nodelay(model_server):
    server, port = model_server
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        assert client.get("/ping").status_code == 200
        protocols = list(server.server_state.connections)
        assert protocols
        for protocol in protocols:
            sock = protocol.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_a_client_disconnect_mid_body_logs_one_line_and_no_traceback(model_server, astronaut_jpeg, caplog):
    caplog.set_level(logging.INFO)
    _, port = model_server
    sock = connect(port)
    sock.sendall(invocation_head(len(astronaut_jpeg)) + astronaut_jpeg[:4000])
    sock.close()
    deadline = time.monotonic() + 10
    while not any("before its body was complete" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "no log line for the disconnect"
        time.sleep(0.02)
    assert len([r for r in caplog.records if "before its body was complete" in r.getMessage()]) == 1
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_serve_model_listens_on_loopback_unless_told_and_the_container_says_so():
    from inference_container.model_server.command import add_arguments
    from tests.model_server.test_dockerfile import instructions

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args([]).host == "127.0.0.1"
    runs = " ".join(rest for keyword, rest in instructions() if keyword == "RUN")
    assert "serve-model --engine sam --host 0.0.0.0" in runs

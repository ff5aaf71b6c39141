"""The local server as load tests and browsers use it: a burst of concurrent connections, methods
the routes lack, HEAD on a kept-alive connection."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from urllib.parse import urlsplit

import pytest

from devstack.http_server import LISTEN_BACKLOG
from devstack.stack import LocalStack

pytestmark = pytest.mark.slow

CONCURRENT = 64


def address(stack: LocalStack) -> tuple[str, int]:
    parts = urlsplit(stack.base_url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def status_line(host: str, port: int, request: bytes) -> str:
    """The first line of the answer to one request on its own connection."""
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


@pytest.mark.parametrize("burst", [1, 2, 3])
def test_64_clients_connecting_at_once_all_get_an_answer(stack: LocalStack, burst: int):
    # Given 64 clients that connect at the same moment (with http.server's backlog of 5, some were
    # reset or, on Linux, left unanswered while the kernel dropped their connection attempts)
    host, port = address(stack)
    start = threading.Barrier(CONCURRENT)
    answers: list[str] = []

    def client() -> None:
        start.wait()
        try:
            answers.append(status_line(host, port, b"GET /health HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n"))
        except OSError as error:
            answers.append(repr(error))

    threads = [threading.Thread(target=client) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every one is answered, none reset or left waiting
    assert answers == ["HTTP/1.1 200 OK"] * CONCURRENT
    assert LISTEN_BACKLOG >= CONCURRENT


def test_a_method_no_route_has_is_the_apps_405_not_http_servers_501(stack: LocalStack):
    # Found by the fuzzer: TRACE got http.server's HTML 501, where PUT gets the app's JSON 405
    connection = http.client.HTTPConnection(*address(stack), timeout=10)
    connection.request("TRACE", "/tickets")
    answer = connection.getresponse()

    assert answer.status == 405
    assert answer.getheader("Content-Type") == "application/json"
    assert json.loads(answer.read())["Code"] == "MethodNotAllowedError"


def test_a_head_answer_has_no_body_so_a_kept_alive_connection_goes_on(stack: LocalStack):
    # Given a client that sends HEAD (no route has it: 405) then GET on the same connection
    with socket.create_connection(address(stack), timeout=10) as connection:
        connection.sendall(
            b"HEAD /health HTTP/1.1\r\nHost: local\r\n\r\n"
            b"GET /health HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n"
        )
        received = b""
        while chunk := connection.recv(65536):
            received += chunk

    # Then the HEAD answer is headers only, and what follows them is the GET's answer (chalice.local
    # wrote the 405's body too, which a client reads as the start of the next answer)
    head, rest = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 405 ")
    assert rest.startswith(b"HTTP/1.1 200 OK\r\n")

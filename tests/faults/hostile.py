"""Hostile requests over raw sockets, and another client's latency while each is sent.

Shared by tests/faults/test_hostile_sizes.py and bench/bench_hostile.py.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

MB = 1024 * 1024


def _connect(port: int, timeout: float = 15.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _status_and_body(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            if _ and b"content-length:" in head.lower():
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                if len(body) >= length:
                    break
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        sock.close()
    if not data:
        return 0, b""
    return int(data.split(b" ", 2)[1]), data.partition(b"\r\n\r\n")[2]


def _send_quietly(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def big_upload(port: int, path: str = "/admin/users/upload", declared: bool = True,
               size: int = 50 * MB, well_formed: bool = True) -> tuple[int, bytes]:
    """A 50 MB multipart body: with Content-Length, or chunked (the size found only by counting)."""
    sock = _connect(port)
    boundary = "hostileboundary"
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            # A cookie makes the CSRF check read the body: the size is found only by counting.
            "Cookie: csrftoken=hostile\r\n")
    head += f"Content-Length: {size}\r\n\r\n" if declared else "Transfer-Encoding: chunked\r\n\r\n"
    # One text part whose value never ends: only counting finds the size.
    start = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrftoken\"\r\n\r\n".encode()
             if well_formed else b"")
    _send_quietly(sock, head.encode() + (b"%x\r\n%s\r\n" % (len(start), start) if start and not declared
                                          else start))
    piece = b"x" * MB
    sent = 0
    while sent < size:
        data = piece if declared else b"%x\r\n%s\r\n" % (len(piece), piece)
        if not _send_quietly(sock, data):
            break
        sent += len(piece)
        sock.settimeout(0.0)
        try:
            if sock.recv(1, socket.MSG_PEEK):
                break  # the answer has come: stop sending
        except (BlockingIOError, ConnectionResetError):
            pass
        finally:
            sock.settimeout(15.0)
    return _status_and_body(sock)


def long_field(port: int, chars: int = 10_000, path: str = "/sign-in") -> tuple[int, bytes]:
    body = ("loginName=" + "a" * chars + "&password=x").encode()
    sock = _connect(port)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                 f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    return _status_and_body(sock)


def many_headers(port: int, count: int = 1000) -> tuple[int, bytes]:
    sock = _connect(port)
    lines = "".join(f"X-Pad-{n:04d}: a\r\n" for n in range(count))
    sock.sendall(f"GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n{lines}\r\n".encode())
    return _status_and_body(sock)


def slow_body(port: int, every: float = 0.2, path: str = "/sign-in") -> tuple[int, bytes]:
    """Declares 10,000 bytes and trickles one byte at a time until the server answers."""
    sock = _connect(port)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                 "\r\nContent-Length: 10000\r\n\r\n".encode())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not _send_quietly(sock, b"a"):
            break
        sock.settimeout(every)
        try:
            if sock.recv(1, socket.MSG_PEEK):
                break
        except TimeoutError:
            pass
        except ConnectionResetError:
            break
        finally:
            sock.settimeout(15.0)
    return _status_and_body(sock)


@dataclass
class Latency:
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000 if self.samples else float("nan")

    @property
    def max_ms(self) -> float:
        return max(self.samples) * 1000 if self.samples else float("nan")

    def __str__(self) -> str:
        return f"{len(self.samples)} requests, median {self.median_ms:.1f} ms, max {self.max_ms:.1f} ms"


def while_running(base_url: str, hostile: Callable[[], tuple[int, bytes]],
                  path: str = "/sign-in") -> tuple[tuple[int, bytes], Latency, float]:
    """Run `hostile` while another client requests `path` in a loop; (answer, latency, seconds)."""
    stop = threading.Event()
    samples: list[float] = []
    failures: list[BaseException] = []

    def other_client() -> None:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    assert client.get(path).status_code == 200
                except BaseException as error:  # noqa: BLE001 (reported below)
                    failures.append(error)
                    return
                samples.append(time.perf_counter() - started)
                time.sleep(0.01)

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 10
        while len(samples) < count and not failures and time.monotonic() < deadline:
            time.sleep(0.005)

    thread = threading.Thread(target=other_client, daemon=True)
    thread.start()
    wait_for(3)  # warmed up: the connection is open
    warm = len(samples)
    started = time.monotonic()
    try:
        answer = hostile()
        seconds = time.monotonic() - started
        wait_for(warm + 3)  # at least three answers from when the hostile one began
    finally:
        stop.set()
        thread.join(timeout=15)
    if failures:
        raise failures[0]
    return answer, Latency(samples[warm:]), seconds


CASES: dict[str, Callable[[int], tuple[int, bytes]]] = {
    "50 MB upload, declared": lambda port: big_upload(port, declared=True),
    "50 MB upload, chunked": lambda port: big_upload(port, declared=False),
    "50 MB to /graphql": lambda port: big_upload(port, path="/graphql"),
    "malformed multipart": lambda port: big_upload(port, declared=False, size=2 * MB, well_formed=False),
    "10,000-character field": long_field,
    "1,000 headers": many_headers,
    "slow body (1 byte / 0.2 s)": slow_body,
}
EXPECTED = {
    "50 MB upload, declared": {413},
    "50 MB upload, chunked": {413},
    "50 MB to /graphql": {413},
    "malformed multipart": {400},
    "10,000-character field": {400},
    "1,000 headers": {431, 400},  # 400: uvicorn's own parser may refuse the head first
    "slow body (1 byte / 0.2 s)": {408},
}

"""The ADB daemon side over TCP: handshake, authentication, and multiplexed streams.

One thread accepts connections on 127.0.0.1; one reader thread per connection parses messages; each
opened stream runs its service (shell, exec, sync) in its own thread. Streams follow the protocol's
flow control: after a WRTE the sender waits for the peer's OKAY before the next one (the client's OPEN
counts as the first OKAY). Incoming WRTEs are acknowledged as soon as they are queued.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import auth
from .protocol import (A_AUTH, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_STLS, A_VERSION, A_WRTE, AUTH_RSAPUBLICKEY,
                       AUTH_SIGNATURE, AUTH_TOKEN, DEVICE_MAXDATA, HEADER, MAX_PAYLOAD_V1, Message, ProtocolError,
                       parse_header)

if TYPE_CHECKING:
    from .phone import SimulatedPhone

log = logging.getLogger(__name__)

FEATURES = ("stat_v2", "ls_v2", "fixed_push_mkdir", "sendrecv_v2")
WRITE_ACK_TIMEOUT_S = 120.0


class StreamClosed(Exception):
    """The stream (or its connection) is gone; the service should stop."""


class Stream:
    """One ADB stream as a service sees it: blocking byte reads and flow-controlled writes."""

    def __init__(self, conn: "Connection", local_id: int, remote_id: int, destination: str):
        self.conn = conn
        self.local_id = local_id
        self.remote_id = remote_id
        self.destination = destination
        self._inbox = bytearray()
        self._cond = threading.Condition()
        self._can_send = True  # an OPEN implies a READY from its sender
        self.closed = threading.Event()
        self._remote_closed = False

    # called by the connection's reader thread
    def _feed(self, data: bytes) -> None:
        with self._cond:
            self._inbox += data
            self._cond.notify_all()

    def _okay(self) -> None:
        with self._cond:
            self._can_send = True
            self._cond.notify_all()

    def _close_local(self) -> None:
        with self._cond:
            self.closed.set()
            self._cond.notify_all()

    # called by the service
    def read(self, n: int, timeout_s: float | None = None) -> bytes:
        """Up to ``n`` bytes: waits until ``n`` are there or the stream closes (or ``timeout_s`` passes)."""
        with self._cond:
            self._cond.wait_for(lambda: len(self._inbox) >= n or self.closed.is_set(), timeout=timeout_s)
            out = bytes(self._inbox[:n])
            del self._inbox[:n]
            return out

    def read_exactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes or :class:`StreamClosed`."""
        data = self.read(n)
        if len(data) < n:
            raise StreamClosed(self.destination)
        return data

    def write(self, data: bytes) -> None:
        """Send ``data`` as WRTE messages of at most maxdata bytes, each after the peer's OKAY."""
        view = memoryview(data)
        step = max(1, self.conn.maxdata)
        for start in range(0, len(view), step):
            with self._cond:
                if not self._cond.wait_for(lambda: self._can_send or self.closed.is_set(), timeout=WRITE_ACK_TIMEOUT_S):
                    self.close(wait_for_ack=False)
                    raise StreamClosed(f"{self.destination}: no OKAY within {WRITE_ACK_TIMEOUT_S:.0f} s")
                if self.closed.is_set():
                    raise StreamClosed(self.destination)
                self._can_send = False
            self.conn.send(Message(A_WRTE, self.local_id, self.remote_id, bytes(view[start:start + step])))

    def close(self, wait_for_ack: bool = True) -> None:
        """Close from this side (CLSE), once.

        As adbd does, a service that ends does not close its stream until the peer has acknowledged the
        last WRTE (adbd stops reading the service's EOF until the OKAY comes), so CLSE never overtakes it.
        """
        if self.closed.is_set():
            return
        if wait_for_ack:
            with self._cond:
                self._cond.wait_for(lambda: self._can_send or self.closed.is_set(), timeout=10.0)
            if self.closed.is_set():
                return
        self._close_local()
        self.conn.forget(self)
        self.conn.send(Message(A_CLSE, self.local_id, self.remote_id))


class Connection:
    """One TCP connection from an ADB host: handshake, auth, then stream multiplexing."""

    def __init__(self, phone: "SimulatedPhone", sock: socket.socket, on_exit: Callable[["Connection"], None]):
        self.phone = phone
        self.sock = sock
        self._on_exit = on_exit
        self.version = A_VERSION
        self.maxdata = MAX_PAYLOAD_V1
        self.online = False
        self._token = b""
        self._send_lock = threading.Lock()
        self._streams: dict[int, Stream] = {}
        self._streams_lock = threading.Lock()
        self._next_id = 1
        self.bytes_sent = 0
        self.dropped = threading.Event()

    # --- sending ------------------------------------------------------------------------------
    def send(self, msg: Message) -> None:
        """Frame and send one message; honours the ``drop_after_bytes`` fault; never raises on a dead socket."""
        raw = msg.pack(self.version)
        with self._send_lock:
            if self.dropped.is_set():
                return
            limit = self.phone.faults.drop_after_bytes
            cut = limit is not None and self.bytes_sent + len(raw) >= limit
            if cut:
                raw = raw[: max(0, limit - self.bytes_sent)]
            try:
                self.sock.sendall(raw)
                self.bytes_sent += len(raw)
            except OSError:
                cut = True
            if cut:
                self._drop_locked()

    def drop(self) -> None:
        """Cut the TCP connection (a fault, or the phone stopping)."""
        with self._send_lock:
            self._drop_locked()

    def _drop_locked(self) -> None:
        if self.dropped.is_set():
            return
        self.dropped.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        with self._streams_lock:
            streams = list(self._streams.values())
            self._streams.clear()
        for s in streams:
            s._close_local()

    def forget(self, stream: Stream) -> None:
        with self._streams_lock:
            self._streams.pop(stream.local_id, None)

    # --- receiving ----------------------------------------------------------------------------
    def _recv_exactly(self, n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def run(self) -> None:
        """The reader loop: until EOF, a framing error, or a drop."""
        try:
            while not self.dropped.is_set():
                head = self._recv_exactly(HEADER.size)
                if head is None:
                    break
                command, arg0, arg1, length, _check = parse_header(head)
                data = self._recv_exactly(length) if length else b""
                if data is None:
                    break
                self._handle(Message(command, arg0, arg1, data))
        except ProtocolError as exc:
            log.info("closing connection: %s", exc)
        finally:
            self.drop()
            try:
                self.sock.close()
            except OSError:
                pass
            self._on_exit(self)

    def _banner(self) -> bytes:
        props = self.phone.properties
        parts = [f"ro.product.name={props['ro.product.name']}", f"ro.product.model={props['ro.product.model']}",
                 f"ro.product.device={props['ro.product.device']}", "features=" + ",".join(FEATURES)]
        return ("device::" + ";".join(parts)).encode()

    def _send_token(self) -> None:
        self._token = auth.new_token()
        self.send(Message(A_AUTH, AUTH_TOKEN, 0, self._token))

    def _go_online(self) -> None:
        self.online = True
        self.send(Message(A_CNXN, A_VERSION, self.maxdata, self._banner()))

    def _handle(self, msg: Message) -> None:
        cmd = msg.command
        if cmd == A_CNXN:
            self.version = min(msg.arg0, A_VERSION)
            self.maxdata = min(msg.arg1, DEVICE_MAXDATA) if msg.arg1 else MAX_PAYLOAD_V1
            self.online = False
            self._send_token()
        elif cmd == A_AUTH:
            self._handle_auth(msg)
        elif cmd == A_STLS:
            return  # this phone never asks for TLS, so a host's STLS is out of order: ignore it
        elif not self.online:
            return  # anything else before the handshake is ignored, per protocol.md
        elif cmd == A_OPEN:
            self._handle_open(msg)
        elif cmd == A_WRTE:
            stream = self._stream(msg.arg1, msg.arg0)
            if stream is not None:
                stream._feed(msg.data)
                self.send(Message(A_OKAY, stream.local_id, stream.remote_id))
        elif cmd == A_OKAY:
            stream = self._stream(msg.arg1, msg.arg0)
            if stream is not None:
                stream._okay()
        elif cmd == A_CLSE:
            stream = self._stream(msg.arg1, msg.arg0)
            if stream is not None:
                stream.close(wait_for_ack=False)  # as adbd does, the local socket closes and answers CLSE

    def _handle_auth(self, msg: Message) -> None:
        if self.online or not self._token:
            return
        if msg.arg0 == AUTH_SIGNATURE:
            if not self.phone.faults.unauthorized and self.phone.adb_keys.verify(self._token, msg.data):
                self._go_online()
            else:
                self._send_token()
        elif msg.arg0 == AUTH_RSAPUBLICKEY:
            if self.phone.faults.unauthorized:
                return  # the "Allow USB debugging?" dialog stays on screen, unanswered
            try:
                self.phone.adb_keys.allow(msg.data)
            except (auth.KeyFormatError, UnicodeDecodeError):
                log.info("refusing a malformed public key")
                return
            self._go_online()

    def _stream(self, local_id: int, remote_id: int) -> Stream | None:
        with self._streams_lock:
            s = self._streams.get(local_id)
        return s if s is not None and s.remote_id == remote_id else None

    def _handle_open(self, msg: Message) -> None:
        if msg.arg0 == 0:
            return
        destination = msg.data.split(b"\0", 1)[0].decode("utf-8", errors="replace")
        service = self.phone.service_for(destination) if msg.arg1 == 0 else None
        if service is None:
            self.send(Message(A_CLSE, 0, msg.arg0))
            return
        with self._streams_lock:
            local_id = self._next_id
            self._next_id += 1
            stream = Stream(self, local_id, msg.arg0, destination)
            self._streams[local_id] = stream
        self.send(Message(A_OKAY, local_id, msg.arg0))
        threading.Thread(target=self._serve, args=(service, stream), name=f"sim-{destination[:20]}", daemon=True).start()

    def _serve(self, service: Callable[[Stream], None], stream: Stream) -> None:
        try:
            service(stream)
        except StreamClosed:
            pass
        except Exception:  # a bug in a service must not take the phone down
            log.exception("service %r failed", stream.destination)
        finally:
            stream.close()


class AdbServer:
    """Accepts ADB connections on 127.0.0.1:port for one simulated phone."""

    def __init__(self, phone: "SimulatedPhone", port: int = 0):
        self.phone = phone
        self._requested_port = port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._conns: set[Connection] = set()
        self._lock = threading.Lock()
        self.port = 0

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._requested_port))
        sock.listen(16)
        sock.settimeout(0.25)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._stop.clear()
        self._thread = threading.Thread(target=self._accept_loop, name=f"sim-adbd-{self.port}", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                client, _addr = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Connection(self.phone, client, self._forget)
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=conn.run, name=f"sim-conn-{self.port}", daemon=True).start()

    def _forget(self, conn: Connection) -> None:
        with self._lock:
            self._conns.discard(conn)

    def connections(self) -> list[Connection]:
        with self._lock:
            return list(self._conns)

    def drop_all(self) -> int:
        """Cut every open connection; returns how many were cut."""
        conns = self.connections()
        for c in conns:
            c.drop()
        return len(conns)

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self.drop_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._sock = None

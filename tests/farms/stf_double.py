"""A TEST DOUBLE of a DeviceFarmer/STF server: the REST calls of STF's doc/API.md, served on 127.0.0.1 only.

It keeps a device table and the leases, checks ``Authorization: Bearer TOKEN`` on every call, and answers
as STF does (``{"success": true, ...}``; 401 without a valid token; 403 for a device someone holds; 404
for an unknown serial). ``remoteConnectUrl`` is whatever address the test gives each device: here a
simulated phone's ``127.0.0.1:PORT``. It is not STF; it follows STF's documented API so the client can be
proven without one.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StfDouble:
    def __init__(self, token: str, devices: dict[str, dict]):
        """``devices``: serial -> {"model", "remote" (host:port), optional "using"/"present"/"ready"}."""
        self.token = token
        self.devices = {s: {"serial": s, "present": True, "ready": True, "using": False, "owner": None,
                            "model": d.get("model", "Pixel"), "manufacturer": "Google", "sdk": "34", "abi": "arm64-v8a",
                            "remoteConnect": False, "remoteConnectUrl": None, **{k: v for k, v in d.items()}}
                        for s, d in devices.items()}
        self.calls: list[tuple[str, str]] = []
        self.headers_seen: list[str] = []
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _send(self, code: int, doc: dict):
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, method: str):
                path = urllib.parse.urlsplit(self.path).path
                with double.lock:
                    double.calls.append((method, path))
                    double.headers_seen.append(self.headers.get("Authorization", ""))
                if self.headers.get("Authorization") != f"Bearer {double.token}":
                    return self._send(401, {"success": False, "description": "Requires authentication"})
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}") if n else {}
                with double.lock:
                    return self._send(*double.route(method, path, body))

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_DELETE(self):
                self._handle("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def route(self, method: str, path: str, body: dict) -> tuple[int, dict]:
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        if method == "GET" and parts == ["api", "v1", "devices"]:
            return 200, {"success": True, "devices": [{k: v for k, v in d.items() if k != "remote"}
                                                      for d in self.devices.values()]}
        if parts[:4] == ["api", "v1", "user", "devices"]:
            if method == "POST" and len(parts) == 4:
                d = self.devices.get(body.get("serial"))
                if d is None:
                    return 404, {"success": False, "description": "Device not found"}
                if d["using"] or d["owner"] or not d["present"]:
                    return 403, {"success": False, "description": "Device is being used or not available"}
                d.update(using=True, owner={"email": "tester@example.org"}, lease_timeout_ms=body.get("timeout"))
                return 200, {"success": True, "description": "Device successfully added"}
            d = self.devices.get(parts[4]) if len(parts) >= 5 else None
            if d is None:
                return 404, {"success": False, "description": "Device not found"}
            if not d["using"]:
                return 403, {"success": False, "description": "You cannot release this device. Not owned by you"}
            if method == "POST" and parts[5:] == ["remoteConnect"]:
                d.update(remoteConnect=True, remoteConnectUrl=d["remote"])
                return 200, {"success": True, "remoteConnectUrl": d["remote"]}
            if method == "DELETE" and parts[5:] == ["remoteConnect"]:
                d.update(remoteConnect=False, remoteConnectUrl=None)
                return 200, {"success": True, "description": "Device remote disconnected successfully"}
            if method == "DELETE" and len(parts) == 5:
                d.update(using=False, owner=None, remoteConnect=False, remoteConnectUrl=None)
                return 200, {"success": True, "description": "Device successfully removed"}
        return 404, {"success": False, "description": "Not found"}

    def leased(self) -> list[str]:
        """The serials the client holds (not those someone else does)."""
        with self.lock:
            return [s for s, d in self.devices.items() if d["using"] and (d["owner"] or {}).get("email") == "tester@example.org"]

    def __enter__(self) -> "StfDouble":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

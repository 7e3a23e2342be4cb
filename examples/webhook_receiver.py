"""An example outside tool: receive Aspire's "shared targets changed" webhook, check its
signature, and re-read targetAggregates for the school, key stage and year groups it names.

Needs only the standard library and httpx. Register the webhook on the site (Change
notifications) or with the registerWebhook mutation; keep the secret it shows once.

    ASPIRE_URL=https://aspire.example.org ASPIRE_TOKEN=aspire_... \\
    ASPIRE_WEBHOOK_SECRET=whsec_... python examples/webhook_receiver.py --port 8765

It answers 204 at once for a good message (Aspire retries anything else, so the receiver
must be quick and may get the same message twice: it skips an eventId it has seen), 401 for
a bad or stale signature, and reads the figures afterwards, printing one line per row.
Behind a TLS-terminating proxy it serves the https:// address you registered.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import queue
import sys
import threading
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

TOLERANCE_SECONDS = 300  # refuse messages signed longer ago than this (a replay)
MAX_BODY = 64 * 1024

QUERY = """
query ChangedAggregates($keyStage: KeyStage!, $yearGroup: Int!, $urns: [String!]) {
  targetAggregates(keyStage: $keyStage, yearGroup: $yearGroup, schoolUrns: $urns) {
    school { urn name }
    subject { code }
    yearGroup pupils suppressed targetsSet averageTargetPoints averageEstimatePoints
  }
}
"""


def signature_ok(secret: str, timestamp: str | None, signature: str | None, body: bytes,
                 now: float | None = None) -> bool:
    """HMAC-SHA256 of "<timestamp>.<raw body>" with the secret, as "v1=<hex>"."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, part.strip()) for part in signature.split(","))


def reread(base_url: str, token: str, event: dict) -> list[dict]:
    """targetAggregates for each year group the event names (one request each)."""
    rows = []
    for year in event["yearGroups"]:
        response = httpx.post(
            f"{base_url}/graphql", timeout=30,
            headers={"Authorization": f"Bearer {token}"},
            json={"query": QUERY, "operationName": "ChangedAggregates", "variables": {
                "keyStage": event["keyStage"], "yearGroup": year["yearGroup"],
                "urns": [event["school"]["urn"]]}},
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):  # e.g. FORBIDDEN: the school stopped sharing meanwhile
            print(f"could not re-read: {body['errors'][0]['message']}", flush=True)
            continue
        rows.extend(body["data"]["targetAggregates"])
    return rows


class Seen:
    """The last few thousand event ids, to skip a message delivered twice."""

    def __init__(self, size: int = 5000) -> None:
        self.ids: OrderedDict[str, None] = OrderedDict()
        self.size = size
        self.lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        with self.lock:
            if event_id in self.ids:
                return False
            self.ids[event_id] = None
            if len(self.ids) > self.size:
                self.ids.popitem(last=False)
            return True


def make_handler(secret: str, work: queue.Queue, seen: Seen):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self.answer(413)
                return
            body = self.rfile.read(length)
            if not signature_ok(secret, self.headers.get("Aspire-Timestamp"),
                                self.headers.get("Aspire-Signature"), body):
                self.answer(401)
                return
            event = json.loads(body)
            if seen.first_time(event["eventId"]):
                work.put(event)
            self.answer(204)

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Handler


def worker(base_url: str, token: str, work: queue.Queue) -> None:
    while True:
        event = work.get()
        years = ", ".join(str(y["yearGroup"]) for y in event["yearGroups"])
        print(f"changed: school {event['school']['urn']} {event['keyStage']} year {years}",
              flush=True)
        try:
            for row in reread(base_url, token, event):
                figures = ("suppressed" if row["suppressed"] else
                           f"{row['targetsSet']} targets, average {row['averageTargetPoints']}")
                print(f"  {row['school']['urn']} Y{row['yearGroup']} {row['subject']['code']}: "
                      f"{row['pupils']} pupils, {figures}", flush=True)
        except httpx.HTTPError as error:
            print(f"could not re-read: {error}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    try:
        secret = os.environ["ASPIRE_WEBHOOK_SECRET"]
        token = os.environ["ASPIRE_TOKEN"]
    except KeyError as missing:
        print(f"Set {missing.args[0]} (see the top of this file)", file=sys.stderr)
        return 2
    base_url = os.environ.get("ASPIRE_URL", "http://127.0.0.1:8000").rstrip("/")
    work: queue.Queue = queue.Queue()
    threading.Thread(target=worker, args=(base_url, token, work), daemon=True).start()
    server = ThreadingHTTPServer((args.host, args.port), make_handler(secret, work, Seen()))
    print(f"listening on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

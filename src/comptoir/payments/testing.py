"""A local server that plays Stripe's API for the endpoints the Stripe provider uses, and
signs webhooks as Stripe does. For tests (and local demos) only: production code never
imports this module.

    with FakeStripe() as fake:      # listens on 127.0.0.1, a free port
        settings.COMPTOIR_STRIPE_API_BASE = fake.url
        settings.COMPTOIR_STRIPE_SECRET_KEY = fake.api_key
        settings.COMPTOIR_STRIPE_WEBHOOK_SECRET = fake.webhook_secret

Bodies are form-encoded as stripe-python sends them (`metadata[key]=value`); the
`Idempotency-Key` header is honoured (the first response is replayed; the same key with
other parameters is a 400 idempotency_error). PaymentMethod ids decide the outcome:

| pm id | create (confirm=true) |
| --- | --- |
| pm_card_visa, pm_card_mastercard | succeeded (requires_capture with capture_method=manual) |
| pm_card_chargeDeclined | 402 card_error card_declined; the intent is requires_payment_method |
| pm_card_chargeDeclinedInsufficientFunds | 402, decline_code insufficient_funds |
| pm_card_chargeDeclinedExpiredCard | 402 expired_card |
| pm_card_threeDSecure2Required | requires_action, next_action.redirect_to_url |
| anything else | 400 resource_missing |

Endpoints: POST /v1/payment_intents, GET /v1/payment_intents/{id}, GET
/v1/payment_intents/search (metadata['key']:'value'), POST /v1/payment_intents/{id}/capture
and /cancel, POST /v1/refunds, GET /v1/refunds/{id}. `drop(route, n)` makes the next n
answers on a route get lost after the request took effect (a timeout after charging);
`complete_action(id)` plays the customer finishing 3-D Secure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Answer = tuple[int, dict[str, Any]]

APPROVED = {"pm_card_visa": "visa", "pm_card_mastercard": "mastercard"}
DECLINED = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds"),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", None),
}
THREE_D_SECURE = "pm_card_threeDSecure2Required"
_SEARCH = re.compile(r"^metadata\['([A-Za-z0-9_]+)'\]:'([^']*)'$")


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _error(status: int, kind: str, code: str, message: str, **extra: Any) -> Answer:
    return status, {"error": {"type": kind, "code": code, "message": message, **extra}}


def _metadata(params: dict[str, str]) -> dict[str, str]:
    return {
        key[len("metadata[") : -1]: value
        for key, value in params.items()
        if key.startswith("metadata[") and key.endswith("]")
    }


@dataclass
class FakeStripe:
    api_key: str = "sk_test_comptoir"
    webhook_secret: str = "whsec_comptoir"  # noqa: S105 - the fake server's own secret
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (method, path, params) of every request received, in order.
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    _replies: dict[str, tuple[str, Answer]] = field(default_factory=dict)
    _drops: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # --- running ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests drive or read --------------------------------------------------------------

    @property
    def charges(self) -> int:
        """How many PaymentIntents were created (charge attempts at the provider)."""
        return len(self.intents)

    def drop(self, route: str, times: int = 1) -> None:
        """Lose the next `times` answers on `route` ("POST /v1/payment_intents") after the
        request took effect: the client sees the connection close."""
        with self._lock:
            self._drops[route] = times

    def complete_action(self, intent_id: str, *, succeed: bool = True) -> dict[str, Any]:
        """The customer finished (or failed) 3-D Secure on Stripe's page."""
        with self._lock:
            intent = self.intents[intent_id]
            assert intent["status"] == "requires_action"
            intent["next_action"] = None
            if succeed:
                manual = intent["capture_method"] == "manual"
                intent["status"] = "requires_capture" if manual else "succeeded"
                intent["amount_received"] = 0 if manual else intent["amount"]
                intent["amount_capturable"] = intent["amount"] if manual else 0
            else:
                intent["status"] = "requires_payment_method"
                intent["last_payment_error"] = {
                    "type": "card_error",
                    "code": "payment_intent_authentication_failure",
                }
            return dict(intent)

    def event(self, kind: str, intent_id: str, *, event_id: str | None = None) -> bytes:
        """The body of the webhook Stripe sends about an intent."""
        with self._lock:
            intent = dict(self.intents[intent_id])
        body = {
            "id": event_id or _new_id("evt"),
            "object": "event",
            "type": kind,
            "api_version": "2025-01-01",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": intent},
        }
        return json.dumps(body).encode()

    def sign(
        self, payload: bytes, *, timestamp: int | None = None, secret: str | None = None
    ) -> str:
        """A `Stripe-Signature` header value for `payload`: t=<unix time>,v1=<HMAC-SHA256>."""
        moment = int(time.time()) if timestamp is None else timestamp
        key = (secret if secret is not None else self.webhook_secret).encode()
        digest = hmac.new(key, f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
        return f"t={moment},v1={digest}"

    # --- the API ---------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        source = body if method == "POST" else parts.query
        params = dict(parse_qsl(source, keep_blank_values=True))
        route = f"{method} {re.sub(r'/(pi|re)_[0-9a-f]+', '/{id}', parts.path)}"
        with self._lock:
            self.requests.append((method, parts.path, params))
            answer = self._answer(handler, method, parts.path, params, body)
            dropped = self._drops.get(route, 0) > 0
            if dropped:
                self._drops[route] -= 1
        if dropped:
            handler.close_connection = True
            return
        status, payload = answer
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", _new_id("req"))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        path: str,
        params: dict[str, str],
        body: str,
    ) -> Answer:
        if handler.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "invalid_request_error", "api_key_invalid", "Invalid API Key.")
        key = handler.headers.get("Idempotency-Key")
        if method == "POST" and key:
            seen = self._replies.get(key)
            if seen is not None:
                if seen[0] != f"{path}?{body}":
                    return _error(
                        400,
                        "idempotency_error",
                        "idempotency_key_in_use",
                        "Keys for idempotent requests can only be used with the same parameters.",
                    )
                return seen[1]
        answer = self._route(method, path, params)
        if method == "POST" and key and answer[0] < 500:
            self._replies[key] = (f"{path}?{body}", answer)
        return answer

    def _route(self, method: str, path: str, params: dict[str, str]) -> Answer:
        segments = path.strip("/").split("/")
        on_intent = segments[:2] == ["v1", "payment_intents"] and len(segments) >= 3
        if on_intent and segments[2] != "search":
            return self._on_intent(method, segments[2], segments[3:], params)
        if len(segments) == 3 and method == "GET" and segments[:2] == ["v1", "refunds"]:
            refund = self.refunds.get(segments[2])
            if refund is not None:
                return 200, refund
        handlers = {
            ("POST", "/v1/payment_intents"): self._create,
            ("GET", "/v1/payment_intents/search"): self._search,
            ("POST", "/v1/refunds"): self._refund,
        }
        handler = handlers.get((method, path.rstrip("/")))
        if handler is not None:
            return handler(params)
        return _error(404, "invalid_request_error", "resource_missing", f"Unrecognized {path}")

    def _on_intent(
        self, method: str, intent_id: str, action: list[str], params: dict[str, str]
    ) -> Answer:
        intent = self.intents.get(intent_id)
        if intent is None:
            return _error(
                404, "invalid_request_error", "resource_missing", "No such payment_intent."
            )
        if method == "GET" and not action:
            return 200, intent
        if method == "POST" and action == ["capture"]:
            return self._capture(intent, params)
        if method == "POST" and action == ["cancel"]:
            return self._cancel(intent)
        return _error(404, "invalid_request_error", "resource_missing", "Unrecognized request.")

    def _create(self, params: dict[str, str]) -> Answer:
        amount = params.get("amount", "")
        if not amount.isdigit() or int(amount) <= 0:
            return _error(400, "invalid_request_error", "parameter_invalid_integer", "amount")
        pm = params.get("payment_method", "")
        if pm not in APPROVED and pm not in DECLINED and pm != THREE_D_SECURE:
            return _error(
                400,
                "invalid_request_error",
                "resource_missing",
                f"No such PaymentMethod: '{pm}'",
                param="payment_method",
            )
        manual = params.get("capture_method") == "manual"
        intent: dict[str, Any] = {
            "id": _new_id("pi"),
            "object": "payment_intent",
            "amount": int(amount),
            "amount_received": 0,
            "amount_capturable": 0,
            "amount_refunded": 0,
            "currency": params.get("currency", ""),
            "capture_method": "manual" if manual else "automatic",
            "payment_method": pm,
            "metadata": _metadata(params),
            "status": "requires_payment_method",
            "next_action": None,
            "last_payment_error": None,
            "created": int(time.time()),
        }
        self.intents[intent["id"]] = intent
        if pm in DECLINED:
            code, decline = DECLINED[pm]
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": code,
                "decline_code": decline,
            }
            return _error(
                402,
                "card_error",
                code,
                "Your card was declined.",
                decline_code=decline,
                payment_intent=intent,
            )
        if pm == THREE_D_SECURE:
            intent["status"] = "requires_action"
            intent["next_action"] = {
                "type": "redirect_to_url",
                "redirect_to_url": {
                    "url": f"{self.url}/3ds/{intent['id']}",
                    "return_url": params.get("return_url"),
                },
            }
        elif manual:
            intent["status"], intent["amount_capturable"] = "requires_capture", int(amount)
        else:
            intent["status"], intent["amount_received"] = "succeeded", int(amount)
        return 200, intent

    def _search(self, params: dict[str, str]) -> Answer:
        match = _SEARCH.match(params.get("query", ""))
        if match is None:
            return _error(400, "invalid_request_error", "parameter_invalid", "query")
        name, value = match.groups()
        found = [i for i in self.intents.values() if i["metadata"].get(name) == value]
        return 200, {
            "object": "search_result",
            "url": "/v1/payment_intents/search",
            "has_more": False,
            "next_page": None,
            "data": found,
        }

    def _capture(self, intent: dict[str, Any], params: dict[str, str]) -> Answer:
        if intent["status"] != "requires_capture":
            return _error(
                400, "invalid_request_error", "payment_intent_unexpected_state", "Not capturable."
            )
        amount = int(params.get("amount_to_capture") or intent["amount"])
        if not 0 < amount <= intent["amount"]:
            return _error(400, "invalid_request_error", "amount_too_large", "Too large.")
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        return 200, intent

    def _cancel(self, intent: dict[str, Any]) -> Answer:
        if intent["status"] in ("succeeded", "canceled", "processing"):
            return _error(
                400, "invalid_request_error", "payment_intent_unexpected_state", "Not cancelable."
            )
        intent.update(status="canceled", next_action=None, amount_capturable=0)
        return 200, intent

    def _refund(self, params: dict[str, str]) -> Answer:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return _error(
                404, "invalid_request_error", "resource_missing", "No such payment_intent."
            )
        left = intent["amount_received"] - intent["amount_refunded"]
        amount_text = params.get("amount") or str(left)
        amount = int(amount_text) if amount_text.isdigit() else 0
        if intent["status"] != "succeeded" or left <= 0:
            return _error(400, "invalid_request_error", "charge_already_refunded", "Refunded.")
        if not 0 < amount <= left:
            return _error(400, "invalid_request_error", "amount_too_large", "Too large.")
        intent["amount_refunded"] += amount
        refund = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "metadata": _metadata(params),
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

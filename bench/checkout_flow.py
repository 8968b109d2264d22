"""One customer's checkout through the API, step by step, timed on the client side.

The six steps of issue 4 (a guest customer, B2C channel):

1. `create_cart`: `POST /api/v1/carts?channel=boutique-france`
2. `add_lines`: `POST /api/v1/carts/{token}/lines {sku, quantity}`, once per line (a cart of
   5 lines is 5 calls, counted as one step; `FlowResult.calls` has the real count)
3. `addresses`: `PUT /api/v1/carts/{token}/addresses` (email, shipping and billing address)
4. `shipping_methods`: `GET /api/v1/carts/{token}/shipping-methods`
5. `shipping_method`: `PUT /api/v1/carts/{token}/shipping-method`
6. `checkout`: `POST /api/v1/carts/{token}/checkout` with an `Idempotency-Key`, paid by the
   test card gateway (4242...: approved): payment and order placement in one call.

The same flow runs over HTTP (`HttpTransport`, http.client, for the scenarios against
gunicorn) or in-process (`ClientTransport`, the Django test Client, to count queries and
profile).
"""

from __future__ import annotations

import http.client
import json
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

API = "/api/v1"
STEPS = ("create_cart", "add_lines", "addresses", "shipping_methods", "shipping_method", "checkout")
LINES_PER_CART = 5
APPROVED_CARD = "4242424242424242"
ADDRESS = {
    "first_name": "Camille",
    "last_name": "Martin",
    "street_address_1": "12 rue de la République",
    "postal_code": "69002",
    "city": "Lyon",
    "country": "FR",
    "phone": "+33472000000",
}


class Transport(Protocol):
    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any]:
        """Send one request; returns (status, parsed JSON body or None)."""
        ...


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:300].decode("utf-8", "replace")


class HttpTransport:
    """One keep-alive connection (http.client reconnects when the server closed it, as
    gunicorn's sync workers do after each response)."""

    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Accept": "application/json", **headers}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        return response.status, _decode(raw)

    def close(self) -> None:
        self.conn.close()


class ClientTransport:
    """In-process, through the Django test Client (no network, same code path)."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client()

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        response = getattr(self.client, method.lower())(path, **kwargs)
        return response.status_code, _decode(response.content)


@dataclass(frozen=True, slots=True)
class FlowPlan:
    """What one customer buys and how they identify their checkout."""

    channel: str
    lines: tuple[tuple[str, int], ...]
    email: str
    idempotency_key: str
    shipping_method_id: int | None = None


def flow_plans(
    *,
    skus: Sequence[str],
    channel: str,
    n: int,
    seed: int = 4,
    lines: int = LINES_PER_CART,
    shipping_method_id: int | None = None,
) -> list[FlowPlan]:
    """`n` carts of `lines` distinct SKUs (quantities 1-3) drawn from `skus`."""
    rng = random.Random(seed)
    if len(skus) < lines:
        raise ValueError(f"{lines} distinct SKUs needed, {len(skus)} given")
    return [
        FlowPlan(
            channel=channel,
            lines=tuple((sku, rng.choice((1, 1, 2, 3))) for sku in rng.sample(list(skus), lines)),
            email=f"bench-guest-{rng.randrange(10**9)}@example.com",
            idempotency_key=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            shipping_method_id=shipping_method_id,
        )
        for _ in range(n)
    ]


class FlowError(Exception):
    def __init__(self, step: str, status: int, body: Any) -> None:
        super().__init__(f"{step}: HTTP {status}")
        self.step = step
        self.status = status
        self.body = body

    def summary(self) -> str:
        code = self.body.get("code") if isinstance(self.body, dict) else None
        return f"{self.step}: {self.status}" + (f" {code}" if code else "")


@dataclass
class FlowResult:
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step, client side
    calls: int = 0
    order_number: str | None = None
    error: str | None = None  # "<step>: <status> <code>" when the flow stopped
    detail: Any = None
    started: float = 0.0  # time.time() at the first call
    finished: float = 0.0  # time.time() after the last answer

    @property
    def ok(self) -> bool:
        return self.error is None and self.order_number is not None

    @property
    def total(self) -> float:
        return sum(self.steps.values())


def _token(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("token", "id"):
            if isinstance(body.get(key), str):
                return str(body[key])
        cart = body.get("cart")
        if isinstance(cart, dict) and isinstance(cart.get("token"), str):
            return str(cart["token"])
    raise ValueError("no cart token in the answer")


def _methods(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        for key in ("items", "methods", "shipping_methods", "results"):
            if isinstance(body.get(key), list):
                return list(body[key])
    return list(body) if isinstance(body, list) else []


def _method_id(option: dict[str, Any]) -> Any:
    for key in ("id", "method_id", "shipping_method_id"):
        if key in option:
            return option[key]
    raise ValueError("no id in a shipping option")


def run_flow(
    transport: Transport,
    plan: FlowPlan,
    *,
    on_call: Callable[[str], None] | None = None,
    language: str = "fr",
) -> FlowResult:
    """Run the six steps of `plan`; stops at the first unexpected answer (`error`).
    `on_call(step)` runs before each HTTP call (the in-process profile uses it)."""
    result = FlowResult(started=time.time())
    headers = {"Accept-Language": language}
    clock = time.perf_counter

    def call(
        step: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        ok: tuple[int, ...] = (200,),
        extra: dict[str, str] | None = None,
    ) -> Any:
        if on_call is not None:
            on_call(step)
        t0 = clock()
        status, answer = transport.send(method, path, body, {**headers, **(extra or {})})
        result.steps[step] = result.steps.get(step, 0.0) + clock() - t0
        result.calls += 1
        if status not in ok:
            raise FlowError(step, status, answer)
        return answer

    try:
        created = call(
            "create_cart",
            "POST",
            f"{API}/carts?{urlencode({'channel': plan.channel})}",
            {"language": language},
            ok=(200, 201),
        )
        cart = f"{API}/carts/{_token(created)}"
        for sku, quantity in plan.lines:
            body = {"sku": sku, "quantity": quantity}
            call("add_lines", "POST", f"{cart}/lines", body, ok=(200, 201))
        address = {**ADDRESS}
        body = {"email": plan.email, "shipping_address": address, "billing_address": address}
        call("addresses", "PUT", f"{cart}/addresses", body)
        options = _methods(call("shipping_methods", "GET", f"{cart}/shipping-methods"))
        wanted = [o for o in options if _method_id(o) == plan.shipping_method_id]
        if not (wanted or options):
            raise FlowError("shipping_methods", 200, "no shipping method offered")
        chosen = (wanted or options)[0]
        call("shipping_method", "PUT", f"{cart}/shipping-method", {"method_id": _method_id(chosen)})
        body = {"payment_method": "test_card", "payment_source": APPROVED_CARD}
        key = {"Idempotency-Key": plan.idempotency_key}
        placed = call("checkout", "POST", f"{cart}/checkout", body, ok=(201,), extra=key)
        result.order_number = (placed.get("order") or {}).get("number")
        if not result.order_number:
            raise FlowError("checkout", 201, placed)
    except FlowError as exc:
        result.error, result.detail = exc.summary(), exc.body
    except (OSError, http.client.HTTPException, ValueError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:200]
    result.finished = time.time()
    return result


def step_of(path: str) -> str | None:
    """The step an API path belongs to (for the server's access log)."""
    path = path.split("?", 1)[0].rstrip("/")
    if path == f"{API}/carts":
        return "create_cart"
    tail = path.rsplit("/", 1)[-1]
    return {
        "lines": "add_lines",
        "addresses": "addresses",
        "shipping-methods": "shipping_methods",
        "shipping-method": "shipping_method",
        "checkout": "checkout",
    }.get(tail)

"""The one NinjaAPI. Each domain app owns a `router` in its api.py; errors map here, once,
from domain exceptions to RFC 9457 problem+json."""

from __future__ import annotations

import importlib
import json
import logging
import math
from typing import Any, cast

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from comptoir.core.errors import DomainError, Throttled, problem

PROBLEM_JSON = "application/problem+json"

logger = logging.getLogger(__name__)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text[:30]}")
    return value


class StrictJSONParser(Parser):
    """Request bodies as strict JSON (RFC 8259): NaN, Infinity and -Infinity, which Python's
    json module accepts, are refused, and so are numbers too large for a float (1e400 would
    be read as infinity). No database stores them in a JSON column (SQLite's JSON check
    fails, PostgreSQL refuses them): they are a bad body, a 400 BAD_REQUEST like any body
    that is not JSON (django-ninja answers so when `parse_body` raises)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(
            dict[str, Any],
            json.loads(request.body, parse_constant=_refuse_constant, parse_float=_finite_float),
        )


api = NinjaAPI(
    parser=StrictJSONParser(),
    title="Comptoir API",
    version="1.0.0",
    description="Headless commerce API for consumers (B2C) and businesses (B2B).",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def problem_response(
    request: HttpRequest, *, status: int, code: str, title: str, detail: str, errors: Any = None
) -> HttpResponse:
    response = api.create_response(
        request, problem(status, code, title, detail, errors), status=status
    )
    response["Content-Type"] = PROBLEM_JSON
    return response


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
    )
    if isinstance(exc, Throttled):
        response["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="comptoir"'
    return response


def _loc_key(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        errors.setdefault(_loc_key(err.get("loc", ())), []).append(
            str(err.get("msg", "Invalid value"))
        )
    return problem_response(
        request,
        status=422,
        code="VALIDATION_ERROR",
        title="Invalid request",
        detail="The request did not validate.",
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        request,
        status=401,
        code="UNAUTHORIZED",
        title="Authentication required",
        detail="Valid credentials are required.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="comptoir"'
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(
        request, status=404, code="NOT_FOUND", title="Not found", detail="Not found."
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {
        400: "BAD_REQUEST",
        401: "UNAUTHORIZED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        409: "CONFLICT",
        413: "PAYLOAD_TOO_LARGE",
    }.get(exc.status_code, "ERROR")
    return problem_response(
        request, status=exc.status_code, code=code, title=str(exc.message), detail=str(exc.message)
    )


@api.exception_handler(SuspiciousOperation)
def on_suspicious_operation(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """Django's answer is a 400 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 here), not a
    500; logged on django.security.* as Django does."""
    logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return problem_response(
            request,
            status=413,
            code="PAYLOAD_TOO_LARGE",
            title="Payload too large",
            detail="The request body is too large.",
        )
    return problem_response(
        request, status=400, code="BAD_REQUEST", title="Bad request", detail="Bad request."
    )


@api.exception_handler(RawPostDataException)
@api.exception_handler(MultiPartParserError)
@api.exception_handler(BadRequest)
def on_unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A body that cannot be read as this endpoint expects: malformed multipart, or a form
    already parsed (a session CSRF check reads a form POST) where JSON was expected."""
    return problem_response(
        request,
        status=400,
        code="BAD_REQUEST",
        title="Cannot parse request body",
        detail="The request body could not be read. JSON endpoints expect application/json.",
    )


@api.exception_handler(DjangoPermissionDenied)
def on_django_permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return problem_response(
        request,
        status=403,
        code="PERMISSION_DENIED",
        title="Permission denied",
        detail="You do not have permission to do this.",
    )


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything no other handler maps: a bug. Logged with its traceback (error trackers read
    the log); the client gets a problem+json without internals, even with DEBUG on.
    Django's got_request_exception is sent as Django does for uncaught exceptions, so the
    test client still re-raises the error in tests and error trackers still see it."""
    logger.exception("unhandled exception in %s %s", request.method, request.path, exc_info=exc)
    got_request_exception.send(sender=None, request=request)
    response = problem_response(
        request,
        status=500,
        code="INTERNAL_ERROR",
        title="Internal server error",
        detail="An unexpected error occurred. It has been logged.",
    )
    # Logged above with its traceback: django.request must not log it a second time.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


# (prefix, module, router attribute), in the order the routers are mounted: each app owns its
# routers; buyers' routes under /api/v1/, staff and integrations' under /api/v1/admin/.
ROUTERS = (
    ("/auth", "comptoir.accounts.api", "router"),
    ("/account", "comptoir.accounts.api", "account_router"),
    ("/channels", "comptoir.channels.api", "router"),
    ("/", "comptoir.catalog.api", "router"),
    ("/admin", "comptoir.catalog.api", "admin_router"),
    ("/", "comptoir.pricing.api", "router"),
    ("/admin", "comptoir.pricing.api", "admin_router"),
    ("/admin", "comptoir.promotions.api", "admin_router"),
    ("/admin", "comptoir.companies.api", "admin_router"),
    ("/", "comptoir.companies.api", "router"),
    ("/", "comptoir.approvals.api", "router"),
    ("/admin", "comptoir.approvals.api", "admin_router"),
    ("/admin", "comptoir.taxes.api", "admin_router"),
    ("/", "comptoir.cart.api", "bulk_router"),  # before `router`: see comptoir.cart.api
    ("/", "comptoir.cart.api", "router"),
    ("/admin", "comptoir.cart.api", "admin_router"),
    ("/", "comptoir.checkout.api", "router"),
    ("/admin", "comptoir.checkout.api", "admin_router"),
    ("/", "comptoir.inventory.api", "router"),
    ("/admin", "comptoir.inventory.api", "admin_router"),
    ("/", "comptoir.orders.api", "router"),
    ("/admin", "comptoir.orders.api", "admin_router"),
    ("/", "comptoir.payments.api", "router"),
    ("/admin", "comptoir.payments.api", "admin_router"),
    ("/", "comptoir.shipping.api", "router"),
    ("/admin", "comptoir.shipping.api", "admin_router"),
    ("/", "comptoir.reviews.api", "router"),
    ("/admin", "comptoir.reviews.api", "admin_router"),
    ("/", "comptoir.quotes.api", "router"),
    ("/admin", "comptoir.quotes.api", "admin_router"),
    ("/", "comptoir.wishlists.api", "router"),
    ("/", "comptoir.requisitions.api", "router"),
    ("/", "comptoir.documents.api", "router"),
    ("/admin", "comptoir.documents.api", "admin_router"),
    ("/", "comptoir.invoicing.api", "router"),
    ("/admin", "comptoir.invoicing.api", "admin_router"),
)


def _register_routers() -> None:
    for prefix, module, attribute in ROUTERS:
        api.add_router(prefix, getattr(importlib.import_module(module), attribute))


_register_routers()


@csrf_exempt  # an unknown URL is a 404 whatever the method, never Django's CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other path under /api/ is a problem+json 404, not the store's HTML page."""
    return problem_response(
        request, status=404, code="NOT_FOUND", title="Not found", detail="No such API endpoint."
    )

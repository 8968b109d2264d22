"""VAT numbers, SIREN and SIRET are normalised and checked (format, check digits, country);
VIES is asked over HTTP, here a real local server that plays VIES: every failure of VIES
or of the network is an "unavailable" answer, never an exception."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from comptoir.core.errors import InvalidInput
from comptoir.taxes.vat import (
    ViesResult,
    siren_clean,
    siret_clean,
    vat_number_clean,
    vat_prefix,
    vies_check,
    vies_result_from_json,
)

# --- a fake VIES --------------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


def vies_json(*, valid: bool, error: str, name: str = "---", address: str = "---") -> bytes:
    return json.dumps(
        {
            "isValid": valid,
            "requestDate": "2025-01-15T10:00:00.000Z",
            "userError": error,
            "name": name,
            "address": address,
            "requestIdentifier": "",
            "vatNumber": "",
            "viesApproximate": {},
        }
    ).encode()


@dataclass
class FakeVies:
    """A local HTTP server answering `GET /ms/{CC}/vat/{number}` as set in `answers`
    (keyed by the path after the base URL); unknown paths get a VIES "INVALID"."""

    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.removeprefix("/vies")
                fake.requests.append(path)
                answer = fake.answers.get(
                    path, Answer(body=vies_json(valid=False, error="INVALID"))
                )
                if answer.delay:
                    fake.release.wait(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:  # the client gave up (timeout)
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/vies"

    def start(self) -> FakeVies:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def vies() -> Iterator[FakeVies]:
    fake = FakeVies().start()
    yield fake
    fake.stop()


# --- VAT numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("FR40303265045", "FR", "FR40303265045"),
        ("fr 40 303 265 045", "FR", "FR40303265045"),
        ("FR44732829320", None, "FR44732829320"),
        ("BE0403019261", "BE", "BE0403019261"),
        ("BE 0403.019.261", "be", "BE0403019261"),
        ("DE136695976", "DE", "DE136695976"),
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("IT00743110157", "IT", "IT00743110157"),
        ("ES A-28015865", "ES", "ESA28015865"),
        ("ATU13585627", "AT", "ATU13585627"),
        ("EL094014201", "GR", "EL094014201"),
        ("GR094014201", "GR", "EL094014201"),
        ("GR094014201", None, "EL094014201"),
    ],
)
def test_valid_vat_numbers_are_normalised(raw: str, country: str | None, expected: str) -> None:
    assert vat_number_clean(raw, country=country) == expected


@pytest.mark.parametrize("raw", ["", "   "])
def test_no_vat_number_is_empty(raw: str) -> None:
    assert vat_number_clean(raw, country="FR") == ""


@pytest.mark.parametrize(
    "raw",
    [
        "FR00000000000",  # bad check digits
        "FR40303265046",
        "DE136695977",
        "BE0403019262",
        "40303265045",  # no prefix
        "US123456789",  # not an EU prefix
        "FR4030326504",  # too short
        "FR" + "1" * 200,  # far too long
        "FR40303265045\x00",
        "FR40\ud800303265045",  # lone surrogate
        "FR4030326504🙂",
        "ÉÉ",
    ],
)
def test_invalid_vat_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        vat_number_clean(raw)
    assert caught.value.code == "INVALID_VAT_NUMBER"
    assert list(caught.value.errors) == ["vat_number"]
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("raw", "country", "prefix"),
    [
        ("FR40303265045", "BE", "BE"),
        ("BE0403019261", "FR", "FR"),
        ("EL094014201", "FR", "FR"),
        ("FR40303265045", "GR", "EL"),
    ],
)
def test_a_vat_number_of_another_country_is_refused(raw: str, country: str, prefix: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        vat_number_clean(raw, country=country)
    assert caught.value.code == "INVALID_VAT_NUMBER"
    assert f" {prefix}" in caught.value.errors["vat_number"][0]


def test_vat_numbers_of_countries_outside_the_eu_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        vat_number_clean("FR40303265045", country="CH")
    assert caught.value.code == "INVALID_VAT_NUMBER"


def test_vat_prefixes() -> None:
    assert vat_prefix("fr") == "FR"
    assert vat_prefix("GR") == "EL"
    assert vat_prefix("GB") == "XI"
    assert vat_prefix("US") is None


# --- SIREN and SIRET ----------------------------------------------------------------------


def test_siren_is_compacted() -> None:
    assert siren_clean(" 303 265 045 ") == "303265045"
    assert siren_clean("") == ""


@pytest.mark.parametrize(
    "raw", ["303265046", "30326504", "3032650450", "abcdefghi", "3\x0003265045"]
)
def test_bad_siren_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        siren_clean(raw)
    assert caught.value.code == "INVALID_SIREN"
    assert list(caught.value.errors) == ["siren"]


def test_siret_is_compacted_and_must_start_with_the_siren() -> None:
    assert siret_clean("732 829 320 00074") == "73282932000074"
    assert siret_clean("73282932000074", siren="732829320") == "73282932000074"
    assert siret_clean("", siren="732829320") == ""
    with pytest.raises(InvalidInput) as caught:
        siret_clean("73282932000074", siren="303265045")
    assert caught.value.code == "INVALID_SIRET"
    assert list(caught.value.errors) == ["siret"]


@pytest.mark.parametrize("raw", ["73282932000075", "7328293200007", "732829320000741", "siret"])
def test_bad_siret_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        siret_clean(raw)
    assert caught.value.code == "INVALID_SIRET"


# --- VIES ---------------------------------------------------------------------------------


def test_vies_valid_number(vies: FakeVies) -> None:
    vies.answers["/ms/FR/vat/40303265045"] = Answer(
        body=vies_json(
            valid=True, error="VALID", name="SA ODIGO", address="12 RUE DE LA PAIX\n75002 PARIS"
        )
    )

    result = vies_check("FR40303265045", base_url=vies.base_url, timeout=2)

    assert result == ViesResult(
        status="valid",
        name="SA ODIGO",
        address="12 RUE DE LA PAIX\n75002 PARIS",
        vat_number="FR40303265045",
    )
    assert vies.requests == ["/ms/FR/vat/40303265045"]


def test_vies_valid_number_with_undisclosed_name(vies: FakeVies) -> None:
    vies.answers["/ms/DE/vat/136695976"] = Answer(body=vies_json(valid=True, error="VALID"))

    result = vies_check("DE136695976", base_url=vies.base_url + "/", timeout=2)

    assert result == ViesResult(status="valid", name="", address="", vat_number="DE136695976")


def test_vies_greek_numbers_are_asked_with_el(vies: FakeVies) -> None:
    vies.answers["/ms/EL/vat/094014201"] = Answer(body=vies_json(valid=True, error="VALID"))

    assert vies_check("EL094014201", base_url=vies.base_url, timeout=2).status == "valid"


def test_vies_invalid_number(vies: FakeVies) -> None:
    vies.answers["/ms/BE/vat/0403019261"] = Answer(body=vies_json(valid=False, error="INVALID"))

    result = vies_check("BE0403019261", base_url=vies.base_url, timeout=2)

    assert result == ViesResult(status="invalid", vat_number="BE0403019261")


@pytest.mark.parametrize(
    "answer",
    [
        Answer(status=503, body=b"Service Unavailable"),
        Answer(status=500, body=vies_json(valid=False, error="SERVICE_UNAVAILABLE")),
        Answer(status=404, body=b""),
        Answer(body=vies_json(valid=False, error="MS_UNAVAILABLE")),
        Answer(body=vies_json(valid=False, error="TIMEOUT")),
        Answer(body=vies_json(valid=False, error="MS_MAX_CONCURRENT_REQ")),
        Answer(body=b"<html>maintenance</html>"),
        Answer(body=b'["isValid"]'),
        Answer(body=b'{"isValid": "yes"}'),
        Answer(body=b"\xff\xfe"),
        Answer(body=b'{"isValid": true, "x": "' + b"a" * 70_000 + b'"}'),
    ],
    ids=[
        "503",
        "500",
        "404",
        "ms-unavailable",
        "timeout",
        "too-many-requests",
        "html",
        "not-an-object",
        "not-a-bool",
        "not-utf8",
        "too-large",
    ],
)
def test_vies_failures_are_unavailable(
    vies: FakeVies, answer: Answer, caplog: pytest.LogCaptureFixture
) -> None:
    vies.answers["/ms/IT/vat/00743110157"] = answer

    result = vies_check("IT00743110157", base_url=vies.base_url, timeout=2)

    assert result == ViesResult(status="unavailable", vat_number="IT00743110157")
    assert "VIES check of IT00743110157 unavailable" in caplog.text


def test_vies_slow_answer_is_unavailable_quickly(vies: FakeVies) -> None:
    vies.answers["/ms/NL/vat/004495445B01"] = Answer(
        body=vies_json(valid=True, error="VALID"), delay=10
    )

    started = time.monotonic()
    result = vies_check("NL004495445B01", base_url=vies.base_url, timeout=0.3)

    assert result.status == "unavailable"
    assert time.monotonic() - started < 3


def test_vies_unreachable_is_unavailable() -> None:
    fake = FakeVies()  # bound to a port, never serving: connections are refused or hang
    base_url = fake.base_url
    fake.server.server_close()

    started = time.monotonic()
    result = vies_check("FR40303265045", base_url=base_url, timeout=0.5)

    assert result == ViesResult(status="unavailable", vat_number="FR40303265045")
    assert time.monotonic() - started < 3


def test_vies_bad_url_is_unavailable() -> None:
    assert vies_check("FR40303265045", base_url="notaurl", timeout=1).status == "unavailable"


def test_vies_number_without_prefix_is_invalid_without_a_request(vies: FakeVies) -> None:
    assert vies_check("12", base_url=vies.base_url, timeout=1).status == "invalid"
    assert vies_check("4030326504", base_url=vies.base_url, timeout=1).status == "invalid"
    assert vies.requests == []


def test_vies_path_is_escaped(vies: FakeVies) -> None:
    vies_check("FR40/../x?y", base_url=vies.base_url, timeout=2)

    assert vies.requests == ["/ms/FR/vat/40%2F..%2FX%3FY"]


def test_vies_result_from_json_reads_invalid_input_as_invalid() -> None:
    data = {"isValid": False, "userError": "INVALID_INPUT"}
    assert vies_result_from_json("FR1", data) == ViesResult(status="invalid", vat_number="FR1")
    assert vies_result_from_json("FR1", {"isValid": False}).status == "invalid"
    assert vies_result_from_json("FR1", {"isValid": True, "name": 3}).name == ""

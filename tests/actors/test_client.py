"""The API client against a local server: recorded real responses, pagination and its cap, failures of every kind,
the rate limit. Never the network."""

from __future__ import annotations

import json
import time
from email.utils import formatdate

import pytest

from sentiers.actors import client as client_mod
from sentiers.actors.client import ApiAnswerError, ApiClient, ApiUnavailable, RateLimiter
from tests.actors.fake_api import make_result, padding

DIE = ("26113", "Die", "242600534", 44.7528, 5.3688)
JSON = {"Content-Type": "application/json"}


def client(api, **kw) -> ApiClient:
    kw.setdefault("limiter", RateLimiter())
    return ApiClient(api.url, **kw)


def test_every_recorded_response_is_read(fake_api, reference):
    """The 35 real answers of the shared reference folder pass the client's checks, results intact."""
    assert len(fake_api.recorded) >= 30
    api = client(fake_api, limiter=RateLimiter(rate=1000))  # the limit is tested below
    for query, recorded in fake_api.recorded.items():
        page = api.get_page("search", {"q": query, "per_page": "10"})
        assert page.total_results == recorded["total_results"], query
        assert [r["siren"] for r in page.results] == [r["siren"] for r in recorded["results"]], query


def test_user_agent_and_fields_asked(fake_api):
    fake_api.dataset = [make_result("810000001", "CENTRE SOCIAL", commune=DIE)]
    answer = client(fake_api).search_all({"code_commune": "26113", "est_ess": "true"})
    assert len(answer.results) == 1
    request = fake_api.requests[0]
    agent = request.headers["User-Agent"]
    assert agent.startswith("Sentiers/") and "acteurs du territoire" in agent
    assert request.params["minimal"] == "true"
    assert "dirigeants" not in request.params["include"] and "siege" in request.params["include"]
    assert request.params["per_page"] == "25"
    # minimal/include honoured: no officers in what came back
    assert "dirigeants" not in answer.results[0]


def test_pagination_over_several_pages(fake_api):
    fake_api.dataset = padding(60, DIE)
    answer = client(fake_api).search_all({"code_commune": "26113", "est_ess": "true"})
    assert [r.params["page"] for r in fake_api.requests] == ["1", "2", "3"]
    assert len(answer.results) == 60 and len({r["siren"] for r in answer.results}) == 60
    assert answer.total_results == 60 and answer.pages == 3 and not answer.truncated


def test_pagination_stops_at_the_cap_and_says_so(fake_api, reference):
    """The recorded « la poste » answer says 10,000 results in 1,000 pages: the client stops at its cap."""
    answer = client(fake_api).search_all({"q": "la poste"}, max_pages=3)
    assert len(fake_api.requests) == 3
    assert answer.truncated and answer.total_results == 10_000 and answer.pages == 3
    assert len(answer.results) == 30


def test_an_empty_answer(fake_api, reference):
    answer = client(fake_api).search_all({"q": "12345678900003"})
    assert answer.results == [] and answer.total_results == 0 and len(fake_api.requests) == 1
    fake_api.requests.clear()
    answer = client(fake_api).search_all({"code_commune": "99999", "est_ess": "true"})
    assert answer.results == [] and len(fake_api.requests) == 1


def test_429_waits_for_retry_after(fake_api):
    fake_api.dataset = padding(2, DIE)
    fake_api.script = [("status", 429, {"Retry-After": "1", **JSON}, b'{"erreur": "trop"}')]
    started = time.monotonic()
    answer = client(fake_api).search_all({"code_commune": "26113"})
    assert len(answer.results) == 2
    times = [r.at for r in fake_api.requests]
    assert len(times) == 2 and times[1] - times[0] >= 0.95
    assert time.monotonic() - started < 5


def test_429_with_a_date_and_too_long_a_wait(fake_api):
    fake_api.dataset = padding(1, DIE)
    later = formatdate(time.time() + 1, usegmt=True)
    fake_api.script = [("status", 429, {"Retry-After": later}, b"")]
    assert len(client(fake_api).search_all({"code_commune": "26113"}).results) == 1
    fake_api.script = [("status", 429, {"Retry-After": "3600"}, b"")]
    with pytest.raises(ApiUnavailable, match="attendre 3") as err:
        client(fake_api).search_all({"code_commune": "26113"})
    assert "Recherche d'entreprises" in str(err.value)


def test_503_is_retried_with_back_off_then_given_up(fake_api):
    fake_api.dataset = padding(1, DIE)
    fake_api.script = [("status", 503, JSON, b"{}"), ("status", 502, {}, b"")]
    answer = client(fake_api, backoff_s=0.05).search_all({"code_commune": "26113"})
    assert len(answer.results) == 1 and len(fake_api.requests) == 3
    fake_api.requests.clear()
    fake_api.script = [("status", 503, {}, b"")] * 10
    with pytest.raises(ApiUnavailable, match="HTTP 503"):
        client(fake_api, backoff_s=0.05, max_attempts=4).search_all({"code_commune": "26113"})
    assert len(fake_api.requests) == 4


def test_a_stall_is_bounded(fake_api):
    fake_api.script = [("stall", 3.0)]
    started = time.monotonic()
    with pytest.raises(ApiUnavailable, match="délai") as err:
        client(fake_api, read_timeout=0.4).search_all({"code_commune": "26113"})
    assert time.monotonic() - started < 2.0
    assert str(err.value).startswith("Source « Recherche d'entreprises »")


def test_the_deadline_bounds_a_whole_fetch(fake_api):
    fake_api.script = [("status", 429, {"Retry-After": "5"}, b"")]
    started = time.monotonic()
    with pytest.raises(ApiUnavailable, match="temps imparti"):
        client(fake_api, deadline_s=1.0).search_all({"code_commune": "26113"})
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        (JSON, b'{"results": [', "JSON mal formée"),
        ({"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Maintenance</body></html>", "page HTML"),
        (JSON, b"<html><body>502 Bad Gateway</body></html>", "page HTML"),
        (JSON, b'{"total_results": 3}', "« results »"),
        (JSON, b'["a", "b"]', "objet avec « results »"),
        (JSON, b'{"results": [], "total_results": -1}', "total_results"),
        (JSON, b"\xff\xfe\x00{", "encodage"),
        (JSON, b"[" * 100_000 + b"]" * 100_000, "imbriquée"),
    ],
    ids=["truncated", "html", "html-as-json", "no-results", "a-list", "negative", "not-utf8", "deep"],
)
def test_malformed_answers_are_refused_naming_the_source(fake_api, headers, body, expected):
    fake_api.script = [("raw", 200, headers, body)]
    with pytest.raises(ApiAnswerError, match=expected) as err:
        client(fake_api).search_all({"code_commune": "26113"})
    assert str(err.value).startswith("Source « Recherche d'entreprises » : ")
    assert len(str(err.value)) < 300


def test_a_refused_request_carries_the_apis_words(fake_api):
    with pytest.raises(ApiAnswerError, match="per_page"):
        client(fake_api).get_page("search", {"code_commune": "26113", "per_page": "50"})


def test_an_oversized_answer_is_refused_before_it_is_read(fake_api, monkeypatch):
    monkeypatch.setattr(client_mod, "MAX_RESPONSE_BYTES", 1000)
    fake_api.dataset = padding(10, DIE)
    with pytest.raises(ApiAnswerError, match="volumineuse"):
        client(fake_api).search_all({"code_commune": "26113"})


def test_a_refusing_address_fails_at_once():
    from tests.conftest import REFUSING_API

    started = time.monotonic()
    with pytest.raises(ApiUnavailable, match="connexion impossible"):
        ApiClient(REFUSING_API, limiter=RateLimiter()).search_all({"code_commune": "26113"})
    assert time.monotonic() - started < 1.0


def test_the_rate_limit_is_respected_by_the_client(fake_api):
    """15 pages asked as fast as the client allows: never more than 7 requests started in any second."""
    fake_api.dataset = padding(15 * 25, DIE)
    started = time.monotonic()
    answer = client(fake_api).search_all({"code_commune": "26113"})
    elapsed = time.monotonic() - started
    times = [r.at for r in fake_api.requests]
    assert answer.pages == 15 and len(times) == 15
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 1 / 7 - 0.02, gaps
    assert all(times[i + 7] - times[i] >= 1.0 - 0.03 for i in range(len(times) - 7))
    assert elapsed >= 14 / 7 - 0.05


def test_the_limiter_spaces_starts_by_one_seventh_of_a_second():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(8):
        limiter.wait()
        starts.append(now[0])
    assert starts[7] - starts[0] == pytest.approx(1.0)
    assert slept and all(s == pytest.approx(1 / 7) for s in slept)


def test_recorded_payload_shape_matches_the_written_one(reference):
    """The results the tests write (fake_api.make_result) carry exactly the keys of the real ones."""
    real = json.loads((reference / "responses" / "search-338365059.json").read_text(encoding="utf-8"))
    unit = real["response"]["results"][0]
    written = make_result("810000001", "X", commune=DIE, officers=False)
    assert set(written) - {"_etablissements"} == set(unit)
    assert set(written["complements"]) == set(unit["complements"])
    assert set(unit["siege"]) <= set(written["siege"])

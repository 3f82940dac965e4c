"""A territory's actors through the local API: commune, EPCI, radius; the cache, offline and failures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sentiers.actors import cache as cache_mod
from sentiers.actors import client as client_mod
from sentiers.actors.cache import ActorsCache, CachedAnswer, query_key
from sentiers.actors.client import ApiClient, RateLimiter
from sentiers.actors.fetch import fetch_actors, plan_queries
from sentiers.errors import SentiersError
from tests.actors.fake_api import padding

DIE_LISTED = {
    "CENTRE SOCIAL DU DIOIS",
    "SCIC ENERGIES DU DIOIS",
    "DIOIS INSERTION",
    "MUTUELLE DES PAYS DE LA DROME",
    "EPICERIE SOLIDAIRE DE DIE",
    "RESSOURCERIE DU DIOIS",
    "RESTAURANTS SOLIDAIRES",
}
LEFT_OUT = {"AMICALE DES BOULISTES", "ANCIENNE ASSOCIATION FERMEE", "DUPONT JEAN", "GARAGE DU CENTRE"}


def fast(api) -> ApiClient:
    return ApiClient(api.url, limiter=RateLimiter())


def test_a_communes_actors(diois_api, embedded_base, tmp_path):
    result = fetch_actors(
        embedded_base,
        "Die",
        client=fast(diois_api),
        cache=ActorsCache(tmp_path),
        activity="epicerie",
        defi="service-de-proximite",
    )
    assert result.status == "online" and result.message == ""
    names = {a.name for a in result.actors}
    assert names == DIE_LISTED
    assert not names & LEFT_OUT
    by_name = {a.name: a for a in result.actors}
    assert by_name["DIOIS INSERTION"].family == "siae" and by_name[
        "DIOIS INSERTION"
    ].family_detail.startswith("ACI")
    assert by_name["SCIC ENERGIES DU DIOIS"].family_detail == "SCIC"
    # the mutual's seat is in Valence: it is shown at its establishment in Die
    mutual = by_name["MUTUELLE DES PAYS DE LA DROME"]
    assert mutual.commune_code == "26113" and mutual.distance_km is not None and mutual.distance_km < 1
    assert by_name["EPICERIE SOLIDAIRE DE DIE"].relation == "same"
    assert by_name["CENTRE SOCIAL DU DIOIS"].relation == "complement"
    assert by_name["CENTRE SOCIAL DU DIOIS"].activity == "Action sociale sans hébergement n.c.a."
    assert by_name["CENTRE SOCIAL DU DIOIS"].size == "6 à 9 salariés"
    assert by_name["CENTRE SOCIAL DU DIOIS"].created_year == 2001
    # families first SIAE, then cooperatives, mutuals, foundations, associations, companies
    order = [a.family for a in result.actors]
    assert order == sorted(
        order, key=["siae", "cooperative", "mutual", "foundation", "association", "ess_company"].index
    )
    assert result.counts_by_family()["association"] == 3
    # the Kiif incubator of the Drôme completes the list
    assert [p.family for p in result.places] == ["incubator"]
    assert result.retrieved_at and result.requests == 3


def test_an_epcis_actors_and_the_registers_epci_filter(diois_api, embedded_base, tmp_path):
    result = fetch_actors(
        embedded_base, "CC du Diois", "epci", client=fast(diois_api), cache=ActorsCache(tmp_path)
    )
    assert result.area.code == "242600534" and len(result.area.communes) == 50
    assert all(r.params.get("epci") == "242600534" for r in diois_api.requests)
    names = {a.name for a in result.actors}
    assert names > DIE_LISTED
    assert {"CUMA DU HAUT DIOIS", "FONDATION DES AINES DU DIOIS", "ENTREPRISE D'INSERTION DU BOIS"} <= names
    assert not names & LEFT_OUT
    counts = result.counts_by_family()
    assert sum(counts.values()) == len(result.actors) == 13
    assert set(result.counts_by_defi()) <= {
        "emploi-economie-locale",
        "service-de-proximite",
        "transition-ecologique-solidaire",
        "solidarite-cohesion-sociale",
        "mobilisation-collective",
        "engagement-citoyen",
        "autres",
    }


def test_a_radius_around_a_commune(diois_api, embedded_base, tmp_path):
    result = fetch_actors(
        embedded_base, "26113", radius_km=10, client=fast(diois_api), cache=ActorsCache(tmp_path)
    )
    assert result.area.radius_km == 10 and "26113" in result.area.communes
    assert all("code_commune" in r.params for r in diois_api.requests)
    assert all(a.distance_km is not None and a.distance_km <= 10 for a in result.actors)
    wide = fetch_actors(
        embedded_base, "26113", radius_km=50, client=fast(diois_api), cache=ActorsCache(tmp_path)
    )
    assert len(wide.actors) >= len(result.actors)
    # communes beyond 80 codes are asked in several queries
    assert len(plan_queries(wide.area)) == 3 * -(-len(wide.area.communes) // 80)


def test_bad_input_is_a_french_message(embedded_base, tmp_path):
    with pytest.raises(SentiersError, match="introuvable|Aucune|ne correspond"):
        fetch_actors(embedded_base, "Zzzyzx-sur-Mer", cache=ActorsCache(tmp_path))
    for radius in ("-3", "51", "beaucoup", "nan"):
        with pytest.raises(SentiersError, match="Rayon"):
            fetch_actors(embedded_base, "26113", radius_km=radius, cache=ActorsCache(tmp_path))


def test_the_cache_serves_a_second_fetch_and_refresh_asks_again(diois_api, embedded_base, tmp_path):
    cache = ActorsCache(tmp_path)
    first = fetch_actors(embedded_base, "26113", client=fast(diois_api), cache=cache)
    asked = len(diois_api.requests)
    second = fetch_actors(embedded_base, "26113", client=fast(diois_api), cache=cache)
    assert len(diois_api.requests) == asked and second.status == "cache"
    assert [a.model_dump() for a in second.actors] == [a.model_dump() for a in first.actors]
    assert second.retrieved_at == first.retrieved_at
    fetch_actors(embedded_base, "26113", mode="cache", cache=cache)
    assert len(diois_api.requests) == asked
    refreshed = fetch_actors(embedded_base, "26113", mode="refresh", client=fast(diois_api), cache=cache)
    assert len(diois_api.requests) == 2 * asked and refreshed.status == "online"


def test_a_stale_cache_is_fetched_again_and_shown_when_offline(diois_api, embedded_base, tmp_path):
    from tests.conftest import REFUSING_API

    cache = ActorsCache(tmp_path)
    fetch_actors(embedded_base, "26113", client=fast(diois_api), cache=cache)
    for file in tmp_path.glob("*.json"):  # age every answer by 40 days
        data = json.loads(file.read_text(encoding="utf-8"))
        data["retrieved_at"] = "2020-01-02T10:00:00+00:00"
        file.write_text(json.dumps(data), encoding="utf-8")
    asked = len(diois_api.requests)
    fetch_actors(embedded_base, "26113", client=fast(diois_api), cache=cache)
    assert len(diois_api.requests) == 2 * asked
    for file in tmp_path.glob("*.json"):
        data = json.loads(file.read_text(encoding="utf-8"))
        data["retrieved_at"] = "2020-01-02T10:00:00+00:00"
        file.write_text(json.dumps(data), encoding="utf-8")
    started = time.monotonic()
    offline = fetch_actors(embedded_base, "26113", client=ApiClient(REFUSING_API), cache=cache)
    assert time.monotonic() - started < 2
    assert offline.status == "offline" and len(offline.actors) == len(DIE_LISTED)
    assert "Hors connexion" in offline.message and "2 janvier 2020" in offline.message


def test_offline_without_cache_says_so_at_once(embedded_base, tmp_path):
    started = time.monotonic()
    result = fetch_actors(embedded_base, "26113", cache=ActorsCache(tmp_path))  # the refusing address
    assert time.monotonic() - started < 2
    assert result.status == "unavailable" and result.actors == []
    assert "demande une connexion" in result.message and "Recherche d'entreprises" in result.message
    assert "sentiers " not in result.message and "`" not in result.message
    cached_only = fetch_actors(embedded_base, "26113", mode="cache", cache=ActorsCache(tmp_path))
    assert cached_only.status == "unavailable" and "Acteurs du territoire" in cached_only.message


def test_a_malformed_answer_falls_back_and_is_named(diois_api, embedded_base, tmp_path):
    diois_api.script = [("raw", 200, {"Content-Type": "text/html"}, b"<html>Erreur 500</html>")]
    result = fetch_actors(embedded_base, "26113", client=fast(diois_api), cache=ActorsCache(tmp_path))
    assert result.status == "unavailable" and "page HTML" in result.message
    assert len(diois_api.requests) == 1  # the API is not hammered after a failure


def test_a_429_in_the_middle_is_waited_for(diois_api, embedded_base, tmp_path):
    diois_api.script = [("status", 429, {"Retry-After": "1"}, b"")]
    result = fetch_actors(embedded_base, "26113", client=fast(diois_api), cache=ActorsCache(tmp_path))
    assert result.status == "online" and len(result.actors) == len(DIE_LISTED)


def test_a_truncated_list_says_so(fake_api, embedded_base, tmp_path, monkeypatch):
    import sentiers.actors.fetch as fetch_mod

    monkeypatch.setattr(fetch_mod, "MAX_PAGES", 2)
    fake_api.dataset = padding(80, ("26113", "Die", "242600534", 44.7528, 5.3688))
    result = fetch_actors(embedded_base, "26113", client=fast(fake_api), cache=ActorsCache(tmp_path))
    assert result.truncated and len(result.actors) == 50
    assert "limitée" in result.message


def test_the_cache_keeps_no_personal_data(fake_api, embedded_base, tmp_path, monkeypatch):
    """Even from a server that sends officers and an « entrepreneur individuel », nothing about people is kept."""
    from tests.actors.fake_api import diois_communes, diois_dataset

    fake_api.dataset = diois_dataset(diois_communes(embedded_base))
    monkeypatch.setattr(client_mod, "DEFAULT_FIELDS", {})  # ask for everything: officers come back
    fetch_actors(embedded_base, "26113", client=fast(fake_api), cache=ActorsCache(tmp_path))
    text = " ".join(f.read_text(encoding="utf-8") for f in tmp_path.glob("*.json"))
    assert "CENTRE SOCIAL DU DIOIS" in text
    for word in ("MARTIN", "CLAIRE", "dirigeants", "DUPONT", "prenoms"):
        assert word not in text, word


def test_cache_entries_round_trip_and_stay_bounded(tmp_path, monkeypatch):
    cache = ActorsCache(tmp_path)
    answer = CachedAnswer(
        "search", {"a": "1", "b": "2"}, "2026-03-12T10:00:00+00:00", 1, 1, False, [{"siren": "1"}]
    )
    cache.put(answer)
    assert query_key("search", {"b": "2", "a": "1", "page": "3"}) == query_key("search", {"a": "1", "b": "2"})
    back = cache.get("search", {"b": "2", "a": "1"})
    assert back == answer and not list(tmp_path.glob(".tmp-*"))
    # bounded: the oldest answers go first
    monkeypatch.setattr(cache_mod, "MAX_ENTRIES", 3)
    for i in range(6):
        cache.put(CachedAnswer("search", {"i": str(i)}, "2026-03-12T10:00:00+00:00", 0, 1, False, []))
        time.sleep(0.01)
    assert len(list(tmp_path.glob("*.json"))) == 3
    assert cache.get("search", {"i": "5"}) is not None and cache.get("search", {"i": "0"}) is None
    # a damaged or oversized entry is ignored and removed
    file = tmp_path / f"{query_key('search', {'i': '5'})}.json"
    file.write_text('{"format": 1, "path": ', encoding="utf-8")
    assert cache.get("search", {"i": "5"}) is None and not file.exists()
    monkeypatch.setattr(cache_mod, "MAX_ENTRY_BYTES", 10)
    cache.put(
        CachedAnswer("search", {"big": "1"}, "2026-03-12T10:00:00+00:00", 0, 1, False, [{"x": "y" * 50}])
    )
    assert cache.get("search", {"big": "1"}) is None


def test_an_unwritable_home_turns_the_cache_off(diois_api, embedded_base, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("SENTIERS_HOME", str(blocker))
    cache = ActorsCache()
    assert not cache.enabled and cache.get("search", {}) is None
    result = fetch_actors(embedded_base, "26113", client=fast(diois_api), cache=cache)
    assert result.status == "online" and len(result.actors) == len(DIE_LISTED)


def test_the_default_cache_lives_in_the_home(actors_home, diois_api, embedded_base):
    fetch_actors(embedded_base, "26113", client=fast(diois_api))
    files = list(Path(actors_home, "cache", "actors").glob("*.json"))
    assert len(files) == 3


def test_places_complete_the_list_on_the_mirror_base(mirror_base, tmp_path):
    """France services, Fabriques and Manufactures of the base near Die, nearest first, then the Kiif incubator."""
    result = fetch_actors(
        mirror_base, "26113", radius_km=30, cache=ActorsCache(tmp_path)
    )  # offline: places only
    assert result.status == "unavailable"
    families = [p.family for p in result.places]
    assert "france_services" in families and families[-1] == "incubator"
    services = [p for p in result.places if p.family == "france_services"]
    assert all(p.distance_km is not None and p.distance_km <= 30 for p in services)
    assert [p.distance_km for p in services] == sorted(p.distance_km for p in services)
    assert all(p.relation == "complement" and p.source for p in result.places)

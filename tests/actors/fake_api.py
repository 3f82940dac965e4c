"""A local HTTP server that answers like the API « Recherche d'entreprises » (never the network).

- ``/search`` with a ``q`` of a recorded response of the shared reference folder: that real response (read from
  ``../shared/reference/api-recherche-entreprises`` at run time, never copied here); later pages of a
  recorded query repeat its results with the page number changed (the shape of the real pagination).
- ``/search`` with filters: the server's own dataset (results this module writes in the recorded shape, see
  :func:`make_result`), filtered by ``code_commune``, ``epci``, ``est_ess``, ``est_siae``,
  ``tranche_effectif_salarie``, ``nature_juridique``, ``etat_administratif``, paginated by ``page`` /
  ``per_page`` (more than 25 is refused with HTTP 400, as the API does), ``minimal`` / ``include`` honoured.
- ``script``: answers played before the normal ones, one per request — a status with headers and body
  (429 with Retry-After, 503, an HTML page, malformed JSON) or a stall (the server sleeps before answering).

Every request is recorded (path, parameters, headers, monotonic time) for the rate-limit and User-Agent tests.
"""

from __future__ import annotations

import copy
import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(
    os.environ.get("SENTIERS_ENTREPRISES_REFERENCE")
    or ROOT.parent / "shared" / "reference" / "api-recherche-entreprises"
)
MAX_PER_PAGE = 25


def reference_dir() -> Path | None:
    return REFERENCE if (REFERENCE / "responses").is_dir() else None


def recorded_responses() -> dict[str, dict[str, Any]]:
    """query -> recorded API response, from the shared reference folder ({} when absent)."""
    folder = reference_dir()
    if folder is None:
        return {}
    out = {}
    for file in sorted((folder / "responses").glob("search-*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        out[str(data["query"])] = data["response"]
    return out


def _establishment(
    siret: str,
    commune: str,
    libelle: str,
    epci: str,
    lat: float | None,
    lon: float | None,
    naf: str,
    tranche: str | None,
    seat: bool,
    address: str,
) -> dict[str, Any]:
    """An establishment with every key of the recorded ones (siege and matching_etablissements)."""
    return {
        "activite_principale": naf,
        "activite_principale_naf25": None,
        "activite_principale_registre_metier": None,
        "annee_tranche_effectif_salarie": "2023" if tranche else None,
        "adresse": f"{address} {libelle}",
        "caractere_employeur": "O" if tranche and tranche != "NN" else "N",
        "cedex": None,
        "code_pays_etranger": None,
        "code_postal": "26150",
        "commune": commune,
        "complement_adresse": None,
        "coordonnees": f"{lat},{lon}" if lat is not None else None,
        "date_creation": "2001-01-01",
        "date_debut_activite": "2001-01-01",
        "date_fermeture": None,
        "date_mise_a_jour": None,
        "date_mise_a_jour_insee": "2025-12-05T18:52:38",
        "departement": commune[:2],
        "distribution_speciale": None,
        "epci": epci,
        "est_siege": seat,
        "etat_administratif": "A",
        "geo_adresse": None,
        "geo_id": None,
        "indice_repetition": None,
        "latitude": None if lat is None else f"{lat:.6f}",
        "libelle_cedex": None,
        "libelle_commune": libelle.upper(),
        "libelle_commune_etranger": None,
        "libelle_pays_etranger": None,
        "libelle_voie": address,
        "liste_enseignes": None,
        "liste_finess": None,
        "liste_id_bio": None,
        "liste_idcc": None,
        "liste_id_organisme_formation": None,
        "liste_rge": None,
        "liste_uai": None,
        "longitude": None if lon is None else f"{lon:.6f}",
        "nom_commercial": None,
        "numero_voie": "1",
        "dernier_numero_voie": None,
        "region": "84",
        "siret": siret,
        "statut_diffusion_etablissement": "O",
        "tranche_effectif_salarie": tranche,
        "type_voie": "RUE",
        "ancien_siege": False,
    }


def make_result(
    siren: str,
    name: str,
    *,
    nature: str = "9220",
    naf: str = "88.99B",
    tranche: str | None = "02",
    commune: tuple[str, str, str, float | None, float | None] = (
        "26113",
        "Die",
        "242600534",
        44.7528,
        5.3688,
    ),
    seat_elsewhere: tuple[str, str, str, float, float] | None = None,
    ess: bool = True,
    siae: str | None = None,
    association: bool | None = None,
    state: str = "A",
    created: str = "2001-06-13",
    sigle: str | None = None,
    officers: bool = True,
    diffusion: str = "O",
) -> dict[str, Any]:
    """A result in the recorded shape (every key of the real ones), its local establishment in ``commune``
    (code, name, EPCI, lat, lon) and its seat there or in ``seat_elsewhere``. ``officers`` adds a
    ``dirigeants`` list (people's names) that Sentiers must never keep."""
    code, libelle, epci, lat, lon = commune
    local = _establishment(
        f"{siren}00017", code, libelle, epci, lat, lon, naf, tranche, seat_elsewhere is None, "RUE DES ECOLES"
    )
    if seat_elsewhere is None:
        seat = local
        others: list[dict[str, Any]] = []
    else:
        s_code, s_name, s_epci, s_lat, s_lon = seat_elsewhere
        seat = _establishment(
            f"{siren}00025", s_code, s_name, s_epci, s_lat, s_lon, naf, tranche, True, "AVENUE DE LA GARE"
        )
        others = [local]
    association = nature.startswith("92") if association is None else association
    result = {
        "siren": siren,
        "nom_complet": name,
        "nom_raison_sociale": name,
        "sigle": sigle,
        "nombre_etablissements": 1 + len(others),
        "nombre_etablissements_ouverts": 1 + len(others),
        "siege": seat,
        "activite_principale": naf,
        "activite_principale_naf25": None,
        "categorie_entreprise": "PME",
        "caractere_employeur": None,
        "annee_categorie_entreprise": "2023",
        "date_creation": created,
        "date_fermeture": None if state == "A" else "2020-01-01",
        "date_mise_a_jour": "2026-05-17T09:26:55",
        "date_mise_a_jour_insee": "2025-12-06T09:01:12",
        "date_mise_a_jour_rne": None,
        "etat_administratif": state,
        "nature_juridique": nature,
        "section_activite_principale": "Q",
        "tranche_effectif_salarie": tranche,
        "annee_tranche_effectif_salarie": "2023" if tranche else None,
        "statut_diffusion": diffusion,
        "matching_etablissements": [],
        "immatriculation": None,
        "finances": None,
        "complements": {
            "collectivite_territoriale": None,
            "convention_collective_renseignee": False,
            "liste_idcc": None,
            "liste_finess_juridique": None,
            "egapro_renseignee": False,
            "est_achats_responsables": False,
            "est_alim_confiance": False,
            "est_association": association,
            "est_avocat": False,
            "est_bio": False,
            "est_entrepreneur_individuel": nature == "1000",
            "est_entrepreneur_spectacle": False,
            "est_ess": ess,
            "est_finess": False,
            "est_organisme_formation": False,
            "est_qualiopi": False,
            "liste_id_organisme_formation": None,
            "est_rge": False,
            "est_siae": siae is not None,
            "est_societe_mission": False,
            "est_uai": False,
            "est_patrimoine_vivant": False,
            "bilan_ges_renseigne": False,
            "identifiant_association": f"W26{siren[:7]}" if association else None,
            "statut_entrepreneur_spectacle": None,
            "type_siae": siae,
            "a_aide_minimis": False,
            "a_aide_ademe": False,
            "est_administration": False,
            "est_service_public": False,
            "est_l100_3": False,
        },
        "admin": {"slug": f"x-{siren}", "a_acces_espace_agent": False},
        # every establishment of the unit: the server picks the matching ones from here (not an API key)
        "_etablissements": [seat, *others],
    }
    if officers:
        result["dirigeants"] = [
            {
                "nom": "MARTIN",
                "prenoms": "CLAIRE",
                "qualite": "Présidente",
                "type_dirigeant": "personne physique",
            }
        ]
    return result


def _flag(value: str) -> bool:
    return value.lower() == "true"


def _matches(result: dict[str, Any], params: dict[str, str]) -> list[dict[str, Any]] | None:
    """The establishments matching the filters (None when the unit does not match)."""
    complements = result["complements"]
    for key in ("est_ess", "est_siae", "est_association"):
        if key in params and bool(complements.get(key)) != _flag(params[key]):
            return None
    if "etat_administratif" in params and result["etat_administratif"] != params["etat_administratif"]:
        return None
    brackets = params.get("tranche_effectif_salarie")
    if brackets is not None and (result.get("tranche_effectif_salarie") or "") not in brackets.split(","):
        return None
    if "nature_juridique" in params and result["nature_juridique"] not in params["nature_juridique"].split(
        ","
    ):
        return None
    places = result["_etablissements"]
    if "code_commune" in params:
        wanted = set(params["code_commune"].split(","))
        places = [p for p in places if p["commune"] in wanted]
    if "epci" in params:
        wanted = set(params["epci"].split(","))
        places = [p for p in places if p["epci"] in wanted]
    if ("code_commune" in params or "epci" in params) and not places:
        return None
    return places


def _shape(result: dict[str, Any], matching: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
    out = {k: copy.deepcopy(v) for k, v in result.items() if not k.startswith("_")}
    limit = int(params.get("limite_matching_etablissements", "10"))
    out["matching_etablissements"] = copy.deepcopy(matching[:limit])
    if params.get("minimal", "").lower() == "true":
        included = set(params.get("include", "").split(","))
        for key in ("siege", "complements", "matching_etablissements", "dirigeants", "finances"):
            if key not in included:
                out.pop(key, None)
    return out


@dataclass
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


@dataclass
class FakeApi:
    url: str = ""
    dataset: list[dict[str, Any]] = field(default_factory=list)
    recorded: dict[str, dict[str, Any]] = field(default_factory=dict)
    script: list[tuple] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    delay_s: float = 0.0  # the API's own time, added to every answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path.rstrip("/") != "/search":
            return 404, {"Content-Type": "application/json"}, b'{"erreur": "not found"}'
        try:
            page = int(params.get("page", "1"))
            per_page = int(params.get("per_page", "10"))
        except ValueError:
            return 400, {"Content-Type": "application/json"}, b'{"erreur": "page invalide"}'
        if per_page > MAX_PER_PAGE or per_page < 1:
            body = json.dumps({"erreur": "Veuillez indiquer un `per_page` entre 1 et 25."}).encode()
            return 400, {"Content-Type": "application/json"}, body
        if "q" in params:
            recorded = self.recorded.get(params["q"])
            if recorded is None:
                payload = {
                    "results": [],
                    "total_results": 0,
                    "page": page,
                    "per_page": per_page,
                    "total_pages": 0,
                }
            else:
                payload = dict(copy.deepcopy(recorded), page=page)
            return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()
        hits = []
        for result in self.dataset:
            matching = _matches(result, params)
            if matching is not None:
                hits.append(_shape(result, matching, params))
        total = len(hits)
        chunk = hits[(page - 1) * per_page : page * per_page]
        payload = {
            "results": chunk,
            "total_results": total,
            "page": page,
            "per_page": per_page,
            "total_pages": (total + per_page - 1) // per_page,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(payload, ensure_ascii=False).encode()


def _handler(api: FakeApi):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            params = {k: v[-1] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()}
            with api.lock:
                api.requests.append(Request(parsed.path, params, dict(self.headers), time.monotonic()))
                action = api.script.pop(0) if api.script else None
            if action is not None and action[0] == "stall":
                time.sleep(action[1])
                with suppress(OSError):  # the client gave up waiting
                    self._send(200, {"Content-Type": "application/json"}, b'{"results": []')
                return
            if action is not None:
                _kind, status, headers, body = action
            else:
                if api.delay_s:
                    time.sleep(api.delay_s)
                status, headers, body = api.answer(parsed.path, params)
            self._send(status, headers, body)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(api: FakeApi | None = None) -> Iterator[FakeApi]:
    """Run a FakeApi on 127.0.0.1 (a free port) for the duration of the block."""
    api = api or FakeApi()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield api
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- a territory written in the recorded shape: actors of the Diois (Drôme) --------------------------------


def diois_dataset(
    communes: list[tuple[str, str, float, float]], epci: str = "242600534"
) -> list[dict[str, Any]]:
    """Actors in the Diois: ``communes`` = (code, name, lat, lon) with Die (26113) first; every family, the
    cases to leave out (a non-employing association, a closed one, an « entrepreneur individuel »), a
    mutual whose seat is in Valence and an association whose seat is in Lyon with an establishment here."""

    def at(i: int, dx: float = 0.0) -> tuple[str, str, str, float, float]:
        code, name, lat, lon = communes[i % len(communes)]
        return code, name, epci, lat + dx, lon + dx

    valence = ("26362", "Valence", "200068781", 44.9334, 4.8924)
    lyon = ("69381", "Lyon 1er Arrondissement", "200046977", 45.7676, 4.8344)
    data = [
        make_result("810000001", "CENTRE SOCIAL DU DIOIS", naf="88.99B", tranche="03", commune=at(0, 0.002)),
        make_result(
            "810000002",
            "SCIC ENERGIES DU DIOIS",
            nature="5710",
            naf="35.11Z",
            tranche="01",
            commune=at(0, 0.003),
        ),
        make_result(
            "810000003",
            "MENUISERIE COOPERATIVE DU DIOIS",
            nature="5458",
            naf="16.23Z",
            tranche="02",
            commune=at(1),
        ),
        make_result(
            "810000004",
            "DIOIS INSERTION",
            naf="81.30Z",
            tranche="11",
            siae="ACI",
            commune=at(0, -0.002),
            sigle="DI",
        ),
        make_result(
            "810000005",
            "MUTUELLE DES PAYS DE LA DROME",
            nature="8210",
            naf="65.12Z",
            tranche="21",
            commune=at(0, 0.001),
            seat_elsewhere=valence,
        ),
        make_result(
            "810000006",
            "FONDATION DES AINES DU DIOIS",
            nature="9300",
            naf="87.10A",
            tranche="12",
            commune=at(2),
        ),
        make_result(
            "810000007",
            "EPICERIE SOLIDAIRE DE DIE",
            nature="5710",
            naf="47.11B",
            tranche="01",
            commune=at(0, 0.0015),
        ),
        make_result(
            "810000008", "CUMA DU HAUT DIOIS", nature="6316", naf="01.61Z", tranche="NN", commune=at(3)
        ),
        make_result("810000009", "RESSOURCERIE DU DIOIS", naf="47.79Z", tranche="02", commune=at(0, -0.001)),
        make_result("810000010", "AIDE A DOMICILE EN DIOIS", naf="88.10A", tranche="12", commune=at(4)),
        make_result("810000011", "FOYER RURAL DE LUC", naf="93.29Z", tranche="01", commune=at(5)),
        make_result(
            "810000012",
            "ENTREPRISE D'INSERTION DU BOIS",
            nature="5710",
            naf="16.10A",
            tranche="03",
            ess=False,
            siae="EI",
            commune=at(6),
        ),
        make_result(
            "810000013",
            "RESTAURANTS SOLIDAIRES",
            nature="9230",
            naf="88.99B",
            tranche="22",
            commune=at(0, 0.0025),
            seat_elsewhere=lyon,
        ),
        # to leave out
        make_result("810000020", "AMICALE DES BOULISTES", naf="93.12Z", tranche="NN", commune=at(0)),
        make_result(
            "810000021", "ANCIENNE ASSOCIATION FERMEE", naf="88.99B", tranche="01", state="C", commune=at(0)
        ),
        make_result(
            "810000022",
            "DUPONT JEAN",
            nature="1000",
            naf="96.09Z",
            tranche="01",
            ess=False,
            siae="EITI",
            commune=at(0),
        ),
        make_result(
            "810000023",
            "GARAGE DU CENTRE",
            nature="5499",
            naf="45.20A",
            tranche="02",
            ess=False,
            commune=at(0),
        ),
    ]
    return data


def padding(
    count: int, commune: tuple[str, str, str, float | None, float | None], start: int = 820000000
) -> list[dict[str, Any]]:
    """``count`` employing ESS associations in one commune (pagination tests, benchmark)."""
    return [
        make_result(
            f"{start + i:09d}", f"ASSOCIATION NUMERO {i:03d}", naf="94.99Z", tranche="01", commune=commune
        )
        for i in range(count)
    ]


def linked_home(source: Path, target: Path) -> Path:
    """A SENTIERS_HOME of its own (cache, raw) reading the base built in ``source`` (symbolic links)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("bases", "current-base"):
        link = target / name
        if not link.exists():
            link.symlink_to(source / name)
    return target


def diois_communes(base) -> list[tuple[str, str, float, float]]:
    """(code, name, lat, lon) of the communes of the CC du Diois, Die first."""
    communes = base.communes
    members = communes[communes["epci"].astype(str) == "242600534"].sort_values("population", ascending=False)
    rows = [
        (str(c), str(n), float(a), float(o))
        for c, n, a, o in members[["code", "name", "lat", "lon"]].itertuples(index=False)
    ]
    rows.sort(key=lambda r: r[0] != "26113")
    return rows

"""Client of the State's API « Recherche d'entreprises » (DINUM, over Sirene and the RNE; Licence Ouverte).

What it promises:

- base URL from :func:`sentiers.settings.entreprises_api` (``SENTIERS_ENTREPRISES_API``), a descriptive
  User-Agent, a connect and a read timeout, and a deadline for a whole fetch: it never hangs;
- the documented rate limit (7 requests per second per address) respected by the client itself: one limiter
  per process spaces the starts of requests by at least 1/7 s, whatever the number of sessions or threads;
- HTTP 429 and 5xx retried with back-off, honouring ``Retry-After`` (seconds or a date) up to a bound;
- pagination followed up to :data:`MAX_PAGES` pages of 25 results, the cap said in the answer (``truncated``);
- answers bounded (bytes read before parsing) and checked: an HTML error page, malformed JSON or a payload
  without its keys is refused with a French message naming the source.

Only the fields the actors need are asked for (``minimal=true`` with ``include=siege,complements,
matching_etablissements``): officers (``dirigeants``) are never requested.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from pydantic import BaseModel, Field, ValidationError

from sentiers import settings
from sentiers.errors import SourceError
from sentiers.fr import number, printable

log = logging.getLogger(__name__)

SOURCE_NAME = "Recherche d'entreprises"
SOURCE_TITLE = "API Recherche d'entreprises (Annuaire des entreprises, DINUM) — Sirene (Insee) et RNE (INPI)"
SOURCE_LICENCE = "Licence Ouverte 2.0"
SOURCE_URL = "https://recherche-entreprises.api.gouv.fr"

RATE_PER_SECOND = 7.0  # documented limit per IP address
PER_PAGE = 25  # the API's maximum
MAX_PAGES = 20  # per query: 500 results; beyond, the list says it is truncated
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_RESULTS_PER_PAGE = 100
CONNECT_TIMEOUT_S = 3.05
READ_TIMEOUT_S = 10.0
MAX_ATTEMPTS = 4  # one request and up to three retries (429, 5xx)
BACKOFF_S = 1.0  # 1, 2, 4 s when the server gives no Retry-After
MAX_RETRY_AFTER_S = 30.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_FIELDS = {
    "minimal": "true",
    "include": "siege,complements,matching_etablissements",
    "limite_matching_etablissements": "10",
}


def user_agent() -> str:
    try:
        from importlib.metadata import version

        release = version("sentiers")
    except Exception:
        release = "dev"
    return (
        f"Sentiers/{release} (acteurs du territoire pour l'accompagnement de structures de l'ESS ; "
        "client python-requests, 7 requêtes/s au plus)"
    )


class ApiUnavailable(SourceError):
    """The API could not be reached or did not answer in time (offline, refused, timeout, 5xx or 429 to the end)."""

    def __init__(self, message: str) -> None:
        super().__init__(SOURCE_NAME, message)


class ApiAnswerError(SourceError):
    """The API answered something that is not the documented JSON (HTML page, malformed JSON, wrong keys)."""

    def __init__(self, message: str) -> None:
        super().__init__(SOURCE_NAME, message)


class RateLimiter:
    """At most ``rate`` request starts per second: each start waits until 1/rate s after the previous one."""

    def __init__(
        self,
        rate: float = RATE_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> float:
        """Block until a request may start; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        waited = start - now
        if waited > 0:
            self._sleep(waited)
        return max(waited, 0.0)


_PROCESS_LIMITER = RateLimiter()


def process_limiter() -> RateLimiter:
    """The one limiter of this process (the API's limit is per address, not per session)."""
    return _PROCESS_LIMITER


class _Payload(BaseModel):
    results: list[dict[str, Any]] = Field(max_length=MAX_RESULTS_PER_PAGE)
    total_results: int = Field(ge=0)
    page: int = Field(default=1, ge=0)
    per_page: int = Field(default=PER_PAGE, ge=0)
    total_pages: int = Field(default=0, ge=0)


@dataclass
class Page:
    results: list[dict[str, Any]]
    total_results: int
    total_pages: int
    page: int


@dataclass
class Answer:
    """Every page of one query: the results, what the API said it had, whether the cap cut it."""

    path: str
    params: dict[str, str]
    results: list[dict[str, Any]] = field(default_factory=list)
    total_results: int = 0
    pages: int = 0
    truncated: bool = False


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - time.time(), 0.0)


class ApiClient:
    """One client per fetch; the rate limiter is shared by the whole process unless one is given."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        deadline_s: float | None = 120.0,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_s: float = BACKOFF_S,
        max_retry_after_s: float = MAX_RETRY_AFTER_S,
        limiter: RateLimiter | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = (base_url or settings.entreprises_api()).rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.deadline = None if deadline_s is None else time.monotonic() + deadline_s
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self.max_retry_after_s = max_retry_after_s
        self.limiter = limiter or process_limiter()
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": user_agent(), "Accept": "application/json"})
        self._sleep = sleep
        self.requests_sent = 0

    # -- one page ---------------------------------------------------------------------------------------
    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def _check_deadline(self, extra: float = 0.0) -> None:
        remaining = self._remaining()
        if remaining is not None and remaining - extra <= 0:
            raise ApiUnavailable("pas de réponse complète dans le temps imparti ; la liste est incomplète.")

    def _send(self, url: str, params: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        self._check_deadline()
        self.limiter.wait()
        self.requests_sent += 1
        connect, read = self.timeout
        remaining = self._remaining()
        if remaining is not None:
            connect, read = min(connect, max(remaining, 0.05)), min(read, max(remaining, 0.05))
        try:
            with self.session.get(url, params=params, timeout=(connect, read), stream=True) as response:
                body = self._read_bounded(response, read)
                return response.status_code, dict(response.headers), body
        except requests.exceptions.ConnectTimeout:
            raise ApiUnavailable(
                f"pas de connexion à l'API en {number(connect, 1)} s, hors ligne ?"
            ) from None
        except requests.exceptions.ReadTimeout:
            raise ApiUnavailable(f"l'API n'a pas répondu dans le délai ({number(read, 1)} s).") from None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():  # a stall while streaming the body
                raise ApiUnavailable(f"l'API n'a pas répondu dans le délai ({number(read, 1)} s).") from None
            raise ApiUnavailable("connexion impossible à l'API, hors ligne ou adresse injoignable.") from None
        except requests.exceptions.RequestException as exc:
            raise ApiUnavailable(f"échec de la requête ({type(exc).__name__}).") from None

    def _read_bounded(self, response: requests.Response, read_timeout: float) -> bytes:
        """The body, at most MAX_RESPONSE_BYTES, within the read timeout as a whole (a trickle is a stall)."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
            raise ApiAnswerError(f"réponse trop volumineuse ({int(declared)} octets annoncés).")
        started = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise ApiAnswerError(f"réponse trop volumineuse (plus de {MAX_RESPONSE_BYTES} octets).")
            chunks.append(chunk)
            if time.monotonic() - started > read_timeout:
                raise requests.exceptions.ReadTimeout()
            self._check_deadline()
        return b"".join(chunks)

    def get_page(self, path: str, params: Mapping[str, str]) -> Page:
        """One page, retried on 429 and 5xx with back-off; the checked payload."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        attempt = 0
        while True:
            attempt += 1
            status, headers, body = self._send(url, params)
            if status == 200:
                return self._parse(body, headers)
            if status in RETRY_STATUSES and attempt < self.max_attempts:
                wait = _retry_after(headers.get("Retry-After"))
                if wait is None:
                    wait = self.backoff_s * 2 ** (attempt - 1)
                if wait > self.max_retry_after_s:
                    raise ApiUnavailable(
                        f"l'API demande d'attendre {number(wait, 0)} s avant de nouvelles requêtes (HTTP {status})."
                    )
                self._check_deadline(extra=wait)
                log.info("API %s: HTTP %s, new try in %.1f s", path, status, wait)
                self._sleep(wait)
                continue
            if status == 429:
                raise ApiUnavailable("trop de requêtes (HTTP 429) : réessayez dans une minute.")
            if status >= 500:
                raise ApiUnavailable(f"service indisponible (HTTP {status}) : réessayez plus tard.")
            raise ApiAnswerError(f"requête refusée (HTTP {status}){self._error_text(body)}.")

    @staticmethod
    def _error_text(body: bytes) -> str:
        try:
            data = json.loads(body[:4096].decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return ""
        if isinstance(data, dict) and isinstance(data.get("erreur"), str):
            return f" : {printable(data['erreur'], 160)}"
        return ""

    @staticmethod
    def _parse(body: bytes, headers: Mapping[str, str]) -> Page:
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        head = body[:512].lstrip().lower()
        if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
            raise ApiAnswerError("page HTML reçue au lieu des données JSON (page d'erreur ou maintenance).")
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise ApiAnswerError("réponse illisible (encodage autre qu'UTF-8).") from None
        except RecursionError:
            raise ApiAnswerError("réponse JSON trop imbriquée.") from None
        except ValueError as exc:
            raise ApiAnswerError(f"réponse JSON mal formée ({printable(exc, 80)}).") from None
        if not isinstance(data, dict):
            raise ApiAnswerError("réponse JSON inattendue : un objet avec « results » est attendu.")
        try:
            payload = _Payload.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "racine"
            raise ApiAnswerError(f"réponse JSON inattendue (champ « {where} » : {first['msg']}).") from None
        return Page(
            results=[r for r in payload.results if isinstance(r, dict)],
            total_results=payload.total_results,
            total_pages=payload.total_pages,
            page=payload.page,
        )

    # -- every page ------------------------------------------------------------------------------------
    def search_all(
        self,
        params: Mapping[str, str],
        path: str = "search",
        max_pages: int = MAX_PAGES,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Answer:
        """Every page of a query up to ``max_pages`` (``on_page(page, total_pages)`` after each)."""
        query = {**DEFAULT_FIELDS, **{k: str(v) for k, v in params.items()}, "per_page": str(PER_PAGE)}
        answer = Answer(path=path, params={k: v for k, v in query.items() if k != "page"})
        page_no = 1
        while True:
            page = self.get_page(path, {**query, "page": str(page_no)})
            answer.results.extend(page.results)
            answer.total_results = page.total_results
            answer.pages = page_no
            if on_page is not None:
                on_page(page_no, min(page.total_pages, max_pages))
            if not page.results or page_no >= page.total_pages:
                break
            if page_no >= max_pages:
                answer.truncated = True
                break
            page_no += 1
        return answer

"""Events kept in a database: SQLAlchemy 2 models, Alembic migrations applied when the store opens.

- Where: ``SENTIERS_DATABASE_URL`` (:func:`sentiers.settings.database_url`) when set — PostgreSQL for several app
  replicas behind a load balancer (``postgresql://…`` is read with psycopg 3) —, else a SQLite file
  ``rencontres.sqlite`` in SENTIERS_HOME.
- Schema: :data:`Model` below is the code's view; ``migrations/versions/`` the database's history. Opening a
  store runs ``alembic upgrade head`` under a lock (PostgreSQL advisory lock, a file lock for SQLite), so several
  processes starting together migrate once. A test checks that the migrations produce exactly these models.
- Privacy: contacts (name, role, e-mail) live in three columns of ``participants`` and nowhere else (not in the
  journal, not in the JSON data); deleting an event deletes its participants, rules, meetings and journal
  (foreign keys ``ON DELETE CASCADE``), leaving one journal line without contact data that says so.
- Journal: every import, rule (pin, forbid, absence) and schedule computed is a line with its UTC time.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from sentiers import fr, settings
from sentiers.errors import SentiersError
from sentiers.events.plan import EventSettings, Plan, SlotTime
from sentiers.events.registrations import (
    Contact,
    ImportResult,
    Kind,
    RejectedRow,
    Structure,
    Territory,
    structure_from_record,
    territory_from_record,
    to_record,
)

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_NAME = "rencontres.sqlite"
_ADVISORY_KEY = 5_847_301_626  # PostgreSQL advisory lock of the migrations (any constant shared by replicas)
_STORES: dict[str, EventStore] = {}
_STORES_LOCK = threading.Lock()


def _now() -> datetime:
    return datetime.now(UTC)


class Model(DeclarativeBase):
    pass


class EventRow(Model):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    day: Mapped[date | None] = mapped_column(Date, nullable=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    slots: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    max_meetings: Mapped[int] = mapped_column(Integer)
    min_score: Mapped[float] = mapped_column(Float, default=0.0)
    schedule_note: Mapped[str] = mapped_column(Text, default="")
    computed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ParticipantRow(Model):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    line: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(250))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    absent: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_role: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")


class RejectedRowRow(Model):
    __tablename__ = "rejected_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    line: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(250))
    reason: Mapped[str] = mapped_column(Text)


class ImportRow(Model):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(250))
    rows: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class PairRuleRow(Model):
    __tablename__ = "pair_rules"
    __table_args__ = (UniqueConstraint("event_id", "territory_id", "structure_id", name="uq_pair_rule"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(8))  # "pin" | "forbid"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MeetingRow(Model):
    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    territory_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON)


class JournalRow(Model):
    __tablename__ = "journal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=True, index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


# -- the database ----------------------------------------------------------------------------------------


def database_url() -> str:
    """SENTIERS_DATABASE_URL (``postgresql://`` read with psycopg 3), else the SQLite file in SENTIERS_HOME."""
    url = settings.database_url()
    if not url:
        return f"sqlite:///{settings.sentiers_home() / SQLITE_NAME}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe_url(url: str) -> str:
    """The database named without its password (what a page or a log may show)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "base de données (adresse illisible)"
    if parsed.get_backend_name() == "sqlite":
        return f"fichier SQLite {Path(parsed.database or '').name or '(mémoire)'}"
    return f"{parsed.get_backend_name()} sur {parsed.host or 'localhost'}, base {parsed.database or ''}"


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SentiersError(
            "SENTIERS_DATABASE_URL illisible : une adresse SQLAlchemy est attendue."
        ) from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise SentiersError(
            f"Base de données inutilisable ({describe_url(url)}) : {type(exc).__name__}."
        ) from None


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """SQLite: one migrating process at a time, held until its transaction is committed."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def migrate(engine: Engine) -> str:
    """``alembic upgrade head`` on the engine's database, once even with several processes; the revision."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return str(head)
    with _file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # held until this transaction ends (commit included)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return str(head)


def open_store(url: str | None = None) -> EventStore:
    """The store of ``url`` (default: :func:`database_url`), migrated; one per URL in a process."""
    url = url or database_url()
    with _STORES_LOCK:
        store = _STORES.get(url)
        if store is None:
            engine = _engine(url)
            try:
                migrate(engine)
            except OperationalError as exc:
                engine.dispose()
                raise SentiersError(
                    f"Base des rencontres injoignable ({describe_url(url)}) : "
                    f"{fr.printable(str(exc.orig).splitlines()[0] if exc.orig else exc, 160)}"
                ) from None
            store = _STORES[url] = EventStore(engine)
        return store


def close_stores() -> None:
    """Dispose every engine opened by :func:`open_store` (tests)."""
    with _STORES_LOCK:
        for store in _STORES.values():
            store.engine.dispose()
        _STORES.clear()


# -- what the page reads --------------------------------------------------------------------------------


@dataclass
class EventSummary:
    id: int
    name: str
    day: date | None
    place: str
    territories: int
    structures: int
    meetings: int
    computed_at: datetime | None


@dataclass
class Participants:
    """An event's participants in list order, with their database ids (pins and meetings refer to them)."""

    territories: list[Territory]
    structures: list[Structure]
    territory_ids: list[int]
    structure_ids: list[int]
    rejected: list[RejectedRow]

    def index_of(self) -> tuple[dict[int, int], dict[int, int]]:
        return (
            {pid: i for i, pid in enumerate(self.territory_ids)},
            {pid: j for j, pid in enumerate(self.structure_ids)},
        )


@dataclass
class StoredMeeting:
    slot: int
    territory_id: int
    structure_id: int
    score: float
    reasons: list[str]


@dataclass
class JournalLine:
    at: datetime
    action: str
    detail: str


ACTIONS = {
    "event_created": "Événement créé",
    "event_updated": "Événement modifié",
    "event_deleted": "Événement supprimé",
    "import": "Import d'une liste",
    "pin": "Rencontre imposée",
    "forbid": "Rencontre interdite",
    "rule_removed": "Règle retirée",
    "absent": "Participant absent",
    "present": "Participant présent",
    "schedule": "Planning calculé",
}


class EventStore:
    """Reads and writes events; every change that matters is journaled with its time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except SQLAlchemyError as exc:
                session.rollback()
                log.exception("events database error")
                raise SentiersError(
                    f"Base des rencontres : l'opération n'a pas abouti ({type(exc).__name__}) ; rien n'a été changé."
                ) from None
            except BaseException:
                session.rollback()
                raise

    def _journal(self, session: Session, event_id: int | None, action: str, detail: str = "") -> None:
        session.add(JournalRow(event_id=event_id, at=_now(), action=action, detail=detail[:4000]))

    def _event(self, session: Session, event_id: int) -> EventRow:
        row = session.get(EventRow, event_id)
        if row is None:
            raise SentiersError("Événement introuvable (supprimé entre-temps ?).")
        return row

    # events
    def create_event(self, spec: EventSettings) -> int:
        with self._session() as session:
            row = EventRow(
                name=spec.name,
                day=spec.date,
                place=spec.place,
                slots=[s.model_dump() for s in spec.slots],
                max_meetings=spec.max_meetings,
                min_score=spec.min_score,
                created_at=_now(),
                updated_at=_now(),
            )
            session.add(row)
            session.flush()
            self._journal(
                session,
                row.id,
                "event_created",
                f"{spec.name} : {fr.plural(len(spec.slots), 'créneau', 'créneaux')}, "
                f"{spec.max_meetings} rencontres au plus par participant",
            )
            return int(row.id)

    def update_event(self, event_id: int, spec: EventSettings) -> None:
        with self._session() as session:
            row = self._event(session, event_id)
            row.name, row.day, row.place = spec.name, spec.date, spec.place
            row.slots = [s.model_dump() for s in spec.slots]
            row.max_meetings, row.min_score, row.updated_at = spec.max_meetings, spec.min_score, _now()
            self._journal(
                session,
                event_id,
                "event_updated",
                f"{fr.plural(len(spec.slots), 'créneau', 'créneaux')}, {spec.max_meetings} rencontres au plus",
            )

    def settings(self, event_id: int) -> EventSettings:
        with self._session() as session:
            row = self._event(session, event_id)
            return EventSettings(
                name=row.name,
                date=row.day,
                place=row.place,
                slots=[SlotTime(**s) for s in row.slots],
                max_meetings=row.max_meetings,
                min_score=row.min_score,
            )

    def schedule_note(self, event_id: int) -> tuple[str, datetime | None]:
        with self._session() as session:
            row = self._event(session, event_id)
            return row.schedule_note, row.computed_at

    def list_events(self) -> list[EventSummary]:
        with self._session() as session:
            counts: dict[tuple[int, str], int] = {}
            for eid, kind, n in session.execute(
                select(ParticipantRow.event_id, ParticipantRow.kind, func.count()).group_by(
                    ParticipantRow.event_id, ParticipantRow.kind
                )
            ):
                counts[(int(eid), str(kind))] = int(n)
            meetings = dict(
                session.execute(select(MeetingRow.event_id, func.count()).group_by(MeetingRow.event_id)).all()
            )
            rows = session.scalars(select(EventRow).order_by(EventRow.day.desc(), EventRow.id.desc())).all()
            return [
                EventSummary(
                    id=r.id,
                    name=r.name,
                    day=r.day,
                    place=r.place,
                    territories=counts.get((r.id, "territoires"), 0),
                    structures=counts.get((r.id, "structures"), 0),
                    meetings=int(meetings.get(r.id, 0)),
                    computed_at=r.computed_at,
                )
                for r in rows
            ]

    def delete_event(self, event_id: int) -> None:
        """The event and everything about it (contacts included); one journal line without contact data remains."""
        with self._session() as session:
            row = self._event(session, event_id)
            people = session.scalar(
                select(func.count()).select_from(ParticipantRow).where(ParticipantRow.event_id == event_id)
            )
            name = row.name
            for model in (MeetingRow, PairRuleRow, RejectedRowRow, ImportRow, ParticipantRow, JournalRow):
                session.execute(delete(model).where(model.event_id == event_id))
            session.delete(row)
            self._journal(
                session,
                None,
                "event_deleted",
                f"{name} (n° {event_id}) : {fr.plural(int(people or 0), 'participant')} et leurs contacts effacés",
            )

    # participants
    def replace_participants(self, event_id: int, result: ImportResult, filename: str = "") -> None:
        """A list (re)imported: its previous participants, their rules and the meetings go; journaled."""
        kind: Kind = result.kind
        with self._session() as session:
            row = self._event(session, event_id)
            old = select(ParticipantRow.id).where(
                ParticipantRow.event_id == event_id, ParticipantRow.kind == kind
            )
            session.execute(delete(MeetingRow).where(MeetingRow.event_id == event_id))
            session.execute(
                delete(PairRuleRow).where(
                    PairRuleRow.event_id == event_id,
                    (PairRuleRow.territory_id.in_(old)) | (PairRuleRow.structure_id.in_(old)),
                )
            )
            session.execute(
                delete(ParticipantRow).where(ParticipantRow.event_id == event_id, ParticipantRow.kind == kind)
            )
            session.execute(
                delete(RejectedRowRow).where(RejectedRowRow.event_id == event_id, RejectedRowRow.kind == kind)
            )
            for p in result.accepted:
                session.add(
                    ParticipantRow(
                        event_id=event_id,
                        kind=kind,
                        line=p.line,
                        name=p.name,
                        data=to_record(p),
                        absent=bool(p.absent),
                        contact_name=p.contact.name,
                        contact_role=p.contact.role,
                        contact_email=p.contact.email,
                    )
                )
            for r in result.rejected:
                session.add(
                    RejectedRowRow(
                        event_id=event_id, kind=kind, line=r.line, name=r.name[:250], reason=r.reason
                    )
                )
            session.add(
                ImportRow(
                    event_id=event_id,
                    kind=kind,
                    filename=filename[:250],
                    rows=result.rows,
                    accepted=len(result.accepted),
                    rejected=len(result.rejected),
                    mapping=dict(result.mapping),
                    at=_now(),
                )
            )
            row.schedule_note, row.computed_at, row.updated_at = "", None, _now()
            self._journal(
                session,
                event_id,
                "import",
                f"{kind} : {fr.quoted(filename, 80)}, {result.sentence()}",
            )

    def participants(self, event_id: int) -> Participants:
        with self._session() as session:
            self._event(session, event_id)
            rows = session.scalars(
                select(ParticipantRow)
                .where(ParticipantRow.event_id == event_id)
                .order_by(ParticipantRow.line)
            ).all()
            territories, structures, t_ids, s_ids = [], [], [], []
            for r in rows:
                contact = Contact(r.contact_name, r.contact_role, r.contact_email)
                data = {**r.data, "absent": bool(r.absent)}
                if r.kind == "territoires":
                    territories.append(territory_from_record(data, contact))
                    t_ids.append(r.id)
                else:
                    structures.append(structure_from_record(data, contact))
                    s_ids.append(r.id)
            rejected = [
                RejectedRow(r.kind, r.line, r.name, r.reason)  # type: ignore[arg-type]
                for r in session.scalars(
                    select(RejectedRowRow)
                    .where(RejectedRowRow.event_id == event_id)
                    .order_by(RejectedRowRow.kind.desc(), RejectedRowRow.line)
                ).all()
            ]
            return Participants(territories, structures, t_ids, s_ids, rejected)

    def set_absent(self, event_id: int, participant_id: int, absent: bool) -> None:
        with self._session() as session:
            row = session.get(ParticipantRow, participant_id)
            if row is None or row.event_id != event_id:
                raise SentiersError("Participant introuvable dans cet événement.")
            if row.absent == absent:
                return
            row.absent = absent
            if absent:  # a pinned meeting cannot hold without them
                session.execute(
                    delete(PairRuleRow).where(
                        PairRuleRow.event_id == event_id,
                        PairRuleRow.rule == "pin",
                        (PairRuleRow.territory_id == participant_id)
                        | (PairRuleRow.structure_id == participant_id),
                    )
                )
            self._journal(session, event_id, "absent" if absent else "present", row.name)

    # rules
    def set_rule(self, event_id: int, territory_id: int, structure_id: int, rule: str | None) -> None:
        """Pin (``"pin"``), forbid (``"forbid"``) or free (None) a pair."""
        if rule not in ("pin", "forbid", None):
            raise SentiersError("Règle inconnue : imposer, interdire ou retirer.")
        with self._session() as session:
            t = session.get(ParticipantRow, territory_id)
            s = session.get(ParticipantRow, structure_id)
            if t is None or s is None or t.event_id != event_id or s.event_id != event_id:
                raise SentiersError("Rencontre introuvable dans cet événement.")
            if t.kind != "territoires" or s.kind != "structures":
                raise SentiersError("Une rencontre associe un territoire et une structure.")
            existing = session.scalar(
                select(PairRuleRow).where(
                    PairRuleRow.event_id == event_id,
                    PairRuleRow.territory_id == territory_id,
                    PairRuleRow.structure_id == structure_id,
                )
            )
            if rule is None:
                if existing is not None:
                    session.delete(existing)
                    self._journal(session, event_id, "rule_removed", f"{t.name} — {s.name}")
                return
            if rule == "pin" and (t.absent or s.absent):
                raise SentiersError("Impossible d'imposer une rencontre à un participant marqué absent.")
            if existing is None:
                session.add(
                    PairRuleRow(
                        event_id=event_id,
                        territory_id=territory_id,
                        structure_id=structure_id,
                        rule=rule,
                        at=_now(),
                    )
                )
            elif existing.rule != rule:
                existing.rule, existing.at = rule, _now()
            else:
                return
            self._journal(session, event_id, rule, f"{t.name} — {s.name}")

    def rules(self, event_id: int) -> list[tuple[int, int, str]]:
        with self._session() as session:
            rows = session.execute(
                select(PairRuleRow.territory_id, PairRuleRow.structure_id, PairRuleRow.rule)
                .where(PairRuleRow.event_id == event_id)
                .order_by(PairRuleRow.id)
            ).all()
            return [(int(a), int(b), str(c)) for a, b, c in rows]

    # schedule
    def save_schedule(self, event_id: int, plan: Plan, people: Participants) -> None:
        with self._session() as session:
            row = self._event(session, event_id)
            session.execute(delete(MeetingRow).where(MeetingRow.event_id == event_id))
            for m in plan.schedule.meetings:
                session.add(
                    MeetingRow(
                        event_id=event_id,
                        slot=m.slot,
                        territory_id=people.territory_ids[m.territory],
                        structure_id=people.structure_ids[m.structure],
                        score=float(m.score),
                        reasons=plan.pairs.reasons(m.territory, m.structure),
                    )
                )
            row.schedule_note, row.computed_at, row.updated_at = plan.schedule.quality(), _now(), _now()
            pins = len(plan.schedule.pinned)
            self._journal(
                session,
                event_id,
                "schedule",
                f"{fr.plural(len(plan.schedule.meetings), 'rencontre')}, {fr.plural(pins, 'imposée', 'imposées')}, "
                f"total des scores {fr.number(plan.schedule.total_score)} ; {plan.schedule.status}",
            )

    def meetings(self, event_id: int) -> list[StoredMeeting]:
        with self._session() as session:
            rows = session.scalars(
                select(MeetingRow)
                .where(MeetingRow.event_id == event_id)
                .order_by(MeetingRow.slot, MeetingRow.id)
            ).all()
            return [
                StoredMeeting(r.slot, r.territory_id, r.structure_id, r.score, list(r.reasons)) for r in rows
            ]

    def journal(self, event_id: int | None = None) -> list[JournalLine]:
        with self._session() as session:
            query = select(JournalRow).order_by(JournalRow.at.desc(), JournalRow.id.desc())
            query = query.where(JournalRow.event_id == event_id) if event_id is not None else query
            return [
                JournalLine(_utc(r.at), ACTIONS.get(r.action, r.action), r.detail)
                for r in session.scalars(query.limit(500)).all()
            ]

    def imports(self, event_id: int) -> list[dict[str, Any]]:
        with self._session() as session:
            rows = session.scalars(
                select(ImportRow).where(ImportRow.event_id == event_id).order_by(ImportRow.at.desc())
            ).all()
            return [
                {
                    "kind": r.kind,
                    "filename": r.filename,
                    "rows": r.rows,
                    "accepted": r.accepted,
                    "rejected": r.rejected,
                    "mapping": r.mapping,
                    "at": _utc(r.at),
                }
                for r in rows
            ]


def _utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

"""Is this a record, a journal line, a file cope-tui wrote? The one check for all of them.

The store runs it on every journal line it replays, every record it saves and every
stored record it loads (unless the file is the very one it checked before: see
`stamp`); `doctor` and the backup checks run the same functions, so what the app refuses
to open is exactly what doctor reports.

Records are checked with the pydantic models the app reads them with, in strict mode on
their JSON form: the app's bulk readers use the stored dicts as they are, so a date that
is a number or a count that is text must be refused here, not coerced. Messages name the
table, the record and the field, never a stored value (they reach terminals and logs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import orjson

from . import file_form, format
from .bulk import gc_paused
from .format import APP_ID, TABLES

LABELS = {"meta": "format record", "clients": "client", "meetings": "meeting", "exercises": "exercise"}


class Bad(NamedTuple):
    """One record that is not what cope-tui stores; `problem` names no stored value."""

    table: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{LABELS.get(self.table, 'record')} {shown(self.key)}: {self.problem}"


def shown(text: Any, limit: int = 40) -> str:
    """A key or field name from a file, safe to print: control and invisible characters
    escaped, long ones cut."""
    text = str(text)
    cut = text[:limit] + ("..." if len(text) > limit else "")
    return cut if cut.isprintable() else repr(cut)[1:-1]


_validators: dict[str, Any] = {}


def _validator(table: str):
    """The model's compiled validator, imported on first use (the client list paints without)."""
    if not _validators:
        from ..cope.exercise import Exercise
        from ..meetings.models import Client, Meeting

        for name, model in (("clients", Client), ("meetings", Meeting), ("exercises", Exercise)):
            _validators[name] = model.__pydantic_validator__
    return _validators[table]


STORED_ALWAYS = {"meetings": ("client_id", "kind", "started", "steps")}

# Records found sound during one remembering() block, by a digest of table, key and JSON.
_sound: set[bytes] | None = None


@contextmanager
def remembering() -> Iterator[None]:
    """A doctor run checks the DB and then every backup point as the DB it would restore:
    ten points of a 10,000-meeting DB are 110,000 record checks, nearly all of records
    met before, byte for byte (37 s, most of it in the models' validation). Within the
    block a record already found sound is not validated again; only the same table, key
    and JSON bytes count as the same, so a changed record is checked in full."""
    global _sound
    outer = _sound
    _sound = set() if outer is None else outer
    try:
        yield
    finally:
        _sound = outer


def record_problem(table: str, key: Any, doc: Any, encoded: bytes | None = None) -> str | None:
    """What is wrong with `doc` stored as `table[key]`, or None when the app can read it.
    `encoded`: the doc's JSON when the caller has it (made from this very doc)."""
    if table not in TABLES:
        return f"the table '{shown(table)}' is not one cope-tui keeps"
    if not isinstance(key, str):
        return "its id is not text"
    if not isinstance(doc, dict):
        return "it is not a record (a JSON object)"
    if table == "meta":
        return _meta_problem(key, doc)
    if doc.get("id") != key:
        return "the id inside it is not the id it is stored under"
    # The models give these defaults for new records; a stored one always spells them out,
    # so one missing (`started` flipped to `rtarted`) is damage, not a meeting from now.
    missing = [name for name in STORED_ALWAYS.get(table, ()) if name not in doc]
    if missing:
        return f"{missing[0]}: missing"
    from pydantic import ValidationError

    try:
        encoded = orjson.dumps(doc) if encoded is None else encoded
        seen = None if _sound is None else hashlib.blake2b(f"{table}\0{key}\0".encode() + encoded, digest_size=16).digest()
        if seen is not None and seen in _sound:
            return None
        _validator(table).validate_json(encoded, strict=True)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        where = ".".join(shown(part) for part in first.get("loc", ())) or "the record"
        return f"{where}: {first.get('msg', 'not valid')}"
    except orjson.JSONEncodeError:
        return "it holds a value JSON cannot hold"
    if seen is not None and _sound is not None:
        _sound.add(seen)
    return None


def _meta_problem(key: str, doc: dict[str, Any]) -> str | None:
    if key != "app":
        return None  # a newer cope-tui's own facts: kept as they are
    if doc.get("app") != APP_ID:
        return "it does not name cope-tui"
    if not _whole(doc.get("schema", 0)):
        return "its format version is not a whole number"
    if "seq" in doc and not _whole(doc["seq"]):
        return "its change number is not a whole number"
    lost = doc.get("lost", [])
    if not isinstance(lost, list) or not all(
        isinstance(run, list) and len(run) == 2 and all(_whole(n) for n in run) for run in lost
    ):
        return "its list of missing changes is not a list of number pairs"
    return None


def _whole(value: Any) -> bool:
    """A count or number as the store writes it: an int, not a bool, not negative."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def entry_problem(entry: Any, records: bool = True) -> str | None:
    """What is wrong with one journal entry ({"t": table, "id": key, "doc": record} or
    {"t": table, "id": key, "del": true}, each with its change number "seq" since those
    exist, see anchor.py), or None. Without `records`, only its shape is checked (its
    record is checked after an upgrade, with everything else)."""
    if not isinstance(entry, dict):
        return "it is not a journal entry (a JSON object)"
    if "t" not in entry or "id" not in entry:
        return "it does not name a table and a record"
    if "seq" in entry and not (_whole(entry["seq"]) and entry["seq"] > 0):
        return "its change number is not a whole number above 0"
    table = entry["t"]
    if not isinstance(table, str) or table not in TABLES:
        return f"it names a table cope-tui does not keep ('{shown(table)}')"
    if not isinstance(entry["id"], str):
        return "its record id is not text"
    if "del" in entry:
        return None if entry["del"] is True and "doc" not in entry else "it is neither a save nor a deletion"
    if "doc" not in entry:
        return "it holds no record"
    if not records:
        return None if isinstance(entry["doc"], dict) else "its record is not a JSON object"
    problem = record_problem(table, entry["id"], entry["doc"])
    return f"{LABELS[table]} {shown(entry['id'])}: {problem}" if problem else None


def entry_shape_problem(entry: Any) -> str | None:
    return entry_problem(entry, records=False)


def file_problem(data: Any) -> tuple[bool, str] | None:
    """The whole file's shape: (ours, what is wrong), or None when it is sound.

    `ours` is False for JSON that is not a cope-tui database at all; True for one whose
    format record says cope-tui but whose tables are not what cope-tui writes."""
    if not isinstance(data, dict):
        return False, "it is not a JSON object"
    if not data:
        return None  # a new, empty database
    meta = data.get("meta")
    app = meta.get("app") if isinstance(meta, dict) else None
    if not isinstance(app, dict) or app.get("app") != APP_ID:
        return False, f"it is not a cope-tui database (it holds: {tables_held(data)})"
    for name, table in data.items():
        if name not in TABLES:
            return True, f"it holds a table '{shown(name)}' that cope-tui does not keep"
        if not isinstance(table, dict):
            return True, f"its '{name}' table is not a table of records"
    problem = _meta_problem("app", app)
    return (True, problem) if problem else None


def tables_held(data: Any) -> str:
    """The names a JSON file holds at its top, safe to print (for 'not a cope-tui database')."""
    if not isinstance(data, dict):
        return "no tables"
    return ", ".join(sorted(shown(k, 20) for k in data))[:80]


def schema_of(data: dict[str, Any]) -> int:
    """The format version of data that passed `file_problem`: the current one for a new
    database (no format record yet), 0 for a format record without a version (the oldest)."""
    app = (data.get("meta") or {}).get("app")
    return app.get("schema", 0) if isinstance(app, dict) else format.SCHEMA


class Form(NamedTuple):
    """What a parsed DB file is, as the store, doctor and the backup checks see it."""

    ours: bool  # it says it is cope-tui's (or is empty: a new database)
    problem: str  # what is wrong with its shape; "" when it is sound
    schema: int  # its format version (meaningful when sound)
    new: bool  # an empty JSON object: a database with nothing in it yet


def identify(data: Any) -> Form:
    """Is this parsed file a cope-tui database, sound in shape, and of which format? The
    one check every reader of DB files runs. A sound one gets the tables it lacks (empty),
    as the store keeps them, and the records of a file in the lean form (file_form.py)
    back in the form the store keeps them in."""
    new = isinstance(data, dict) and not data
    shape = file_problem(data)
    if shape is not None:
        return Form(shape[0], shape[1], 0, new)
    for name in TABLES:
        data.setdefault(name, {})
    schema = schema_of(data)
    if schema >= file_form.LEAN_SCHEMA:
        try:
            with gc_paused(freeze=True):  # a whole DB's rows built at once
                file_form.read_tables(data)
        except file_form.FormDamaged as exc:
            return Form(True, str(exc), schema, new)
    return Form(True, "", schema, new)


def table_problems(data: dict[str, Any], tables: tuple[str, ...] = TABLES) -> Iterator[Bad]:
    """Every stored record of `tables` that the app could not read, table by table."""
    for table in tables:
        docs = data.get(table) or {}
        if not isinstance(docs, dict):
            yield Bad(table, "", "the table is not a table of records")
            continue
        with gc_paused():
            for key, doc in docs.items():
                problem = record_problem(table, key, doc)
                if problem is not None:
                    yield Bad(table, key, problem)


_rules: list[str] = []


def _rules_id() -> str:
    """Names these checks: the cope-tui version and the source of the models and of this
    module (so records are checked again whenever what they are checked against changes)."""
    if not _rules:
        from pathlib import Path

        from .. import __version__

        # Read as files, not imported: a load that only needs the stamp (export) would
        # otherwise build every pydantic model class first.
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(__version__.encode())
        for source in ("records.py", "meetings/models.py", "cope/exercise.py", "store/record_check.py"):
            digest.update((package / source).read_bytes())
        _rules.append(digest.hexdigest()[:16])
    return _rules[0]


def stamp(raw: Any) -> str:
    """Names a main file exactly as it was checked, by these checks: a compaction writes
    it beside the file (in the summary), and a load that finds the same stamp need not
    check every stored record again. A file changed in any byte, or checked by another
    version of cope-tui or of its models, gets another stamp and is checked in full."""
    return f"{_rules_id()}:{hashlib.sha256(raw).hexdigest()}"

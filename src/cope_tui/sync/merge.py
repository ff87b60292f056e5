"""Two versions of one record become one, field by field, and nothing is lost.

Each side's change is measured against the last version both sides had (the base):
a field changed on one side only takes that change; the same field changed on both
sides keeps this side's value in the record and the other one beside it, as a
conflict to choose from later. Lists of rows (anything with an `id`, or a `number`)
merge row by row, so two workers adding rows both keep theirs; other lists merge as
sets. An edit beats a deletion (the deletion is noted as a conflict). A finalised
meeting never changes: any other version of it is kept beside it.

Every rule gives the same result on every machine, whichever side runs it, so the
team's copies converge instead of trading versions back and forth.

A record's synced content is `{"doc": dict | None, "conflicts": [...]}` (None: deleted).
A conflict is `{"id", "kind", "path", "value", "by"}`: kind "field" (the other value of
the field at `path`), "finalised" (another whole version of a finalised meeting) or
"deleted" (a deletion that lost to an edit); its id is a hash of what it holds, so two
machines noting the same conflict note it once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

import orjson


class _Missing:
    """A key or row that is not there (None is a value: JSON's null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
Path = list[Any]  # dict keys, and {"id": ...} / {"number": ...} for rows of a list


def canon(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def canon_content(content: dict[str, Any]) -> tuple[bytes, bytes]:
    """canon() of a synced content and, inside it, of its doc: one serialisation of a
    record pulled serves its hash, the DB's record check and both journals."""
    if content.keys() != {"doc", "conflicts"}:
        return canon(content), canon(content.get("doc"))
    doc = canon(content["doc"])
    return b'{"conflicts":' + canon(content["conflicts"]) + b',"doc":' + doc + b"}", doc


def digest(value: Any) -> str:
    return digest_of(canon(value))


def digest_of(canonical: bytes) -> str:
    """digest() of a value whose canon() is at hand already (a push needs both)."""
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


def empty(doc: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"doc": doc, "conflicts": []}


# ---- values ------------------------------------------------------------------------------


def merge_values(base: Any, here: Any, there: Any, path: Path, found: list[tuple[Path, Any]]) -> Any:
    """The merged value; each same-field clash appends (path, there's value) to `found`
    and keeps here's. `base` is MISSING when nothing in common is known."""
    if here == there:
        return here
    if base is not MISSING:
        if here == base:
            return there
        if there == base:
            return here
    if isinstance(here, dict) and isinstance(there, dict):
        return _merge_dicts(base if isinstance(base, dict) else {}, here, there, path, found)
    if isinstance(here, list) and isinstance(there, list):
        return _merge_lists(base if isinstance(base, list) else [], here, there, path, found)
    if here is MISSING:  # added there, or removed here while changed there: keep it
        return there
    if there is MISSING:
        return here
    found.append((path, there))
    return here


def _merge_dicts(base: dict, here: dict, there: dict, path: Path, found: list) -> dict:
    out = {}
    for key in [*here, *(k for k in there if k not in here)]:
        value = merge_values(base.get(key, MISSING), here.get(key, MISSING), there.get(key, MISSING), [*path, key], found)
        if value is not MISSING:
            out[key] = value
    return out


def _row_key(*lists: list) -> str | None:
    """'id' (or 'number') when every item of every list is a row with its own one."""
    for key in ("id", "number"):
        if all(_unique_rows(items, key) for items in lists):
            return key
    return None


def _unique_rows(items: list, key: str) -> bool:
    seen = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get(key), str | int) or item[key] in seen:
            return False
        seen.add(item[key])
    return True


def _index(items: list, key: str | None) -> dict[Any, Any]:
    if key is not None:
        return {item[key]: item for item in items}
    counts: dict[bytes, int] = {}
    out = {}
    for item in items:  # equal items stay apart: the second "Ann" is not the first
        raw = canon(item)
        counts[raw] = counts.get(raw, 0) + 1
        out[(raw, counts[raw])] = item
    return out


def _merge_lists(base: list, here: list, there: list, path: Path, found: list) -> list:
    key = _row_key(base, here, there)
    b, h, t = _index(base, key), _index(here, key), _index(there, key)
    out = []
    for k, item in h.items():
        if k in t:
            out.append(merge_values(b.get(k, MISSING), item, t[k], [*path, {key: k}], found) if key else item)
        elif not (k in b and item == b[k]):  # kept unless removed there and unchanged here
            out.append(item)
    for k, item in t.items():
        if k not in h and not (k in b and item == b[k]):
            out.append(item)
    return out


# ---- records -----------------------------------------------------------------------------


def merge_record(table: str, base: dict | None, here: dict, there: dict, *, me: str, them: str) -> dict:
    """The content both sides should hold. `base` is None when no common version is known
    (every clash is then a conflict); `me` and `them` name who wrote each side."""
    found: list[tuple[str, Path, Any, str]] = []
    base_doc = base["doc"] if base is not None else MISSING
    doc = _merge_doc(table, base_doc, here["doc"], there["doc"], me, them, found)
    base_conflicts = base["conflicts"] if base is not None else MISSING
    conflicts = merge_values(base_conflicts, here["conflicts"], there["conflicts"], ["conflicts"], [])
    conflicts = conflicts + [conflict(kind, path, value, by) for kind, path, value, by in found]
    return {"doc": doc, "conflicts": tidy(doc, conflicts)}


def _merge_doc(table, base, here, there, me, them, found) -> dict | None:
    if here == there:
        return here
    if table == "meetings" and (finalised(here) or finalised(there)):
        return _merge_finalised(base, here, there, me, them, found)
    if here is None or there is None:
        gone_here = here is None
        kept = there if gone_here else here
        if base is None:
            return kept  # new on one side, never on the other
        if base is not MISSING and kept == base:
            return None  # deleted on one side, untouched on the other
        found.append(("deleted", [], None, me if gone_here else them))
        return kept
    fields: list[tuple[Path, Any]] = []
    doc = merge_values(base, here, there, [], fields)
    for path, value in fields:
        settle = QUIET.get((table, path[0])) if len(path) == 1 else None
        if settle is None:
            found.append(("field", path, value, them))
        else:  # `doc` was made by this merge (a clash is in it): set, not shared
            doc[path[0]] = settle(doc[path[0]], value)
    return doc


def _greater(here: Any, there: Any) -> Any:
    """The same answer on both sides, whichever side asks (two counts or two texts)."""
    if type(here) is type(there) and isinstance(here, int | str) and not isinstance(here, bool):
        return max(here, there)
    return here


# Parts of a record that nobody wrote: a clash there is settled without asking anyone.
# Two workers with one draft meeting open each count its clock and stay on a step of
# their own; asked to choose between 754 and 812 seconds, or between two steps, a user
# learns nothing and has one more thing to do before the real conflicts. The clock keeps
# the longer time (the time with the client, counted by both); the step saved is either
# (a screen stays on its own step whatever the record says). Both are settled the same
# way on both sides, so the two end up holding the same version.
QUIET: dict[tuple[str, str], Callable[[Any, Any], Any]] = {
    ("meetings", "active_seconds"): _greater,
    ("meetings", "current_step"): _greater,
}


def finalised(doc: Any) -> bool:
    return isinstance(doc, dict) and bool(doc.get("finalised_at"))


def signed_part(doc: dict) -> dict:
    """What finalising fixed: all but the addenda (which may grow), empty fields aside."""
    return {k: v for k, v in doc.items() if k != "addenda" and v is not None}


def _merge_finalised(base, here, there, me, them, found) -> dict | None:
    if finalised(here) and finalised(there):
        if signed_part(here) == signed_part(there):
            base_add = base.get("addenda", []) if isinstance(base, dict) else MISSING
            addenda = merge_values(base_add, here.get("addenda", []), there.get("addenda", []), ["addenda"], [])
            return {**here, "addenda": addenda}
        # Finalised twice, differently: the earlier finalising stands, on every machine.
        here_first = _rank(here) <= _rank(there)
        win, lose, by = (here, there, them) if here_first else (there, here, me)
        found.append(("finalised", [], lose, by))
        return win
    if finalised(here):
        if _only_looked_at(base, there):
            return here
        found.append(("deleted" if there is None else "finalised", [], there, them))
        return here
    if _only_looked_at(base, here):
        return there
    found.append(("deleted" if here is None else "finalised", [], here, me))
    return there


def _only_looked_at(base: Any, draft: Any) -> bool:
    """The draft as the common version had it, but for the parts nobody wrote (QUIET): a
    worker who only had it open while a colleague finalised it. Its clock went on and
    was saved, and that was kept beside the finalised meeting as another version of it,
    a conflict for every member, in the name of one who typed nothing."""
    if base is MISSING:
        return False
    if draft == base:
        return True
    if not (isinstance(draft, dict) and isinstance(base, dict)):
        return False
    quiet = {key for table, key in QUIET if table == "meetings"}
    return {k: v for k, v in draft.items() if k not in quiet} == {k: v for k, v in base.items() if k not in quiet}


def _rank(doc: dict) -> tuple[str, str]:
    return str(doc.get("finalised_at")), digest(doc)


def conflict(kind: str, path: Path, value: Any, by: str) -> dict[str, Any]:
    ident = hashlib.blake2b(canon([kind, path, value]), digest_size=8).hexdigest()
    return {"id": ident, "kind": kind, "path": path, "value": value, "by": by}


def tidy(doc: dict | None, conflicts: list[dict]) -> list[dict]:
    """One of each, in a fixed order, without those the record has come to agree with."""
    out: dict[str, dict] = {}
    for item in conflicts:
        if item["id"] in out or _moot(doc, item):
            continue
        out[item["id"]] = item
    return [out[k] for k in sorted(out)]


def _moot(doc: dict | None, item: dict) -> bool:
    if item["kind"] == "deleted":
        return doc is None
    if item["kind"] == "finalised":
        return item["value"] == doc
    return doc is not None and get_at(doc, item["path"]) == item["value"]


# ---- paths and choosing ------------------------------------------------------------------


def get_at(doc: Any, path: Path) -> Any:
    node = doc
    for seg in path:
        if isinstance(seg, str):
            node = node.get(seg, MISSING) if isinstance(node, dict) else MISSING
        else:
            (key, value), = seg.items()
            rows = node if isinstance(node, list) else []
            node = next((r for r in rows if isinstance(r, dict) and r.get(key) == value), MISSING)
        if node is MISSING:
            return MISSING
    return node


def set_at(doc: Any, path: Path, value: Any) -> Any:
    """A copy of `doc` with `value` at `path` (copied along the path only)."""
    if not path:
        return value
    seg, rest = path[0], path[1:]
    if isinstance(seg, str):
        if not isinstance(doc, dict) or (rest and seg not in doc):
            raise KeyError(seg)
        return {**doc, seg: set_at(doc[seg], rest, value) if rest else value}
    (key, want), = seg.items()
    if not isinstance(doc, list) or not any(isinstance(r, dict) and r.get(key) == want for r in doc):
        raise KeyError(want)
    return [set_at(r, rest, value) if isinstance(r, dict) and r.get(key) == want else r for r in doc]


class CannotChoose(ValueError):
    """That version cannot be taken; the message says why."""


def choose(content: dict, conflict_id: str, *, take_other: bool, both: bool = False) -> dict:
    """The content with one conflict settled: the other version taken, this one kept, or
    (`both`, two texts) both kept, this one first: notes two workers added to at once
    both keep what was written, and the user tidies the one text."""
    found = next((c for c in content["conflicts"] if c["id"] == conflict_id), None)
    if found is None:
        raise CannotChoose("That conflict is settled already (here or on another machine).")
    doc = content["doc"]
    if take_other or both:
        if finalised(doc):
            raise CannotChoose(
                "A finalised meeting never changes, so the other version cannot replace it. Copy what "
                "matters from it into an addendum, then keep this one."
            )
        if both:
            doc = _both_texts(doc, found)
        elif found["kind"] == "deleted":
            doc = None
        elif found["kind"] == "finalised":
            doc = found["value"]
        else:
            try:
                doc = set_at(doc, found["path"], found["value"])
            except KeyError:
                raise CannotChoose("The part of the record that conflict was about is gone; keep this version.") from None
    rest = [c for c in content["conflicts"] if c["id"] != conflict_id]
    return {"doc": doc, "conflicts": tidy(doc, rest)}


# Texts written at length, in an editor of many lines: a meeting step's notes and the
# handover's sections. Every other text is edited on one line.
_MANY_LINES = (("steps", None, "notes"), ("handover", None))  # None: any key there


def _many_lines(path: list) -> bool:
    return any(len(path) == len(shape) and all(s in (None, p) for s, p in zip(shape, path)) for shape in _MANY_LINES)


def _one_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def _after_shared_start(here: str, there: str) -> str:
    """`there` without the sentences or lines it starts with in common with `here`: two
    workers adding to one meeting's notes each kept the notes so far, which "both" then
    showed twice. Cut only after a line or a sentence, so what is left of `there` reads
    whole; every word of it is still kept (what is cut is in `here`)."""
    shared = len(os.path.commonprefix([here, there]))
    if shared < len(there) and shared < len(here):
        while shared and not _ends_a_sentence(there, shared):
            shared -= 1
    return there[shared:].lstrip()


def _ends_a_sentence(text: str, at: int) -> bool:
    return text[at - 1] == "\n" or (at >= 2 and text[at - 1].isspace() and text[at - 2] in ".!?")


def _both_texts(doc: Any, found: dict) -> Any:
    here = get_at(doc, found["path"]) if found["kind"] == "field" else MISSING
    there = found["value"]
    if not isinstance(here, str) or not isinstance(there, str):
        raise CannotChoose("Only two texts can both be kept, one after the other; choose one of these versions.")
    if found["path"] == ["code"]:  # the DB refused a code of two lines, in words about control characters
        raise CannotChoose("A client has one code: keep one of the two, and rename the client later if neither is right.")
    many = _many_lines(found["path"])
    if not many and _one_date(here) and _one_date(there):
        raise CannotChoose("A date holds one day: keep one of the two.")
    if many:
        joined = "\n".join(text for text in (here.rstrip("\n"), _after_shared_start(here, there)) if text)
    else:  # its one-line editor showed a line break as nothing: "edited by Bedited by A"
        joined = " / ".join(text for text in (here.strip(), there.strip()) if text)
    return set_at(doc, found["path"], joined)

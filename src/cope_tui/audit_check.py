"""Checking the tamper-evident record: the audit log's chain and every finalised meeting.

Reading only. `verify` gives doctor its findings; each names what it found, where
(the log's line, or the client, date and id of a meeting) and never shows content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .audit import (
    _Plain,
    _sealed_log,
    addendum_hash,
    content_hash,
    entry_hash,
    log_path,
)

OK, NOTE, PROBLEM = "ok", "note", "problem"  # the levels doctor prints
SHOWN = 10  # meetings named one by one; the rest are counted


@dataclass
class AuditReport:
    findings: list[tuple[str, str]] = field(default_factory=list)
    entries: int = 0

    @property
    def ok(self) -> bool:
        return not any(level == PROBLEM for level, _ in self.findings)

    def add(self, level: str, text: str) -> None:
        self.findings.append((level, text))


@dataclass
class LogRead:
    entries: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, entry)
    damaged: list[int] = field(default_factory=list)  # lines that do not open or parse
    torn: bool = False  # a last line a kill cut short: never reported written, ignored
    missing: bool = False


def read_log(db_path: Path | str, codec: Any = None) -> LogRead:
    """Every whole line of the log, opened; a line that fails is damage, except a torn tail."""
    codec = codec or _Plain()
    out = LogRead()
    try:
        raw = log_path(db_path).read_bytes()
    except FileNotFoundError:
        out.missing = True
        return out
    lines = raw.split(b"\n")
    out.torn = bool(lines[-1].strip())  # whole lines end with a newline; this one never got it
    for number, line in enumerate(lines[:-1], 1):
        try:
            entry = orjson.loads(codec.open_line(line))
            if not isinstance(entry, dict):
                raise ValueError
        except Exception:  # a sealed line that fails to open, or text that is not an entry
            out.damaged.append(number)
            out.entries.append((number, {}))
            continue
        out.entries.append((number, entry))
    return out


def check_chain(log: LogRead, report: AuditReport) -> None:
    """Each entry hashes to its own entry_hash and follows the one before it (prev, seq)."""
    prev_hash, prev_seq, linked = "", 0, True
    for number, entry in log.entries:
        if not entry:
            report.add(PROBLEM, f"audit log line {number} cannot be read: it was changed or damaged")
            linked = False
            continue
        what = f"{entry.get('kind', '?')} of {entry.get('at', '?')}"
        if entry_hash(entry) != entry.get("entry_hash"):
            report.add(PROBLEM, f"audit log line {number} ({what}) was changed after it was written")
        elif linked and (entry.get("prev") != prev_hash or entry.get("seq") != prev_seq + 1):
            report.add(
                PROBLEM,
                f"audit log line {number} ({what}) does not follow the entry before it: "
                "an entry was removed, inserted or moved there",
            )
        prev_hash, prev_seq, linked = entry.get("entry_hash"), entry.get("seq"), True
        report.entries += 1


def _name(doc: dict[str, Any], data: dict[str, Any]) -> str:
    client = (data.get("clients") or {}).get(doc.get("client_id"), {})
    code = client.get("code") if isinstance(client, dict) else None
    day = str(doc.get("started") or "?")[:10]
    return f"client {code or 'unknown'}, meeting of {day} (id {doc.get('id', '?')})"


def check_meetings(data: dict[str, Any], log: LogRead, report: AuditReport) -> None:
    """Each finalised meeting against its stored hash and its entries in the log."""
    finals: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    adds: dict[str, set[str]] = {}
    restores = [n for n, e in log.entries if e.get("kind") == "restore"]
    for number, entry in log.entries:
        mid = entry.get("meeting_id")
        if entry.get("kind") == "finalise" and mid:
            finals.setdefault(mid, []).append((number, entry))
        elif entry.get("kind") == "addendum" and mid:
            adds.setdefault(mid, set()).add(entry.get("hash"))
    meetings = data.get("meetings") or {}
    changed: list[str] = []
    notes: list[str] = []
    unlogged: list[str] = []  # intact by their own hash, but the log never saw them finalised
    checked = legacy = 0

    def restored_after(line: int) -> bool:
        return any(n > line for n in restores)

    for mid, doc in meetings.items():
        if not isinstance(doc, dict):
            continue
        logged = finals.get(mid, [])
        if not doc.get("finalised_at"):
            if logged:
                line = logged[-1][0]
                text = f"{_name(doc, data)} was finalised (audit log line {line}) but is a draft now"
                (notes if restored_after(line) else changed).append(text)
            continue
        stored = doc.get("content_hash")
        have = {addendum_hash(a) for a in doc.get("addenda") or [] if isinstance(a, dict)}
        logged_adds = adds.get(mid, set())
        why = []
        if stored or logged:
            checked += 1
            current = content_hash(doc)
            if not stored:
                why.append("its stored hash was removed")
            elif current != stored:
                why.append("its content no longer matches the hash stored when it was finalised")
            if not logged:
                why.append("the audit log has no entry for its finalising")
            why += [f"it does not match the hash in audit log line {n}" for n, e in logged if e.get("hash") != current]
            if have - logged_adds:  # every addendum since the log began has its entry
                why.append(f"{len(have - logged_adds)} addendum(s) have no audit entry")
        else:
            legacy += 1  # finalised before hashes were kept; only its logged addenda can be checked
        if logged_adds - have:
            why.append(f"{len(logged_adds - have)} logged addendum(s) are missing or were changed")
        if why == ["the audit log has no entry for its finalising"]:
            unlogged.append(_name(doc, data))
        elif why:
            changed.append(f"{_name(doc, data)}: " + "; ".join(dict.fromkeys(why)))
    for mid, logged in finals.items():
        if mid not in meetings:
            line = logged[-1][0]
            text = f"the meeting {mid} finalised in audit log line {line} is not in the database"
            (notes if restored_after(line) else changed).append(text)
    for text in changed[:SHOWN]:
        report.add(PROBLEM, f"changed after finalising: {text}")
    if len(changed) > SHOWN:
        report.add(PROBLEM, f"... and {len(changed) - SHOWN} more meeting(s) changed after finalising")
    if unlogged:
        # Not proof of an edit (each matches its own hash), but nothing vouches for them:
        # most often the DB file was copied without its audit log.
        report.add(
            PROBLEM,
            f"not in the audit log: {len(unlogged)} finalised meeting(s) match their own hash, but the log"
            f" has no entry for finalising them (first: {unlogged[0]}). If this database was copied"
            " or moved, bring its '.audit' file along; otherwise the log was cut short or replaced.",
        )
    for text in notes[:SHOWN]:
        report.add(NOTE, f"{text}: a backup from before then was restored")
    if legacy:
        report.add(NOTE, f"{legacy} meeting(s) were finalised before hashes were kept: they cannot be checked")
    if checked and not changed and not unlogged:
        report.add(OK, f"{checked} finalised meeting(s) match their hashes and the audit log")


def verify(db_path: Path | str, data: dict[str, Any], codec: Any = None) -> AuditReport:
    """The audit log's chain and every finalised meeting in `data` (the DB as the store
    would load it: main file plus journal)."""
    report = AuditReport()
    path = log_path(db_path)
    if codec is None and _sealed_log(path):
        report.add(NOTE, f"the audit log '{path.name}' is sealed: it is checked once the database is unlocked")
        return report
    log = read_log(db_path, codec)
    check_chain(log, report)
    if log.missing:
        report.add(NOTE, "no audit log yet (nothing finalised, exported or restored so far)")
    elif report.ok:
        report.add(OK, f"audit log: {report.entries} entr{'y' if report.entries == 1 else 'ies'}, chain intact")
    if log.torn:
        report.add(
            NOTE,
            f"the last line of '{path.name}' is torn (a write cut off by a kill or power loss). "
            "It was never reported written and is ignored: harmless",
        )
    check_meetings(data, log, report)
    return report

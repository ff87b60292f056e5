"""Checking the tamper-evident record: the audit log's chain and every finalised meeting.

Reading only. `verify` gives doctor its findings; each names what it found, where
(the log's line, or the client, date and id of a meeting) and never shows content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..meetings.signing import addendum_hash, content_hash
from . import crypto
from .audit import entry_hash, log_path, sealed_log
from .crypto import is_encrypted, marker_path
from ..words import agrees, counted

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
    codec = codec or crypto.PlainCodec()
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


def check_chain(log: LogRead, report: AuditReport, codec: Any = None) -> None:
    """Each entry hashes (or, keyed, HMACs) to its own entry_hash and follows the one before
    it (prev, seq). A jump in the numbers after an intact link is the mark an appender
    leaves where the log had lost entries this computer saw written (see audit.append)."""
    prev_hash, prev_seq, linked, unkeyed = "", 0, True, 0
    for number, entry in log.entries:
        if not entry:
            report.add(PROBLEM, f"audit log line {number} cannot be read: it was changed or damaged")
            linked = False
            continue
        what = f"{entry.get('kind', '?')} of {entry.get('at', '?')}"
        expected = entry_hash(entry, codec)
        seq = entry.get("seq")
        if expected is None:
            unkeyed += 1  # keyed with a key this DB no longer has: only its place is checked
        if expected is not None and expected != entry.get("entry_hash"):
            report.add(PROBLEM, f"audit log line {number} ({what}) was changed after it was written")
        elif linked and entry.get("prev") == prev_hash and isinstance(seq, int) and seq > prev_seq + 1:
            lost = f"entry {prev_seq + 1}" if seq == prev_seq + 2 else f"entries {prev_seq + 1} to {seq - 1}"
            report.add(
                PROBLEM,
                f"audit log line {number} ({what}) is entry {seq}: {lost} went missing before it was "
                "written (the log was cut short or deleted)",
            )
        elif linked and (entry.get("prev") != prev_hash or seq != prev_seq + 1):
            report.add(
                PROBLEM,
                f"audit log line {number} ({what}) does not follow the entry before it: "
                "an entry was removed, inserted or moved there",
            )
        prev_hash, prev_seq, linked = entry.get("entry_hash"), seq, True
        report.entries += 1
    if unkeyed:
        report.add(
            NOTE,
            f"{unkeyed} audit entr{'y was' if unkeyed == 1 else 'ies were'} written while the database was "
            "encrypted with another key (before a decrypt or a new passphrase): their order is checked, "
            "their content cannot be any more",
        )


def check_anchor(db_path: Path | str, log: LogRead, report: AuditReport) -> None:
    """The log against the last entry this computer saw written (kept outside the data
    folder): a log cut short, deleted or rewritten from some entry on no longer holds it."""
    from .anchor import read_audit

    head = read_audit(db_path)
    if head is None or log.missing:
        return
    seq, when = head["seq"], _when(head)
    name = log_path(db_path).name
    same = [entry for _, entry in log.entries if entry.get("seq") == seq]
    if not same and not any(isinstance(e.get("seq"), int) and e["seq"] > seq for _, e in log.entries):
        last = max((e["seq"] for _, e in log.entries if isinstance(e.get("seq"), int)), default=0)
        report.add(
            PROBLEM,
            f"audit log cut short: '{name}' ends at entry {last}, but this computer saw entry {seq} "
            f"written ({when})",
        )
    elif same and all(entry.get("entry_hash") != head["hash"] for entry in same):
        report.add(
            PROBLEM,
            f"audit log rewritten: entry {seq} of '{name}' is not the one this computer saw written "
            f"({when}); the log was rewritten from that entry or before it",
        )


def _when(head: dict[str, Any]) -> str:
    return str(head.get("at", ""))[:16].replace("T", " ")


def check_missing_log(db_path: Path | str, data: dict[str, Any], report: AuditReport) -> None:
    """No log at all: nothing happened yet, or it was lost. It was lost when this computer
    saw it written, or when a meeting was finalised with a hash (each of those was logged)."""
    from .anchor import read_audit

    head = read_audit(db_path)
    meetings = data.get("meetings") or {}
    hashed = [d for d in meetings.values() if isinstance(d, dict) and d.get("finalised_at") and d.get("content_hash")]
    if head is None and not hashed:
        report.add(NOTE, "no audit log yet (nothing finalised, exported or restored so far)")
        return
    seen = []
    if head is not None:
        n = head["seq"]
        seen.append(f"this computer saw it hold {n} entr{'y' if n == 1 else 'ies'} (the last written {_when(head)})")
    if hashed:
        seen.append(f"{counted(len(hashed), 'finalised meeting')} {agrees(len(hashed), 'was', 'were')} written to it (first: {_name(hashed[0], data)})")
    report.add(
        PROBLEM,
        f"the audit log is missing: '{log_path(db_path).name}' is not there, but " + "; ".join(seen) + ". If "
        "this database was copied or moved, bring its '.audit' file along; otherwise the log was deleted.",
    )


def _name(doc: dict[str, Any], data: dict[str, Any]) -> str:
    client = (data.get("clients") or {}).get(doc.get("client_id"), {})
    code = client.get("code") if isinstance(client, dict) else None
    day = str(doc.get("started") or "?")[:10]
    return f"client {code or 'unknown'}, meeting of {day} (id {doc.get('id', '?')})"


def _by_meeting(log: LogRead) -> tuple[dict[str, list[tuple[int, dict[str, Any]]]], dict[str, set[str]]]:
    """The log's finalise entries (line, entry) and addendum hashes, by meeting id."""
    finals: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    adds: dict[str, set[str]] = {}
    for number, entry in log.entries:
        mid = entry.get("meeting_id")
        if entry.get("kind") == "finalise" and mid:
            finals.setdefault(mid, []).append((number, entry))
        elif entry.get("kind") == "addendum" and mid:
            adds.setdefault(mid, set()).add(entry.get("hash"))
    return finals, adds


def check_meetings(data: dict[str, Any], log: LogRead, report: AuditReport) -> None:
    """Each finalised meeting against its stored hash and its entries in the log."""
    finals, adds = _by_meeting(log)
    restores = [n for n, e in log.entries if e.get("kind") == "restore"]
    meetings = data.get("meetings") or {}
    changed: list[str] = []
    notes: list[str] = []
    unlogged: list[str] = []  # intact by their own hash, but the log never saw them finalised
    checked = legacy = 0

    def judge(line: int, text: str) -> None:
        """Since audit log line `line`: a change, unless a backup was restored after it."""
        if any(n > line for n in restores):
            notes.append(f"{text}: a backup from before then was restored")
        else:
            changed.append(text)

    for mid, doc in meetings.items():
        if not isinstance(doc, dict):
            continue
        logged = finals.get(mid, [])
        if not doc.get("finalised_at"):
            if logged:
                line = logged[-1][0]
                text = f"{_name(doc, data)} was finalised (audit log line {line}) but is a draft now"
                judge(line, text)
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
                why.append(f"{counted(len(have - logged_adds), 'addendum', 'addenda')} {agrees(len(have - logged_adds), 'has', 'have')} no audit entry")
        else:
            legacy += 1  # finalised before hashes were kept; only its logged addenda can be checked
        if logged_adds - have:
            why.append(f"{counted(len(logged_adds - have), 'logged addendum', 'logged addenda')} {agrees(len(logged_adds - have), 'is missing or was', 'are missing or were')} changed")
        if log.missing:  # the log itself is named missing once; its own hash still counts
            why = [w for w in why if "audit" not in w]
        if why == ["the audit log has no entry for its finalising"]:
            unlogged.append(_name(doc, data))
        elif why:
            changed.append(f"{_name(doc, data)}: " + "; ".join(dict.fromkeys(why)))
    gone = _missing(log, finals, meetings, judge, notes)
    if gone:
        report.add(OK, f"{counted(gone, 'finalised meeting')} erased with {agrees(gone, 'its', 'their')} client, as the audit log says")
    _report_meetings(report, changed, unlogged, notes, legacy, checked, log)


def _missing(log: LogRead, finals: dict[str, list[tuple[int, dict[str, Any]]]], meetings: dict[str, Any],
             judge: Callable[[int, str], None], notes: list[str]) -> int:
    """Finalised meetings the log names that the DB does not hold: a change (judged), unless
    an erasure took them (how many it named is returned). An erasure logged by an older
    cope-tui names no meetings: the ones finalised before it are a note, not a change."""
    erased: set[str] = set()
    unnamed: list[int] = []
    for number, entry in log.entries:
        if entry.get("kind") == "erase":
            named = entry.get("meetings")
            if isinstance(named, list):
                erased.update(mid for mid in named if isinstance(mid, str))
            else:
                unnamed.append(number)
    gone = 0
    for mid, logged in finals.items():
        if mid in meetings:
            continue
        line = logged[-1][0]
        text = f"the meeting {mid} finalised in audit log line {line} is not in the database"
        if mid in erased:
            gone += 1
        elif any(n > line for n in unnamed):
            notes.append(f"{text}: a client was erased after it")
        else:
            judge(line, text)
    return gone


def _report_meetings(
    report: AuditReport, changed: list[str], unlogged: list[str], notes: list[str], legacy: int, checked: int,
    log: LogRead,
) -> None:
    for text in changed[:SHOWN]:
        report.add(PROBLEM, f"changed after finalising: {text}")
    if len(changed) > SHOWN:
        report.add(PROBLEM, f"... and {counted(len(changed) - SHOWN, 'more meeting')} changed after finalising")
    if unlogged and not log.missing:  # (a missing log is named once, by check_missing_log)
        # Not proof of an edit (each matches its own hash), but nothing vouches for them:
        # most often the DB file was copied without its audit log.
        report.add(
            PROBLEM,
            f"not in the audit log: {counted(len(unlogged), 'finalised meeting')} {agrees(len(unlogged), 'matches its', 'match their')} own hash, but the log"
            f" has no entry for finalising them (first: {unlogged[0]}). If this database was copied"
            " or moved, bring its '.audit' file along; otherwise the log was cut short or replaced.",
        )
    for text in notes[:SHOWN]:
        report.add(NOTE, text)
    if len(notes) > SHOWN:
        report.add(NOTE, f"... and {counted(len(notes) - SHOWN, 'more meeting')} like these")
    if legacy:
        report.add(NOTE, f"{counted(legacy, 'meeting')} {agrees(legacy, 'was', 'were')} finalised before hashes were kept: they cannot be checked")
    if checked and not changed and not unlogged:
        against = "their own hashes (no log to hold them against)" if log.missing else "their hashes and the audit log"
        report.add(OK, f"{counted(checked, 'finalised meeting')} {agrees(checked, 'matches', 'match')} {against}")


def verify(db_path: Path | str, data: dict[str, Any], codec: Any = None) -> AuditReport:
    """The audit log's chain and every finalised meeting in `data` (the DB as the store
    would load it: main file plus journal)."""
    report = AuditReport()
    path = log_path(db_path)
    if codec is None and sealed_log(path) and (is_encrypted(Path(db_path)) or marker_path(Path(db_path)).exists()):
        report.add(NOTE, f"the audit log '{path.name}' is sealed: it is checked once the database is unlocked")
        return report
    # A plain DB's log that does not read as plain lines is read (and refused) line by line
    # below: taken for a sealed log, it skipped every check and the DB was called healthy.
    log = read_log(db_path, codec)
    check_chain(log, report, codec)
    check_anchor(db_path, log, report)
    if log.missing:
        check_missing_log(db_path, data, report)
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

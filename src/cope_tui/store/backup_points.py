"""Backup points that do not eat the disk: compressed full copies and journal segments.

After each compaction the backups folder gets one point, the state of the DB just
written, in one of two forms:

  NAME-20261124T071530.123456Z.full.zst   the compacted file, compressed
  NAME-20261124T071530.123456Z.seg.zst    the journal lines folded in by that compaction

A segment holds only what changed since the point before it, so restoring it means the
chain's full copy plus every segment up to it, replayed in order: the restore writes the
full copy as the DB file and the segments as its journal, and the next open replays them
exactly as the store replayed them when they were saved. Each segment names the point it
follows, so a chain with a point missing is reported, never restored into a wrong state.

The payload is compressed first and then, in an encrypted DB, sealed whole with the DB's
key (compressing sealed bytes gains nothing). The journal lines inside a segment are
stored open: the seal around the whole file covers them. `encrypt` and `decrypt` convert
these files whole, like any other backup.

A new full copy is taken when the chain cannot go on: the DB file is not the one the
newest point describes (a restore, an encrypt, a crash between writing the file and its
point), or the segments since the full copy weigh as much as it does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from . import crypto
from .bulk import gc_paused

FULL, SEGMENT = ".full.zst", ".seg.zst"
CHAIN_FILE = "chain.json"  # which point describes which DB file (no record content)
MAX_SEGMENTS = 200  # a restore replays at most this many segments
_LEVEL = 3  # zstd's default: about 5x smaller JSON at several hundred MB/s


class PointProblem(Exception):
    """A point that cannot be read back; the message names no stored value."""


def is_point(path: Path) -> bool:
    return path.name.endswith((FULL, SEGMENT))


def compress(data: bytes) -> bytes:
    """zstd with long-distance matching: a journal repeats each record once per save, far
    apart, and a full copy repeats what every meeting carries."""
    import zstandard  # only on the backup path: the app's start never pays for it

    window = max(20, min(27, len(data).bit_length()))
    # With the frame's checksum a flipped byte anywhere is caught on reading; without it
    # one in a literal run decompressed to other, well-formed JSON (a damaged plain point
    # read as sound).
    params = zstandard.ZstdCompressionParameters.from_level(
        _LEVEL, window_log=window, enable_ldm=True, write_checksum=1
    )
    return zstandard.ZstdCompressor(compression_params=params).compress(data)


def decompress(data: bytes) -> bytes:
    import zstandard

    try:
        return zstandard.ZstdDecompressor().decompress(data)
    except zstandard.ZstdError:
        raise PointProblem("it is not a complete compressed backup (cut short or changed)") from None


def identity(path: Path) -> list[int] | None:
    """What names one version of a file written only by rename (see diskio.read_identified)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


# ---- writing ---------------------------------------------------------------------------


def full_payload(blob: bytes) -> bytes:
    return blob


@dataclass(frozen=True)
class Fold:
    """What one compaction folded in: the journal's lines when exactly those (None: not
    known, a full copy is taken), and the file's change number and known gaps (anchor.py),
    which a segment keeps so that doctor can say which changes the point holds."""

    lines: bytes | None
    seq: int | None = None
    lost: tuple[tuple[int, int], ...] = ()


def segment_payload(after: str, fold: Fold, lines: bytes) -> bytes:
    head = {"after": after, "seq": fold.seq, "lost": [list(run) for run in fold.lost]}
    return orjson.dumps(head) + b"\n" + lines


def encode(payload: bytes, codec: Any) -> bytes:
    return codec.seal_file(compress(payload))


def open_lines(raw: bytes, codec: Any) -> bytes:
    """A journal's whole lines, opened (an encrypted DB seals each on its own)."""
    whole = raw[: raw.rfind(b"\n") + 1]
    if not codec.sealed:
        return whole
    return b"".join(codec.open_line(line) + b"\n" for line in whole.split(b"\n") if line.strip())


def settle(lines: bytes) -> bytes:
    """The same lines, each record's saves all carrying its last version.

    A point is the state after all of them, and replaying them gives the same state: the
    last line of a record decides it. Every line keeps its own change number, so the
    replay sees no number missing; and the repeated versions compress to almost nothing.
    A line that does not parse is kept as it is.

    After a first team pull the lines hold 10,000 meetings, millions of objects: the
    cyclic GC stays out of the way while they exist (its collections would walk them
    again and again, 0.1 to 0.4 s each), and each line's objects are freed as it is
    written out, not all at once at the end. Both hold the interpreter's lock, so the
    app's typing would wait for them.
    """
    with gc_paused():
        parsed, last = _parse_lines(lines)
        out = []
        for n, entry in enumerate(parsed):
            parsed[n] = None
            if isinstance(entry, bytes):
                out.append(entry + b"\n")
                continue
            key = (entry["t"], entry["id"])
            final = last[key]
            if final is entry:
                del last[key]
            else:
                entry = {k: v for k, v in final.items() if k != "seq"} | ({"seq": entry["seq"]} if "seq" in entry else {})
            out.append(orjson.dumps(entry) + b"\n")
            del entry, final
        return b"".join(out)


def _parse_lines(lines: bytes) -> tuple[list[Any], dict[tuple[str, str], dict[str, Any]]]:
    """Each line parsed (as bytes when it does not parse), and each record's last line."""
    parsed: list[Any] = []
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for line in lines.split(b"\n"):
        if not line.strip():
            continue
        try:
            entry = orjson.loads(line)
            key = (entry["t"], entry["id"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            parsed.append(line)
            continue
        parsed.append(entry)
        last[key] = entry
    return parsed, last


@dataclass
class Chain:
    """What chain.json says: the newest point, the DB file it describes, and the chain's weight."""

    newest: str
    main: list[int]
    full_bytes: int
    chain_bytes: int
    segments: int

    @classmethod
    def read(cls, folder: Path) -> Chain | None:
        try:
            found = orjson.loads((folder / CHAIN_FILE).read_bytes())
            return cls(**{k: found[k] for k in ("newest", "main", "full_bytes", "chain_bytes", "segments")})
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
            return None

    def can_follow(self, folder: Path, before: list[int] | None, added: int) -> bool:
        return (
            before is not None
            and self.main == before
            and (folder / self.newest).is_file()
            and self.segments < MAX_SEGMENTS
            and self.chain_bytes + added <= self.full_bytes
        )


# ---- reading ---------------------------------------------------------------------------


def read_payload(path: Path, keys: Any) -> tuple[bytes, Any]:
    """The payload of one point and the codec that opened it (plain for a plain one)."""
    raw = path.read_bytes()
    codec: Any = crypto.PlainCodec()
    if crypto.looks_sealed(raw):
        if keys is None:
            raise crypto.BadPassphrase("no passphrase was given")
        codec = keys.codec_for(raw)
        raw = codec.open_file(raw)
    return decompress(raw), codec


def chain_of(target: Path, points: list[Path]) -> list[Path]:
    """The full copy and segments (oldest first) that restore `target`, by their names
    alone (`points`: the folder's points, oldest first): for rotation, which must keep
    too much rather than too little when it cannot open a point. `materialise` follows
    what each segment says it follows instead, and checks it."""
    index = points.index(target)
    for start in range(index, -1, -1):
        if points[start].name.endswith(FULL):
            return points[start : index + 1]
    return points[: index + 1]


def segment_head(payload: bytes) -> tuple[str | None, int | None, tuple[tuple[int, int], ...]]:
    """The point a segment follows (None: not said), and its change number and gaps."""
    try:
        head = orjson.loads(payload[: payload.find(b"\n")])
        after, seq, lost = head.get("after"), head.get("seq"), head.get("lost") or []
        runs = tuple((a, b) for a, b in lost if isinstance(a, int) and isinstance(b, int))
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None, None, ()
    named = isinstance(after, str) and "/" not in after and after.endswith((FULL, SEGMENT))
    return (after if named else None), (seq if isinstance(seq, int) and not isinstance(seq, bool) else None), runs


@dataclass
class Materialised:
    main: bytes  # the full copy's payload: the DB file, open
    lines: bytes  # every segment's lines, open, in order
    codec: Any  # what opened the full copy (seals a restored DB the same way)
    seq: int | None  # the point's change number, when a segment says it
    lost: tuple[tuple[int, int], ...] = ()  # the gaps a segment says it lacks


def materialise(target: Path, keys: Any) -> Materialised:
    """The state of point `target`, from its full copy and the segments each naming the
    one before; PointProblem (or crypto.CryptoError) when it cannot be rebuilt exactly."""
    segments: list[bytes] = []
    seen: set[str] = set()
    held: tuple[int | None, tuple[tuple[int, int], ...]] | None = None
    current = target
    while current.name.endswith(SEGMENT):
        if current.name in seen or len(seen) > 10 * MAX_SEGMENTS:
            raise PointProblem("its segments name each other in a loop")
        seen.add(current.name)
        try:
            payload, _ = read_payload(current, keys)
        except FileNotFoundError:
            raise PointProblem(f"the point {current.name} it builds on is missing from the backups folder") from None
        after, seq, lost = segment_head(payload)
        if after is None:
            raise PointProblem(f"the point {current.name} does not say which point it follows")
        held = held or (seq if seq is not None else _last_seq(payload[payload.find(b"\n") + 1 :], None), lost)
        segments.append(payload[payload.find(b"\n") + 1 :])
        current = current.with_name(after)
    try:
        main, codec = read_payload(current, keys)
    except FileNotFoundError:
        raise PointProblem(f"the full copy {current.name} it builds on is missing from the backups folder") from None
    lines = b"".join(reversed(segments))
    return Materialised(main, lines, codec, *(held or (None, ())))


def _last_seq(lines: bytes, seq: int | None) -> int | None:
    for line in lines.split(b"\n"):
        if not line.strip():
            continue
        try:
            number = orjson.loads(line).get("seq")
        except (orjson.JSONDecodeError, AttributeError):
            continue
        if isinstance(number, int) and not isinstance(number, bool):
            seq = number if seq is None else max(seq, number)
    return seq


def as_db_files(state: Materialised) -> tuple[bytes, bytes]:
    """The DB file and journal bytes that open into this state, sealed as the point was."""
    codec = state.codec
    main = codec.seal_file(state.main)
    if not codec.sealed:
        return main, state.lines
    journal = b"".join(codec.seal_line(line) + b"\n" for line in state.lines.split(b"\n") if line.strip())
    return main, journal

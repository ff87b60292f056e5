"""Encryption at rest: the sealed file format, line sealing and key derivation.

A sealed file (main DB, summary, backup copy) is a header then one AES-256-GCM
message. The header carries the scrypt parameters and salt, a 16-byte check value
(so a wrong passphrase is told apart from a damaged file), the body's length (so a
cut-off file is told apart from a changed one) and a checksum of itself; the whole
header is the message's associated data, so no byte of it can change unnoticed.

  0   magic "COPETUI" 0x1a     8 bytes, never the start of a JSON text
  8   format version           1 byte (a newer one is refused with its own message)
  9   header length            2 bytes, big-endian, the checksum included
  11  kind                     1 byte: M main, S summary, K an interrupted conversion
  12  scrypt log2(N), r, p     3 bytes
  15  salt                     16 bytes
  31  check value              16 bytes (the second half of scrypt's output)
  47  body length              8 bytes
  55  checksum                 first 8 bytes of SHA-256 of bytes 0..55
  63  body: nonce (12) + ciphertext + tag (16)

Journal and audit lines are sealed one by one (base64 of nonce + ciphertext + tag),
so a save stays one small fsynced append. One key serves every file of a DB; it is
derived once per open and kept only in memory.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from ..paths import db_command

# hashlib (OpenSSL), hmac, base64 and unicodedata are imported where they are used: a
# plain DB never needs them, and loading them took 12 ms of every start.

MAGIC = b"COPETUI\x1a"
VERSION = 1
MAIN, SUMMARY, MARKER = b"M", b"S", b"K"
# scrypt: 2**17 x 128 x 10 bytes = 160 MiB and about 0.3 s here (benchmarks/encrypted.py).
LOG2N, R, P = 17, 10, 1
SALT_BYTES, CHECK_BYTES, NONCE_BYTES, TAG_BYTES = 16, 16, 12, 16
_FIXED = struct.Struct(">8sBH")  # magic, version, header length: the same in every version
_V1 = struct.Struct(">8sBHcBBB16s16sQ")
HEADER_BYTES = _V1.size + 8
_LINE_AAD = b"cope-tui sealed line v1"
CIPHER = "AES-256-GCM, key from scrypt"
MIN_PASSPHRASE = 8  # characters in a new passphrase (a DB's or a team's)


def short_passphrase(text: str) -> str | None:
    """Why a new passphrase typed at a terminal or in the app is refused, or None. A
    sealed file or a team's key document may be copied and guessed at offline."""
    if len(text) >= MIN_PASSPHRASE:
        return None
    return f"use at least {MIN_PASSPHRASE} characters: a short passphrase is easy to guess."


class CryptoError(Exception):
    """A sealed file or line that cannot be opened; `problem` says why, in words."""

    problem = "it cannot be decrypted"


class Tampered(CryptoError):
    problem = "it is damaged or was changed after it was written (it fails its authentication check)"


class Truncated(CryptoError):
    problem = "it is cut short (part of its end is missing)"


class HeaderDamaged(CryptoError):
    problem = "its header is damaged (the checksum does not match)"


class NewerVersion(CryptoError):
    problem = "it was encrypted by a newer cope-tui"


class BadPassphrase(CryptoError):
    problem = "the passphrase does not open it"


@dataclass(frozen=True)
class Header:
    version: int
    kind: bytes
    log2n: int
    r: int
    p: int
    salt: bytes
    check: bytes
    body_len: int
    raw: bytes  # the header's bytes, as the associated data of the body

    @property
    def params(self) -> tuple[bytes, int, int, int]:
        return self.salt, self.log2n, self.r, self.p


def looks_sealed(raw: bytes) -> bool:
    """The magic, within two bytes of it (a damaged header) or the start of it (a file cut
    short): a sealed file, never JSON."""
    head = raw[: len(MAGIC)]
    if len(head) < len(MAGIC):
        return bool(head) and MAGIC.startswith(head)
    return sum(a != b for a, b in zip(head, MAGIC, strict=True)) <= 2


def problem_of(raw: bytes) -> CryptoError:
    """Why bytes that look sealed did not open as such (for a file read as plain)."""
    try:
        parse_header(raw)
    except CryptoError as exc:
        return exc
    return HeaderDamaged()


def is_encrypted(path: Path) -> bool:
    """Is the DB file at `path` sealed? Reads its first bytes only; False when missing or plain."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def same_form(path: Path, codec: PlainCodec | SealedCodec) -> bool:
    """Is the DB at `path` still in the form `codec` writes: plain, or sealed under this
    very key? False while an encrypt or decrypt is under way. A process that opened the
    DB before another one converted it must write nothing: a plain line in a sealed file
    would undo the encryption, a sealed one in a plain file would be unreadable."""
    if marker_path(path).exists():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEADER_BYTES)
    except FileNotFoundError:
        return True  # nothing yet (a DB that is only a journal so far): nothing to contradict
    except OSError:
        return False
    if not codec.sealed:
        return not looks_sealed(head)
    try:
        header = parse_header(head, check_body=False)
    except CryptoError:
        return False
    import hmac

    return header.params == codec.params and hmac.compare_digest(header.check, codec.check)


def parse_header(raw: bytes, *, check_body: bool = True) -> Header:
    import hashlib
    import hmac

    if raw[: len(MAGIC)] != MAGIC:
        raise Truncated() if len(raw) < len(MAGIC) and MAGIC.startswith(raw) else HeaderDamaged()
    if len(raw) < _FIXED.size:
        raise Truncated()
    _, version, hlen = _FIXED.unpack_from(raw)
    if (version <= VERSION and hlen != HEADER_BYTES) or hlen < _FIXED.size + 8:
        raise HeaderDamaged()  # a length no version of ours writes
    if len(raw) < hlen:
        raise Truncated()
    if not hmac.compare_digest(hashlib.sha256(raw[: hlen - 8]).digest()[:8], raw[hlen - 8 : hlen]):
        raise HeaderDamaged()
    if version > VERSION:
        raise NewerVersion()
    if version < 1:
        raise HeaderDamaged()
    _, _, _, kind, log2n, r, p, salt, check, body_len = _V1.unpack_from(raw)
    if not (10 <= log2n <= 24 and 1 <= r <= 32 and 1 <= p <= 16):
        raise HeaderDamaged()
    header = Header(version, kind, log2n, r, p, salt, check, body_len, raw[:hlen])
    if check_body:
        body = len(raw) - hlen
        if body < body_len:
            raise Truncated()
        if body > body_len:
            raise Tampered()
    return header


def read_header(path: Path) -> Header:
    """The header of a sealed file, and a check that its length is whole."""
    with open(path, "rb") as handle:
        head = handle.read(HEADER_BYTES)
        header = parse_header(head, check_body=False)
        size = os.fstat(handle.fileno()).st_size
    if size - HEADER_BYTES < header.body_len:
        raise Truncated()
    if size - HEADER_BYTES > header.body_len:
        raise Tampered()
    return header


def _make_header(kind: bytes, params: tuple[bytes, int, int, int], check: bytes, body_len: int) -> bytes:
    import hashlib

    salt, log2n, r, p = params
    head = _V1.pack(MAGIC, VERSION, HEADER_BYTES, kind, log2n, r, p, salt, check, body_len)
    return head + hashlib.sha256(head).digest()[:8]


def _scrypt(passphrase: str, salt: bytes, log2n: int, r: int, p: int) -> bytes:
    import unicodedata

    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=32 + CHECK_BYTES, n=2**log2n, r=r, p=p).derive(secret)


class PlainCodec:
    """The codec of an unencrypted DB: bytes pass through unchanged."""

    sealed = False
    params = None
    chain_key_id = None  # the audit chain of a plain DB is plain SHA-256: anyone can recompute it

    def seal_line(self, plain: bytes) -> bytes:
        return plain

    def open_line(self, line: bytes) -> bytes:
        return line

    def seal_file(self, plain: bytes, kind: bytes = MAIN) -> bytes:
        return plain

    def open_file(self, raw: bytes) -> bytes:
        return raw


class SealedCodec:
    """Seals and opens files and lines with one derived key; never writes anything itself."""

    sealed = True

    def __init__(self, key: bytes, params: tuple[bytes, int, int, int], check: bytes):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)
        self._key, self._check = key, check
        self.params = params

    @property
    def check(self) -> bytes:
        return self._check

    @property
    def chain_key_id(self) -> str:
        """Names the audit chain's key (not the key): entries keyed before a decrypt or a
        new passphrase are told apart from entries that fail their check."""
        import hmac

        return hmac.new(self._chain_key(), b"cope-tui audit key id", "sha256").hexdigest()[:16]

    def chain_mac(self, data: bytes) -> str:
        """The audit chain's link: an HMAC whose key comes from the DB key, so an entry and
        every link after it can only be recomputed with the passphrase."""
        import hmac

        return hmac.new(self._chain_key(), data, "sha256").hexdigest()

    def _chain_key(self) -> bytes:
        key = getattr(self, "_chain", None)
        if key is None:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.kdf.hkdf import HKDF

            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"cope-tui audit chain v1")
            key = self._chain = hkdf.derive(self._key)
        return key

    def matches(self, key_and_check: bytes) -> bool:
        import hmac

        return hmac.compare_digest(key_and_check, self._key + self._check)

    def seal_line(self, plain: bytes, aad: bytes = _LINE_AAD) -> bytes:
        """`aad` binds the line to where it belongs (team sync: the record's remote id and
        revision), so a sealed line moved anywhere else fails to open."""
        import base64

        nonce = os.urandom(NONCE_BYTES)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plain, aad))

    def open_line(self, line: bytes, aad: bytes = _LINE_AAD) -> bytes:
        import base64
        import binascii

        from cryptography.exceptions import InvalidTag

        try:
            blob = base64.b64decode(line.strip(), validate=True)
            if len(blob) < NONCE_BYTES + TAG_BYTES:
                raise Tampered()
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except (InvalidTag, binascii.Error, ValueError):
            raise Tampered() from None

    def seal_file(self, plain: bytes, kind: bytes = MAIN) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        header = _make_header(kind, self.params, self._check, NONCE_BYTES + len(plain) + TAG_BYTES)
        return header + nonce + self._aead.encrypt(nonce, plain, header)

    def open_file(self, raw: bytes) -> bytes:
        """The plain bytes; CryptoError (its kind says why) when they cannot be trusted."""
        import hmac

        from cryptography.exceptions import InvalidTag

        header = parse_header(raw)
        if header.params != self.params or not hmac.compare_digest(header.check, self._check):
            raise BadPassphrase()  # sealed under another key (another salt or passphrase)
        body = raw[len(header.raw) :]
        if len(body) < NONCE_BYTES + TAG_BYTES:
            raise Truncated()
        try:
            return self._aead.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], header.raw)
        except InvalidTag:
            raise Tampered() from None


def new_params() -> tuple[bytes, int, int, int]:
    return os.urandom(SALT_BYTES), LOG2N, R, P


# Keys derived ahead of need by derive_ahead(), each taken by the first derive() asking.
_AHEAD: dict[tuple[str, tuple[bytes, int, int, int]], tuple[bytes, bytes]] = {}


def derive(passphrase: str, params: tuple[bytes, int, int, int]) -> tuple[bytes, bytes]:
    """(key, check value): slow on purpose (scrypt); run it off the UI thread."""
    ahead = _AHEAD.pop((passphrase, params), None)
    if ahead is not None:
        return ahead
    out = _scrypt(passphrase, *params)
    return out[:32], out[32:]


def derive_ahead(path: Path, passphrase: str):
    """Start deriving the key of the sealed file at `path` in a thread, and return it.

    scrypt runs in C without holding the interpreter, so the start-up can import
    Textual meanwhile; the next derive() for this file and passphrase takes the result.
    Any problem (no such file, a damaged header) is left for the real open to report."""
    import threading

    def work() -> None:
        try:
            params = read_header(path).params
            _AHEAD[(passphrase, params)] = derive(passphrase, params)
        except (CryptoError, OSError):
            pass

    thread = threading.Thread(target=work, name="cope-kdf", daemon=True)
    thread.start()
    return thread


def new_codec(passphrase: str) -> SealedCodec:
    """A codec with a fresh salt, for a DB being encrypted."""
    params = new_params()
    key, check = derive(passphrase, params)
    return SealedCodec(key, params, check)


def unlock(header: Header, passphrase: str) -> SealedCodec:
    """The codec of the file this header came from; BadPassphrase if it does not fit."""
    import hmac

    key, check = derive(passphrase, header.params)
    if not hmac.compare_digest(check, header.check):
        raise BadPassphrase()
    return SealedCodec(key, header.params, check)


class Keyring:
    """One passphrase, the codecs it opened so far: backups sealed with an older salt
    cost one more derivation, not one per file."""

    def __init__(self, passphrase: str | None, known: SealedCodec | None = None, *, refused: bool = False):
        self.passphrase = passphrase
        self.refused = refused  # passphrases were typed and none opened it: say so, not "give one"
        self._codecs: dict[tuple, SealedCodec] = {}
        if known is not None:
            self._codecs[known.params] = known

    def codec_for(self, raw: bytes) -> PlainCodec | SealedCodec:
        """The codec that opens these file bytes (a plain one for a plain file)."""
        if not looks_sealed(raw):
            return PlainCodec()
        header = parse_header(raw)
        found = self._codecs.get(header.params)
        if found is None:
            if self.passphrase is None:
                raise BadPassphrase("no passphrase was given")
            found = self._codecs[header.params] = unlock(header, self.passphrase)
        return found

    def knows(self, raw: bytes) -> bool:
        """Is the key of these sealed bytes already at hand (no passphrase needed)?"""
        try:
            return parse_header(raw, check_body=False).params in self._codecs
        except CryptoError:
            return False

    def open_file(self, raw: bytes) -> bytes:
        return self.codec_for(raw).open_file(raw)


def line_form(raw: bytes) -> str:
    """'plain', 'sealed' or 'empty': the form of a journal or audit file, by its first line."""
    for line in raw.split(b"\n"):
        if line.strip():
            return "plain" if line.lstrip().startswith(b"{") else "sealed"
    return "empty"


def marker_path(db: Path) -> Path:
    """Present while an encrypt or decrypt of the DB is under way (or was cut off)."""
    return db.with_name(db.name + ".rekey")


def make_marker(direction: str, codec: SealedCodec) -> bytes:
    return _make_header(MARKER, codec.params, codec.check, 0) + direction.encode()


def read_marker(db: Path) -> tuple[str, Header] | None:
    try:
        raw = marker_path(db).read_bytes()
    except FileNotFoundError:
        return None
    header = parse_header(raw, check_body=False)
    return raw[HEADER_BYTES:].decode("ascii", "replace"), header


def describe(path: Path, exc: CryptoError, *, doctor: bool = True) -> str:
    """What a user is told about a sealed file that did not open, and what to do
    (`doctor=False` inside doctor's own report, which says what to do itself)."""
    where = f"'{path}'"
    if isinstance(exc, NewerVersion):
        return (
            f"{where} was encrypted by a newer cope-tui than this one. It has not been changed. "
            "Update cope-tui to open it."
        )
    if isinstance(exc, BadPassphrase):
        return f"That passphrase does not open {where}. Try again."
    what = "is cut short: part of its end is missing" if isinstance(exc, Truncated) else (
        "has a damaged header" if isinstance(exc, HeaderDamaged) else
        "is damaged or was changed after it was written: it fails its authentication check"
    )
    advice = f" Run '{db_command(path, 'doctor')}' to check it and restore a backup." if doctor else ""
    return f"The encrypted file {where} {what}. It has not been changed.{advice}"


def rekey_pending(db: Path) -> str | None:
    """The message while an encrypt or decrypt of the DB is unfinished (None when none is)."""
    try:
        found = read_marker(db)
    except CryptoError:
        found = ("encrypt", None)
    if found is None:
        return None
    command = "decrypt" if found[0] == "decrypt" else "encrypt"
    return (
        f"{'An' if command == 'encrypt' else 'A'} '{command}' of '{db}' was cut off before it finished, so the database is half "
        f"converted. Nothing is lost: run '{db_command(db, command)}' again to finish it."
    )

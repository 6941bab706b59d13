"""The files applicants give: which files are accepted, and how they are kept (encrypted, by content)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import PurePath

from seomin.services.errors import InputError, InputErrorCode
from seomin.services.platform import Platform

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def checked_file(field: str, filename: str, content: bytes) -> str:
    """The file's bare name once the file is one we keep: named, not empty, within the size limit, and a
    PDF, JPEG or PNG by its content; else an InputError on ``field``."""
    name = PurePath(str(filename).replace("\\", "/")).name.strip()
    if not name or len(name) > 255:
        raise InputError(f"{field}.filename", "must be a file name of 1 to 255 characters")
    if not isinstance(content, bytes) or not content:
        raise InputError(f"{field}.content", "must not be empty")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{field}.content", f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    if media_type_of(content) is None:
        raise InputError(
            f"{field}.content",
            "must be a PDF, JPEG or PNG file (checked by its content)",
            InputErrorCode.DOCUMENT_TYPE_REFUSED,
        )
    return name


def store_document(platform: Platform, content: bytes) -> tuple[str, str]:
    """Keep a document once, encrypted with the data key, owner-only (files 0600, folders 0700), under a
    keyed hash of its content (``ab/abcdef…``: the plain SHA-256 would let anyone holding a copy confirm it
    is stored); returns (SHA-256 of the content, path under the storage folder).

    Written to a temporary name and renamed, so a reader never sees half a file. A file whose
    transaction then fails stays, unreferenced: harmless, since the name is the content's hash.
    """
    digest = hashlib.sha256(content).hexdigest()
    name = platform.vault.lookup_hash(f"document:{digest}")
    relative = f"{name[:2]}/{name}"
    path = platform.storage_dir / relative
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        temporary = path.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(platform.vault.encrypt_bytes(content))
        os.replace(temporary, path)
    return digest, relative


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def media_type_of(content: bytes) -> str | None:
    """PDF, JPEG or PNG by the file's first bytes (never by its name or the browser's word); else None."""
    return next((kind for magic, kind in _MAGIC if content.startswith(magic)), None)


def read_document(platform: Platform, storage_path: str, sha256: str) -> bytes | None:
    """A kept file, decrypted and checked against its recorded SHA-256; None when it is gone (purged) or
    does not match."""
    try:
        encrypted = (platform.storage_dir / storage_path).read_bytes()
    except FileNotFoundError:
        return None
    content = platform.vault.decrypt_bytes(encrypted)
    return content if hashlib.sha256(content).hexdigest() == sha256 else None

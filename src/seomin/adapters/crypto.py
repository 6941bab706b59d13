"""Personal data at rest: Fernet encryption, keyed lookup hashes, and the key's origin."""

from __future__ import annotations

import hashlib
import hmac
import sys
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from seomin.settings import Settings


class DataKeyError(RuntimeError):
    """No usable data key: the message says how to provide one."""


class DataVault:
    """Encrypts personal fields (resident numbers, phone, income) and hashes them for exact lookup."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise DataKeyError("SEOMIN_DATA_KEY is not a Fernet key (32 url-safe base64 bytes)") from None
        self._lookup_key = hmac.new(key.encode("ascii"), b"seomin-lookup-v1", hashlib.sha256).digest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def encrypt_bytes(self, plaintext: bytes) -> bytes:
        """A file's content encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256)."""
        return self._fernet.encrypt(plaintext)

    def decrypt_bytes(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise DataKeyError("a stored document cannot be decrypted with this SEOMIN_DATA_KEY") from None

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise DataKeyError("stored personal data cannot be decrypted with this SEOMIN_DATA_KEY") from None

    def lookup_hash(self, value: str) -> str:
        """A keyed hash for equality lookups (a resident number is never stored in the clear)."""
        return hmac.new(self._lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def vault_from_settings(settings: Settings) -> DataVault:
    """The configured key; in development, a key generated once under var/ (and said so on stderr)."""
    if settings.data_key:
        return DataVault(settings.data_key)
    if settings.production:
        raise DataKeyError("SEOMIN_DATA_KEY is required when SEOMIN_ENV=production")
    path = settings.var_dir / "dev-data-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode("ascii"), encoding="ascii")
        path.chmod(0o600)
        print(
            f"seomin: generated a development data key at {path}; set SEOMIN_DATA_KEY in production",
            file=sys.stderr,
        )
    return DataVault(Path(path).read_text(encoding="ascii").strip())

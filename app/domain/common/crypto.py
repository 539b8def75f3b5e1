"""Field encryption and keyed hashes for personal data (SPEC 4.3, PIPL).

- Values are sealed with AES-256-GCM (authenticated: a tampered value fails to open) and
  stored as ``v1.<key id>.<base64url(nonce + ciphertext)>``. The key id travels with the
  value, so keys can be rotated: new values use the active key, old ones stay readable
  while their key is configured, and ``needs_rotation`` finds what to re-seal.
- The field name is bound in as associated data, so a phone cannot be swapped into an ID
  number column and still open.
- Equality look-ups (duplicate applicants) use an HMAC-SHA256 "blind index": the database
  can match numbers without ever holding them in clear, and without the key nobody can test
  guesses against it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_FORMAT = "v1"
_NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value could not be opened: unknown key id, wrong field, or tampering."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FieldCipher:
    def __init__(self, keys: Mapping[str, bytes], active_key_id: str, hash_key: bytes) -> None:
        for key_id, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"PII key {key_id!r} must be 32 bytes (AES-256)")
            if "." in key_id:
                raise ValueError(f"PII key id {key_id!r} must not contain '.'")
        if active_key_id not in keys:
            raise ValueError("the active PII key id is not among the keys")
        if len(hash_key) < 16:
            raise ValueError("the PII hash key must be at least 16 bytes")
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = active_key_id
        self._hash_key = hash_key

    @classmethod
    def from_encoded(
        cls, keys: Mapping[str, str], active_key_id: str, hash_key: str
    ) -> FieldCipher:
        """Keys as urlsafe base64 text (as they come from settings)."""
        try:
            raw = {key_id: _b64decode(value) for key_id, value in keys.items()}
        except (binascii.Error, ValueError) as exc:
            raise ValueError("PII keys must be urlsafe base64 of 32 bytes") from exc
        return cls(raw, active_key_id, hash_key.encode())

    def encrypt(self, plaintext: str, *, field: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead[self._active].encrypt(nonce, plaintext.encode(), field.encode())
        payload = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{_FORMAT}.{self._active}.{payload}"

    def decrypt(self, token: str, *, field: str) -> str:
        try:
            version, key_id, payload = token.split(".", 2)
            if version != _FORMAT:
                raise DecryptionError("unknown format")
            aead = self._aead[key_id]
            raw = _b64decode(payload)
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], field.encode()).decode()
        except (ValueError, KeyError, InvalidTag, binascii.Error) as exc:
            raise DecryptionError(f"cannot open the stored {field}") from exc

    def needs_rotation(self, token: str) -> bool:
        return not token.startswith(f"{_FORMAT}.{self._active}.")

    def blind_index(self, value: str, *, field: str) -> str:
        message = f"{field}\x00{value}".encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

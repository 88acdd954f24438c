"""API keys: created once, shown once, stored only as salted scrypt hashes.

A key looks like ``gz_<id>_<secret>``; the keys file (JSON, mode 0600) holds for each
key its id, a name, a role (viewer / editor / admin), the salt and the scrypt hash of
the whole key. ``geozones keys create --role editor --name "Sở KH&ĐT"`` prints a new key.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from geozones.errors import InvalidParameterError, NotFoundError
from geozones.io import replace_atomically
from geozones.paths import default_store_path

#: Roles in increasing power: viewers read, editors also edit zones, admins also manage keys.
ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
#: scrypt cost (RFC 7914 parameters; about 50 ms and 16 MiB per check).
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_KEY = re.compile(r"^gz_([0-9a-f]{12})_[A-Za-z0-9_-]{20,}$")


@dataclass(frozen=True)
class ApiKey:
    """One stored key (never the key itself)."""

    id: str
    name: str
    role: str
    created: str
    salt: str
    hash: str


def default_keys_path() -> Path:
    """``GEOZONES_KEYS_FILE``, else ``keys.json`` beside the default store."""
    override = os.environ.get("GEOZONES_KEYS_FILE")
    return Path(override) if override else default_store_path().parent / "keys.json"


def role_at_least(role: str, needed: str) -> bool:
    """Whether ``role`` includes the rights of ``needed``."""
    return ROLES.index(role) >= ROLES.index(needed)


def _digest(secret: str, salt: bytes) -> str:
    return hashlib.scrypt(secret.encode(), salt=salt, maxmem=64 * 1024 * 1024, dklen=32, **SCRYPT).hex()


def load_keys(path: str | os.PathLike | None = None) -> list[ApiKey]:
    """Every stored key (an absent file holds none)."""
    path = Path(path) if path else default_keys_path()
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [ApiKey(**entry) for entry in data.get("keys", [])]


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _save(path: Path, keys: list[ApiKey]) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"keys": [asdict(k) for k in keys]}, handle, ensure_ascii=False, indent=1)
        os.chmod(tmp, 0o600)

    replace_atomically(path, write)


def create_key(role: str, name: str, path: str | os.PathLike | None = None) -> tuple[str, ApiKey]:
    """Make a new key; returns the key (shown once, never stored) and its stored record."""
    if role not in ROLES:
        raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not name.strip():
        raise InvalidParameterError("give the key a name (who uses it)")
    path = Path(path) if path else default_keys_path()
    key_id = secrets.token_hex(6)
    secret = f"gz_{key_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_bytes(16)
    record = ApiKey(
        key_id,
        name.strip(),
        role,
        _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        salt.hex(),
        _digest(secret, salt),
    )
    with _locked(path):
        _save(path, [*load_keys(path), record])
    return secret, record


def revoke_key(key_id: str, path: str | os.PathLike | None = None) -> ApiKey:
    """Delete a key; it stops working at once. Raises KeyError for an unknown id."""
    path = Path(path) if path else default_keys_path()
    with _locked(path):
        keys = load_keys(path)
        found = [k for k in keys if k.id == key_id]
        if not found:
            raise NotFoundError(f"no key with id {key_id!r}")
        _save(path, [k for k in keys if k.id != key_id])
    return found[0]


def verify_key(secret: str, keys: list[ApiKey]) -> ApiKey | None:
    """The stored key matching ``secret``, or None (constant-time hash comparison)."""
    match = _KEY.match(secret or "")
    if not match:
        return None
    for key in keys:
        if key.id == match.group(1):
            if hmac.compare_digest(_digest(secret, bytes.fromhex(key.salt)), key.hash):
                return key
            return None
    return None

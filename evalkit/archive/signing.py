"""Who vouches for an archive: Ed25519 signatures of its manifest.

The manifest holds the SHA-256 of every input and output of the run, so signing the manifest
(as canonical JSON: sorted keys, no spaces, UTF-8, together with the signer's name, organisation,
key id and time) signs the whole archive. Anyone can re-hash a
changed archive into a consistent manifest; only the holder of the private key can sign it.

Files:
- the private key: PEM (PKCS#8), written with permissions 0600, never archived;
- the public key `<key>.pub`: JSON with the signer's name and organisation, the key (base64) and
  its id (the first 16 hex digits of its SHA-256); assessors hand it to whoever checks reports;
- `signature.json` in the archive: signer, organisation, public key, key id, time, signature.

A valid signature says "the holder of this key signed exactly this manifest"; whether the key
belongs to who it names is a matter of trust: `check_signature(..., trusted=...)` compares the key
with public keys the verifier already holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from evalkit.archive.layout import MANIFEST

SIGNATURE = "signature.json"
ALGORITHM = "Ed25519"
SIGNATURE_FORMAT = 1


class SigningError(Exception):
    """A key or signature file that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class PublicKey:
    signer: str
    organisation: str
    key: bytes
    """The raw 32-byte Ed25519 public key."""

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.key).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps({"algorithm": ALGORITHM, "signer": self.signer, "organisation": self.organisation,
                           "public_key": base64.b64encode(self.key).decode(), "key_id": self.key_id},
                          ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class SignatureCheck:
    """What `check_signature` found for an archive that has a signature."""

    signer: str
    organisation: str
    key_id: str
    signed_at: str
    valid: bool
    """The signature matches the manifest as it is now."""
    trusted_as: str | None
    """The trusted public-key file holding this key; None if not among the trusted keys."""
    trust_checked: bool
    """Whether any trusted keys were given at all."""
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.valid and (self.trusted_as is not None or not self.trust_checked)

    def report(self) -> str:
        who = f"{self.signer}（{self.organisation}）, key {self.key_id}, signed {self.signed_at}"
        if not self.valid:
            return (f"signature: INVALID — the manifest is not what {who} signed "
                    f"({self.problem or 'the archive was changed after signing'})")
        if not self.trust_checked:
            return (f"signature: valid, by {who}; the key was not checked against trusted keys "
                    "(pass --trust PUBKEY or a folder of them to check who holds it)")
        if self.trusted_as is None:
            return f"signature: valid, by {who}, but the key is NOT among the trusted keys given"
        return f"signature: valid, by {who}; key trusted ({self.trusted_as})"


def signed_bytes(archive_dir: Path, signer: str, organisation: str, key_id: str, signed_at: str) -> bytes:
    """What is signed: the manifest's content with who signed and when, as canonical JSON (so the
    name in signature.json cannot be changed either)."""
    manifest = json.loads((Path(archive_dir) / MANIFEST).read_text("utf-8"))
    payload = {"manifest": manifest, "signer": signer, "organisation": organisation, "key_id": key_id,
               "signed_at": signed_at}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def generate_key(private_path: Path, signer: str, organisation: str) -> PublicKey:
    """A new Ed25519 key: the private key at `private_path` (0600, refused if the file exists) and
    the public key with the signer's name at `private_path`.pub."""
    if not signer.strip() or not organisation.strip():
        raise SigningError("a key needs the signer's name and organisation")
    private_path = Path(private_path)
    public_path = public_key_path(private_path)
    for path in (private_path, public_path):
        if path.exists():
            raise SigningError(f"{path} exists; choose another file (keys are never overwritten)")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    private_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    os.chmod(private_path, 0o600)  # whatever the umask
    public = PublicKey(signer.strip(), organisation.strip(),
                       key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    public_path.write_text(public.to_json(), encoding="utf-8")
    return public


def public_key_path(private_path: Path) -> Path:
    return Path(f"{private_path}.pub")


def read_public_key(path: Path) -> PublicKey:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
        key = base64.b64decode(data["public_key"], validate=True)
        Ed25519PublicKey.from_public_bytes(key)
        return PublicKey(str(data["signer"]), str(data["organisation"]), key)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"{path} is not an evalkit public key file ({type(exc).__name__}: {exc})") from None


def sign_archive(archive_dir: Path, private_path: Path) -> PublicKey:
    """Sign the archive's manifest with the key at `private_path` (its `.pub` names the signer);
    writes `signature.json` into the archive, replacing an earlier signature."""
    archive_dir, private_path = Path(archive_dir), Path(private_path)
    public = read_public_key(public_key_path(private_path))
    try:
        key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"{private_path} is not a readable private key ({type(exc).__name__}: {exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{private_path} is not an Ed25519 key")
    if key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) != public.key:
        raise SigningError(f"{public_key_path(private_path)} is not the public half of {private_path}")
    signed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        message = signed_bytes(archive_dir, public.signer, public.organisation, public.key_id, signed_at)
    except (OSError, ValueError) as exc:
        raise SigningError(f"{archive_dir} has no readable {MANIFEST} ({exc})") from None
    record = {
        "format": SIGNATURE_FORMAT, "algorithm": ALGORITHM, "signed": MANIFEST,
        "signer": public.signer, "organisation": public.organisation,
        "public_key": base64.b64encode(public.key).decode(), "key_id": public.key_id,
        "signed_at": signed_at, "signature": base64.b64encode(key.sign(message)).decode(),
    }
    (archive_dir / SIGNATURE).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return public


def trusted_keys(paths: list[Path]) -> dict[bytes, str]:
    """Public keys from `.pub` files and folders of them, by key, with the file each came from."""
    found: dict[bytes, str] = {}
    for path in map(Path, paths):
        files = sorted(path.glob("*.pub")) if path.is_dir() else [path]
        for file in files:
            found[read_public_key(file).key] = str(file)
    return found


def check_signature(archive_dir: Path, trusted: dict[bytes, str] | None = None) -> SignatureCheck | None:
    """The archive's signature checked against its manifest as it is now (None if unsigned)."""
    path = Path(archive_dir) / SIGNATURE
    if not path.exists():
        return None
    try:
        record: dict[str, Any] = json.loads(path.read_text("utf-8"))
        key = base64.b64decode(record["public_key"], validate=True)
        signature = base64.b64decode(record["signature"], validate=True)
        signer, organisation = str(record["signer"]), str(record["organisation"])
        signed_at = str(record["signed_at"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck("?", "?", "?", "?", False, None, bool(trusted),
                              f"{SIGNATURE} is unreadable: {type(exc).__name__}: {exc}")
    key_id = hashlib.sha256(key).hexdigest()[:16]
    problem = None
    try:
        message = signed_bytes(archive_dir, signer, organisation, key_id, signed_at)
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
        valid = True
    except InvalidSignature:
        valid = False
    except (OSError, ValueError) as exc:
        valid, problem = False, f"{type(exc).__name__}: {exc}"
    trusted = trusted or {}
    return SignatureCheck(signer, organisation, key_id, signed_at, valid, trusted.get(key), bool(trusted), problem)

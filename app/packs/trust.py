"""Whether a pack's files are the ones its manifest lists and who signed that manifest.

    policy = settings.packs                       # IT's preset: trusted keys, require_signature
    verdict = check_pack(files, policy, where)    # PackError naming the first problem
    verdict.state                                 # "trusted", "unsigned" or "unknown_key"

The first problem found, in this order: not a pack, manifest damaged, unsigned (when
signatures are required), the signature does not match the manifest (manifest altered),
signed by a key the preset does not list (when required; its fingerprint named), a listed
file missing, a file changed, a file the manifest does not list.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from app.archive.sm3 import same_digest
from app.errors import PackError
from app.i18n import _
from app.packs.keys import key_id
from app.packs.manifest import CONTROL, MANIFEST, SIGNATURE, Manifest, file_entry, parse_manifest

__all__ = ["TrustedKey", "PackPolicy", "Verdict", "check_pack", "signature_bytes"]


@dataclass(frozen=True)
class TrustedKey:
    name: str
    public: bytes            # raw Ed25519 public key

    @property
    def key_id(self) -> str:
        return key_id(self.public)


@dataclass(frozen=True)
class PackPolicy:
    """The preset's `packs:` section."""
    trusted_keys: tuple[TrustedKey, ...] = ()
    require_signature: bool = False

    def key(self, kid: str) -> TrustedKey | None:
        return next((k for k in self.trusted_keys if k.key_id == kid), None)


@dataclass
class Verdict:
    manifest: Manifest
    state: str                      # "trusted", "unsigned" or "unknown_key"
    key_id: str = ""                # the signing key's fingerprint, "" when unsigned
    signer: str = ""                # the trusted key's name
    notes: list[str] = field(default_factory=list)


def signature_bytes(private: bytes, manifest: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from app.packs.keys import public_of
    public = public_of(private)
    sig = Ed25519PrivateKey.from_private_bytes(private).sign(manifest)
    doc = {"algorithm": "Ed25519", "key_id": key_id(public),
           "public_key": base64.b64encode(public).decode("ascii"),
           "signature": base64.b64encode(sig).decode("ascii")}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("ascii")


def _signed_by(data: bytes, manifest: bytes, where: object) -> tuple[bytes, bool]:
    """(the public key the signature names, whether it signed exactly `manifest`)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        doc = json.loads(data.decode("ascii"))
        public = base64.b64decode(doc["public_key"], validate=True)
        sig = base64.b64decode(doc["signature"], validate=True)
        key = Ed25519PublicKey.from_public_bytes(public)
        if doc.get("algorithm") != "Ed25519":
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise PackError(_("The signature of {path} is damaged; sign the pack again.",
                          path=where), reason="manifest", file=SIGNATURE) from None
    try:
        key.verify(sig, manifest)
    except InvalidSignature:
        return public, False
    return public, True


def check_pack(files: dict[str, bytes], policy: PackPolicy, where: object) -> Verdict:
    """The pack's verdict under `policy`, or PackError naming its first problem."""
    if MANIFEST not in files:
        raise PackError(_("{path} is not a Deskhand pack: it has no manifest.json.", path=where),
                        reason="not_pack")
    manifest = parse_manifest(files[MANIFEST], where)
    verdict = Verdict(manifest, "unsigned")
    if SIGNATURE not in files:
        if policy.require_signature:
            raise PackError(_("The pack {pack} is not signed, and signed packs are required (IT's "
                              "preset): ask IT for a signed copy.", pack=manifest.id), reason="unsigned")
    else:
        public, good = _signed_by(files[SIGNATURE], files[MANIFEST], where)
        kid = key_id(public)
        if not good:
            raise PackError(_("The manifest of the pack {pack} was altered after it was signed "
                              "(the signature by key {key} does not match it).",
                              pack=manifest.id, key=kid), reason="manifest", file=MANIFEST,
                            key_id=kid)
        trusted = policy.key(kid)
        if trusted is not None and trusted.public == public:
            verdict.state, verdict.signer = "trusted", trusted.name
        else:
            verdict.state = "unknown_key"
            if policy.require_signature:
                raise PackError(_("The pack {pack} is signed by an unknown key {key}: IT's preset "
                                  "does not trust it (a retired key, or not IT's).",
                                  pack=manifest.id, key=kid), reason="unknown_key", key_id=kid)
        verdict.key_id = kid
    _check_files(files, manifest, where)
    return verdict


def _check_files(files: dict[str, bytes], manifest: Manifest, where: object) -> None:
    for name, want in manifest.files.items():
        if name not in files:
            raise PackError(_("The file {file} listed in the manifest of the pack {pack} is "
                              "missing.", file=name, pack=manifest.id), reason="missing", file=name)
        got = file_entry(files[name])
        if got["size"] != want["size"] or not same_digest(got["sha256"], want["sha256"]) \
                or not same_digest(got["sm3"], want["sm3"]):
            raise PackError(_("The file {file} of the pack {pack} was changed after the pack "
                              "was built (its SHA-256 and SM3 differ from the manifest's).",
                              file=name, pack=manifest.id), reason="changed", file=name)
    for name in sorted(files):
        if name not in manifest.files and name not in CONTROL:
            raise PackError(_("The file {file} in the pack {pack} is not in its manifest: it "
                              "was added after the pack was built.", file=name,
                              pack=manifest.id), reason="added", file=name)

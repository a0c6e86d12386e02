"""Sending a package to an archive system's HTTP API and keeping its receipt.

    receipt = upload_package(Path("out/case.zip"), "http://127.0.0.1:8790/archive/v1/packages",
                             token, client=httpx.Client(timeout=httpx.Timeout(30, connect=5)))

The request: POST of the zip (Content-Type application/zip) with X-Package-SM3 (the zip's
SM3), X-Package-Name and Authorization: Bearer <token>, the token from the keyring (the
vault name is --credential, default archive.upload.token). The answer must be JSON holding
`receipt` (the archive's number for the package) and `sm3` equal to ours: anything else is
an ArchiveUploadError with a sentence, the package kept as it is.
(An archive system reached only through its file dialog is not handled here.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.archive.sm3 import same_digest, sm3_hex
from app.errors import ArchiveUploadError, UsageError
from app.i18n import _
from app.privacy import mask_text

__all__ = ["Receipt", "upload_package", "DEFAULT_CREDENTIAL", "default_timeout"]

DEFAULT_CREDENTIAL = "archive.upload.token"
_RECEIPT = re.compile(r"[\w.:/-]{1,64}")


@dataclass(frozen=True)
class Receipt:
    number: str
    sm3: str
    package: Path


def default_timeout(seconds: float) -> httpx.Timeout:
    """`seconds` for the whole answer; a connection must open within 5 s of it."""
    return httpx.Timeout(seconds, connect=min(5.0, seconds))


def _reason(response: httpx.Response) -> str:
    try:
        doc = response.json()
        text = str(doc.get("error") or doc.get("message") or doc) if isinstance(doc, dict) else str(doc)
    except ValueError:
        text = response.text
    return mask_text(" ".join(text.split()))[:200] or str(response.status_code)


def upload_package(path: Path, url: str, token: str, *, client: httpx.Client) -> Receipt:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(_("Cannot read the package {path} ({reason}).", path=path,
                           reason=exc.strerror or type(exc).__name__)) from None
    if not data.startswith(b"PK"):
        raise UsageError(_("{path} is not a zip package; upload the .zip deskhand archive made.",
                           path=path))
    digest = sm3_hex(data)
    headers = {"Content-Type": "application/zip", "X-Package-SM3": digest,
               "X-Package-Name": path.name.encode("ascii", "replace").decode("ascii"),
               "Authorization": f"Bearer {token}"}
    try:
        response = client.post(url, content=data, headers=headers)
    except httpx.TimeoutException:
        raise ArchiveUploadError(_("The archive service at {url} did not answer in time; the "
                                   "package is kept: try again later, or ask IT whether the "
                                   "service is up.", url=url)) from None
    except httpx.InvalidURL:
        raise UsageError(_("{url} is not a URL; give the archive service's address, e.g. "
                           "http://host:port/archive/v1/packages.", url=url)) from None
    except httpx.HTTPError as exc:
        raise ArchiveUploadError(_("Could not reach the archive service at {url} ({reason}); the "
                                   "package is kept.", url=url, reason=type(exc).__name__)) from None
    if response.status_code in (401, 403):
        raise ArchiveUploadError(_("The archive service refused the credential (HTTP {status}): "
                                   "check the token stored with deskhand vault set.",
                                   status=response.status_code))
    if response.status_code >= 300:
        raise ArchiveUploadError(_("The archive service refused the package (HTTP {status}): "
                                   "{reason}", status=response.status_code,
                                   reason=_reason(response)))
    try:
        doc = response.json()
        receipt, echoed = str(doc["receipt"]), str(doc["sm3"])
    except (ValueError, KeyError, TypeError):
        raise ArchiveUploadError(_("The archive service answered with something that is not a "
                                   "receipt (HTTP {status}, {kind}); whether it kept the package "
                                   "is not known: ask its operator before sending it again.",
                                   status=response.status_code,
                                   kind=response.headers.get("content-type", "?"))) from None
    if not _RECEIPT.fullmatch(receipt) or not same_digest(echoed, digest):
        raise ArchiveUploadError(_("The archive service's receipt does not confirm this package "
                                   "(its SM3 is {theirs}, ours {ours}); ask its operator before "
                                   "sending it again.", theirs=echoed[:16] + "…",
                                   ours=digest[:16] + "…"))
    return Receipt(receipt, digest, path)

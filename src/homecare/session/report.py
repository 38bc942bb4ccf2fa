"""The canonical, signed JSON session report, and checking one.

Canonical JSON: keys sorted, no insignificant spaces in what is hashed,
UTF-8 as is. The signature covers a *manifest* of SHA-256 digests, one per
part (the session header, each step, the comparison), so ``verify`` can say
which part was changed rather than only "something". The file itself is the
canonical pretty form of the document, and a file that is not byte for byte
that form is rejected too: no byte can change unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from homecare.i18n import _
from homecare.models.session import Comparison, Session, SessionDocument, Signature
from homecare.session.keys import parse_public_key, public_key_text


def canonical(value: Any) -> bytes:
    """The bytes that are hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def file_bytes(document: Mapping[str, Any]) -> bytes:
    """The file form: canonical, indented for reading, one final newline."""
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def parts(body: Mapping[str, Any]) -> dict[str, str]:
    """Digest of each signed part of an (unsigned) document body."""
    session = dict(body.get("session") or {})
    steps = session.pop("steps", None) or []
    out = {"session": _digest(session), "comparison": _digest(body.get("comparison"))}
    for step in steps:
        key = step.get("key") if isinstance(step, dict) else None
        out[f"step:{key}"] = _digest(step)
    out["document"] = _digest({k: v for k, v in body.items() if k not in ("session", "signature")})
    return out


def sign_body(body: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """*body* (a JSON-ready dict without signature) with its signature added."""
    manifest = parts(body)
    signature = key.sign(canonical(manifest))
    return {
        **body,
        "signature": {
            "algorithm": "ed25519",
            "public_key": public_key_text(key),
            "manifest": manifest,
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }


def build_document(
    session: Session, comparison: Comparison | None, key: Ed25519PrivateKey
) -> bytes:
    """The signed report file of *session*."""
    body = SessionDocument(session=session, comparison=comparison).model_dump(
        mode="json", exclude={"signature"}
    )
    return file_bytes(sign_body(body, key))


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    public_key: str | None = None
    document: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_signed(doc: Mapping[str, Any], trusted: str | None = None) -> Verification:
    """Check a parsed signed body: the signature, then each part's digest."""
    result = Verification(document=dict(doc))
    raw_sig = doc.get("signature")
    if not isinstance(raw_sig, dict):
        result.problems.append(_("the report is not signed"))
        return result
    try:
        sig = Signature.model_validate(raw_sig)
        public = parse_public_key(sig.public_key)
        value = base64.b64decode(sig.value, validate=True)
    except (ValidationError, ValueError) as exc:
        result.problems.append(
            _("the signature block is damaged: {error}").format(error=str(exc).splitlines()[0])
        )
        return result
    result.public_key = sig.public_key
    if trusted is not None and trusted.strip() != sig.public_key:
        result.problems.append(_("signed by another key than the one expected"))
    try:
        public.verify(value, canonical(sig.manifest))
    except InvalidSignature:
        result.problems.append(_("the signature does not match its manifest"))
    body = {k: v for k, v in doc.items() if k != "signature"}
    actual = parts(body)
    for name in sorted(set(sig.manifest) | set(actual)):
        if sig.manifest.get(name) != actual.get(name):
            result.problems.append(
                _("part '{part}' does not match its signed digest").format(part=name)
            )
    return result


def verify_file(data: bytes, trusted: str | None = None) -> Verification:
    """Check a report file: JSON, the model, the signature, every part, the exact bytes."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Verification([_("not a JSON document: {error}").format(error=exc)])
    if not isinstance(doc, dict):
        return Verification([_("not a session report")])
    result = verify_signed(doc, trusted)
    try:
        SessionDocument.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        result.problems.append(
            _("not a valid session report: field '{field}': {problem}").format(
                field=where, problem=err["msg"]
            )
        )
    if result.ok and file_bytes(doc) != data:
        result.problems.append(_("the file's layout was changed after signing"))
    return result

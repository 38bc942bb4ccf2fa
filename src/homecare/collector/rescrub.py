"""The collector's own pass over an upload before it is stored.

The ingest token is public (it ships in every provider profile), so the
payload may come from anyone, not only from homecare's anonymizer. The
payload model constrains shapes; this pass re-applies the client's
scrubbing rules on the collector, so whatever a modified client sends, a
stored free-text field holds only known words and safe labels:

- probe errors and string evidence values go through the same vocabulary
  scrubber the client uses (:func:`homecare.share.scrub.scrub_text`);
- areas, evidence keys and mDNS/SSDP service types must match a narrow
  pattern, or are dropped;
- every number must be finite (``1e999`` parses as infinity, which JSON
  cannot carry back out: the ``Infinity`` in ``insights --json``).

An upload is refused (:class:`Refused`) only for the non-finite numbers;
text is cleaned rather than refused, so an odd plugin never loses a check.
"""

from __future__ import annotations

import math
import re
from typing import Any

from homecare.share.scrub import scrub_text

AREA = re.compile(r"^[a-z0-9_.-]{1,40}$")
EVIDENCE_KEY = re.compile(r"^[a-z0-9_]{1,40}$")
LABEL = re.compile(r"^[A-Za-z0-9_.:+/ -]{1,64}$")
SERVICE_TYPE = re.compile(r"^(_[a-z0-9-]{1,63}\._(tcp|udp)(\.local)?|urn:[A-Za-z0-9:._-]{1,120})$")


class Refused(ValueError):
    """The upload cannot be stored as sent (one line for the 422 answer)."""


def _check_finite(value: Any, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise Refused(f"{where}: numbers must be finite")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_finite(item, f"{where}[{index}]")


def _evidence_value(value: Any) -> Any:
    if isinstance(value, str):
        if LABEL.match(value) and not any(ch in value for ch in "/:") and len(value) <= 40:
            return value
        return scrub_text(value)
    return value


def rescrub(payload: dict[str, Any]) -> dict[str, Any]:
    """A cleaned copy of a validated upload (as ``model_dump(mode="json")``
    gives it); raises :class:`Refused` for non-finite numbers."""
    _check_finite(payload, "payload")
    out = dict(payload)
    out["areas"] = [a for a in payload.get("areas") or [] if AREA.match(a)]
    out["findings"] = [
        {
            **f,
            "evidence": {
                key: _evidence_value(value)
                for key, value in (f.get("evidence") or {}).items()
                if EVIDENCE_KEY.match(key)
            },
        }
        for f in payload.get("findings") or []
    ]
    out["probes"] = [
        {**p, "error": scrub_text(p.get("error"))} for p in payload.get("probes") or []
    ]
    out["devices"] = [
        {**d, "service_types": [s for s in d.get("service_types") or [] if SERVICE_TYPE.match(s)]}
        for d in payload.get("devices") or []
    ]
    return out

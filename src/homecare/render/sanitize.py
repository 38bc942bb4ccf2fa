"""Text from devices and uploads made safe to show in a terminal or a page.

Device names, mDNS instances, UPnP descriptions, probe errors and, on the
collector side, anything a holder of the public ingest token sent can carry
terminal control sequences: an OSC 52 write to the support agent's
clipboard, ANSI colours that hide text, a carriage return that overwrites
the line with a fake "CALL 555-0100", bidirectional overrides that reorder
what is read. Every renderer passes untrusted text through :func:`clean_text`
(one line) or :func:`clean_block` (several lines) before writing it.

This is the one place for that rule: the console, plain and markdown
renderers use it through :func:`clean_view`, the CLI's one-line error
messages through :func:`clean_text`, and **the HTML renderers (the
collector's web pages and any report export) must call** :func:`for_html`
(cleaning, then HTML escaping) rather than rolling their own.

All patterns are single character classes or a bounded escape-sequence
shape, so cleaning is linear in the text's length.
"""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any, TypeVar

T = TypeVar("T")

#: ESC-introduced sequences, dropped whole so their parameters do not show:
#: OSC (ESC ], up to BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ up to ST),
#: CSI (ESC [ parameters intermediates final), and any other two-byte escape.
_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -~]?"
)
#: C1 controls (including the 8-bit CSI 0x9b and OSC 0x9d) and their strings.
_C1_STRINGS = re.compile(
    r"[\x90\x98\x9d\x9e\x9f][^\x07\x9c\x1b]*[\x07\x9c]?|\x9b[0-?]*[ -/]*[@-~]?"
)
#: What is left of C0 (except tab and newline), DEL, C1, the Unicode line
#: and paragraph separators and the bidirectional embeddings/overrides/isolates.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"[\n\t]+")


def clean_block(text: str) -> str:
    """*text* with control sequences and characters removed; newlines kept,
    tabs become spaces, a carriage return is dropped (it could overwrite)."""
    text = _ESCAPES.sub("", text)
    text = _C1_STRINGS.sub("", text)
    return _CONTROLS.sub("", text.replace("\t", " "))


def clean_text(text: str) -> str:
    """One line: like :func:`clean_block`, and newlines become spaces, so a
    value can never start a line of its own ("CALL 555-0100")."""
    return _NEWLINES.sub(" ", clean_block(text))


def for_html(text: str) -> str:
    """Cleaned, then HTML-escaped (quotes too, for attribute values)."""
    return html.escape(clean_block(text), quote=True)


def for_markdown_cell(text: str) -> str:
    """One line, with the pipe that would end a table cell escaped."""
    return clean_text(text).replace("|", "\\|")


def clean_view(view: T) -> T:
    """A copy of a renderer's view with every string cleaned as one line,
    except guidance prose, which may keep its line breaks."""
    return _clean(view)  # type: ignore[no-any-return]


def _clean(value: Any) -> Any:
    from homecare.models import Finding, Guidance  # here: the CLI's error path imports this module

    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Finding):
        return value.model_copy(
            update={
                "summary": clean_text(value.summary),
                "evidence": {clean_text(str(k)): _clean(v) for k, v in value.evidence.items()},
            }
        )
    if isinstance(value, Guidance):
        return value.model_copy(
            update={
                "title": clean_text(value.title),
                "why": clean_block(value.why),
                "call_support": clean_block(value.call_support) if value.call_support else None,
                "history_note": clean_text(value.history_note) if value.history_note else None,
                "steps": [
                    s.model_copy(
                        update={
                            "text": clean_text(s.text),
                            "command": clean_text(s.command) if s.command else None,
                        }
                    )
                    for s in value.steps
                ],
            }
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _clean(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_clean(v) for v in value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value

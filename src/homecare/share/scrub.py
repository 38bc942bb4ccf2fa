"""Free text made safe to upload: keep known words, drop everything else.

Error messages and evidence strings come from the OS, libraries and plugins,
so they can hold anything: addresses, host names, user names, paths. Regexes
alone would let an unknown host name through, so after replacing the shapes
we recognise (IPs, MACs, paths, URLs, e-mail addresses) with placeholders,
only words from a fixed vocabulary survive; everything else becomes nothing.

The text can also be hostile (a captive portal writes the ``Location``
header that reaches an error message), so the work is linear in its size:
the input is cut to :data:`MAX_INPUT` first, and the patterns run on one
whitespace-separated token at a time, each at most :data:`MAX_TOKEN` long.
None of the patterns can match across whitespace, so this finds exactly
what matching the whole text would, without the backtracking that made a
100 KB string take minutes. A token too long to be a word is dropped whole
(no vocabulary word is that long).
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I), " [url] "),
    (re.compile(r"\S+@\S+"), " [email] "),
    (re.compile(r"\b[0-9a-f]{1,2}(?:[:-][0-9a-f]{1,2}){5}\b", re.I), " [mac] "),
    (re.compile(r"\b[0-9a-f]{4}(?:\.[0-9a-f]{4}){2}\b", re.I), " [mac] "),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?(?::\d+)?\b"), " [ip] "),
    (re.compile(r"\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%\S+)?\]?", re.I), " [ip] "),
    (re.compile(r"(?:[a-z]:)?[\\/]\S*", re.I), " [path] "),
    (re.compile(r"~\S*"), " [path] "),
    (re.compile(r"\b[\w-]+(?:\.[\w-]+)+\b"), " [name] "),
)

#: Words that may leave the machine. Lower case; anything else is dropped.
VOCABULARY: frozenset[str] = frozenset(
    """
    a address administratively already an and any are as at available bad be busy by
    cannot certificate closed connect connection could denied device did dns does down
    error errno expired failed failure for found from gateway host in interface internal
    invalid is link lookup network no non not of on operation or out permission port
    privilege probe protocol raw reached refused request reset resolve resolver response
    route running service servfail nxdomain socket temporary temporarily the time timed
    timeout to too try unavailable unknown unreachable unsupported was wifi with without
    zero missing tool command supported root requires required disabled enabled
    [url] [email] [mac] [ip] [path] [name]
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

_WORD = re.compile(r"\[[a-z]+\]|[a-z]+", re.I)
MAX_LEN = 160
#: Characters of input looked at: the output keeps at most MAX_LEN of them.
MAX_INPUT = 8192
#: Longest token the patterns see; a URL or path is longer than any word.
MAX_TOKEN = 256


def _long_token(tok: str) -> str:
    """A placeholder for a token too long to match: what it most likely is."""
    if "://" in tok:
        return " [url] "
    if "@" in tok:
        return " [email] "
    if tok.startswith(("/", "\\", "~")) or tok[1:3] in (":\\", ":/"):
        return " [path] "
    return " [name] " if "." in tok or ":" in tok or "/" in tok else " "


def _scrub_token(tok: str) -> str:
    if len(tok) > MAX_TOKEN:
        return _long_token(tok)
    for pattern, placeholder in _PATTERNS:
        tok = pattern.sub(placeholder, tok)
    return tok


def scrub_text(text: str | None) -> str | None:
    """The known words of *text*, in order; None when nothing known is left."""
    if not text:
        return None
    out = " ".join(_scrub_token(tok) for tok in text[:MAX_INPUT].split())
    words = [w.lower() for w in _WORD.findall(out)]
    kept = [w for w in words if w in VOCABULARY]
    if not any(not w.startswith("[") for w in kept):
        return None
    return " ".join(kept)[:MAX_LEN]


def looks_identifying(text: str) -> bool:
    """Whether *text* contains an address, URL, path or dotted host name."""
    return any(
        len(tok) > MAX_TOKEN or any(pattern.search(tok) for pattern, _ in _PATTERNS)
        for tok in text[:MAX_INPUT].split()
    )


_TOKEN_OK = re.compile(r"[^A-Za-z0-9_.:+/ -]")


def token(value: str | None, limit: int = 64) -> str | None:
    """A short label (vendor, standard) reduced to the characters the schema allows."""
    if value is None:
        return None
    cleaned = _TOKEN_OK.sub("", value).strip()[:limit].strip()
    return cleaned or None

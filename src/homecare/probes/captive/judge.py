"""Reading connectivity-check answers: is this a captive portal?

One URL is not enough: a DNS filter that blocks one host, or a check server
that is down or answers 200 instead of 204, used to be called a critical
captive portal. Here each URL's answer gets a verdict of its own, and only
evidence a portal leaves is decisive:

* a **redirect** (3xx with a ``Location``), which is how hotel, café and
  unpaid-account portals send a browser to their page;
* a **login page**: HTML where none was expected, with a form, a password
  field, a meta refresh or sign-in wording;
* or two or more checks that **agree** that something other than the
  expected answer came back, while none answered as expected.

A timeout, a refused connection, a name that does not resolve or a 5xx is an
``error``: it says the check could not tell, not that a portal is there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from homecare.models.connection import CaptiveCheckResult, CaptiveVerdict
from homecare.profiles.provider import CaptiveCheck

#: Read at most this much of a body: enough for any login page's first form.
BODY_CAP = 64 * 1024

#: The platform's own connectivity endpoints (what the OS or browser itself
#: probes), by ``sys.platform`` prefix; Firefox's runs everywhere.
_ANDROID = CaptiveCheck(url="http://connectivitycheck.gstatic.com/generate_204")
_APPLE = CaptiveCheck(
    url="http://captive.apple.com/hotspot-detect.html", expect_status=200, expect_body="Success"
)
_MICROSOFT = CaptiveCheck(
    url="http://www.msftconnecttest.com/connecttest.txt",
    expect_status=200,
    expect_body="Microsoft Connect Test",
)
_FIREFOX = CaptiveCheck(
    url="http://detectportal.firefox.com/success.txt", expect_status=200, expect_body="success"
)

_LOGIN = re.compile(
    rb"<form\b|type\s*=\s*[\"']?password|http-equiv\s*=\s*[\"']?refresh"
    rb"|\blog\s?in\b|\bsign[\s-]?in\b|\bvoucher\b|terms of (?:use|service)"
    rb"|\banmelden\b|iniciar sesi",
    re.IGNORECASE,
)


def platform_checks(platform: str) -> list[CaptiveCheck]:
    """The checks the operating system itself would make, plus Firefox's."""
    if platform.startswith("darwin"):
        return [_APPLE, _FIREFOX]
    if platform.startswith(("win32", "cygwin")):
        return [_MICROSOFT, _FIREFOX]
    return [_ANDROID, _FIREFOX]


def looks_like_login(body: bytes) -> bool:
    return bool(_LOGIN.search(body[:BODY_CAP]))


def verdict_of(
    check: CaptiveCheck, status: int, location: str | None, body: bytes
) -> CaptiveVerdict:
    """What one answer says (see the module docstring)."""
    if 300 <= status < 400 and location:
        return "redirect"
    if status >= 500:
        return "error"  # a broken check server, not a portal
    expected = status == check.expect_status and (
        check.expect_body is None or check.expect_body.encode() in body[:BODY_CAP]
    )
    if expected and not (check.expect_status == 204 and body):
        return "ok"
    if 200 <= status < 300 and looks_like_login(body):
        return "login_page"
    return "unexpected"


def is_portal(results: Sequence[CaptiveCheckResult]) -> bool:
    """A redirect or a login page anywhere, or agreement without any 'ok'."""
    verdicts = [r.verdict for r in results]
    if "redirect" in verdicts or "login_page" in verdicts:
        return True
    return "ok" not in verdicts and verdicts.count("unexpected") >= 2


def deciding(results: Sequence[CaptiveCheckResult]) -> CaptiveCheckResult | None:
    """The check the summary fields describe: for a portal the first decisive
    one, otherwise the provider's (the first), or None without any check."""
    if is_portal(results):
        for wanted in ("redirect", "login_page", "unexpected"):
            for r in results:
                if r.verdict == wanted:
                    return r
    return results[0] if results else None

"""Captive portal: fetch the provider's check URL and compare with what a
free internet returns (usually an empty 204). A redirect, or a page where
nothing was expected, means something between us and the internet is
intercepting web traffic: a hotel/guest login page, or an unpaid account
page of the provider."""

from __future__ import annotations

import time

from homecare.i18n import _
from homecare.models.connection import CaptiveData
from homecare.probes.base import ProbeContext

_BODY_CAP = 64 * 1024


def judge(status: int, expected: int, body_bytes: int, location: str | None) -> bool:
    """Whether an answer is a portal rather than the check URL's own answer."""
    if 300 <= status < 400 and location:
        return True
    if status != expected:
        return status < 500  # a 5xx is a broken check server, not a portal
    return expected == 204 and body_bytes > 0


class CaptivePortalProbe:
    name = "captive"
    area = "connectivity"
    requires: tuple[str, ...] = ()
    timeout_s = 6.0

    def run(self, ctx: ProbeContext) -> CaptiveData:
        import httpx

        url = ctx.provider.targets.captive_url
        expected = ctx.provider.targets.captive_expect_status
        timeout = max(0.5, min(5.0, ctx.deadline - time.monotonic() - 0.2))
        data = CaptiveData(url=url, expected_status=expected)
        try:
            client = httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False)
            with client, client.stream("GET", url, headers={"Cache-Control": "no-cache"}) as resp:
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size >= _BODY_CAP:
                        break
                data.status = resp.status_code
                data.location = resp.headers.get("location")
                data.body_bytes = size
        except httpx.TimeoutException:
            data.error = _("The check address did not answer in time.")
            return data
        except httpx.HTTPError as exc:
            data.error = _("The check address could not be reached: {error}").format(
                error=str(exc) or type(exc).__name__
            )
            return data
        data.captive = judge(data.status, expected, data.body_bytes, data.location)
        return data

"""Captive portal: several independent connectivity checks, judged together.

The provider's check URL (``targets.captive_url``) and the platform's own
(``targets.captive_platform_checks``, by default what this operating system
and Firefox probe) are fetched concurrently, without following redirects and
without proxies from the environment. Each answer gets a verdict
(:mod:`homecare.probes.captive.judge`); a portal is reported only on a
redirect or a login page, or when the checks agree. A redirect, or a page
where nothing was expected, means something between us and the internet is
intercepting web traffic: a hotel/guest login page, or an unpaid account
page of the provider.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from homecare.i18n import _
from homecare.models.connection import CaptiveCheckResult, CaptiveData
from homecare.probes.base import ProbeContext
from homecare.probes.captive.judge import BODY_CAP, deciding, is_portal, platform_checks, verdict_of
from homecare.profiles.provider import CaptiveCheck, Targets

Source = Literal["provider", "platform"]


def checks_for(targets: Targets, platform: str = sys.platform) -> list[tuple[Source, CaptiveCheck]]:
    """(source, check) pairs: the provider's first, then the platform's."""
    provider = CaptiveCheck(url=targets.captive_url, expect_status=targets.captive_expect_status)
    platform_list = (
        targets.captive_platform_checks
        if targets.captive_platform_checks is not None
        else platform_checks(platform)
    )
    out: list[tuple[Source, CaptiveCheck]] = [("provider", provider)]
    out += [("platform", c) for c in platform_list if c.url != provider.url]
    return out


def run_check(client: Any, source: Source, check: CaptiveCheck) -> CaptiveCheckResult:
    """Fetch one URL (at most BODY_CAP bytes of it) and judge the answer."""
    import httpx

    result = CaptiveCheckResult(url=check.url, source=source, expected_status=check.expect_status)
    try:
        with client.stream("GET", check.url, headers={"Cache-Control": "no-cache"}) as resp:
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) >= BODY_CAP:
                    break
            result.status = resp.status_code
            result.location = resp.headers.get("location")
            result.body_bytes = len(body)
    except httpx.TimeoutException:
        result.error = _("The check address did not answer in time.")
        return result
    except httpx.HTTPError as exc:
        result.error = _("The check address could not be reached: {error}").format(
            error=str(exc) or type(exc).__name__
        )
        return result
    result.verdict = verdict_of(check, result.status, result.location, bytes(body))
    return result


class CaptivePortalProbe:
    name = "captive"
    area = "connectivity"
    requires: tuple[str, ...] = ()
    timeout_s = 6.0

    def run(self, ctx: ProbeContext) -> CaptiveData:
        import httpx

        checks = checks_for(ctx.provider.targets)
        timeout = max(0.5, min(5.0, ctx.deadline - time.monotonic() - 0.2))
        client = httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False)
        with client, ThreadPoolExecutor(max_workers=len(checks)) as pool:
            futures = [pool.submit(run_check, client, src, chk) for src, chk in checks]
            results = [f.result() for f in futures]
        main = deciding(results)
        assert main is not None  # the provider's check is always there
        data = CaptiveData(
            url=main.url,
            expected_status=main.expected_status,
            status=main.status,
            location=main.location,
            body_bytes=main.body_bytes,
            captive=is_portal(results),
            checks=results,
        )
        if all(r.verdict == "error" for r in results):
            data.error = main.error or _("No connectivity check could be made.")
        return data

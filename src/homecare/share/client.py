"""HTTP client for the collector: one upload, one deletion request."""

from __future__ import annotations

from typing import Any

import httpx

from homecare.share.spool import Outcome, SendResult, classify

USER_AGENT = "homecare-share/1"


class CollectorClient:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> CollectorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(self, payload: dict[str, Any]) -> SendResult:
        try:
            response = self._http.post("/v1/uploads", json=payload)
        except httpx.HTTPError as exc:
            return SendResult(Outcome.RETRY, detail=type(exc).__name__)
        outcome = classify(response.status_code)
        return SendResult(
            outcome,
            retry_after=_retry_after(response.headers.get("retry-after")),
            detail=None if outcome is Outcome.DELIVERED else f"HTTP {response.status_code}",
        )

    def delete_installation(self, installation_id: str) -> bool:
        """Ask the collector to forget this installation; True once it confirmed."""
        try:
            response = self._http.delete(f"/v1/installations/{installation_id}")
        except httpx.HTTPError:
            return False
        return response.status_code in (200, 204, 404)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            import time

            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None

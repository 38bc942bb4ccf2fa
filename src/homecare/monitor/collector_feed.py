"""The provider's alert feed as one more notification channel (only with consent).

What leaves the machine is the alert's finding code, the event (opened or
closed), the segment and the time, under the installation id and a keyed
hash of the local alert number: no notification URL, no address, no name.
The ingest token is the provider's own (from its profile), never the
person's credentials.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from homecare.monitor.notify import Notice
from homecare.share.secret import installation_id, keyed_hash

USER_AGENT = "homecare-monitor/1"
TIMEOUT_S = 10.0


class CollectorChannel:
    key = "collector"
    disturbs = False

    def __init__(
        self,
        base_url: str,
        token: str | None,
        secret: bytes,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.shown = base_url.rstrip("/")
        self._secret = secret
        headers = {"User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.shown, headers=headers, timeout=TIMEOUT_S, transport=transport
        )

    def payload(self, notice: Notice) -> dict[str, str | None]:
        return {
            "alert": keyed_hash(self._secret, "alert", str(notice.alert_id)),
            "event": notice.event,
            "code": notice.code,
            "segment": notice.segment,
            "at": datetime.fromtimestamp(notice.at, UTC).isoformat(),
        }

    def send(self, notice: Notice) -> str | None:
        path = f"/v1/installations/{installation_id(self._secret)}/alerts"
        try:
            response = self._http.post(path, json=self.payload(notice))
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code in (200, 201):
            return None
        return f"HTTP {response.status_code}"

"""The per-installation alert feed: a consenting monitor's events arrive once, the
desk of the same provider reads them, and nothing but code, event, segment and
time leaves the machine (a notification URL's token never does)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import httpx
from sqlalchemy import MetaData, select

from homecare.advise.catalogue import Catalogue
from homecare.monitor.collector_feed import CollectorChannel
from homecare.monitor.notify import AppriseChannel, MessageStyle, Notice, Notifier
from homecare.share.secret import installation_id
from homecare.store.alerts import AlertStore
from homecare.store.samples import SampleStore

from .conftest import Collector

SECRET = bytes(range(32))
INST = installation_id(SECRET)
TOKEN_IN_URL = "s3cr3t-t0ken-never-shared"


def notice(event: str = "opened", at: float = 1.8e9) -> Notice:
    return Notice("Title", "Body", "monitor.outage.internet", event, "provider", at, 7)


def test_events_arrive_once_and_only_for_the_providers_desk(collector: Collector) -> None:
    channel = CollectorChannel(collector.url, collector.ingest, SECRET)
    assert channel.send(notice("opened")) is None
    assert channel.send(notice("opened")) is None  # a retry is accepted and not stored twice
    assert channel.send(notice("closed", at=1.8e9 + 600)) is None
    with collector.client(collector.support) as http:
        feed = http.get(f"/v1/installations/{INST}/alerts").json()
    assert [e["event"] for e in feed["events"]] == ["closed", "opened"]
    assert {e["code"] for e in feed["events"]} == {"monitor.outage.internet"}
    with collector.client(collector.other_support) as http:
        assert http.get(f"/v1/installations/{INST}/alerts").json()["events"] == []
    with collector.client(collector.support) as http:  # the desk cannot post
        assert (
            http.post(
                f"/v1/installations/{INST}/alerts", json=channel.payload(notice())
            ).status_code
            == 403
        )


def test_anything_but_the_four_fields_is_refused(collector: Collector) -> None:
    good = CollectorChannel(collector.url, collector.ingest, SECRET).payload(notice())
    with collector.client(collector.ingest) as http:
        url = f"/v1/installations/{INST}/alerts"
        assert http.post(url, json={**good, "summary": "Anna's flat"}).status_code == 422
        assert http.post(url, json={**good, "code": "dns.failing"}).status_code == 422
        assert http.post(url, content=b"{").status_code == 422
        assert http.post("/v1/installations/not-hex/alerts", json=good).status_code == 400
        assert http.post(url, json=good).status_code == 201


def test_notification_credentials_never_reach_the_collector(
    collector: Collector, tmp_path: Path
) -> None:
    with SampleStore.open(tmp_path / "h.sqlite3") as samples:
        store = AlertStore(samples)
        alert_id = store.open_alert("monitor.outage.internet", "provider", "down", {}, 1.8e9)
        assert alert_id is not None
        apprise = AppriseChannel(f"json://user:{TOKEN_IN_URL}@127.0.0.1:9/")  # nothing listens
        feed = CollectorChannel(collector.url, collector.ingest, SECRET)
        sent: list[bytes] = []

        def spy(request: httpx.Request) -> httpx.Response:
            sent.append(
                request.content + str(request.url).encode() + bytes(str(request.headers), "utf-8")
            )
            with httpx.Client(base_url=collector.url) as real:
                return real.send(request)

        feed._http = httpx.Client(
            base_url=collector.url,
            headers=dict(feed._http.headers),
            transport=httpx.MockTransport(spy),
        )
        notifier = Notifier(
            store,
            {apprise.key: apprise, feed.key: feed},
            Catalogue.load(),
            MessageStyle("en", "beginner"),
            UTC,
        )
        notifier.enqueue(alert_id, "opened", 1.8e9)
        assert notifier.deliver_due(1.8e9) == 1  # the feed; the apprise URL is refused
        shown = [d.channel for d in store.deliveries()]
    assert sent and all(TOKEN_IN_URL.encode() not in s for s in sent)
    assert all(TOKEN_IN_URL not in s for s in shown)  # status shows the URL masked
    meta = MetaData()
    meta.reflect(collector.engine)
    with collector.engine.connect() as conn:
        dump = repr([conn.execute(select(t)).all() for t in meta.sorted_tables])
    assert TOKEN_IN_URL not in dump and INST in dump

"""Property: over random small populations, the published documents (the
unfiltered one and every single-filter one of two dimensions) give no count
in 1..k-1 away through the linear relations they state (see
:mod:`tests.collector.audit`). Pure Python on rows computed from the
population, so it runs fast and the same on every machine."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecare.collector.queries import Filters
from homecare.collector.queries.document import build, counts_of
from homecare.collector.queries.family import publish

from .audit import Attacker, Home, rows_for

K = 4
BANDS = ("2.4GHz", "5GHz", "6GHz")
TIERS = ("fiber-100", "fiber-300")

homes_strategy = st.lists(
    st.builds(
        Home,
        wifi_band=st.sampled_from(BANDS),
        plan_tier=st.sampled_from(TIERS),
        codes=st.frozensets(st.sampled_from(("dns.slow", "wifi.weak")), max_size=2),
        tv=st.booleans(),
        week=st.sampled_from(("2026-04-27", "2026-05-04")),
        hour=st.sampled_from((8, 20)),
        feedback=st.one_of(st.none(), st.integers(1, 5)),
        offer_shown=st.booleans(),
        offer_taken=st.just(False),
    ).map(lambda h: h if not h.offer_shown else _taken(h)),
    max_size=45,
)


def _taken(h: Home) -> Home:
    """Half of the homes shown the offer (by their hour) take it."""
    return replace(h, offer_taken=h.hour == 8)


def documents(homes: list[Home]) -> tuple[Attacker, dict[str, dict[str, Any]]]:
    def rows(flt: Filters) -> dict[str, Any]:
        return rows_for(homes, flt)

    attacker = Attacker(K)
    docs = {"": publish(Filters(), K, rows)}
    attacker.add("", docs[""], rows(Filters()))
    named: dict[str, dict[str, str]] = {}
    for dim, values in (("wifi_band", BANDS), ("plan_tier", TIERS)):
        named[dim] = {}
        for value in values:
            if not any(h.value(dim) == value for h in homes):
                continue
            flt = Filters.from_params({dim: value})
            name = f"{dim}={value}"
            docs[name] = publish(flt, K, rows)
            attacker.add(name, docs[name], rows(flt))
            named[dim][value] = name
        attacker.family("", dim, named[dim])
    for band, a in named["wifi_band"].items():
        for tier, b in named["plan_tier"].items():
            attacker.crossed((a, "wifi_band", band), (b, "plan_tier", tier))
    return attacker, docs


@settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(homes_strategy)
def test_no_count_below_k_can_be_worked_out_from_the_documents(homes: list[Home]) -> None:
    attacker, _docs = documents(homes)
    assert attacker.recovered_below_k() == []


def test_the_audit_finds_the_leak_of_an_unchecked_filtered_document() -> None:
    """The auditor is not blind: the 2.4GHz document published as it was
    before the families (its own suppression only) gives its week's homes
    away against the unfiltered document."""
    homes = [
        Home("5GHz", "fiber-100", frozenset(), True, "2026-04-27", 8, None, False, False)
        for _ in range(12)
    ] + [
        Home("2.4GHz", "fiber-100", frozenset(), n < 2, "2026-04-27", 8, None, False, False)
        for n in range(10)
    ]
    attacker = Attacker(K)
    unfiltered = publish(Filters(), K, lambda f: rows_for(homes, f))
    attacker.add("", unfiltered, rows_for(homes, Filters()))
    names = {}
    for band in ("5GHz", "2.4GHz"):
        rows = rows_for(homes, Filters(wifi_band=band))
        names[band] = band
        attacker.add(band, build(rows, K, {}), rows)
    attacker.family("", "wifi_band", names)
    leaked = attacker.recovered_below_k()
    assert (("2.4GHz", ("device", "kind", "tv")), 2) in leaked
    # and the published documents do not
    fixed = Attacker(K)
    fixed.add("", unfiltered, rows_for(homes, Filters()))
    for band in ("5GHz", "2.4GHz"):
        flt = Filters(wifi_band=band)
        fixed.add(band, publish(flt, K, lambda f: rows_for(homes, f)), rows_for(homes, flt))
    fixed.family("", "wifi_band", names)
    assert fixed.recovered_below_k() == []
    assert counts_of(unfiltered)[("device", "kind", "tv")] == 14

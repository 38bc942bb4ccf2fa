"""Suppression properties (hypothesis) and the text/CSV views of insights; the
document itself is tested on both databases in test_queries.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from homecare.collector.db import make_engine, sqlite_url
from homecare.collector.export import rows_of, to_csv
from homecare.collector.migrate import upgrade
from homecare.collector.queries import Filters, cohort_insights
from homecare.collector.render import insights_text
from homecare.collector.suppression import suppress_counts, suppress_table

from .databases import store
from .payloads import payload


def seeded() -> list[dict[str, Any]]:
    """Three Wi-Fi band cohorts: 5GHz 20 homes, 2.4GHz 12 homes, 6GHz 3 homes;
    every home uploads twice (counts must be by installation, not upload)."""
    out = []
    n = 0
    for band, homes, tier in (
        ("5GHz", 20, "fiber-300"),
        ("2.4GHz", 12, "fiber-100"),
        ("6GHz", 3, "fiber-1000"),
    ):
        for _ in range(homes):
            codes = ("wifi.signal.weak",) if n % 2 == 0 else ("wifi.signal.weak", "dns.slow")
            for _rep in range(2):
                out.append(
                    payload(
                        n,
                        band=band,
                        tier=tier,
                        codes=codes,
                        down=80.0 + n % 7,
                        feedback=4 if n % 3 else 2,
                        offer="mesh.upsell",
                        taken=n % 2 == 0,
                    )
                )
            n += 1
    return out


def seeded_doc(tmp_path: Path) -> dict[str, Any]:
    """The seeded data's insights document, computed in a SQLite database."""
    engine = make_engine(sqlite_url(str(tmp_path / "seed.sqlite3")))
    upgrade(engine)
    store(engine, seeded())
    doc = cohort_insights(engine, "acme", Filters(), 10)
    engine.dispose()
    return doc


def test_csv_rows_are_the_exports_rows(tmp_path: Path) -> None:
    """One row builder: the CLI's CSV lists exactly the numbers
    :func:`homecare.collector.export.rows_of` publishes, in its order (speeds by
    every dimension, weeks and hours included; a hidden cohort not named)."""
    doc = seeded_doc(tmp_path)
    parsed = list(csv.reader(io.StringIO(to_csv(rows_of(doc)))))[1:]
    assert [tuple(r[:4]) for r in parsed] == [
        (r.section, r.dimension, r.cohort, r.metric) for r in rows_of(doc)
    ]
    assert {r[0] for r in parsed} >= {"speed", "week", "hour"}
    assert not any(r[2] == "6GHz" for r in parsed)


def test_text_marks_hidden_cells_and_csv_leaves_hidden_cohorts_out(tmp_path: Path) -> None:
    doc = seeded_doc(tmp_path)
    text = insights_text(doc)
    assert "6GHz" in text and "<k" in text
    csv = to_csv(rows_of(doc))
    assert "6GHz" not in csv  # a hidden cohort is not even named, as in the console's export
    assert "cohort,wifi_band,5GHz,installations,20" in csv


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 40), min_size=1))
def test_one_dimensional_never_exactly_one_hidden(counts: dict[str, int]) -> None:
    hidden = suppress_counts(counts, 10)
    assert all(counts[key] >= 10 or counts[key] == 0 or key in hidden for key in counts)
    assert len(hidden) != 1 or all(n == 0 for key, n in counts.items() if key not in hidden)


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz")), st.integers(0, 30), min_size=1
    )
)
def test_table_lines_never_hold_exactly_one_hidden_cell(counts: dict[tuple[str, str], int]) -> None:
    rows, cols = sorted({r for r, _ in counts}), sorted({c for _, c in counts})
    out = suppress_table(counts, 10, rows, cols)
    for r in rows:
        hidden = [c for c in cols if (r, c) in out.cells]
        assert len(hidden) != 1 or r in out.row_totals
    for c in cols:
        hidden = [r for r in rows if (r, c) in out.cells]
        assert len(hidden) != 1 or c in out.col_totals
    assert all((cell in out.cells) for cell, n in counts.items() if 0 < n < 10)

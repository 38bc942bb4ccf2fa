"""The one export shape (homecare.collector.export): ``insights --parquet``
and the console's download are the same long table, read back by DuckDB
with nothing of a hidden cohort in it; the CLI writes it atomically, to a
file or into a folder."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Engine

from homecare.collector.cli import main
from homecare.collector.db import make_engine
from homecare.collector.export import FILE_NAME, rows_of, to_parquet, write_parquet
from homecare.collector.migrate import upgrade
from homecare.collector.queries import Filters, cohort_insights

from .databases import store
from .test_insights import seeded


@pytest.fixture
def engine(db_url: str) -> Engine:
    e = make_engine(db_url)
    upgrade(e)
    store(e, seeded())
    return e


def test_parquet_export_read_back_by_duckdb(engine: Engine, tmp_path: Path) -> None:
    doc = cohort_insights(engine, "acme", Filters(), 10)
    path = write_parquet(doc, tmp_path / "out")
    assert path == tmp_path / "out" / FILE_NAME
    assert not list((tmp_path / "out").glob(".*partial"))
    con = duckdb.connect()
    read = f"read_parquet('{path}')"
    cohorts = con.execute(
        f"SELECT cohort, value FROM {read} WHERE section = 'cohort' AND dimension = 'wifi_band'"
    ).fetchall()
    assert cohorts == [("5GHz", 20.0)]  # 2.4GHz and 6GHz are hidden: left out, not even named
    for hidden in ("2.4GHz", "6GHz"):
        named = con.execute(
            f"SELECT count(*) FROM {read} WHERE cohort = ? AND section IN ('cohort', 'finding')",
            [hidden],
        ).fetchone()
        assert named == (0,), hidden
    # 2.4GHz has k homes for its speeds: its median is shown, as in the JSON API
    assert con.execute(
        f"SELECT count(*) FROM {read} WHERE section = 'speed' AND cohort = '6GHz'"
    ).fetchone() == (0,)
    small = con.execute(
        f"SELECT count(*) FROM {read} WHERE metric <> 'mean_score' AND section <> 'speed'"
        " AND value IS NOT NULL AND value > 0 AND value < 10"
    ).fetchone()
    assert small == (0,)  # no published count below k
    total = con.execute(
        f"SELECT value FROM {read} WHERE section = 'overall' AND metric = 'installations'"
    ).fetchone()
    assert total == (35.0,)
    meta = pq.read_schema(path).metadata
    assert meta[b"homecare.k"] == b"10" and json.loads(meta[b"homecare.filters"]) == {}
    assert con.execute(f"SELECT count(*) FROM {read}").fetchone() == (len(rows_of(doc)),)


def test_the_cli_and_the_console_write_the_same_file(
    engine: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "acme-5ghz.parquet"
    argv = ["insights", "--database-url", db_url, "--provider", "acme", "--wifi-band", "5GHz"]
    assert main([*argv, "--parquet", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    console = tmp_path / "console.parquet"
    console.write_bytes(to_parquet(cohort_insights(engine, "acme", Filters(wifi_band="5GHz"), 10)))
    cli_table, console_table = pq.read_table(target), pq.read_table(console)
    assert cli_table.equals(console_table) and cli_table.schema.equals(console_table.schema)
    filters = json.loads(cli_table.schema.metadata[b"homecare.filters"])
    assert filters == {"wifi_band": "5GHz"}


def test_cli_csv_is_the_consoles_csv(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """One layout, one code path: ``insights --csv`` prints byte for byte what
    the console's ``export.csv`` downloads, unfiltered and filtered."""
    from .conftest import start_collector
    from .web.browserless import login_client

    c = start_collector(db_url, rate_per_s=0, source_rate_per_s=0)
    try:
        store(c.engine, seeded())
        url = c.engine.url.render_as_string(hide_password=False)
        for cli_filter, query in (([], {}), (["--wifi-band", "5GHz"], {"wifi_band": "5GHz"})):
            with login_client(c.url, c.analyst) as console:
                download = console.get("/console/export.csv", params=query)
            assert download.status_code == 200
            capsys.readouterr()
            argv = ["insights", "--csv", "--provider", "acme", "--database-url", url, *cli_filter]
            assert main(argv) == 0
            printed = capsys.readouterr().out
            assert printed.startswith("section,dimension,cohort,metric,value,hidden\n")
            assert printed == download.text
    finally:
        c.server.stop()
        c.engine.dispose()

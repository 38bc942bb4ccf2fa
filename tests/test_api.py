"""``homecare.api`` is the plugin authors' whole world: complete, typed, and used."""

from __future__ import annotations

import ast
from pathlib import Path

import homecare.api as api

REPO = Path(__file__).resolve().parents[1]


def test_every_public_name_exists() -> None:
    missing = [name for name in api.__all__ if not hasattr(api, name)]
    assert missing == []


def test_the_package_is_marked_typed() -> None:
    assert (Path(api.__file__).parent / "py.typed").is_file()


def test_shipped_plugins_use_only_the_public_api() -> None:
    """The worked example must not teach reaching into internals."""
    for init in (REPO / "plugins").glob("*/__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        internal = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("homecare")
            and node.module != "homecare.api"
        ]
        assert internal == [], f"{init}: {internal}"

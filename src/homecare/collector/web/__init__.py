"""The collector's browser side: the support desk (``/desk/``), the analyst
console (``/console/``) and their login page, server-rendered (Jinja2) beside
the JSON API. :func:`install` is the one line ``create_app`` needs."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from homecare.collector.api.deps import AppState
from homecare.collector.web import console, desk, pages
from homecare.collector.web.auth import WebError
from homecare.collector.web.state import make_web_state

router = APIRouter()
router.include_router(pages.router)
router.include_router(desk.router)
router.include_router(console.router)


def install(app: FastAPI) -> None:
    """Add the pages to *app* (whose ``state.collector`` is already set)."""
    collector: AppState = app.state.collector
    app.state.web = make_web_state(collector)
    app.add_exception_handler(WebError, pages.web_error)  # type: ignore[arg-type]
    app.include_router(router)


__all__ = ["install", "router"]

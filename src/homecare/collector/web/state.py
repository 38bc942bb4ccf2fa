"""What the pages share per app: the session codec, token lookups, the
guidance catalogue and the templates (rate limits and the audit log are the
API's own, on ``api``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from homecare.advise.catalogue import Catalogue
from homecare.collector.api.deps import AppState
from homecare.collector.api.deps import state as api_state
from homecare.collector.web.auth import HashLookup, SessionCodec, WebSession
from homecare.collector.web.cohorts import ChoiceCache
from homecare.collector.web.translate import translations

#: Pages load nothing from elsewhere and run no script at all.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass
class WebState:
    api: AppState
    codec: SessionCodec
    lookup: HashLookup
    catalogue: Catalogue
    templates: Environment
    choices: ChoiceCache


def make_web_state(api: AppState) -> WebState:
    secret = api.settings.session_secret
    key = secret.encode() if secret else secrets.token_bytes(32)
    env = Environment(
        loader=PackageLoader("homecare.collector.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return WebState(
        api=api,
        codec=SessionCodec(key),
        lookup=HashLookup(api.engine, api.settings.token_cache_ttl_s),
        catalogue=Catalogue.load([Path(d) for d in api.settings.catalogue_dirs]),
        templates=env,
        choices=ChoiceCache(),
    )


def web_state(request: Request) -> WebState:
    found: WebState = request.app.state.web
    return found


def render(
    request: Request,
    template: str,
    language: str,
    session: WebSession | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    st = web_state(request)
    tr = translations(language)
    if session is not None:
        context["csrf"] = session.csrf
    html = st.templates.get_template(template).render(
        _=tr.gettext, ngettext=tr.ngettext, lang=language, session=session, **context
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def settings_of(request: Request) -> AppState:
    return api_state(request)

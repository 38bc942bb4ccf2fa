"""Login, logout, the stylesheet, and the role check every page goes through."""

from __future__ import annotations

import secrets
from importlib import resources
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from homecare.collector import audit
from homecare.collector.api.deps import principal, source_of
from homecare.collector.sources import rate_key
from homecare.collector.web.auth import (
    COOKIE,
    PRE_COOKIE,
    SESSION_MAX_AGE_S,
    WebError,
    WebSession,
    bearer_token,
    csrf_ok,
    language_from_header,
    new_session,
    pick_language,
)
from homecare.collector.web.state import SECURITY_HEADERS, render, web_state
from homecare.i18n import N_

router = APIRouter()
HOME = {"support": "/desk/", "analyst": "/console/"}
CSS = resources.files("homecare.collector.web").joinpath("static/web.css").read_bytes()


async def require(request: Request, role: str) -> WebSession:
    """The session of a person with *role*; WebError otherwise. A bearer token
    (for scripts) goes through the API's own check, limits and audit."""
    st = web_state(request)
    if bearer_token(request) is not None:
        who = await principal(request, {role})
        return new_session(who, language_from_header(request.headers.get("accept-language")))
    found = st.codec.load(request.cookies.get(COOKIE))
    if found is None:
        raise WebError(401, N_("Please log in."))
    # the token behind a session can be removed: check it again (cached)
    if await run_in_threadpool(st.lookup.by_hash, found.token_hash) is None:
        raise WebError(401, N_("Your session has ended. Please log in again."))
    if found.role != role:
        raise WebError(403, N_("This page needs a {role} token."), role=role)
    return found


def set_session_cookie(request: Request, response: Response, session: WebSession) -> None:
    response.set_cookie(
        COOKIE,
        web_state(request).codec.dump(session),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.get("/web/static/web.css", include_in_schema=False)
async def stylesheet() -> Response:
    return Response(
        CSS,
        media_type="text/css",
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/login", include_in_schema=False)
async def login_form(
    request: Request, lang: str | None = None, error: str | None = None, next: str = ""
) -> Response:
    language = pick_language(lang or language_from_header(request.headers.get("accept-language")))
    csrf = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", language, None, csrf=csrf, error=error == "1", next=next[:500]
    )
    response.set_cookie(
        PRE_COOKIE,
        web_state(request).codec.dump_pre(csrf, language),
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    language: Annotated[str, Form(max_length=10)] = "en",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    st = web_state(request)
    pre = st.codec.load_pre(request.cookies.get(PRE_COOKIE))
    if pre is None or not csrf_ok(pre[0], csrf):
        raise WebError(400, N_("The form expired. Please try again."))
    source = source_of(request)
    fail_key = f"authfail:{rate_key(source)}"  # the API's failed-login budget
    lang = pick_language(language)
    if await run_in_threadpool(st.api.limits.auth_fail.take, fail_key, 0.0) > 0:
        raise WebError(429, N_("Too many failed logins from here. Please wait a while."))
    who = await run_in_threadpool(st.api.auth.lookup, token.strip()) if token.strip() else None
    if who is None or who.role not in HOME:
        await run_in_threadpool(
            audit.record,
            st.api.engine,
            "login.failed",
            source=source,
            detail="web" if who is None else f"web: {who.role} token",
        )
        await run_in_threadpool(st.api.limits.auth_fail.take, fail_key, 1.0)
        return RedirectResponse(
            f"/login?error=1&lang={quote(lang)}", status_code=303, headers=SECURITY_HEADERS
        )
    session = new_session(who, lang)
    await run_in_threadpool(
        audit.record,
        st.api.engine,
        "web.login",
        provider=who.provider,
        actor=who.token_hash,
        source=source,
        detail=who.role,
    )
    home = HOME[who.role]
    target = next if next.startswith(home) and "//" not in next and "\\" not in next else home
    response = RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
    set_session_cookie(request, response, session)
    response.delete_cookie(PRE_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    session = web_state(request).codec.load(request.cookies.get(COOKIE))
    if session is None or not csrf_ok(session.csrf, csrf):
        raise WebError(400, N_("The form expired. Please try again."))
    response = RedirectResponse(
        f"/login?lang={session.language}", status_code=303, headers=SECURITY_HEADERS
    )
    response.delete_cookie(COOKIE, path="/")
    return response


async def web_error(request: Request, exc: WebError) -> Response:
    """401 sends a browser to the login page; anything else is a small page."""
    if exc.status == 401 and bearer_token(request) is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            f"/login?next={quote(target)}", status_code=303, headers=SECURITY_HEADERS
        )
    session = web_state(request).codec.load(request.cookies.get(COOKIE))
    language = (
        session.language
        if session
        else language_from_header(request.headers.get("accept-language"))
    )
    return render(
        request,
        "error.html",
        language,
        session,
        status=exc.status,
        message=exc.message,
        params=exc.params,
    )

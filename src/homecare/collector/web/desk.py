"""The support desk: ``/desk/`` looks a support code up and shows its story.

Lookups are rate limited per agent (not per provider: one busy colleague
cannot lock out the others), sharing the budget of ``GET /v1/results`` across
instances, and every lookup goes to the audit log with the agent's short id,
the code and the outcome, so a provider can see who looked at which home.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from homecare.collector import audit, db
from homecare.collector.api.deps import source_of
from homecare.collector.ratelimit import retry_after_header
from homecare.collector.web.auth import COOKIE, WebError, WebSession, csrf_ok, with_language
from homecare.collector.web.pages import require, set_session_cookie
from homecare.collector.web.queries import installation_timeline
from homecare.collector.web.related import SessionStory, find_related, find_session_story
from homecare.collector.web.script import say_next
from homecare.collector.web.state import SECURITY_HEADERS, render, web_state
from homecare.collector.web.story import Story, build_story
from homecare.i18n import N_
from homecare.share.support_code import InvalidSupportCode, parse

router = APIRouter()
MAX_CODE_TEXT = 40


@router.get("/desk/", include_in_schema=False)
async def desk(request: Request, code: str | None = None) -> Response:
    session = await require(request, "support")
    st = web_state(request)
    typed = (code or "").strip()[:MAX_CODE_TEXT]
    if not typed:
        return render(request, "desk.html", session.language, session, typed="", story=None)
    # the same per-agent budget as GET /v1/results, shared by all instances
    wait = await run_in_threadpool(st.api.limits.lookup.take, f"lookup:{session.token_hash}", 1.0)
    if wait > 0:
        await _audit(request, session, "rate limited")
        response = render(
            request,
            "desk.html",
            session.language,
            session,
            status=429,
            typed=typed,
            story=None,
            error=N_("Too many lookups. Please wait a moment and try again."),
        )
        response.headers["Retry-After"] = retry_after_header(wait)
        return response
    try:
        canonical = parse(typed)
    except InvalidSupportCode:
        await _audit(request, session, "malformed code")
        return render(
            request,
            "desk.html",
            session.language,
            session,
            status=400,
            typed=typed,
            story=None,
            error=N_(
                "That is not a valid support code. Please ask the "
                "caller to read it out again, character by character."
            ),
        )
    provider = session.provider

    def load() -> Story | SessionStory | None:
        found = db.find_by_code(st.api.engine, provider, canonical)
        if found:
            inst = str(found[0].payload.get("installation_id", ""))
            timeline = installation_timeline(st.api.engine, provider, inst)
            related = find_related(st.api.engine, provider, canonical, inst)
            return build_story(found, timeline, related, st.catalogue, session.language)
        return find_session_story(st.api.engine, provider, canonical)

    story = await run_in_threadpool(load)
    await _audit(request, session, f"{canonical} {'found' if story else 'not found'}")
    if story is None:
        return render(
            request,
            "desk.html",
            session.language,
            session,
            status=404,
            typed=typed,
            story=None,
            error=N_("No check with this code was shared with us."),
        )
    if isinstance(story, SessionStory):
        return render(
            request, "desk.html", session.language, session, typed=canonical, story=None,
            tech=story,
        )  # fmt: skip
    script = say_next(story, session.language)
    return render(
        request, "desk.html", session.language, session, typed=canonical, story=story, script=script
    )


async def _audit(request: Request, session: WebSession, detail: str) -> None:
    """Every desk lookup goes to the collector's audit log, like the API's."""
    st = web_state(request)
    await run_in_threadpool(
        audit.record,
        st.api.engine,
        "support.lookup",
        provider=session.provider,
        actor=session.token_hash,
        source=source_of(request),
        detail=f"desk: {detail}",
    )


@router.post("/web/language", include_in_schema=False)
async def switch_language(
    request: Request,
    language: Annotated[str, Form(max_length=10)] = "en",
    csrf: Annotated[str, Form(max_length=100)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The agent's page language, kept in the session (a form, so CSRF-checked)."""
    st = web_state(request)
    session = st.codec.load(request.cookies.get(COOKIE))
    if session is None or await run_in_threadpool(st.lookup.by_hash, session.token_hash) is None:
        raise WebError(401, N_("Please log in."))
    if not csrf_ok(session.csrf, csrf):
        raise WebError(400, N_("The form expired. Please try again."))
    home = "/desk/" if session.role == "support" else "/console/"
    target = back if back.startswith(home) and "//" not in back and "\\" not in back else home
    response = RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
    set_session_cookie(request, response, with_language(session, language))
    return response

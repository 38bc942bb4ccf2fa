"""The collector's HTTP API, one router per concern.

``create_app`` (in :mod:`homecare.collector.app`) only includes these
routers; everything a router needs at request time lives on ``app.state``
(see :class:`homecare.collector.api.deps.AppState`) and is reached through
the helpers in :mod:`.deps`, so a new router is one module plus one
``include_router`` line.
"""

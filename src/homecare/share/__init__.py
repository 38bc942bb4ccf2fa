"""Anonymized sharing with the provider: payload, anonymizer, spool, support codes.

Nothing here runs unless the person consented (see :mod:`homecare.share.consent`).
"""

from __future__ import annotations

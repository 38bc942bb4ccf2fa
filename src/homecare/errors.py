"""Errors the CLI turns into one-line messages and named exit codes."""

from __future__ import annotations


class HomecareError(Exception):
    """Base: anything expected that should end a command with a clear message."""


class ConfigError(HomecareError):
    """A profile or configuration file is missing, unreadable or invalid."""


class StateError(HomecareError):
    """Local state (history, profile store) cannot be read or written."""


class UsageError(HomecareError):
    """The user asked for something that does not exist (area, check id...)."""

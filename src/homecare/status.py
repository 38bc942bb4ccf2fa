"""Named exit codes, documented in the README."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0  # the check ran and found nothing wrong
    PROBLEMS_FOUND = 1  # the check ran and found at least one warning or worse
    USAGE = 2  # unknown command, option or area
    CONFIG = 3  # a profile or config file is missing or invalid
    STATE = 4  # local state (history, data folder) cannot be read or written
    INTERNAL = 70  # a bug: please report it
    INTERRUPTED = 130  # Ctrl-C

"""Reachability: does the gateway answer, does the internet answer."""

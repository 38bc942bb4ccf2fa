"""DNS quality: per-resolver timing and NXDOMAIN rewriting."""

"""Speed test engines (LibreSpeed HTTP, speedtest.net) and latency under load."""

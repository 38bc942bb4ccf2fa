"""Latency, jitter and loss to the gateway and beyond, and the pacing pinger the speed test reuses."""

"""Proactive care: a schedule of checks, samples, outages, trends, alerts, notifications."""

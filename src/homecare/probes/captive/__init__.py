"""Captive portal detection through the provider's check URL."""

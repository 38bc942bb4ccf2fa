"""Advice: findings + the person's profile + history become guidance."""

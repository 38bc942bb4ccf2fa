"""Local state: the person's profile, configuration and check history."""

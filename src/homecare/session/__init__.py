"""Field technicians' sessions: plans, the runner, the store, the signed report."""

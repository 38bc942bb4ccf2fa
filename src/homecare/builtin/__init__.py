"""Built-in probes, rules and renderers, registered as default plugins."""

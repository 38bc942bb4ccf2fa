"""Path MTU and black-hole detection with DF-set probes."""

"""The command line: each command parses, calls the core, renders.

Modules here import only typer at module level; everything heavier loads
inside the command body, so ``homecare --help`` starts fast.
"""

"""Renderers: the same Report to the console, plain text, JSON or Markdown."""

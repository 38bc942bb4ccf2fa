"""Pure text-to-model parsers, one module per tool.

Every parser takes the tool's output as text and returns models; none raises
on unexpected input and none uses patterns that can backtrack badly, because
the text comes from whatever the host has installed.
"""

"""Readers of text sources: reader dumps, structured and plain Markdown, normalized JSON."""

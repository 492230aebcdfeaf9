"""Readers for the input formats beyond plain text: HTML, Markdown, JSON / JSONL, gzip."""

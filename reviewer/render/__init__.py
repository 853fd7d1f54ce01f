"""Digests rendered to Markdown, plain text, HTML e-mail and JSON (jinja2 templates beside)."""

"""reviewer: turn a daily Markdown research journal into a weekly review."""

__version__ = "0.1.0"

"""reviewer: turn a daily Markdown research journal into a weekly review."""

import logging

__version__ = "0.1.0"

# Library logging stays silent unless the CLI's -v configures a handler: a foreseen failure is
# reported once, as the command's own one-line message, not also by logging's last resort.
logging.getLogger("reviewer").addHandler(logging.NullHandler())

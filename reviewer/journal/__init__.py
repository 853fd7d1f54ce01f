"""The journal as written: files and folders read (source), dates (dates), bullets (outline),
and the text parsed into entries and undated sections (parse). Pure but for source.py."""

"""One parser per registry entry (see data.sources); shared reading helpers in data.parsers.common."""

"""One parser per registry entry (see sentiers.base.sources); shared reading helpers in sentiers.base.parsers.common."""

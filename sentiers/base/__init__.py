"""The territory base: official sources (registry, fetch, parsers) built into GeoParquet and opened as one ``Base``.

Also the facts every feature shares: the indicator catalogue, codes, the commune lookup and the Kiif coverage.
"""

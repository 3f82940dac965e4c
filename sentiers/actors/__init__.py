"""Acteurs du territoire: the ESS actors and structures d'insertion of a commune, an EPCI or a radius, from the
State's API « Recherche d'entreprises » (Sirene and RNE), with a disk cache, families, défis and cooperation.

``fetch_actors(base, "26113")`` (:mod:`sentiers.actors.fetch`) is the one entry point; the page, the CLI and the
fiche call it. Layer 2: imports sentiers.base and the shared helpers only.
"""

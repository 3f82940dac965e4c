"""Matching: score candidate territories (communes or EPCI) against a structure's profile.

- :mod:`matching.profile` — the validated structure profile (YAML/JSON); :mod:`matching.share` — share tokens;
- :mod:`matching.presets` — one preset per défi de la ruralité (their rationale: docs/presets.md);
- :mod:`matching.candidates` — commune and EPCI candidate tables (EPCI from summed counts);
- :mod:`matching.constraints` — hard constraints and their funnel;
- :mod:`matching.small_numbers` — rates of small populations shrunk toward their département;
- :mod:`matching.score` — transforms, weighted score, contributions, ranking (``rank_profile``);
- :mod:`matching.robustness` — weights and uncertain rates redrawn, share of variants in the leading group;
- :mod:`matching.similar` — territories like the ones where the solution already works;
- :mod:`matching.readiness` — « Êtes-vous prêt·e ? », the programme's criteria as a guided form;
- :mod:`matching.export` — the shortlist as CSV/XLSX. The indicators scored are in :mod:`sentiers.base.catalogue`,
  the command ``sentiers score`` in :mod:`sentiers.cli.score`.
"""

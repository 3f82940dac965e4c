"""Matching: score candidate territories (communes or EPCI) against a structure's profile.

- :mod:`matching.profile` — the validated structure profile (YAML/JSON, share tokens);
- :mod:`matching.catalogue` — one entry per scorable indicator (label, unit, source layer, direction);
- :mod:`matching.presets` — one preset per défi de la ruralité;
- :mod:`matching.candidates` — commune and EPCI candidate tables (EPCI from summed counts);
- :mod:`matching.constraints` — hard constraints and their funnel;
- :mod:`matching.score` — transforms, weighted score, contributions, ranking (``rank_profile``);
- :mod:`matching.robustness` — Dirichlet weight perturbation, share of draws in the top N;
- :mod:`matching.export` — shortlist CSV/XLSX; :mod:`matching.cli` — ``sentiers score``.
"""

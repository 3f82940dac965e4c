"""Sentiers: understand rural territories, find where to spread a social-economy solution, prepare the visit.

The package's folders are its architecture (see docs/architecture.md): shared helpers (settings, errors,
fr, geometry, exports), the territory base (``sentiers.base``), one subpackage per feature (``rural``,
``maps``, ``matching``, ``briefing``) and the command line (``sentiers.cli``).
"""

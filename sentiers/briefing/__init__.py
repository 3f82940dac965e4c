"""Fiche territoire and Comparer: the briefing of a commune or an EPCI, and 2 to 5 territories side by side."""

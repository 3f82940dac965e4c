"""Carte: interactive folium maps (``web``), their compact payloads, static maps for pages and PDFs, palettes."""

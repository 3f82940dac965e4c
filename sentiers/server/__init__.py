"""The workshop server (``sentiers serve``): several Streamlit workers sharing one loaded base
(:mod:`sentiers.server.workers`) behind a sticky proxy that keeps each visitor on its worker
(:mod:`sentiers.server.proxy`)."""

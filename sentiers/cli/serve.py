"""``sentiers serve``: the app for a workshop, one Streamlit process per core behind one address."""

from __future__ import annotations

import argparse

from sentiers.server.workers import serve


def run(args: argparse.Namespace) -> int:
    extra = list(args.streamlit_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return serve(port=args.port, address=args.address, workers=args.processus, streamlit_args=extra)

"""``sentiers serve``: the app for a workshop, one Streamlit process per core behind one address."""

from __future__ import annotations

import argparse
import sys

from sentiers.cli.support import progress_bar
from sentiers.server.workers import check_arguments, serve


def run(args: argparse.Namespace) -> int:
    from sentiers.base.build import build_and_write
    from sentiers.base.store import read_manifest

    extra = list(args.streamlit_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    check_arguments(args.port, args.processus)  # before a build that may take a minute
    if read_manifest() is None:
        with progress_bar("Construction de la base embarquée") as report:
            build_and_write({}, progress=report)
    sys.stderr.write("Sentiers (atelier) : chargement de la base…\n")
    return serve(port=args.port, address=args.address, workers=args.processus, streamlit_args=extra)

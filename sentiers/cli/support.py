"""What every command shares: progress bars on stderr, output files written safely, the base opened with
progress, and the one-line French error.

Exit codes: 0 done; 1 done with a reported failure (a source that failed to update); 2 a usage or input error
(one line on stderr, nothing written).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentiers.errors import SentiersError, os_reason
from sentiers.fr import either, quoted, visible

if TYPE_CHECKING:
    from sentiers.base.store import Base

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
Progress = Callable[[float, str], None]
MAX_MESSAGE = 400


def error_line(message: object) -> str:
    """« sentiers : … » on one line: control and format characters shown as escapes (a message quotes user text
    with ``fr.quoted`` already; this is the net for any that did not), length bounded."""
    return f"sentiers : {visible(message, MAX_MESSAGE)}\n"


@contextlib.contextmanager
def progress_bar(desc: str) -> Iterator[Progress]:
    """A percentage bar on stderr fed with (fraction, message); hidden when stderr is not a terminal."""
    from tqdm import tqdm

    bar = tqdm(
        total=100,
        desc=desc,
        file=sys.stderr,
        leave=False,
        disable=None,
        bar_format="{l_bar}{bar}| {postfix}",
    )

    def report(fraction: float, message: str) -> None:
        bar.n = round(100 * max(0.0, min(1.0, float(fraction))))
        bar.set_postfix_str(message[:50], refresh=False)
        bar.refresh()

    try:
        yield report
    finally:
        bar.close()


def bytes_bar(label: str) -> Callable[[int, int | None], None]:
    """A bytes bar for one download (total from Content-Length when the server gives it)."""
    from tqdm import tqdm

    state: dict[str, tqdm] = {}

    def on_bytes(received: int, total: int | None) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(
                total=total,
                desc=label[:32],
                unit="B",
                unit_scale=True,
                file=sys.stderr,
                leave=False,
                disable=None,
            )
        bar.update(received - bar.n)
        if total is not None and received >= total:
            bar.close()

    return on_bytes


def output_path(value: str, formats: Iterable[str]) -> Path:
    """The ``-o`` file, checked before any work: known extension, an existing folder, not a folder itself."""
    formats = tuple(formats)
    out = Path(value)
    if out.suffix.lower() not in formats:
        raise SentiersError(
            f"Format de sortie non reconnu : {quoted(out.name, 60)}. Extensions possibles : {either(formats)}."
        )
    if out.is_dir():
        raise SentiersError(f"{quoted(value)} est un dossier : donnez un nom de fichier.")
    if out.exists() and not out.is_file():  # a device, a pipe, a socket (or a link to one): never replaced
        raise SentiersError(f"{quoted(value)} n'est pas un fichier ordinaire : donnez un autre nom.")
    parent = out.parent
    if not parent.is_dir():
        what = "n'est pas un dossier" if parent.exists() else "n'existe pas"
        raise SentiersError(f"Le dossier de sortie {what} : {quoted(str(parent))}.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SentiersError(f"Le dossier de sortie n'est pas accessible en écriture : {quoted(str(parent))}.")
    return out


def read_input(path: Path, limit: int, what: str) -> bytes:
    """The bytes of an input file named on the command line, at most ``limit`` of them (``upload.read_path``)."""
    from sentiers.upload import read_path

    return read_path(path, limit, what)


def write_output(out: Path, payload: bytes | str) -> None:
    """Write through a temporary file in the same folder, flushed to disk, then rename: never a half-written
    file, and no partial file left behind when the disk is full or the write fails."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name[:40]}.", suffix=".part", dir=out.parent)
    except OSError as exc:
        raise SentiersError(
            f"Impossible d'écrire dans {quoted(str(out.parent))} : {os_reason(exc)}."
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # a full disk is said now, not by a later close or by the rename
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SentiersError(f"Impossible d'écrire {quoted(str(out))} : {os_reason(exc)}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def finite(data: Any) -> Any:
    """``data`` with every non-finite float (NaN, ±inf) as None: what JSON can say of a missing figure."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite(value) for value in data]
    return data


def json_text(data: Any) -> str:
    """The ``--json`` output: strict JSON (never a bare NaN or Infinity, which JSON readers refuse), missing
    figures as null, French text kept as is, indented, with its final newline."""
    return json.dumps(finite(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def open_base_for_cli(columns: Iterable[str] | None = None, geometry: bool = True) -> Base:
    """The base, projected as asked; on a fresh machine the embedded base is built with a progress bar."""
    from sentiers.base import open_base
    from sentiers.base.store import read_manifest

    if read_manifest() is None:
        with progress_bar("Construction de la base embarquée") as report:
            return open_base(columns=columns, geometry=geometry, progress=report)
    return open_base(columns=columns, geometry=geometry)

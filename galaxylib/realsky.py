"""Real galaxies: photographs from Debian's ``stellarium-data`` and their catalogued types.

The planetarium Stellarium ships low-resolution photographs of galaxies, taken by
observatories and amateur astrophotographers, in the Debian (and Ubuntu) package
``stellarium-data``. :func:`fetch_photographs` gets that package once -- through
``apt-get download`` where apt exists, otherwise from a Debian mirror over HTTPS with
:func:`galaxylib.tools.download.fetch` -- checks its SHA-256, reads the ``.deb`` in Python
(an ``ar`` archive holding ``data.tar.xz``) and keeps only the photographs that
:func:`label_table` lists, with each image's credit as the package gives it.

The label table (``real_galaxies.csv`` beside this module) gives each galaxy's
catalogued morphology and the four labels it implies; :func:`labels_for` is the rule
that turns a type and a view into those labels, and the tests check that the table
obeys it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd

from galaxylib.config import data_root
from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.tools.download import fetch
from galaxylib.tools.files import atomic_path, replace, staging_dir, write_bytes

__all__ = [
    "CREDITS_FILE",
    "DEB_SHA256",
    "DEB_URL",
    "DEB_VERSION",
    "LABELS",
    "VIEWS",
    "answer_scores",
    "auc_intervals",
    "auc_table",
    "fetch_photographs",
    "label_table",
    "labels_for",
    "photograph_paths",
]

PACKAGE = "stellarium-data"
DEB_VERSION = "0.22.2-1"
"""The version of ``stellarium-data`` the course reads (Debian 12 "bookworm")."""
DEB_URL = f"https://deb.debian.org/debian/pool/main/s/stellarium/{PACKAGE}_{DEB_VERSION}_all.deb"
DEB_SHA256 = "45aaebf39a814acbd6dcccea058c2f5651bcb5635599da03a215feeb51f4d5a5"
IMAGE_DIR = "usr/share/stellarium/nebulae/default"
"""Where the package keeps its galaxy photographs (and ``textures.json``, their credits)."""
DEFAULT_DIR = "realsky"
"""Folder under the data root that receives the photographs."""
CREDITS_FILE = "credits.csv"

LABELS = ("smooth", "edge_on", "barred", "odd")
"""The four labels of the table, in the order of :func:`answer_scores`."""
VIEWS = ("round", "face-on", "inclined", "highly inclined", "edge-on", "pair")
"""How a galaxy is seen in its photograph."""

_TABLE = Path(__file__).with_name("real_galaxies.csv")
_CREDIT = re.compile(r'"imageCredits"\s*:\s*(\{[^}]*\})\s*,\s*"imageUrl"\s*:\s*"([^"]+)"')
_FIELD = re.compile(r'"(short|infoUrl)"\s*:\s*"([^"]*)"', re.IGNORECASE)


# ------------------------------------------------------------------------ the labels


def labels_for(hubble_type: str, view: str) -> dict[str, float]:
    """The four labels a catalogued type and a view imply (NaN where they cannot say).

    - ``smooth``: 1 for ellipticals; for lenticulars 1 when unbarred (``SA0``) and not
      edge-on, 0 when edge-on (the disc shows) or peculiar, NaN otherwise; 0 for
      spirals, irregulars, pairs and mergers.
    - ``edge_on``: 1 for an edge-on view, 0 for face-on, inclined, round or pair, NaN
      for a highly inclined disc.
    - ``barred``: for discs seen face-on or inclined only: 1 for family ``SB``, 0 for
      ``SA``, NaN for the intermediate ``SAB`` and every other view or type.
    - ``odd``: 1 for pairs, mergers, irregulars and peculiar (``pec``) types, except a
      peculiar dwarf (its peculiarity is internal, NaN); 0 otherwise.

    Parameters
    ----------
    hubble_type : str
        An RC3-style type (``"SAB(rs)bc"``, ``"E0 pec"``, ``"dE5 pec"``), or ``"pair"``
        or ``"merger"``.
    view : str
        One of :data:`VIEWS`.

    Returns
    -------
    dict of str to float
    """
    if view not in VIEWS:
        raise DataError(f"The view {view!r} is not one of {', '.join(VIEWS)}.")
    kind = _kind(hubble_type)
    family = re.match(r"(?:\(R'?\))?S(AB|A|B)?", hubble_type)
    bar = family.group(1) if family else None
    pec = "pec" in hubble_type
    nan = float("nan")
    if kind in ("elliptical", "dwarf"):
        smooth = 1.0
    elif kind == "lenticular":
        if pec or view == "edge-on":
            smooth = 0.0
        else:
            smooth = 1.0 if bar == "A" and view in ("face-on", "inclined") else nan
    else:
        smooth = 0.0
    edge_on = {"edge-on": 1.0, "highly inclined": nan}.get(view, 0.0)
    barred = nan
    if kind in ("spiral", "lenticular") and view in ("face-on", "inclined"):
        barred = {"B": 1.0, "A": 0.0}.get(bar or "", nan)
    if kind in ("interacting", "irregular") or (pec and kind != "dwarf"):
        odd = 1.0
    else:
        odd = nan if pec else 0.0
    return {"smooth": smooth, "edge_on": edge_on, "barred": barred, "odd": odd}


def _kind(hubble_type: str) -> str:
    if hubble_type in ("pair", "merger"):
        return "interacting"
    if hubble_type.startswith("dE"):
        return "dwarf"
    if hubble_type.startswith("E"):
        return "elliptical"
    if re.match(r"(?:\(R'?\))?S(AB|A|B)?(?:\([rs]+\))?0", hubble_type):
        return "lenticular"
    if re.match(r"(?:\(R'?\))?S", hubble_type):
        return "spiral"
    if hubble_type.startswith("I"):
        return "irregular"
    raise DataError(f"{hubble_type!r} is not a Hubble type this table knows.")


def label_table() -> pd.DataFrame:
    """The real galaxies the course uses: type, its source, view and the four labels.

    Returns
    -------
    DataFrame
        ``file`` (the photograph's name without ``.png``), ``name``, ``hubble_type``,
        ``type_source`` (the catalog), ``view``, the :data:`LABELS` (1, 0 or NaN) and
        ``note``.
    """
    table = pd.read_csv(_TABLE, dtype={"note": str}, keep_default_na=False, na_values={})
    for label in LABELS:
        table[label] = pd.to_numeric(table[label].replace("", np.nan)).astype(float)
    return table


# -------------------------------------------------------------------- the photographs


def photograph_paths(root: str | Path | None = None) -> list[Path]:
    """The photographs' paths in the order of :func:`label_table` (fetched if needed)."""
    root = fetch_photographs(root)
    return [root / f"{name}.png" for name in label_table()["file"]]


def fetch_photographs(
    root: str | Path | None = None,
    *,
    files: Sequence[str] | None = None,
    url: str = DEB_URL,
    sha256: str = DEB_SHA256,
    version: str = DEB_VERSION,
    force: bool = False,
) -> Path:
    """Get the listed photographs from ``stellarium-data`` into ``root``, once.

    Tries ``apt-get download stellarium-data=<version>`` first, then ``url``; either
    ``.deb`` must have the SHA-256 ``sha256``. The download resumes after an
    interruption, each photograph is written atomically, ``credits.csv`` (each
    photograph's credit, from the package's ``textures.json``) is written last, and
    the ``.deb`` is deleted once everything is out of it.

    Parameters
    ----------
    root : path, optional
        Folder for the photographs (default ``$GALAXYLIB_DATA/realsky``).
    files : sequence of str, optional
        Photographs to keep, without ``.png`` (default: the ``file`` column of
        :func:`label_table`).
    url, sha256, version : str
        Where the ``.deb`` is on a Debian mirror, its checksum, and its version.
    force : bool, default False
        Fetch again even when every photograph is already there.

    Returns
    -------
    Path
        ``root``, holding ``<file>.png`` for each file and ``credits.csv``.

    Raises
    ------
    GalaxyLibError
        If neither apt nor the mirror gives the package (one sentence saying both).
    DataError
        If the package lacks a listed photograph or is not a readable ``.deb``.
    """
    root = Path(root) if root is not None else data_root() / DEFAULT_DIR
    files = list(label_table()["file"] if files is None else files)
    if not force and _complete(root, files):
        return root
    root.mkdir(parents=True, exist_ok=True)
    deb = root / f"{PACKAGE}_{version}_all.deb"
    if not deb.exists():
        _get_deb(deb, url, sha256, version)
    _extract(deb, root, files)
    deb.unlink()
    return root


def _complete(root: Path, files: list[str]) -> bool:
    return (root / CREDITS_FILE).is_file() and all((root / f"{f}.png").is_file() for f in files)


def _get_deb(deb: Path, url: str, sha256: str, version: str) -> None:
    apt_said = _apt_download(deb, sha256, version)
    if apt_said is None:
        return
    try:
        fetch(url, deb, sha256=sha256)
    except GalaxyLibError as err:  # a DataError (bad checksum) stays one
        raise type(err)(
            f"Could not get {PACKAGE} {version}: apt-get download {apt_said}, and from the "
            f"mirror: {err}"
        ) from None


def _apt_download(deb: Path, sha256: str, version: str) -> str | None:
    """Fetch the package with apt into ``deb``; None on success, else what went wrong."""
    if shutil.which("apt-get") is None:
        return "is not available (no apt on this machine)"
    with staging_dir(deb.parent, "apt") as folder:
        run = subprocess.run(
            ["apt-get", "download", "-q", f"{PACKAGE}={version}"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        found = sorted(folder.glob("*.deb"))
        if run.returncode or not found:
            lines = (run.stderr or run.stdout).strip().splitlines()
            errors = [line for line in lines if line.startswith("E:")] or lines or ["no .deb"]
            return f"failed ({errors[-1]})"
        if _sha256(found[0]) != sha256:
            return f"gave a {found[0].name} whose SHA-256 is not {sha256}"
        replace(found[0], deb)
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _extract(deb: Path, root: Path, files: list[str]) -> None:
    """Write the listed photographs and their credits out of ``deb`` into ``root``."""
    wanted = {f"{IMAGE_DIR}/{name}.png": root / f"{name}.png" for name in files}
    textures = f"{IMAGE_DIR}/textures.json"
    credits_text = None
    with deb.open("rb") as raw:
        member, size = _data_member(raw, deb)
        modes: dict[str, Literal["r|xz", "r|gz", "r|bz2", "r|"]]
        modes = {".xz": "r|xz", ".gz": "r|gz", ".bz2": "r|bz2", ".tar": "r|"}
        mode = modes.get(Path(member).suffix)
        if mode is None:
            raise DataError(f"{deb} holds {member}, which Python cannot unpack; delete it.")
        try:
            with tarfile.open(fileobj=_Limited(raw, size), mode=mode) as tar:
                for info in tar:
                    name = info.name.removeprefix("./")
                    member_file = tar.extractfile(info) if info.isfile() else None
                    if member_file is not None and (name in wanted or name == textures):
                        data = member_file.read()
                        if name == textures:
                            credits_text = data.decode("utf-8", errors="replace")
                        else:
                            write_bytes(wanted.pop(name), data)
        except (tarfile.TarError, EOFError, OSError) as err:
            raise DataError(f"{deb} is not a complete .deb ({err}); delete it and retry.") from None
    if wanted or credits_text is None:
        missing = [Path(p).name for p in wanted] or ["textures.json"]
        raise DataError(
            f"{deb} has no {', '.join(missing)} under {IMAGE_DIR}; check that it is "
            f"{PACKAGE} {DEB_VERSION}."
        )
    with atomic_path(root / CREDITS_FILE) as tmp:
        _credits(credits_text, files).to_csv(tmp, index=False)


def _data_member(raw: BinaryIO, deb: Path) -> tuple[str, int]:
    """Position ``raw`` at the ``data.tar.*`` member of the ``ar`` archive ``deb``."""
    if raw.read(8) != b"!<arch>\n":
        raise DataError(f"{deb} is not a .deb (no ar archive header); delete it and retry.")
    while len(header := raw.read(60)) == 60:
        name = header[:16].decode("ascii", errors="replace").strip().rstrip("/")
        size = int(header[48:58].decode("ascii").strip() or 0)
        if name.startswith("data.tar"):
            return name, size
        raw.seek(size + size % 2, os.SEEK_CUR)
    raise DataError(f"{deb} holds no data.tar member; delete it and retry.")


class _Limited(io.RawIOBase):
    """A read-only stream of the next ``size`` bytes of a file."""

    def __init__(self, raw: BinaryIO, size: int) -> None:
        super().__init__()
        self.raw, self.left = raw, size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.raw.read(n)
        self.left -= len(data)
        return data


def _credits(textures: str, files: list[str]) -> pd.DataFrame:
    """Each photograph's credit (``short``) and link (``infoUrl``) from ``textures.json``."""
    found = {}
    for fields, image in _CREDIT.findall(textures):
        values = {k.lower(): v.strip() for k, v in _FIELD.findall(fields)}
        found[image] = (values.get("short", ""), values.get("infourl", ""))
    rows = [(name, *found.get(f"{name}.png", ("", ""))) for name in files]
    return pd.DataFrame(rows, columns=["file", "credit", "info_url"])


# ---------------------------------------------------------------------- the answers


def answer_scores(predictions: pd.DataFrame) -> pd.DataFrame:
    """The network's answer to each of the four :data:`LABELS`, from its 37 fractions.

    ``smooth`` is ``Class1.1``; ``edge_on`` is ``Class2.1 / (Class2.1 + Class2.2)`` and
    ``barred`` ``Class3.1 / (Class3.1 + Class3.2)`` (the answers given that the question
    was asked); ``odd`` is ``Class6.1``.
    """
    scores = pd.DataFrame(index=predictions.index)
    scores["smooth"] = predictions["Class1.1"]
    scores["edge_on"] = _share(predictions["Class2.1"], predictions["Class2.2"])
    scores["barred"] = _share(predictions["Class3.1"], predictions["Class3.2"])
    scores["odd"] = predictions["Class6.1"]
    return scores


def _share(yes: pd.Series, no: pd.Series) -> pd.Series:
    return yes / np.maximum(yes + no, 1e-9)


def auc_table(scores: dict[str, pd.DataFrame], labels: pd.DataFrame) -> pd.DataFrame:
    """ROC AUC of each network's answer for each label, over the galaxies labelled.

    Parameters
    ----------
    scores : dict of str to DataFrame
        Network name to its :func:`answer_scores`, rows aligned with ``labels``.
    labels : DataFrame
        The :data:`LABELS` columns of :func:`label_table`.

    Returns
    -------
    DataFrame
        One row per label: ``positives``, ``negatives`` and one AUC column per network.
    """
    from sklearn.metrics import roc_auc_score

    rows = []
    for label in LABELS:
        known = labels[label].notna().to_numpy()
        truth = labels[label].to_numpy()[known]
        row = {"label": label, "positives": int(truth.sum()), "negatives": int((1 - truth).sum())}
        for name, table in scores.items():
            row[name] = roc_auc_score(truth, table[label].to_numpy()[known])
        rows.append(row)
    return pd.DataFrame(rows).set_index("label")


def auc_intervals(
    scores: dict[str, pd.DataFrame],
    labels: pd.DataFrame,
    *,
    baseline: str | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Bootstrap intervals on each network's AUC for each label, galaxies resampled.

    With a few dozen photographs, one galaxy moves an AUC by a tenth; the interval says
    how far. The galaxies are drawn with replacement ``n_boot`` times (the same draws for
    every network, so that differences are paired); the AUC of each draw counts every
    pair of a positive and a negative galaxy, ties as one half.

    Parameters
    ----------
    scores : dict of str to DataFrame
        Network (or remedy) name to its :func:`answer_scores`, rows aligned with ``labels``.
    labels : DataFrame
        The :data:`LABELS` columns of :func:`label_table`.
    baseline : str, optional
        A key of ``scores``: also give each other entry's difference from it, with its
        interval.
    n_boot : int, default 2000
    level : float, default 0.95
    seed : int, default 0

    Returns
    -------
    DataFrame
        One row per label and name: ``auc``, ``low``, ``high`` and, with ``baseline``,
        ``change``, ``change_low``, ``change_high``.

    Examples
    --------
    >>> labels = pd.DataFrame({label: [1, 1, 0, 0, 0] for label in LABELS})
    >>> perfect = pd.DataFrame({label: [0.9, 0.8, 0.3, 0.2, 0.1] for label in LABELS})
    >>> auc_intervals({"net": perfect}, labels).loc[("smooth", "net")].tolist()
    [1.0, 1.0, 1.0]
    """
    if baseline is not None and baseline not in scores:
        raise ValueError(f"baseline {baseline!r} is not one of {', '.join(scores)}")
    rng = np.random.default_rng(seed)
    tail = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    rows = []
    for label in LABELS:
        known = labels[label].notna().to_numpy()
        truth = labels[label].to_numpy()[known].astype(bool)
        counts = rng.multinomial(len(truth), np.full(len(truth), 1 / len(truth)), size=n_boot)
        pos, neg = counts[:, truth], counts[:, ~truth]
        both = (pos.sum(1) > 0) & (neg.sum(1) > 0)  # a draw needs both kinds of galaxy
        pos, neg = pos[both], neg[both]
        auc, draws = {}, {}
        for name, table in scores.items():
            score = table[label].to_numpy()[known]
            wins = (np.sign(score[truth][:, None] - score[~truth][None, :]) + 1) / 2
            auc[name] = float(wins.mean())
            draws[name] = np.einsum("bi,ij,bj->b", pos, wins, neg) / (pos.sum(1) * neg.sum(1))
        for name in scores:
            row = {"label": label, "name": name, "auc": auc[name]}
            row["low"], row["high"] = np.percentile(draws[name], tail)
            if baseline is not None:
                row["change"] = auc[name] - auc[baseline]
                row["change_low"], row["change_high"] = np.percentile(
                    draws[name] - draws[baseline], tail
                )
            rows.append(row)
    return pd.DataFrame(rows).set_index(["label", "name"])

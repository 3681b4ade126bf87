"""Execute the book's notebooks on every core into its cache, before ``jupyter-book build``.

``python -m build_tools.execute [--jobs N]`` (run by ``make book``) reads each notebook
page of ``_toc.yml`` exactly as myst-nb reads it (its jupytext ``.py`` source, with the
reader ``_config.yml`` names), skips those the cache already holds, and runs the others
``N`` at a time, each in its own folder, with the timeout and error setting of
``_config.yml``'s ``execute``. Each executed notebook goes into the jupyter-cache that
myst-nb keeps in ``_build/.jupyter_cache``, keyed on its code as myst-nb keys it, so that
the build that follows finds every page executed and only renders it.

Jupyter Book 1 executes one page after another; most pages keep one core busy, so on two
cores running two at a time saves a third or more of the build. The pages share the data
root, and galaxylib lets one process at a time make a sky, a crop cache or a network
(:func:`galaxylib.tools.files.exclusive`): a page that needs what another is making waits.

A page that fails is reported with its failing cell, the others still run, and the
command exits with 1: the build fails on any failing cell, as ``jupyter-book build`` would.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml

from build_tools.kernel import FileKernelManager

ROOT = Path(__file__).resolve().parents[1]


def notebook_pages(root: Path = ROOT) -> list[Path]:
    """The pages of ``_toc.yml`` that are notebooks (a ``.py`` source), in the book's order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    entries = toc.get("chapters", []) + [e for p in toc.get("parts", []) for e in p["chapters"]]
    files = [toc["root"]] + [entry["file"] for entry in entries]
    return [root / f"{name}.py" for name in files if (root / f"{name}.py").exists()]


def read_page(path: Path, root: Path = ROOT) -> nbformat.NotebookNode:
    """A page as myst-nb reads it: with the reader ``_config.yml`` gives its suffix."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    formats = config["sphinx"]["config"]["nb_custom_formats"]
    reader, kwargs = formats[path.suffix]
    module, _, name = reader.rpartition(".")
    read = getattr(__import__(module, fromlist=[name]), name)
    return read(path.read_text(encoding="utf-8"), **kwargs)


def _execute(path: str, root: str, timeout: int, allow_errors: bool) -> tuple[str, str, float, str]:
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = read_page(Path(path), Path(root))
    result = single_nb_execution(
        notebook,
        cwd=str(Path(path).parent),
        timeout=timeout,
        allow_errors=allow_errors,
        kernel_manager_class=FileKernelManager,
    )
    # the failing cell and the kernel's traceback, without the terminal's colours
    error = re.sub(r"\x1b\[[0-9;]*m", "", str(result.err)) if result.err is not None else ""
    return path, nbformat.writes(notebook), result.time, error or small_text_warnings(notebook)


def small_text_warnings(notebook: nbformat.NotebookNode) -> str:
    """The warnings of figures with text too small to read that an executed page printed
    (``GALAXYLIB_CHECK_FIGURES``, :func:`galaxylib.course.plots.small_text`): they fail it."""
    found = [
        line.strip()
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stderr"
        for line in output.get("text", "").splitlines()
        if "SmallTextWarning:" in line
    ]
    return "\n".join(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="pages at once")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book (default: this one)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.jobs < 1:
        parser.error(f"--jobs is {args.jobs}; run 1 page at a time or more.")

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    execute = yaml.safe_load((root / "_config.yml").read_text())["execute"]
    cache = get_cache(str(root / "_build" / ".jupyter_cache"))  # where Jupyter Book keeps it
    todo = []
    for path in notebook_pages(root):
        try:
            cache.match_cache_notebook(read_page(path, root))
        except KeyError:
            todo.append(path)
    print(f"pages to execute: {len(todo)}, {args.jobs} at a time", flush=True)
    failed = []
    start = time.monotonic()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
        jobs = [
            pool.submit(_execute, str(p), str(root), execute["timeout"], execute["allow_errors"])
            for p in todo
        ]
        for job in as_completed(jobs):
            path, text, seconds, error = job.result()
            name = Path(path).relative_to(root)
            if error:
                failed.append(name)
                print(f"{name} failed after {seconds:.0f} s:\n{error}", flush=True)
                continue
            bundle = CacheBundleIn(
                nbformat.reads(text, as_version=4), path, data={"execution_seconds": seconds}
            )
            cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
            print(f"{name} executed in {seconds:.0f} s", flush=True)
    print(f"pages executed in {time.monotonic() - start:.0f} s", flush=True)
    if failed:
        print(f"Failing pages: {', '.join(map(str, failed))}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What every chapter's checks share: the failure, the exercise wrapper, hidden data.

A check is written as a plain function that calls the student's answer and calls
:func:`fail` with one sentence when something is wrong. :func:`exercise` turns it into
what the notebooks call: it numbers the sentence (``Exercise 2.1: ...``), turns an
exception raised inside the student's own function into a sentence naming that
function, the exception and the input, refuses an answer that merely calls galaxylib's
own solution, and makes the failure show as that one line in Jupyter, Colab and
nbclient (IPython's ``_render_traceback_``), never as the checker's traceback.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, NoReturn, TypeVar

import numpy as np
import pandas as pd

from galaxylib.taxonomy import COLUMNS, QUESTIONS, to_cumulative

__all__ = [
    "CheckFailed",
    "correct",
    "exercise",
    "fail",
    "random_fractions",
    "random_per_question",
]

F = TypeVar("F", bound=Callable[..., None])


class CheckFailed(AssertionError):
    """The answer is not right yet; the message says why in one sentence."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the sentence alone."""
        return [str(self)]


def correct() -> None:
    """Say that the answer passed."""
    print("Correct!")


def fail(message: str) -> NoReturn:
    """Stop the check with one sentence for the student."""
    raise CheckFailed(message)


def _one_line(text: object, limit: int = 160) -> str:
    """An exception's message squeezed into one short line without a final full stop."""
    line = " ".join(str(text).split())
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line.rstrip(".")


def _describe(value: object) -> str:
    """A few words for an input given to the student's function."""
    if isinstance(value, pd.DataFrame):
        return f"a table of {len(value)} rows and {value.shape[1]} columns"
    if isinstance(value, pd.Series | pd.Index):
        return f"a {type(value).__name__} of {len(value)} values"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    text = repr(value)
    if isinstance(value, str | int | float | bool | tuple | type(None)) and len(text) <= 40:
        return text
    return f"a {type(value).__name__}"


class _Answer:
    """The student's function, called the way a check calls it.

    Any exception it raises becomes a :class:`CheckFailed` sentence naming the function,
    the exception and the input. When a ``forbidden`` function runs during the call
    (galaxylib's own solution, however it was imported), the answer is refused.
    """

    def __init__(self, function: Callable, forbidden: dict[tuple[str, str], str]) -> None:
        self.function = function
        self.name = getattr(function, "__name__", type(function).__name__)
        self.forbidden = forbidden

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        called: list[str] = []

        def watch(frame: FrameType, event: str, arg: object) -> None:
            if event == "call":
                code = frame.f_code
                key = (
                    frame.f_globals.get("__name__", ""),
                    getattr(code, "co_qualname", code.co_name),
                )
                if key in self.forbidden:
                    called.append(self.forbidden[key])

        previous = sys.getprofile()
        if self.forbidden:
            sys.setprofile(watch)
        try:
            result = self.function(*args, **kwargs)
        except CheckFailed:
            raise
        except Exception as error:
            inputs = ", ".join(
                [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
            )
            if isinstance(error, NotImplementedError):
                what = "NotImplementedError: replace `raise NotImplementedError()` by your code"
            else:
                what = f"{type(error).__name__}: {_one_line(error)}"
            fail(f"Your {self.name}({inputs}) raised {what}.")
        finally:
            if self.forbidden:
                sys.setprofile(previous)
        if called:
            fail(
                f"Your {self.name} calls {called[0]}: the point of this exercise is "
                "to write it yourself, with NumPy and pandas."
            )
        return result


def _key(name: str) -> tuple[str, str]:
    """``(module, qualified name)`` of the code that runs when ``"module:name"`` is called.

    A module already imported says where the function is really defined; otherwise
    (nothing is imported just for this) the name is taken as given.
    """
    module, _, qualname = name.partition(":")
    found: Any = sys.modules.get(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    function = getattr(found, "__func__", found)
    if hasattr(function, "__code__"):
        return function.__module__, function.__qualname__
    return module, qualname


def exercise(number: str, *, forbid: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Make a check function into the one a notebook calls for exercise ``number``.

    Parameters
    ----------
    number : str
        The exercise's number, ``"2.1"`` for the exercise labelled ``ex-2-1``.
    forbid : tuple of str
        galaxylib's own solutions of the exercise, as ``"module:qualified.name"``
        (recognised by name when they run, so that nothing is imported for them): an
        answer that calls one of them while the check runs it is refused.

    Returns
    -------
    callable
        A decorator. The checked function gets an ``exercise`` attribute, ``number``.
    """

    def decorate(check: F) -> F:
        parameters = inspect.signature(check).parameters

        @functools.wraps(check)
        def run(*answers: Any) -> None:
            # a reading exercise's cell starts `answer = None`, then raises until answered
            unset = [name for name, a in zip(parameters, answers, strict=False) if a is None]
            forbidden = {_key(name): name.replace(":", ".") for name in forbid}
            wrapped = [
                _Answer(a, forbidden) if callable(a) and not isinstance(a, type) else a
                for a in answers
            ]
            try:
                if unset:
                    fail(
                        f"`{unset[0]}` is still None: replace `raise NotImplementedError()` "
                        "in the cell that sets it by your code, and run that cell."
                    )
                check(*wrapped)
            except CheckFailed as failed:
                raise CheckFailed(f"Exercise {number}: {failed}") from None
            except Exception as error:  # an answer of a shape the check did not foresee
                raise CheckFailed(
                    f"Exercise {number}: checking your answer stopped at "
                    f"{type(error).__name__}: {_one_line(error)}; look at what your code returns."
                ) from None

        run.exercise = number  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate


# --------------------------------------------------------------------------- hidden data


def catalog_table(values: np.ndarray, seed: int) -> pd.DataFrame:
    """A catalog table with GalaxyIDs around 37 answer columns."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(values, columns=list(COLUMNS))
    frame.insert(0, "GalaxyID", rng.choice(np.arange(100_000, 999_999), len(frame), replace=False))
    return frame


def hidden_catalog(n: int, seed: int) -> pd.DataFrame:
    """Vote fractions that obey the tree, rounded as the catalog is, with GalaxyIDs."""
    return catalog_table(random_fractions(n, np.random.default_rng(seed)), seed)


def as_2d(answer: object, name: str, shape: tuple[int, int]) -> np.ndarray:
    """The answer as a float array of the expected shape, or a sentence saying why not."""
    if isinstance(answer, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in answer.columns]
        if shape[1] == len(COLUMNS) and not missing:
            answer = answer.loc[:, list(COLUMNS)]
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        fail(
            f"{name} should return numbers in an array or a DataFrame, not {type(answer).__name__}."
        )
    if values.shape != shape:
        fail(f"{name} returned shape {values.shape}; expected {shape}.")
    return values


def number(answer: object, name: str) -> float:
    """The answer as a float, or a sentence saying that it is not a number."""
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.integer | np.floating):
        fail(f"{name} should be a number, not {type(answer).__name__}.")
    return float(answer)


def one_each(answer: object, name: str, value: str, option: str, options: tuple) -> dict:
    """The answer as a dict holding one ``value`` for each of ``options``, or a sentence."""
    if not isinstance(answer, dict) or sorted(answer) != sorted(options):
        fail(f"{name} should be a dict with one {value} for each {option} of {options}.")
    return answer


def choice(answer: object, name: str, options: tuple[str, ...]) -> str:
    """The answer as one of ``options`` (case and spaces ignored), or a sentence."""
    if not isinstance(answer, str) or answer.strip().lower() not in options:
        listed = ", ".join(repr(o) for o in options)
        fail(f"{name} should be one of {listed}, not {answer!r}.")
    return answer.strip().lower()


def random_per_question(n: int, rng: np.random.Generator) -> np.ndarray:
    """Random per-question vote fractions of ``n`` galaxies, shape (n, 37).

    Each question's answers are drawn from a flat Dirichlet distribution (uniform among
    the splits that sum to 1); :func:`to_cumulative` makes them a catalog's fractions.
    """
    return np.concatenate([rng.dirichlet(np.ones(len(q.answers)), size=n) for q in QUESTIONS], 1)


def random_fractions(n: int, rng: np.random.Generator) -> np.ndarray:
    """Random cumulative vote fractions that obey the tree, shape (n, 37).

    :func:`random_per_question` through :func:`to_cumulative`, rounded to 6 decimals
    like the Kaggle catalog.

    Examples
    --------
    >>> from galaxylib.taxonomy import check_tree
    >>> fractions = random_fractions(5, np.random.default_rng(0))
    >>> check_tree(fractions).empty
    True
    """
    return np.round(to_cumulative(random_per_question(n, rng)), 6)

"""The examples in galaxylib's docstrings run, and print what they say (as scikit-learn's do)."""

import doctest
import importlib
import pkgutil

import pytest

import galaxylib

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(galaxylib.__path__, "galaxylib.")
    if not info.name.endswith("__main__")
)


def test_the_chapters_most_used_functions_have_examples():
    finder = doctest.DocTestFinder()
    examples = {
        test.name
        for name in MODULES
        for test in finder.find(importlib.import_module(name))
        if test.examples
    }
    for function in [
        "galaxylib.config.profile",
        "galaxylib.data.split",
        "galaxylib.metrics.rmse",
        "galaxylib.metrics.gap_closed",
        "galaxylib.models.build_model",
        "galaxylib.training.cosine_schedule",
        "galaxylib.taxonomy.question_of",
        "galaxylib.taxonomy.check_tree",
        "galaxylib.preprocess.boxes.crop",
    ]:
        assert function in examples, f"{function} has no Examples section"


@pytest.mark.parametrize("name", MODULES)
def test_every_docstring_example_runs(name):
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failed == 0, f"{failed} docstring examples of {name} failed (see above)"

"""galaxylib: the helper package of the course *Galaxy morphology with CNNs*.

One module, one job:

- :mod:`galaxylib.taxonomy` -- the 37 answers, 11 questions and the decision tree;
- :mod:`galaxylib.data` -- catalogs and images in the Galaxy Zoo (Kaggle) format, splits;
- :mod:`galaxylib.download` -- getting the real data onto a learner's machine;
- :mod:`galaxylib.metrics` -- the competition's RMSE, per question and per answer;
- :mod:`galaxylib.baselines` -- the report's four benchmarks;
- :mod:`galaxylib.cli` -- the ``galaxylib`` command.
"""

from galaxylib.errors import GalaxyLibError

__version__ = "0.1.0"
__all__ = ["GalaxyLibError", "__version__"]

"""galaxylib: the helper package of the course *Galaxy morphology with CNNs*.

One module, one job:

- :mod:`galaxylib.taxonomy` -- the 37 answers, 11 questions and the decision tree;
- :mod:`galaxylib.data` -- catalogs and images in the Galaxy Zoo (Kaggle) format, splits;
- :mod:`galaxylib.download` -- getting the real data onto a learner's machine;
- :mod:`galaxylib.metrics` -- the competition's RMSE, per question and per answer;
- :mod:`galaxylib.baselines` -- the report's four benchmarks;
- :mod:`galaxylib.synthetic` -- the synthetic Galaxy Zoo the book runs on;
- :mod:`galaxylib.preprocess` -- region-of-interest crops and the image cache;
- :mod:`galaxylib.models` -- the report's CNN and an improved one;
- :mod:`galaxylib.pipeline` -- the tf.data input pipeline, devices and precision;
- :mod:`galaxylib.training` -- training with resumable checkpoints;
- :mod:`galaxylib.evaluation` -- test scores, results table, predictions;
- :mod:`galaxylib.plots` -- the course's figures;
- :mod:`galaxylib.checks` -- the checks that close every exercise;
- :mod:`galaxylib.course` -- what each chapter does first;
- :mod:`galaxylib.cli` -- the ``galaxylib`` command.
"""

from galaxylib.errors import GalaxyLibError

__version__ = "0.1.0"
__all__ = ["GalaxyLibError", "__version__"]

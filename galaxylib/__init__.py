"""galaxylib: the helper package of the course *Galaxy morphology with CNNs*.

What a student reads, one module one job:

- :mod:`galaxylib.taxonomy` -- the 37 answers, 11 questions and the decision tree;
- :mod:`galaxylib.data` -- catalogs and images in the Galaxy Zoo (Kaggle) format, splits;
- :mod:`galaxylib.metrics` -- the competition's RMSE, the gap a model closes, clear cases;
- :mod:`galaxylib.baselines` -- the report's four benchmarks;
- :mod:`galaxylib.synthetic` -- the synthetic Galaxy Zoo the book runs on;
- :mod:`galaxylib.realsky` -- real galaxy photographs and their catalogued types;
- :mod:`galaxylib.preprocess` -- region-of-interest crops and the image cache;
- :mod:`galaxylib.models` -- the book's networks and their registry, ``NETWORKS``;
- :mod:`galaxylib.hardware` -- the CPU or GPUs a network trains on, and the precision;
- :mod:`galaxylib.pipeline` -- the ``tf.data`` input pipeline;
- :mod:`galaxylib.augment` -- the training images' light varied as photographs vary it;
- :mod:`galaxylib.training` -- ``compile``, the callbacks and ``fit``;
- :mod:`galaxylib.votes` -- a loss that knows the labels are votes;
- :mod:`galaxylib.evaluation` -- test scores, results table, predictions;
- :mod:`galaxylib.saliency` -- where an answer is most sensitive to the pixels;
- :mod:`galaxylib.config` -- the data root and the profiles.

A student need not read the two packages beside them: :mod:`galaxylib.course` (what
the notebooks need: setting up a page, the figures, the stored networks, the exercises'
checks) and :mod:`galaxylib.tools` (what the command line needs: the commands, the
benchmarks, and the file safety that lets a long job resume).
"""

from galaxylib.errors import GalaxyLibError

__version__ = "0.1.0"
__all__ = ["GalaxyLibError", "__version__"]

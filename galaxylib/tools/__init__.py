"""What a command-line user needs and a student need not read.

- :mod:`~galaxylib.tools.cli` -- the ``galaxylib`` command;
- :mod:`~galaxylib.tools.download` and :mod:`~galaxylib.tools.http` -- the real data
  from Kaggle (``galaxylib download``);
- :mod:`~galaxylib.tools.bench` -- the benchmarks behind ``galaxylib bench``;
- :mod:`~galaxylib.tools.export` -- a trained network as an ONNX file, checked against
  Keras (``galaxylib export``; the book's "Try the network" page runs one);
- :mod:`~galaxylib.tools.files` -- atomic writes, locks and full disks, on which the
  command line's promises rest (an interrupted run never leaves a broken file);
- :mod:`~galaxylib.tools.model_files` and :mod:`~galaxylib.tools.checkpoints` -- a
  trained model's files, and the atomic checkpoints that let training resume;
- :mod:`~galaxylib.tools.workers` and :mod:`~galaxylib.tools.progress` -- the process
  pool and the progress bar of long jobs.
"""

"""A trained network as an ONNX file, for runtimes without TensorFlow (``galaxylib export``).

ONNX is a file format for networks that many runtimes read: ONNX Runtime in Python,
C++ or a web browser (the book's "Try the network" page runs one there). The export
writes the network's inference layers (:func:`inference_model`) with
Keras's own ``model.export(..., format="onnx")``, which calls ``tf2onnx``; then it runs
the file in ONNX Runtime beside Keras on a batch of images and keeps it only if every
answer agrees to :data:`TOLERANCE`. The converter names its intermediate values
differently on each run; they are renamed in the order the graph uses them, so that the
same network always gives the same file, byte for byte.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from galaxylib.errors import GalaxyLibError
from galaxylib.tools.files import atomic_path, check_out_path

if TYPE_CHECKING:
    import keras

__all__ = ["TOLERANCE", "Export", "export_onnx", "inference_model", "onnx_session"]

TOLERANCE = 1e-4
"""Largest difference allowed between Keras's and ONNX Runtime's answers."""

_PROBES = 16
"""Images in the batch on which the two runtimes are compared."""

_NEEDS = "pip install tf2onnx onnxruntime (the course's requirements.txt has both)"


@dataclass(frozen=True)
class Export:
    """What :func:`export_onnx` wrote, and how well ONNX Runtime reproduces Keras.

    Attributes
    ----------
    path : Path
        The ONNX file.
    input_shape : tuple of int
        One image, as the network takes it: ``(size, size, channels)``, ``uint8``.
    max_difference : float
        Largest difference between Keras's and ONNX Runtime's answers on the check batch.
    """

    path: Path
    input_shape: tuple[int, int, int]
    max_difference: float


def onnx_session(path: str | Path):
    """An ONNX Runtime session on one thread, for ``path``, as the browser page runs it.

    Raises
    ------
    GalaxyLibError
        If ONNX Runtime is not installed.
    """
    try:
        import onnxruntime
    except ImportError:
        raise GalaxyLibError(f"running an ONNX file needs ONNX Runtime: {_NEEDS}.") from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def export_onnx(
    model: str | Path, out: str | Path, *, images: np.ndarray | None = None, force: bool = False
) -> Export:
    """Write a trained model (``MODEL.keras``) as ONNX, checked against Keras.

    Parameters
    ----------
    model : path
        A model file that ``galaxylib train`` wrote (or the book's stored networks).
    out : path
        The ``.onnx`` file to write; written whole or not at all.
    images : ndarray of shape (n, size, size, channels), optional
        ``uint8`` crops to compare the two runtimes on; by default 16 images of random
        pixels (seeded).
    force : bool, default False
        Overwrite ``out`` if it exists.

    Returns
    -------
    Export

    Raises
    ------
    GalaxyLibError
        If ``out`` exists (without ``force``), tf2onnx or ONNX Runtime is missing, or the
        two runtimes disagree by more than :data:`TOLERANCE` (nothing is written then).
    """
    from galaxylib.evaluation import load_model

    out = check_out_path(out, "ONNX file", suffix=".onnx", example="improved.onnx")
    if out.exists() and not force:
        raise GalaxyLibError(f"{out} exists; add --force to overwrite it.")
    try:
        import tf2onnx  # noqa: F401  (Keras's ONNX export calls it)
    except ImportError:
        raise GalaxyLibError(f"exporting to ONNX needs tf2onnx: {_NEEDS}.") from None
    trained = load_model(model)
    net = inference_model(trained.net)
    shape = tuple(int(side) for side in net.input_shape[1:])
    if images is None:
        images = np.random.default_rng(0).integers(0, 256, (_PROBES, *shape), dtype=np.uint8)
    expected = net.predict(images, verbose=0)  # also builds the model, as export needs
    with atomic_path(out) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # Keras's tf2onnx shim asks for np.object
        net.export(str(tmp), format="onnx", verbose=False)
        tmp.write_bytes(_canonical(tmp.read_bytes()))
        session = onnx_session(tmp)
        got = session.run(None, {session.get_inputs()[0].name: images})[0]
        difference = float(np.max(np.abs(got - expected)))
        if not difference <= TOLERANCE:
            raise GalaxyLibError(
                f"ONNX Runtime's answers differ from Keras's by up to {difference:.2g} (more "
                f"than {TOLERANCE:g}); {out} was not written."
            )
    return Export(out, shape, difference)  # type: ignore[arg-type]


def inference_model(net: keras.Model) -> keras.Model:
    """The layers ``net`` predicts with, without its augmentation.

    At prediction Keras's random layers pass images through unchanged, so leaving them
    out changes no answer; a model exported to ONNX must leave them out, as their
    random-number operations exist only in TensorFlow. Same layers, same weights.

    Examples
    --------
    >>> from galaxylib.models import build_model
    >>> net = build_model("improved", (64, 64, 3))
    >>> [type(layer).__name__ for layer in net.layers[1:5]]
    ['RandomFlip', 'RandomFlip', 'RandomRotation', 'RandomZoom']
    >>> bare = inference_model(net)
    >>> len(net.layers) - len(bare.layers[1:]), bare.count_params() == net.count_params()
    (4, True)
    """
    import keras

    from galaxylib.models import AUGMENTATION

    image = keras.Input(shape=net.input_shape[1:], dtype=net.inputs[0].dtype, name="image")
    values = image
    for layer in net.layers:
        if not isinstance(layer, AUGMENTATION):
            values = layer(values)
    return keras.Model(image, values, name=f"{net.name}_inference")


def _canonical(data: bytes) -> bytes:
    """An ONNX file with the converter's names replaced by names that never change.

    The output becomes ``answers``, the batch dimension ``batch``, every inner value
    ``t0, t1, ...`` in the order the graph uses them.
    """
    import onnx

    model = onnx.load_from_string(data)
    graph = model.graph
    names = {value.name: value.name for value in graph.input}
    names.update({value.name: "answers" for value in graph.output})
    inner = len(names)

    def rename(name: str) -> str:
        if name == "":
            return name
        return names.setdefault(name, f"t{len(names) - inner}")

    for i, node in enumerate(graph.node):
        node.name = f"n{i}_{node.op_type}"
        node.input[:] = [rename(name) for name in node.input]
        node.output[:] = [rename(name) for name in node.output]
    for group in (graph.input, graph.output, graph.initializer, graph.value_info):
        for item in group:
            item.name = rename(item.name)
    for group in (graph.initializer, graph.value_info):
        ordered = sorted(group, key=lambda item: (len(item.name), item.name))  # t2 before t10
        del group[:]
        group.extend(ordered)
    for value in [*graph.input, *graph.output, *graph.value_info]:
        for dim in value.type.tensor_type.shape.dim:
            if dim.dim_param:
                dim.dim_param = "batch"
    graph.doc_string = ""
    return model.SerializeToString()

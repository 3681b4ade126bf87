"""The hardware a network trains on: the CPU, one GPU or several, and the precision.

:func:`setup` picks them once, so the same training code runs everywhere, Colab included.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import keras
import tensorflow as tf

__all__ = ["Setup", "setup"]


@dataclass(frozen=True)
class Setup:
    """The hardware a model trains on, and how.

    Build and compile models inside ``strategy.scope()``. ``policy`` is Keras's global
    dtype policy (``'mixed_float16'`` or ``'float32'``); ``devices`` says what was found.
    """

    strategy: tf.distribute.Strategy
    policy: str
    devices: str

    @property
    def replicas(self) -> int:
        """Number of devices that share each batch."""
        return self.strategy.num_replicas_in_sync

    def __str__(self) -> str:
        strategy = type(self.strategy).__name__.lstrip("_")
        return f"{self.devices}; strategy {strategy} ({self.replicas} replica); {self.policy}"


def _compute_capability(gpu: tf.config.PhysicalDevice) -> tuple[int, int]:
    return tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0)))


def setup(*, mixed_precision: bool | None = None) -> Setup:
    """Choose the distribution strategy and precision for this machine.

    Several GPUs: ``MirroredStrategy`` (each batch split between them); one GPU or
    none: the default strategy. Mixed precision (``float16`` arithmetic, ``float32``
    weights and outputs) where every GPU has compute capability 7.0 or more (tensor
    cores: V100, T4, A100, H100 ...); ``float32`` elsewhere.

    ``mixed_precision=False`` forces it off. The ``str`` of the result is a line for a
    chapter to print.
    """
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # the GPU is already in use: its setting stays as it is
            pass
    capable = bool(gpus) and all(_compute_capability(g) >= (7, 0) for g in gpus)
    policy = "mixed_float16" if capable and mixed_precision is not False else "float32"
    keras.mixed_precision.set_global_policy(policy)
    strategy = tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    return Setup(strategy, policy, _describe(gpus))


def _describe(gpus: list) -> str:
    where = " on Colab" if "google.colab" in sys.modules else ""
    if not gpus:
        return f"CPU only ({os.cpu_count()} cores){where}"
    names = []
    for gpu in gpus:
        details = tf.config.experimental.get_device_details(gpu)
        major, minor = _compute_capability(gpu)
        names.append(f"{details.get('device_name', gpu.name)} (compute capability {major}.{minor})")
    return f"{len(gpus)} GPU{'s' if len(gpus) > 1 else ''}{where}: {', '.join(names)}"

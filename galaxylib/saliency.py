"""Where a network looks: saliency maps, the gradient of one answer with respect to the pixels.

Training asks how the loss changes with each *weight*; a saliency map asks how one
predicted answer changes with each *pixel*. The same backpropagation answers both.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from galaxylib.taxonomy import COLUMNS

__all__ = ["central_share", "saliency"]


def saliency(
    net: keras.Sequential,
    images: np.ndarray,
    answer: str,
    *,
    copies: int = 16,
    noise: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """How strongly each pixel moves a network's predicted ``answer`` (SmoothGrad).

    The size of the gradient of the answer's predicted fraction with respect to every
    pixel, averaged over ``copies`` of the image with Gaussian noise added (SmoothGrad,
    Smilkov et al. 2017: one gradient alone is speckled), the largest over the colour
    channels. Bright pixels are those where a small change would change the answer most.

    Parameters
    ----------
    net : keras.Sequential
        One of the book's networks; its layers are applied one after another to float
        images (its ``uint8`` input takes no gradient).
    images : ndarray of shape (n, height, width) or (n, height, width, channels)
        Crops as the network takes them (``uint8``, 0 to 255).
    noise : float, default 0.1
        Standard deviation of the noise, as a fraction of the 0-255 range.

    Returns
    -------
    ndarray of shape (n, height, width), float32
        Each map scaled to sum to 1 (all zeros where the answer ignores the image).
    """
    if answer not in COLUMNS:
        raise ValueError(f"answer {answer!r} is not one of the 37 columns, such as 'Class1.1'")
    images = np.asarray(images, np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.shape[1:] != tuple(net.input_shape[1:]):
        raise ValueError(
            f"images of shape {images.shape[1:]} do not fit the network's input "
            f"{tuple(net.input_shape[1:])}"
        )
    column = COLUMNS.index(answer)
    rng = np.random.default_rng(seed)
    maps = []
    for image in images:
        noisy = tf.constant(image + rng.normal(0, noise * 255, (copies, *image.shape)), tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(noisy)
            out = noisy
            for layer in net.layers:
                out = layer(out, training=False)
            value = tf.reduce_sum(out[:, column])
        size = np.abs(tape.gradient(value, noisy).numpy()).mean(axis=0).max(axis=-1)
        total = size.sum()
        maps.append(size / total if total > 0 else size)
    return np.stack(maps).astype(np.float32)


def central_share(maps: np.ndarray, radius: float = 0.25) -> np.ndarray:
    """The share of each saliency map inside a central disc.

    Compare it with the share of a network of the same layers with random weights: the
    layers alone make the gradient smaller towards the borders (an edge pixel reaches
    fewer positions of an unpadded convolution), so only a share above theirs says the
    training taught the network to look at the middle. ``radius`` is a fraction of the side.

    Examples
    --------
    >>> flat = np.full((1, 8, 8), 1 / 64)
    >>> central_share(flat, radius=0.25).round(3)
    array([0.188])
    """
    maps = np.asarray(maps)
    height, width = maps.shape[1:3]
    yy, xx = np.mgrid[:height, :width]
    inside = np.hypot(yy - (height - 1) / 2, xx - (width - 1) / 2) <= radius * min(height, width)
    return maps[:, inside].sum(axis=1)

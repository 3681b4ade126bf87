"""Augmentation toward photographs: the sky's light, varied as photographers vary it.

The synthetic sky photographs every galaxy with one camera: one colour balance, one
linear brightness scale, one faint background. Photographs differ in all of these, by the
photographer's choice, so a network trained on the sky alone may key on colours and
brightness that nothing in a photograph guarantees. :func:`photographic` varies the light
of each training image at random, so that what is left to learn is the shape; it runs in
the ``tf.data`` pipeline (:func:`galaxylib.pipeline.make_dataset`), only while training.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["photographic"]


def _log_uniform(shape: tf.Tensor, low: float, high: float) -> tf.Tensor:
    """Factors between ``low`` and ``high``, as likely to halve as to double."""
    log_low, log_high = tf.math.log(low), tf.math.log(high)
    return tf.exp(tf.random.uniform(shape, log_low, log_high))


def photographic(
    images: tf.Tensor,
    *,
    brightness: tuple[float, float] = (0.6, 2.0),
    gamma: tuple[float, float] = (0.6, 1.25),
    colour_gain: float = 1.25,
    saturation: tuple[float, float] = (0.0, 1.5),
    noise: float = 0.03,
) -> tf.Tensor:
    """Vary the light of a batch of images as photographs of galaxies vary it.

    Each image gets its own draw of every step, in this order:

    1. **brightness**: all pixels times a factor (log-uniform in ``brightness``); what
       goes past white saturates, as a bright core does in a photograph;
    2. **black point**: a level between 0 and the image's median (its sky, since most of
       a crop is sky) is subtracted and the rest stretched back to [0, 1], as
       photographers make the sky black;
    3. **stretch**: each pixel value ``v`` in [0, 1] becomes ``v ** gamma`` (log-uniform
       in ``gamma``; below 1 it lifts the faint outskirts, as photographers do);
    4. **colour balance** (colour images only): each channel times its own factor
       (log-uniform between ``1 / colour_gain`` and ``colour_gain``);
    5. **saturation** (colour images only): the colours pulled towards grey or pushed
       away from it (a factor uniform in ``saturation``; 0 is grey, 1 unchanged);
    6. **noise**: Gaussian, its standard deviation uniform between 0 and ``noise`` (1 is
       the full range).

    ``images`` is a uint8 tensor (batch, height, width, channels), and so is the result.

    Examples
    --------
    >>> import numpy as np
    >>> grey = np.full((2, 8, 8, 1), 100, np.uint8)
    >>> out = photographic(tf.constant(grey))
    >>> out.shape, out.dtype.name
    (TensorShape([2, 8, 8, 1]), 'uint8')
    """
    x = tf.cast(images, tf.float32) / 255.0
    batch, channels = tf.shape(x)[0], x.shape[-1]
    per_image = tf.stack([batch, 1, 1, 1])
    x = tf.clip_by_value(x * _log_uniform(per_image, *brightness), 0.0, 1.0)
    pixels = tf.sort(tf.reshape(x, tf.stack([batch, -1])), axis=1)
    sky = pixels[:, tf.shape(pixels)[1] // 2][:, None, None, None]
    black = tf.random.uniform(per_image) * sky
    x = tf.clip_by_value((x - black) / (1.0 - black), 0.0, 1.0)
    x = x ** _log_uniform(per_image, *gamma)
    if channels == 3:
        gains = _log_uniform(tf.stack([batch, 1, 1, 3]), 1 / colour_gain, colour_gain)
        x = x * gains
        grey = tf.reduce_mean(x, axis=-1, keepdims=True)
        x = grey + tf.random.uniform(per_image, *saturation) * (x - grey)
    x = x + tf.random.normal(tf.shape(x)) * tf.random.uniform(per_image, 0.0, noise)
    return tf.cast(tf.round(tf.clip_by_value(x, 0.0, 1.0) * 255.0), tf.uint8)

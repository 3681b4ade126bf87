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

__all__ = ["framing", "photographic"]


def _log_uniform(shape: tf.Tensor, low: float, high: float) -> tf.Tensor:
    """Factors between ``low`` and ``high``, as likely to halve as to double."""
    return tf.exp(tf.random.uniform(shape, tf.math.log(low), tf.math.log(high)))


def photographic(
    images: tf.Tensor,
    *,
    brightness: tuple[float, float] = (0.6, 2.0),
    gamma: tuple[float, float] = (0.6, 1.25),
    colour_gain: float = 1.25,
    saturation: tuple[float, float] = (0.0, 1.5),
    noise: float = 0.03,
    grey: float = 0.0,
) -> tf.Tensor:
    """Vary the light of a batch of images as photographs of galaxies vary it.

    Each image gets its own draw of every step, in this order:

    1. **brightness**: all pixels times a factor (log-uniform in ``brightness``); what
       goes past white saturates, as a bright core does in a photograph;
    2. **black point**: a level between 0 and the image's median (its sky) is subtracted
       and the rest stretched back to [0, 1], as photographers make the sky black;
    3. **stretch**: each pixel value ``v`` in [0, 1] becomes ``v ** gamma`` (log-uniform
       in ``gamma``; below 1 it lifts the faint outskirts, as photographers do);
    4. **colour balance** (colour images only): each channel times its own factor
       (log-uniform between ``1 / colour_gain`` and ``colour_gain``);
    5. **saturation** (colour images only): the colours pulled towards grey or pushed
       away from it (a factor uniform in ``saturation``; 0 is grey, 1 unchanged);
    6. **noise**: Gaussian, its standard deviation uniform in [0, ``noise``] (1: full range);
    7. **grey** (colour images only): a share ``grey`` of the images made grey, the mean of
       their channels, so that colour cannot carry the answer (``--greyscale``: a half).

    ``images`` is a uint8 tensor (batch, height, width, channels), and so is the result.

    Examples
    --------
    >>> out = photographic(tf.fill([2, 8, 8, 1], tf.constant(100, tf.uint8)))
    >>> out.shape, out.dtype.name
    (TensorShape([2, 8, 8, 1]), 'uint8')
    """
    x = tf.cast(images, tf.float32) / 255.0
    batch, channels = tf.shape(x)[0], x.shape[-1]
    per_image = tf.stack([batch, 1, 1, 1])
    factor = _log_uniform(per_image, *brightness)
    x = tf.clip_by_value(x * factor, 0.0, 1.0)
    # The sky is the median pixel: the median level brightened (brightening keeps the pixels'
    # order), found by counting each image's 256 levels, far faster than sorting its pixels.
    levels = tf.reshape(tf.cast(images, tf.int32), tf.stack([batch, -1]))
    below = tf.cumsum(tf.math.bincount(levels, minlength=256, maxlength=256, axis=-1), axis=1)
    median = tf.argmax(tf.cast(below > tf.shape(levels)[1] // 2, tf.int32), axis=1)
    sky = tf.clip_by_value(tf.cast(median, tf.float32)[:, None, None, None] / 255 * factor, 0, 1)
    black = tf.random.uniform(per_image) * sky
    x = tf.clip_by_value((x - black) / (1.0 - black), 0.0, 1.0)
    x = x ** _log_uniform(per_image, *gamma)
    if channels == 3:
        x = x * _log_uniform(tf.stack([batch, 1, 1, 3]), 1 / colour_gain, colour_gain)
        neutral = tf.reduce_mean(x, axis=-1, keepdims=True)
        x = neutral + tf.random.uniform(per_image, *saturation) * (x - neutral)
    x = x + tf.random.normal(tf.shape(x)) * tf.random.uniform(per_image, 0.0, noise)
    out = tf.cast(tf.round(tf.clip_by_value(x, 0.0, 1.0) * 255.0), tf.uint8)
    if channels != 3 or not grey:  # nothing drawn: a grey network trains as without it
        return out
    mean = tf.reduce_mean(tf.cast(out, tf.float32), axis=-1, keepdims=True)
    flat = tf.repeat(tf.cast(tf.round(mean), tf.uint8), 3, axis=-1)
    chosen = tf.random.uniform(tf.stack([tf.shape(out)[0], 1, 1, 1])) < grey
    return tf.where(chosen, flat, out)


def framing(
    images: tf.Tensor,
    *,
    scale: tuple[float, float] = (0.5, 1.1),
    offset: float = 0.15,
    stars: int = 4,
    blur: float = 1.5,
) -> tf.Tensor:
    """Frame each galaxy as a photograph does: smaller or larger, off-centre, among stars.

    The sky's crops hold one centred galaxy that fills the crop; a photograph's crop often
    holds a smaller galaxy off its centre, among foreground stars, in softer focus. Each
    image gets its own draw of: (1) a zoom (log-uniform in ``scale``; below 1 it shrinks)
    and a move by up to ``offset`` of the frame each way, what comes into the frame filled
    with the sky of the image's border; (2) up to ``stars`` Gaussian spots of random
    place, width and brightness; (3) a Gaussian blur of up to ``blur`` pixels.
    ``images`` is a uint8 tensor (batch, height, width, channels), and so is the result.

    Examples
    --------
    >>> out = framing(tf.zeros([2, 16, 16, 3], tf.uint8), stars=0)
    >>> out.shape, int(out.numpy().max())
    (TensorShape([2, 16, 16, 3]), 0)
    """
    x = tf.cast(images, tf.float32) / 255.0
    batch, size = tf.shape(x)[0], x.shape[1]
    # 1. Scale and offset: where each output pixel comes from in the input.
    zoom = _log_uniform(tf.stack([batch]), *scale)
    shift = tf.random.uniform(tf.stack([batch, 2]), -offset, offset) * size
    centre = (size - 1) / 2
    start = centre - (centre + shift) / zoom[:, None]  # input = output / zoom + start
    zero, step = tf.zeros_like(zoom), 1 / zoom
    transforms = tf.stack([step, zero, start[:, 0], zero, step, start[:, 1], zero, zero], axis=1)
    sides = tf.transpose(tf.concat([x[:, :, :2], x[:, :, -2:]], axis=2), [0, 2, 1, 3])
    border = tf.concat([x[:, :2], x[:, -2:], sides], axis=1)
    sky = tf.reduce_mean(border, axis=[1, 2], keepdims=True)
    moved = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.concat([x - sky, tf.ones_like(x[..., :1])], axis=-1),
        transforms=transforms,
        output_shape=[size, size],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    x = sky + moved[..., :-1]  # the galaxy's light above its sky, on the same sky
    # 2. Stars: Gaussian spots, absent where their brightness draws below zero.
    grid = tf.range(size, dtype=tf.float32)
    where = tf.random.uniform(tf.stack([batch, stars, 2]), 0.0, size - 1.0)
    width = tf.random.uniform(tf.stack([batch, stars, 1]), 0.6, 1.5)
    peak = tf.nn.relu(tf.random.uniform(tf.stack([batch, stars, 1]), -1.0, 1.0))
    rows = tf.exp(-((grid - where[..., :1]) ** 2) / (2 * width**2))  # (batch, star, size)
    cols = tf.exp(-((grid - where[..., 1:]) ** 2) / (2 * width**2))
    x = x + tf.einsum("bsi,bsj->bij", peak * rows, cols)[..., None]
    # 3. Blur: each image mixed with its Gaussian-blurred self, by its own share.
    taps = tf.range(-3.0, 4.0)
    kernel = tf.exp(-(taps**2) / (2 * blur**2))
    kernel /= tf.reduce_sum(kernel)
    across = tf.tile(tf.reshape(kernel, [1, 7, 1, 1]), [1, 1, x.shape[-1], 1])
    down = tf.transpose(across, [1, 0, 2, 3])
    padded = tf.pad(x, [[0, 0], [3, 3], [3, 3], [0, 0]], "REFLECT")  # no dark edges
    soft = tf.nn.depthwise_conv2d(padded, across, [1, 1, 1, 1], "VALID")
    soft = tf.nn.depthwise_conv2d(soft, down, [1, 1, 1, 1], "VALID")
    share = tf.random.uniform(tf.stack([batch, 1, 1, 1]))
    x = x + share * (soft - x)
    return tf.cast(tf.round(tf.clip_by_value(x, 0.0, 1.0) * 255.0), tf.uint8)

"""The one exception type that galaxylib raises for bad input, and its one warning type."""


class GalaxyLibError(Exception):
    """Bad input or a missing step, explained in one sentence.

    The message names the file, row or setting at fault and says what to do; the command
    line prints it without a traceback.
    """


class DataError(GalaxyLibError, ValueError):
    """A catalog, an image or a data directory that cannot be used as it is."""


class GalaxyLibNote(UserWarning):
    """Something the user should know about a result, in one sentence.

    A warning, not an error: the work goes on. The command line prints each as one line.
    """

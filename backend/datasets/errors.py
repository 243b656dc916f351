"""The error a bad upload raises; its message tells the user what to fix."""


class DatasetError(ValueError):
    """The uploaded dataset cannot be accepted as it is."""

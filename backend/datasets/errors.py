"""The error a bad upload raises; its message tells the user what to fix (defined with the
ImageFolder layout that the CLI shares)."""

from mlcore.contract.imagefolder import DatasetError

__all__ = ["DatasetError"]

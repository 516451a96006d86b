"""One home for optional dependencies: import a package or say which extra brings it.

As scikit-learn's ``_optional_dependencies``: every feature that needs pandas,
pyarrow, openpyxl, matplotlib, tqdm or scikit-learn asks here, so the message
that names the extra is written once.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ._exceptions import MissingDependencyError

__all__ = ["available", "require"]


def require(package: str, feature: str, extra: str) -> ModuleType:
    """Import ``package`` for ``feature``, or raise :class:`MissingDependencyError` naming ``extra``.

    >>> require("json", "a doctest", "none").__name__
    'json'
    >>> require("no_such_package_yz", "reading tables", "frames")
    Traceback (most recent call last):
    ...
    yzmaturity._exceptions.MissingDependencyError: reading tables needs the optional package 'no_such_package_yz'; install it with: pip install 'yzmaturity[frames]'
    """
    try:
        return importlib.import_module(package)
    except ImportError:
        raise MissingDependencyError(feature, package.partition(".")[0], extra) from None


def available(package: str) -> bool:
    """Whether ``package`` can be imported (it is imported, and so cached, if it can)."""
    try:
        importlib.import_module(package)
    except ImportError:
        return False
    return True

"""The package's exceptions (shared by every package: pure Python, no dependencies)."""

from __future__ import annotations


class FateError(Exception):
    """Base class of every error this package raises on purpose."""


class InvalidArgumentError(FateError, ValueError):
    """An argument is outside the range a formula or routine allows.

    The message names the argument, what was given and what is allowed.
    """


class UnknownResultError(FateError, KeyError):
    """A derived result or evaluator was asked for by a name that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""

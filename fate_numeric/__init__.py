"""Numbers from the theory of "Features are fate": evaluators lambdified from :mod:`derivations`.

Later parts (simulators of the networks, Monte Carlo of limit objects, the result store) live in
sibling modules; :mod:`fate_numeric.theory` holds the closed-form evaluators.
"""

from derivations.errors import FateError, InvalidArgumentError, UnknownResultError

__all__ = ["FateError", "InvalidArgumentError", "UnknownResultError"]

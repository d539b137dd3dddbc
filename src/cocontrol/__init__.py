"""cocontrol: coordinated control of air pollutants and greenhouse gases (减污降碳协同增效).

Data flows one way, one subpackage per stage, each importing only earlier stages (the order
is data in :mod:`cocontrol.layers`, enforced by ``tests/test_layers.py``; see
``docs/architecture.md``).

The command line, reports and any service layer are thin shells over this library.
"""

from cocontrol.errors import CocontrolError, InputError, Problem

__version__ = "0.1.0"
__all__ = ["CocontrolError", "InputError", "Problem", "__version__"]

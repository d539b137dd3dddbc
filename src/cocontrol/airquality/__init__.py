"""Air-quality response: emission changes → annual-mean PM2.5, its components (and O3).

Interchangeable models behind ONE protocol, :class:`ResponseModel` (used by the optimiser,
the health module and the dashboard); models are registered by name (:func:`register`,
:func:`create`, module ``registry``):

* :func:`tm5fasst_china` / :func:`city_model` — linear source–receptor model from TM5-FASST
  (Van Dingenen et al. 2018), scaled to a city through a local share;
* :class:`ResponseSurfaceModel` — pf-RSM-style polynomial response surface fitted to
  chemical-transport-model runs (Xing et al. 2018);
* :func:`read_sensitivity_matrix` — a user-supplied linear sensitivity matrix.

:func:`attainment` compares PM2.5 with GB 3095-2012 Grade II and the WHO 2021 guideline.
"""

from cocontrol.airquality.attainment import attainment
from cocontrol.airquality.base import (
    GAS_COMPONENTS,
    PM25,
    PM_COMPONENTS,
    PRECURSORS,
    CompiledResponse,
    ExtrapolationWarning,
    LinearSourceReceptor,
    ModelWarning,
    ResponseModel,
    normalise_emissions,
)
from cocontrol.airquality.matrix import read_sensitivity_matrix, sensitivity_matrix_model
from cocontrol.airquality.registry import available, create, register, unregister
from cocontrol.airquality.rsm import ResponseSurfaceModel
from cocontrol.airquality.sr_linear import city_model, tm5fasst_china

__all__ = [
    "GAS_COMPONENTS", "CompiledResponse", "PM25", "PM_COMPONENTS", "PRECURSORS", "ExtrapolationWarning",
    "LinearSourceReceptor", "ModelWarning", "ResponseModel", "ResponseSurfaceModel",
    "attainment", "available", "city_model", "create", "normalise_emissions",
    "read_sensitivity_matrix", "register", "sensitivity_matrix_model", "tm5fasst_china",
    "unregister",
]

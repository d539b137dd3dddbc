"""Registry of air-quality models: one protocol, any number of models.

Every model implements :class:`~cocontrol.airquality.base.ResponseModel` (``receptors``,
``base_concentration()``, ``predict(emissions)``); a linear model may also offer
``jacobian()``. The optimiser (:mod:`cocontrol.optimize.airlink`), the health module
(:func:`cocontrol.health.avoided_deaths_of_response`) and the dashboard use only this protocol.

A model is made available under a name by registering a *factory*: a function
``factory(params: dict, *, city: str, base_precursors_t: dict[str, float]) -> ResponseModel``
where ``params`` are the settings of the ``air_quality`` section of ``optimisation.yaml`` (or
of a service request) and ``base_precursors_t`` the city's base-year emissions by precursor
(t/yr) from the inventory. Adding a model is one module plus::

    from cocontrol.airquality import register

    @register("my_model")
    def _my_model(params, *, city, base_precursors_t):
        return MyModel(...)

The registry is safe to use from several threads (a lock guards registration).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from cocontrol.airquality.base import ResponseModel
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

Factory = Callable[..., ResponseModel]

_LOCK = threading.Lock()
_MODELS: dict[str, Factory] = {}


def register(name: str, factory: Factory | None = None, *, replace: bool = False):
    """Register ``factory`` under ``name`` (usable as a decorator). Registering a taken name
    is an error unless ``replace``."""

    def _do(f: Factory) -> Factory:
        with _LOCK:
            if name in _MODELS and not replace and _MODELS[name] is not f:
                raise ValueError(M("msg.aq_air_quality_model_already", name=repr(name)))
            _MODELS[name] = f
        return f

    return _do(factory) if factory is not None else _do


def unregister(name: str) -> None:
    with _LOCK:
        _MODELS.pop(name, None)


def available() -> tuple[str, ...]:
    """Names of the registered models."""
    with _LOCK:
        return tuple(sorted(_MODELS))


def create(name: str, params: Mapping | None = None, *, city: str,
           base_precursors_t: Mapping[str, float]) -> ResponseModel:
    """Build the registered model ``name`` for a city."""
    with _LOCK:
        f = _MODELS.get(name)
    if f is None:
        raise InputError(Problem(file="optimisation.yaml", column="air_quality.model",
                                 value=name, message=M("msg.aq_unknown_air_quality_model"),
                                 expected=M("msg.aq_one_of", items=Seq(list(available()), quote=True), more="")))
    model = f(dict(params or {}), city=city, base_precursors_t=dict(base_precursors_t))
    if not isinstance(model, ResponseModel):
        raise TypeError(M("msg.aq_air_quality_model_factory", name=repr(name), type_model___name=type(model).__name__))
    return model


@register("tm5fasst_city")
def _tm5fasst_city(params: dict, *, city: str, base_precursors_t: Mapping[str, float]
                   ) -> ResponseModel:
    """TM5-FASST China scaled to the city (:func:`cocontrol.airquality.city_model`);
    params ``pm25_base_ugm3``, ``local_share``, optional ``component_fractions``."""
    from cocontrol.airquality.sr_linear import city_model

    local = {p: float(v) for p, v in base_precursors_t.items() if v > 0}
    return city_model(city, params["pm25_base_ugm3"], params["local_share"], local,
                      params.get("component_fractions"))

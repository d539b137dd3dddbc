"""Integrated inventory of air pollutants and greenhouse gases."""

from cocontrol.inventory.engine import compute, compute_arrays
from cocontrol.inventory.inventory import CO2E, Inventory

__all__ = ["CO2E", "Inventory", "compute", "compute_arrays"]

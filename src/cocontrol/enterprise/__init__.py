"""Enterprises and parks: permits with carbon, carbon–pollution accounts, product carbon
footprints, cleaner production with carbon, the synergy project library, park accounts and
the screening of new projects.

Stage: after ``metrics`` (imports project, inventory, scenario, airquality, health, metrics,
evaluation's engine); never the service, web or CLI layers. Engines take objects and return
labelled tables; reading the enterprise files lives in :mod:`cocontrol.enterprise.io`.
"""

from cocontrol.enterprise.account import (
    EnterpriseAccount,
    PerformanceGrade,
    carbon_grade,
    enterprise_account,
)
from cocontrol.enterprise.parks import ParkAccount, park_account
from cocontrol.enterprise.permits import Permit, compliance
from cocontrol.enterprise.product_footprint import FootprintResult, Product, footprint
from cocontrol.enterprise.projects import SynergyProject, co_benefits, rank_projects
from cocontrol.enterprise.screening import NewPlant, screen

__all__ = [
    "EnterpriseAccount", "FootprintResult", "NewPlant", "ParkAccount", "PerformanceGrade",
    "Permit", "Product", "SynergyProject", "carbon_grade", "co_benefits", "compliance",
    "enterprise_account", "footprint", "park_account", "rank_projects", "screen",
]

"""Carbon accounting from a park's energy statistics, with a sourced factor table (DIGEST decision 10).

Holds: the `energy:` section of a park file (`energy`), the factor table and its data
(`factors`, `data/carbon_factors.yaml`) and the accounting itself (`accounting`).
May import: `evalkit.core` only.
"""

from evalkit.carbon.accounting import CARBON_FIELDS, CarbonLine, CarbonYear, FactorUse, account, with_value_added
from evalkit.carbon.energy import Energy
from evalkit.carbon.factors import DEFAULT_TABLE, Factor, FactorTable, Fuel, load_factors

__all__ = ["CARBON_FIELDS", "DEFAULT_TABLE", "CarbonLine", "CarbonYear", "Energy", "Factor", "FactorTable",
           "FactorUse", "Fuel", "account", "load_factors", "with_value_added"]

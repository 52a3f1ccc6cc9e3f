"""Interactive panels (ipywidgets) built on the models and plots.

Each panel is a small class: its controls are attributes, its figure is built once and
updated in place (see ``_base.FigurePanel``).
"""

from ._base import FigurePanel
from .dose_comparison import DoseComparisonPanel
from .dose_explorer import DoseExplorer
from .equivalence import EquivalenceExplorer
from .regimen import RegimenPanel
from .single_dose import SingleDosePanel
from .taper import TaperPlanner
from .who_needs_less import WhoNeedsLessPanel

__all__ = ["FigurePanel", "DoseExplorer", "SingleDosePanel", "RegimenPanel", "EquivalenceExplorer"]
__all__ += ["DoseComparisonPanel", "WhoNeedsLessPanel"]
__all__ += ["TaperPlanner"]

"""clonaedu: interactive notebooks that teach how clonazepam is dosed.

Educational material for nursing and pharmacy students, not medical advice.
Every clinical number comes from a cited table in ``data/`` (see ``clonaedu.data``);
every model curve is illustrative, never a prediction for a patient.
"""

__version__ = "0.2.0"

NOTICE = (
    "Educational material for students of nursing and pharmacy, not medical advice. "
    "Never use it to choose, change or stop anyone's dose."
)

from .present import present, projector_switch  # noqa: E402  (projector style on/off; see clonaedu/present.py)

__all__ = ["NOTICE", "present", "projector_switch", "__version__"]

import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of data/ for feeding broken files to the loader."""
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    return dest

import os

import numpy as np
import pytest
from hypothesis import settings

import mathengine

# Fixed examples by default; MATHENGINE_FRESH_SEED=1 draws fresh ones.
settings.register_profile("fixed", derandomize=True, deadline=None, max_examples=60)
settings.register_profile("fresh", derandomize=False, deadline=None, max_examples=60,
                          print_blob=True)
settings.load_profile("fresh" if os.environ.get("MATHENGINE_FRESH_SEED") == "1" else "fixed")


@pytest.fixture
def e():
    """A fresh engine per test (the default one is shared by the whole process)."""
    return mathengine.Engine()


@pytest.fixture
def rng():
    seed = int.from_bytes(os.urandom(4), "little") if os.environ.get("MATHENGINE_FRESH_SEED") == "1" else 12345
    print(f"rng seed {seed}")
    return np.random.default_rng(seed)

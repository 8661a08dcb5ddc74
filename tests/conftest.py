"""Put tests/ on sys.path so test modules can `import helpers`, also under
`--import-mode=importlib` (which the CI uses and which does not add it)."""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

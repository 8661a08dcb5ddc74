import gc

# Cold start (issue 11): no cyclic collection while the modules load (they make no cyclic
# garbage worth it), and `main` freezes what they made, so that neither the derivation's
# collections nor the one at exit walk the modules' objects again.
gc.disable()
from .cli import main  # noqa: E402

gc.enable()
main()

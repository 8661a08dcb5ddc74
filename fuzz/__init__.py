"""The random-expression harness (issue 7, "keep finding them"): `generate` draws
well-shaped matcalc queries with their own NumPy lowering, `harness` runs one case through
every face of a `Derivative` and classifies what goes wrong, `run` is the command line."""

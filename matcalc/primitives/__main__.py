"""`python -m matcalc.primitives`: print the README's function list (from the registry)."""
from .catalog import function_table

print(function_table())

"""`python -m matcalc.primitives`: print the README's function list (from the registry);
`python -m matcalc.primitives --write README.md` replaces the list in that file."""

import pathlib
import sys

from .catalog import README_BEGIN, README_END, function_table

if len(sys.argv) == 3 and sys.argv[1] == "--write":
    path = pathlib.Path(sys.argv[2])
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_BEGIN), text.index(README_END) + len(README_END)
    path.write_text(text[:start] + function_table() + text[end:], encoding="utf-8")
else:
    print(function_table())

"""`matcalc serve`: a local web page to type an expression and read its derivative, with
the steps, the Hessian, generated code, the SymPy check and `verify`, and the JSON API the
page uses (see `matcalc.web.app`).

Needs the `web` extra (starlette, uvicorn): `pip install 'matcalc[web]'`. This package's
`__init__` imports neither, so `matcalc.cli` can say so when they are missing.

- `app`     the Starlette application: routes, security headers, static files
- `schema`  the API's request fields, types and size limits
- `pool`    the worker processes, the time budget and the memory cap
- `worker`  one worker process (`python -m matcalc.web.worker`)
- `jobs`    what a worker computes: derivative, code, check, verify, the shape table
- `serve`   the `matcalc serve` command (uvicorn)
- `static/` the page (index.html, app.js, style.css) and KaTeX, vendored with its licence
"""

__all__ = []

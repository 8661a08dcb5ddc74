"""The Starlette application: the page, its static files and the JSON API.

    POST /api/derivative  {"query", "wrt"?, "layout"?, "shapes"?, "hessian"?,
                           "notation"?: "standard" | "tutorial", "names"?: true | false}
    POST /api/code        the same + "target": "numpy" | "jax" | "torch",
                          "dtype": "float64" | "float32", "value_and_grad": true | false
                          (one function: f's value and its gradients by each name of wrt)
    POST /api/check       the same as /api/derivative: the SymPy component check
    POST /api/verify      {"claim", "layout"?, "shapes"?}
    GET  /api/health      {"ok": true, "workers", "idle", "waiting", …}: answered by the
                          event loop itself, whatever the workers are doing

Answers are JSON: 200 the result; 400 bad input {"message", "line", "column", "width",
"expected", "kind"} (the caret data of `MatcalcError`) or a malformed request; 413 a body
or query past the size limits; 415 a body that is not `application/json`; 422 a query
past the time or memory budget ("too large or too slow"); 503 no worker free in time.
Every response carries a strict Content-Security-Policy: scripts, styles and fonts from
this server only, no inline script, nothing fetched from anywhere else.
"""

from __future__ import annotations

import contextlib
import mimetypes
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..limits import WEB_MAX_BODY_BYTES, WEB_TIME_BUDGET
from . import schema
from .pool import WorkerPool

__all__ = [
    "CSP",
    "LOOPBACK_HOSTS",
    "SECURITY_HEADERS",
    "STATIC",
    "SecurityHeaders",
    "create_app",
    "health",
    "http_error",
    "index",
]

STATIC = Path(__file__).parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]

mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("text/javascript", ".js")


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response, errors included."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if scope["path"].startswith("/api/"):
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _error(status: int, body: dict) -> JSONResponse:
    return JSONResponse(body, status_code=status)


async def _body(request: Request) -> bytes:
    """The request body, refused past the size limit before it is all read."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > WEB_MAX_BODY_BYTES:
        raise schema.BadRequest(
            413,
            f"the request body is {length} bytes, the limit is {WEB_MAX_BODY_BYTES}",
            kind="limit",
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > WEB_MAX_BODY_BYTES:
            raise schema.BadRequest(
                413, f"the request body is larger than {WEB_MAX_BODY_BYTES} bytes", kind="limit"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _endpoint(job: str):
    async def endpoint(request: Request) -> JSONResponse:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _error(
                415,
                schema.BadRequest(
                    415, "send the request as JSON", expected="Content-Type: application/json"
                ).body(),
            )
        try:
            checked = schema.check(job, await _body(request))
        except schema.BadRequest as bad:
            return _error(bad.status, bad.body())
        status, body = await request.app.state.pool.run(job, checked)
        return JSONResponse(body, status_code=status)

    endpoint.__name__ = f"api_{job}"
    return endpoint


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, **request.app.state.pool.health()})


async def index(request: Request) -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    message = {404: "no such page", 405: "method not allowed"}.get(exc.status_code, exc.detail)
    return JSONResponse(
        {
            "message": f"{message}: {request.method} {request.url.path}",
            "kind": "bad request",
            "line": None,
            "column": None,
            "width": None,
            "expected": None,
        },
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def create_app(
    workers: int = 2,
    budget: float = WEB_TIME_BUDGET,
    allowed_hosts: list[str] = LOOPBACK_HOSTS,
    pool: WorkerPool | None = None,
    on_ready: Callable[[], None] | None = None,
) -> Starlette:
    """The application, with its pool of `workers` processes (started with the app).
    `allowed_hosts`: the Host headers served (the loopback names by default, against DNS
    rebinding); `on_ready`: called once the workers are up (e.g. to open a browser)."""
    pool = pool or WorkerPool(size=workers, budget=budget)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            await pool.close()

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/api/health", health, methods=["GET"]),
        *(Route(f"/api/{job}", _endpoint(job), methods=["POST"]) for job in schema.FIELDS),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error},
    )
    app.state.pool = pool
    return app

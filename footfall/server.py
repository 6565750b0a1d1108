"""One ASGI app: collector, dashboard, admin SQL endpoint and the demo page."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import collector.app
import collector.surveys
import dashboard.app
from collector.service import Collector
from footfall import admin_api
from footfall.bootstrap import ensure_admin, ensure_demo_site
from footfall.runtime import remove_runtime, write_runtime
from footfall.settings import Settings
from pipelines.migrate import migrate
from pipelines.store import Store, open_store

log = logging.getLogger("footfall")
DEMO_DIR = Path(__file__).parent / "demo"


async def demo_page(request: Request) -> Response:
    return HTMLResponse((DEMO_DIR / "index.html").read_text())


async def demo_script(request: Request) -> Response:
    return FileResponse(DEMO_DIR / "demo.js", media_type="application/javascript")


def create_app(settings: Settings, store: Store | None = None, public_url: str = "") -> Starlette:
    """Build the app; it opens (or takes) the store, migrates it and seeds demo mode on start."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = open_store(settings) if owned else store
        try:
            for migration in migrate(app.state.store):
                log.info("applied migration %04d_%s", migration.version, migration.name)
            if settings.demo:
                for message in (ensure_demo_site(app.state.store, settings), ensure_admin(app.state.store, settings)):
                    log.warning("%s", message)
            app.state.collector = Collector(settings, app.state.store)
            await app.state.collector.start()
            if settings.embedded:
                app.state.admin_token = write_runtime(settings.data_dir, public_url or _local_url(settings))
            yield
        finally:
            if settings.embedded:
                remove_runtime(settings.data_dir)
            if getattr(app.state, "collector", None) is not None:
                await app.state.collector.stop()
            if owned:
                app.state.store.close()

    routes = [
        *collector.app.routes(),
        *admin_api.routes(),
        Route("/demo", demo_page),
        Route("/demo/demo.js", demo_script),
        Mount("/static", StaticFiles(directory=dashboard.app.STATIC_DIR), name="static"),
        *collector.surveys.routes(),
        *dashboard.app.routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=dashboard.app.middleware(settings),
                    exception_handlers=dashboard.app.exception_handlers())
    app.state.settings = settings
    app.state.admin_token = None
    return app


def _local_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in {"0.0.0.0", "::", ""} else settings.host
    return f"http://{host}:{settings.port}"

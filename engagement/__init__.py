"""The engagement app: `create_app()` wires config, extensions, blueprints and CLI commands."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from engagement.config import load_config
from engagement.core.production import check_app
from engagement.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` stops at the database's integer range, so a huge id is a 404, not an overflow 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2_147_483_647)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(app.instance_path, config))
    app.url_map.converters["int"] = BoundedIntConverter
    if app.config["TRUSTED_PROXIES"]:
        # Rate limits and audit IPs need the client's address, not the proxy's.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from engagement import (
        accounts,
        core,
        demo,
        events,
        feeds,
        news,
        newsletter,
        ops,
        printing,
        priorities,
        privacy,
        signups,
        speedwatch,
        surveys,
        teams,
    )

    # Each feature registers its models, blueprint, worker tasks, hooks and CLI in its own init_app,
    # lowest layer first (the same order as the import-direction rule in ARCHITECTURE.md).
    features = (core, accounts, teams, events, news, surveys, speedwatch, signups, feeds, priorities, newsletter,
                privacy)  # fmt: skip
    for feature in (*features, printing, demo, ops):
        feature.init_app(app)
    check_app(app)  # production refuses unsafe settings and demo accounts (engagement.core.production)
    return app

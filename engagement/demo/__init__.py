"""Realistic demo data for trying the app: `flask demo load`."""

from __future__ import annotations


def init_app(app) -> None:
    from engagement.demo.cli import demo_cli

    app.cli.add_command(demo_cli)

"""The files in deploy/ say what the README promises: no token reaches nginx's log, only public feeds are
cached, nginx accepts the rendered config, gunicorn's settings and the systemd hardening are in place."""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SITE = (DEPLOY / "nginx" / "engagement.conf.in").read_text()
TOKEN = "eyJzIjoxfQ.Z1x2Yw.Sig-nature_0123456789"
sys.path.insert(0, str(DEPLOY))


def _pcre_to_python(pattern: str) -> re.Pattern:
    return re.compile(re.sub(r"\(\?<(\w+)>", r"(?P<\1>", pattern))


def _log_path(uri: str) -> str:
    """Apply nginx's `map $uri $engagement_log_path` the way nginx does: first matching regex wins."""
    block = re.search(r"map \$uri \$engagement_log_path \{(.*?)\n\}", SITE, re.S).group(1)
    for regex, value in re.findall(r'"~([^"]+)"\s+"([^"]+)";', block):
        match = _pcre_to_python(regex).match(uri)
        if match:
            return re.sub(r"\$(\w+)", lambda m: match.group(m.group(1)) or "", value)
    return uri


def _cached(uri: str) -> bool:
    regex = re.search(r"location ~ (\^/\(calendar[^ ]+) \{", SITE).group(1)
    return re.match(regex, uri) is not None


def test_no_route_with_a_token_reaches_nginx_log_with_it(app):
    rules = [rule.rule for rule in app.url_map.iter_rules() if "<token>" in rule.rule]
    assert len(rules) >= 8, rules
    for rule in rules:
        uri = rule.replace("<token>", TOKEN)
        logged = _log_path(uri)
        assert TOKEN not in logged and "<token>" in logged, (rule, logged)
    assert _log_path("/teams/ladywood/calendar.ics") == "/teams/ladywood/calendar.ics"
    assert _log_path("/teams/sparkbrook-balsall-heath") == "/teams/sparkbrook-balsall-heath"  # slugs stay
    assert _log_path(f"/a-route-added-later/{TOKEN}/edit") == "/a-route-added-later/<token>/edit"  # the fallback


def test_only_public_feeds_are_cached():
    for uri in ("/calendar.ics", "/teams/ladywood/calendar.ics", "/news.rss", "/news.atom", "/teams/ladywood/news.atom",
                "/teams/ladywood/events.rss", "/teams/ladywood/events.json", "/newsletters.rss", "/api/v1/events",
                "/events/12.ics"):  # fmt: skip
        assert _cached(uri), uri
    for uri in (f"/my-events/{TOKEN}.ics", f"/bookings/{TOKEN}", f"/speed-watch/rota/{TOKEN}.ics", "/staff/",
                "/staff/teams/ladywood/calendar", "/events/12", "/teams/ladywood", "/login", "/manage/x"):  # fmt: skip
        assert not _cached(uri), uri
    assert "proxy_cache_revalidate on;" in SITE and "proxy_cache_use_stale error timeout updating" in SITE
    assert "proxy_no_cache $engagement_private" in SITE and "proxy_cache_bypass $engagement_private" in SITE


def test_nginx_accepts_the_rendered_config(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (deploy/install-packages.sh installs it; the stack test needs it)")
    from nginx_conf import scratch_config, self_signed_certificate, site_config

    cert, key = self_signed_certificate(tmp_path)
    site = site_config(SERVER_NAME="localhost", UPSTREAM="127.0.0.1:8000", HTTPS_LISTEN="127.0.0.1:18443",
                       HTTP_LISTEN="127.0.0.1:18080", TLS_CERT=str(cert), TLS_KEY=str(key), STATIC_ROOT=str(tmp_path),
                       CACHE_DIR=str(tmp_path / "cache"), ACCESS_LOG=str(tmp_path / "access.log"))  # fmt: skip
    conf = scratch_config(tmp_path / "nginx", site=site)
    result = subprocess.run([nginx, "-t", "-p", str(conf.parent), "-c", str(conf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_gunicorn_settings():
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread" and settings["threads"] >= 2
    assert settings["max_requests"] > 0 and 0 < settings["max_requests_jitter"] < settings["max_requests"]
    assert settings["preload_app"] is False  # so SIGHUP loads new code
    assert settings["accesslog"] is None  # the app writes the access lines, with URL rules
    assert callable(settings["child_exit"]) and callable(settings["on_starting"])


@pytest.mark.parametrize("unit", ["engagement-web.service", "engagement-worker@.service"])
def test_systemd_units_are_hardened(unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    for directive in ("User=engagement", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                      "PrivateTmp=yes", "CapabilityBoundingSet=", "EnvironmentFile=/etc/engagement/engagement.env"):  # fmt: skip
        assert re.search(rf"^{re.escape(directive)}$", text, re.M), directive

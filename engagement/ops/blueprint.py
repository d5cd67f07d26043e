"""The operations URL table: probes for the load balancer and the metrics scrape."""

from flask import Blueprint

from engagement.ops import views

bp = Blueprint("ops", __name__)
bp.add_url_rule("/healthz", "healthz", views.healthz, methods=["GET"])
bp.add_url_rule("/readyz", "readyz", views.readyz, methods=["GET"])
bp.add_url_rule("/metrics", "metrics", views.metrics_view, methods=["GET"])

"""The reporting threshold: the speed at or over which a vehicle's registration is recorded.

Force policy is usually the limit + 10% + 2 mph (35 mph at a 30 limit); SPEEDWATCH_THRESHOLDS sets
it per limit ("20=24,30=35,40=46"). Vehicles over the limit but under the threshold are counted,
never identified. Sightings at or over limit + SPEEDWATCH_HIGH_SPEED_MARGIN go to the team for review.
"""

from __future__ import annotations

from flask import current_app


def policy_threshold(limit: int) -> int:
    """limit + 10% (rounded up) + 2 mph, in whole numbers so 30 gives 35, not 36 from 33.000...04."""
    return limit + (limit + 9) // 10 + 2


def threshold_for(limit: int) -> int:
    return int(current_app.config.get("SPEEDWATCH_THRESHOLDS", {}).get(limit) or policy_threshold(limit))


def high_speed_for(limit: int) -> int:
    return limit + int(current_app.config["SPEEDWATCH_HIGH_SPEED_MARGIN"])

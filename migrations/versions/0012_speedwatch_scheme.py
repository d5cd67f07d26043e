"""speedwatch scheme: speed devices and their calibration certificates, a device per shift, site
requests with photos, traffic counts and the device check on returns, and the letter ladder
(ladder, steps, letters, batches, templates, referrals)

Revision ID: 0012_speedwatch_scheme
Revises: 0011_import_jobs
Create Date: 2026-11-22 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import engagement.core.db

# revision identifiers, used by Alembic.
revision = "0012_speedwatch_scheme"
down_revision = "0011_import_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "speedwatch_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("make", sa.String(length=60), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("calibration_expires", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("calibration_warned_for", sa.Date(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_speedwatch_devices_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_devices")),
        sa.UniqueConstraint("team_id", "serial", name="uq_speedwatch_devices_team_serial"),
    )
    with op.batch_alter_table("speedwatch_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_speedwatch_devices_calibration_expires"), ["calibration_expires"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_speedwatch_devices_team_id"), ["team_id"], unique=False)
    op.create_table(
        "speedwatch_ladder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(length=10), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("step_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_speedwatch_ladder_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_ladder")),
        sa.UniqueConstraint("registration", name=op.f("uq_speedwatch_ladder_registration")),
    )
    with op.batch_alter_table("speedwatch_ladder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speedwatch_ladder_last_seen_at"), ["last_seen_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_ladder_team_id"), ["team_id"], unique=False)
    op.create_table(
        "speedwatch_letter_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("produced_by_id", sa.Integer(), nullable=True),
        sa.Column("produced_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["produced_by_id"],
            ["users.id"],
            name=op.f("fk_speedwatch_letter_batches_produced_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_speedwatch_letter_batches_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_letter_batches")),
    )
    op.create_table(
        "speedwatch_letter_templates",
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_speedwatch_letter_templates_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("step", name=op.f("pk_speedwatch_letter_templates")),
    )
    op.create_table(
        "speedwatch_device_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("calibrated_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("certificate", sa.String(length=60), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["speedwatch_devices.id"],
            name=op.f("fk_speedwatch_device_calibrations_device_id_speedwatch_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_speedwatch_device_calibrations_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_device_calibrations")),
    )
    with op.batch_alter_table("speedwatch_device_calibrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speedwatch_device_calibrations_device_id"), ["device_id"], unique=False)
    op.create_table(
        "speedwatch_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ladder_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("registration", sa.String(length=10), nullable=False),
        sa.Column("make", sa.String(length=40), nullable=False),
        sa.Column("colour", sa.String(length=30), nullable=False),
        sa.Column("site_name", sa.String(length=160), nullable=False),
        sa.Column("road", sa.String(length=160), nullable=False),
        sa.Column("speed_mph", sa.Integer(), nullable=False),
        sa.Column("speed_limit", sa.Integer(), nullable=False),
        sa.Column("seen_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("keeper_name", sa.String(length=120), nullable=False),
        sa.Column("keeper_address", sa.Text(), nullable=False),
        sa.Column("keeper_added_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("keeper_erased_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("produced_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["speedwatch_letter_batches.id"],
            name=op.f("fk_speedwatch_letters_batch_id_speedwatch_letter_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ladder_id"],
            ["speedwatch_ladder.id"],
            name=op.f("fk_speedwatch_letters_ladder_id_speedwatch_ladder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_speedwatch_letters_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_letters")),
    )
    with op.batch_alter_table("speedwatch_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speedwatch_letters_ladder_id"), ["ladder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_letters_produced_at"), ["produced_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_letters_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_letters_team_id"), ["team_id"], unique=False)
    op.create_table(
        "speedwatch_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ladder_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=500), nullable=False),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_speedwatch_referrals_closed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ladder_id"],
            ["speedwatch_ladder.id"],
            name=op.f("fk_speedwatch_referrals_ladder_id_speedwatch_ladder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_speedwatch_referrals_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_referrals")),
    )
    with op.batch_alter_table("speedwatch_referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speedwatch_referrals_ladder_id"), ["ladder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_referrals_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_referrals_team_id"), ["team_id"], unique=False)
    op.create_table(
        "speedwatch_site_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposer_name", sa.String(length=100), nullable=False),
        sa.Column("proposer_email", sa.String(length=320), nullable=False),
        sa.Column("road", sa.String(length=160), nullable=False),
        sa.Column("stretch", sa.String(length=300), nullable=False),
        sa.Column("speed_limit", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("grid_ref", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_at", engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_speedwatch_site_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_speedwatch_site_requests_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["speedwatch_sites.id"],
            name=op.f("fk_speedwatch_site_requests_site_id_speedwatch_sites"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_speedwatch_site_requests_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_site_requests")),
    )
    with op.batch_alter_table("speedwatch_site_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_speedwatch_site_requests_proposed_by_id"), ["proposed_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_speedwatch_site_requests_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_site_requests_team_id"), ["team_id"], unique=False)
    op.create_table(
        "speedwatch_site_request_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["speedwatch_site_requests.id"],
            name=op.f("fk_speedwatch_site_request_photos_request_id_speedwatch_site_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_site_request_photos")),
    )
    with op.batch_alter_table("speedwatch_site_request_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speedwatch_site_request_photos_request_id"), ["request_id"], unique=False)
    op.create_table(
        "speedwatch_ladder_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ladder_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("moved_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("site_name", sa.String(length=160), nullable=False),
        sa.Column("speed_mph", sa.Integer(), nullable=False),
        sa.Column("speed_limit", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ladder_id"],
            ["speedwatch_ladder.id"],
            name=op.f("fk_speedwatch_ladder_steps_ladder_id_speedwatch_ladder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["speedwatch_returns.id"],
            name=op.f("fk_speedwatch_ladder_steps_return_id_speedwatch_returns"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_speedwatch_ladder_steps_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speedwatch_ladder_steps")),
    )
    with op.batch_alter_table("speedwatch_ladder_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speedwatch_ladder_steps_ladder_id"), ["ladder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_ladder_steps_return_id"), ["return_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_speedwatch_ladder_steps_team_id"), ["team_id"], unique=False)
    with op.batch_alter_table("speedwatch_returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("device_label", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("check_passed", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("check_speed_mph", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("vehicles_counted", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("over_limit_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("threshold_mph", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_speedwatch_returns_device_id"), ["device_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_speedwatch_returns_device_id_speedwatch_devices"),
            "speedwatch_devices",
            ["device_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("speedwatch_shifts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_speedwatch_shifts_device_id"), ["device_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_speedwatch_shifts_device_id_speedwatch_devices"),
            "speedwatch_devices",
            ["device_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("speedwatch_shifts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_speedwatch_shifts_device_id_speedwatch_devices"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_speedwatch_shifts_device_id"))
        batch_op.drop_column("device_id")
    with op.batch_alter_table("speedwatch_returns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_speedwatch_returns_device_id_speedwatch_devices"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_speedwatch_returns_device_id"))
        batch_op.drop_column("threshold_mph")
        batch_op.drop_column("over_limit_count")
        batch_op.drop_column("vehicles_counted")
        batch_op.drop_column("check_speed_mph")
        batch_op.drop_column("check_passed")
        batch_op.drop_column("device_label")
        batch_op.drop_column("device_id")
    with op.batch_alter_table("speedwatch_ladder_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_ladder_steps_team_id"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_ladder_steps_return_id"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_ladder_steps_ladder_id"))
    op.drop_table("speedwatch_ladder_steps")
    with op.batch_alter_table("speedwatch_site_request_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_site_request_photos_request_id"))
    op.drop_table("speedwatch_site_request_photos")
    with op.batch_alter_table("speedwatch_site_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_site_requests_team_id"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_site_requests_status"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_site_requests_proposed_by_id"))
    op.drop_table("speedwatch_site_requests")
    with op.batch_alter_table("speedwatch_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_referrals_team_id"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_referrals_status"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_referrals_ladder_id"))
    op.drop_table("speedwatch_referrals")
    with op.batch_alter_table("speedwatch_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_letters_team_id"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_letters_status"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_letters_produced_at"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_letters_ladder_id"))
    op.drop_table("speedwatch_letters")
    with op.batch_alter_table("speedwatch_device_calibrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_device_calibrations_device_id"))
    op.drop_table("speedwatch_device_calibrations")
    op.drop_table("speedwatch_letter_templates")
    op.drop_table("speedwatch_letter_batches")
    with op.batch_alter_table("speedwatch_ladder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_ladder_team_id"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_ladder_last_seen_at"))
    op.drop_table("speedwatch_ladder")
    with op.batch_alter_table("speedwatch_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speedwatch_devices_team_id"))
        batch_op.drop_index(batch_op.f("ix_speedwatch_devices_calibration_expires"))
    op.drop_table("speedwatch_devices")

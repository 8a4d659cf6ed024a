"""Audit chains per shard (issue 18).

The chain written so far becomes epoch 0: its events get shard 0 and shard_seq = seq (their
hashes do not change: shard 0 is hashed as before), and its head row moves from id 1 to id 0.
Later events go to shards 1..AUDIT_SHARDS, each chained from a genesis tied to epoch 0's last
hash (audit/services.py). On PostgreSQL `seq` comes from a sequence from now on, started after
the last event. A final signed checkpoint closes epoch 0 in the file outside the database.

The guards are dropped first and installed again last: the backfill updates every event, and
SQLite rebuilds the tables for these changes, which would lose their triggers. On PostgreSQL the
backfill rewrites the table once (about a minute per million events): run it in a maintenance
window with the application stopped, so no old process writes to epoch 0 afterwards.
"""

import logging

from django.db import migrations, models

from oncocenter.audit.db_guards import add_guards_v2, drop_guards

logger = logging.getLogger(__name__)


def to_epoch0(apps, schema_editor):
    connection = schema_editor.connection
    schema_editor.execute("UPDATE audit_auditevent SET shard_seq = seq")
    schema_editor.execute("UPDATE audit_auditchainhead SET id = 0 WHERE id = 1")
    if connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS audit_event_seq AS bigint")
        schema_editor.execute(
            "SELECT setval('audit_event_seq', COALESCE(MAX(seq), 1), MAX(seq) IS NOT NULL) "
            "FROM audit_auditevent"
        )


def from_epoch0(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if AuditEvent.objects.exclude(shard=0).exists():
        raise RuntimeError(
            "sharded audit events exist: going back to one chain would break their evidence"
        )
    schema_editor.execute("UPDATE audit_auditchainhead SET id = 1 WHERE id = 0")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS audit_event_seq")


def close_epoch0(apps, schema_editor):
    """The last checkpoint of the single chain, so a cut across the switch is named."""
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    head = AuditChainHead.objects.using(schema_editor.connection.alias).filter(id=0).first()
    if head is None or head.seq == 0:
        return
    from oncocenter.audit.checkpoints import checkpoint_append

    try:
        checkpoint_append(shard=0, seq=head.seq, head_hash=head.hash)
    except OSError:
        logger.exception("could not write the checkpoint closing audit epoch 0")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_page_indexes")]

    operations = [
        migrations.RunPython(drop_guards, add_guards_v2),
        migrations.RemoveConstraint(model_name="auditchainhead", name="audit_head_single_row"),
        migrations.AlterField(
            model_name="auditchainhead",
            name="id",
            field=models.PositiveSmallIntegerField(
                help_text="The shard: 0 for the chain before sharding, 1..S after.",
                primary_key=True,
                serialize=False,
            ),
        ),
        migrations.AlterField(
            model_name="auditchainhead",
            name="seq",
            field=models.BigIntegerField(default=0, help_text="The shard's number of events."),
        ),
        migrations.AlterField(
            model_name="auditchainhead",
            name="hash",
            field=models.CharField(
                default="0" * 64,
                help_text="The hash of the shard's last event (its genesis hash while it has "
                "none).",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="shard",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="The chain this event is linked in: 0 for the single chain written "
                "before sharding, else 1..AUDIT_SHARDS from its request id (or actor).",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="shard_seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(to_epoch0, from_epoch0),
        migrations.AlterField(
            model_name="auditevent",
            name="shard_seq",
            field=models.BigIntegerField(
                help_text="Position in its shard's chain, from 1, no gaps."
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(
                help_text="Global order of events across shards (a database sequence on "
                "PostgreSQL; gaps allowed, gaps in shard_seq are not).",
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(
                help_text="The hash of the previous event of the same shard.", max_length=64
            ),
        ),
        migrations.AddConstraint(
            model_name="auditchainhead",
            constraint=models.CheckConstraint(
                condition=models.Q(id__gte=0), name="audit_head_shard_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(shard_seq__gte=1), name="audit_shard_seq_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=["shard", "shard_seq"], name="audit_shard_seq_unique"
            ),
        ),
        migrations.RunPython(close_epoch0, migrations.RunPython.noop),
        migrations.RunPython(add_guards_v2, drop_guards),
    ]

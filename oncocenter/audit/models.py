"""Append-only audit trail, chained by hash so an edit or a deletion is detectable.

Events are chained per shard (issue 18): shard 0 is the single chain written before sharding
(epoch 0, closed); shards 1..AUDIT_SHARDS hold every later event, each its own chain, so
concurrent writers lock different head rows. `seq` is the global order across shards.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    SEARCH = "search", _("Search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    SIGN = "sign", _("Sign")
    EXPORT = "export", _("Export")
    LOGIN = "login", _("Sign-in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign-out")
    TOKEN = "token", _("API token issued")


class AuditEvent(models.Model):
    """One event. Rows are never updated or deleted (database triggers refuse both)."""

    seq = models.BigIntegerField(
        unique=True,
        help_text="Global order of events across shards (a database sequence on PostgreSQL; "
        "gaps allowed, gaps in shard_seq are not).",
    )
    shard = models.PositiveSmallIntegerField(
        default=0,
        help_text="The chain this event is linked in: 0 for the single chain written before "
        "sharding, else 1..AUDIT_SHARDS from its request id (or actor).",
    )
    shard_seq = models.BigIntegerField(
        help_text="Position in its shard's chain, from 1, no gaps.",
    )
    at = models.DateTimeField(db_index=True, help_text="When it happened (UTC stored).")
    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
        help_text="The signed-in user; empty for the system and failed sign-ins.",
    )
    actor_username = models.CharField(
        max_length=150, db_index=True, help_text="Kept even if the user is renamed."
    )
    role = models.CharField(
        max_length=40, blank=True, help_text="The role the actor was working in."
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=80, blank=True, help_text="e.g. patients.patient")
    # Long enough for composite keys (e.g. a worklist's filter); longer values are cut by
    # audit_record, never refused, so an audit write does not fail the request.
    object_id = models.CharField(max_length=500, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    patient_mrn = models.CharField(max_length=20, blank=True, db_index=True)
    client_address = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(
        default=dict, blank=True, help_text="What was read or changed (no secrets)."
    )
    prev_hash = models.CharField(
        max_length=64, help_text="The hash of the previous event of the same shard."
    )
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(
        max_length=16,
        blank=True,
        default="",
        help_text="Which audit key signed the hash (its fingerprint); empty: plain SHA-256, "
        "from before events were keyed.",
    )

    class Meta:
        ordering = ["-seq"]
        # One index per filter of the audit page, each ending in seq (keyset pages).
        indexes = [
            models.Index(fields=["actor_username", "-seq"], name="audit_user_seq"),
            models.Index(fields=["patient_mrn", "-seq"], name="audit_patient_seq"),
            models.Index(fields=["action", "-seq"], name="audit_action_seq"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive"),
            models.CheckConstraint(
                condition=models.Q(shard_seq__gte=1), name="audit_shard_seq_positive"
            ),
            models.UniqueConstraint(fields=["shard", "shard_seq"], name="audit_shard_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} (shard {self.shard}:{self.shard_seq}) {self.action} {self.object_type}:{self.object_id} by {self.actor_username}"


class AuditChainHead(models.Model):
    """One row per shard holding its chain's tip; locked while appending to that shard, so a
    shard's chain never forks while writers to other shards go on."""

    id = models.PositiveSmallIntegerField(
        primary_key=True, help_text="The shard: 0 for the chain before sharding, 1..S after."
    )
    seq = models.BigIntegerField(default=0, help_text="The shard's number of events.")
    hash = models.CharField(
        max_length=64,
        default="0" * 64,
        help_text="The hash of the shard's last event (its genesis hash while it has none).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id__gte=0), name="audit_head_shard_range")
        ]

    def __str__(self) -> str:
        return f"audit head of shard {self.id} #{self.seq}"

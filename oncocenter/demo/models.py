from django.db import models


class DemoSeed(models.Model):
    """Marks that the synthetic center was seeded, so a second run adds nothing."""

    size = models.CharField(max_length=10, unique=True)
    seed = models.IntegerField()
    seeded_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"demo {self.size} (seed {self.seed})"

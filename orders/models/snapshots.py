"""View snapshots, video status events and the flags raised on suspicious snapshots."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .ordering import OrderLine


class ViewSnapshot(models.Model):
    """A view count of an order line's published video observed at an instant (§5)."""

    line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("order line")
    )
    observed_at = models.DateTimeField(_("observed at"))
    views = models.BigIntegerField(_("views"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("view snapshot")
        verbose_name_plural = _("view snapshots")
        ordering = ["line", "observed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "observed_at"], name="view_snapshot_unique_per_video_instant"
            ),
            models.CheckConstraint(
                condition=Q(views__gte=0), name="view_snapshot_views_non_negative"
            ),
        ]
        # The highest earlier count of a video, in one probe: flagging a decrease (DESIGN §5).
        indexes = [models.Index(fields=["line", "views"], name="view_snapshot_line_views")]

    def __str__(self) -> str:
        return f"{self.line_id}@{self.observed_at:%Y-%m-%d %H:%M}: {self.views}"


class VideoStatus(models.TextChoices):
    """A published video's status as the pipeline reports it (DESIGN §5)."""

    LIVE = "live", _("Live")
    REMOVED_BY_CREATOR = "removed_by_creator", _("Removed by the creator")
    PRIVATE = "private", _("Made private by the creator")
    TAKEN_DOWN = "taken_down", _("Taken down by the platform")
    RESTORED = "restored", _("Restored")


# While a video's latest status is one of these (or before any), its views count (DESIGN §5);
# under any other its counted views are frozen.
LIVE = (VideoStatus.LIVE, VideoStatus.RESTORED)


class VideoStatusEvent(models.Model):
    """A change of an order line's published video status, at an instant (DESIGN §5).

    Append-only, one per (video, instant). The status in force at an instant is the latest event
    at or before it; before the first event a video is live.
    """

    Status = VideoStatus

    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="status_events",
        verbose_name=_("order line"),
    )
    status = models.CharField(_("status"), max_length=20, choices=VideoStatus.choices)
    at = models.DateTimeField(_("at"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("video status event")
        verbose_name_plural = _("video status events")
        ordering = ["line", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "at"], name="video_status_event_unique_per_video_instant"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VideoStatus.values), name="video_status_event_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}@{self.at:%Y-%m-%d %H:%M}: {self.get_status_display()}"


class SnapshotFlagReason(models.TextChoices):
    DECREASE = "decrease", _("Lower than an earlier count")
    JUMP = "jump", _("Implausible jump within an hour")


class SnapshotFlag(models.Model):
    """A stored snapshot whose count looks wrong (DESIGN §5): kept, but its boost is held.

    One per snapshot, append-only; ``compared_views`` is the earlier count it was judged against.
    """

    Reason = SnapshotFlagReason

    snapshot = models.OneToOneField(
        ViewSnapshot, on_delete=models.PROTECT, related_name="flag", verbose_name=_("snapshot")
    )
    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="snapshot_flags",
        verbose_name=_("order line"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=SnapshotFlagReason.choices)
    compared_views = models.BigIntegerField(_("earlier views"))
    flagged_at = models.DateTimeField(_("flagged at"))

    class Meta:
        verbose_name = _("flagged snapshot")
        verbose_name_plural = _("flagged snapshots")
        ordering = ["-flagged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=SnapshotFlagReason.values), name="snapshot_flag_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} · {self.get_reason_display()}"

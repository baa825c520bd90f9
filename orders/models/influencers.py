"""Influencers and the history videos their quotes are computed from."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .money import MONEY


class Influencer(models.Model):
    """A creator (达人) with a fixed price (一口价); ``quote`` caches its current quote."""

    platform_id = models.CharField(_("platform id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    fixed_price = models.DecimalField(_("fixed price"), **MONEY)
    boost_enabled = models.BooleanField(_("boost service enabled"), default=True)
    # Set after a creator-caused shortfall (DESIGN §5): no boost is offered before this instant.
    boost_suspended_until = models.DateTimeField(
        _("boost suspended until"), null=True, blank=True, editable=False
    )
    quote = models.JSONField(_("current quote"), null=True, blank=True, editable=False)
    quoted_at = models.DateTimeField(_("quoted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("influencer")
        verbose_name_plural = _("influencers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fixed_price__gt=0), name="influencer_fixed_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HistoryVideo(models.Model):
    """One of an influencer's past videos and its latest view count: the pricing input (§4)."""

    influencer = models.ForeignKey(
        Influencer,
        on_delete=models.CASCADE,
        related_name="history_videos",
        verbose_name=_("influencer"),
    )
    platform_video_id = models.CharField(_("platform video id"), max_length=64, unique=True)
    published_at = models.DateTimeField(_("published at"))
    views = models.BigIntegerField(_("views"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("history video")
        verbose_name_plural = _("history videos")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["influencer", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(views__gte=0), name="history_video_views_non_negative"
            )
        ]

    def __str__(self) -> str:
        return self.platform_video_id

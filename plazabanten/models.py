"""Shared kernels: the audit log, the outbox and in-app notifications."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """One row per decision a person made (verification, moderation, refund, payout): who, what, before, after."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.action} {self.target_type}#{self.target_id}"


class OutboxMessage(models.Model):
    """A notification written in the same transaction as the change it reports; Celery delivers it."""

    # A user (email + in-app notification), or only an email address: someone without an account (an invitation).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    email = models.EmailField(blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(delivered_at__isnull=True),
                         name="outbox_pending_idx"),
        ]
        constraints = [models.CheckConstraint(
            condition=(models.Q(recipient__isnull=False, email="")
                       | models.Q(recipient__isnull=True) & ~models.Q(email="")),
            name="outbox_user_or_email")]

    def __str__(self):
        return self.subject


class Notification(models.Model):
    """The in-app copy of a delivered outbox message."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    outbox = models.OneToOneField(OutboxMessage, on_delete=models.CASCADE, related_name="notification")
    subject = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return self.subject


class BackupRun(models.Model):
    """One run of the backup (plazabanten.backup): good only once its manifest, written last, is stored."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Berjalan")
        GOOD = "good", _("Berhasil")
        FAILED = "failed", _("Gagal")

    name = models.CharField(max_length=32)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["-finished_at"], condition=models.Q(status="good"),
                                name="backuprun_good_idx")]

    def __str__(self):
        return f"{self.name} {self.status}"

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from plazabanten.prepared import PreparedRead

from . import roles


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **fields)


@PreparedRead
def _role_names(*, user_id: int) -> models.QuerySet[Group]:
    """Every signed-in page asks (the menu, the role checks)."""
    return Group.objects.filter(user=user_id).values_list("name", flat=True)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: logs in with email; roles are groups (buyer, shop member, verifikator, government)."""

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("nama lengkap"), max_length=150)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True, help_text=_("Disimpan dalam format +62…"))
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The person's roles, read once per user object (a request's user): one query however many checks."""
        return frozenset(_role_names(user_id=self.pk))

    def has_role(self, role: str) -> bool:
        return role in self.role_names

    @property
    def is_verifikator(self) -> bool:
        return self.is_superuser or self.has_role(roles.VERIFIKATOR)

    @property
    def is_government(self) -> bool:
        """Buys for a government office (OPD): the storefront shows PDN, UMK and PKP first."""
        return self.has_role(roles.GOVERNMENT)


class Address(models.Model):
    """A delivery address in a person's address book."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=40, blank=True, help_text=_("mis. Rumah, Kantor"))
    recipient = models.CharField(_("nama penerima"), max_length=100)
    phone = models.CharField(_("nomor HP penerima"), max_length=20)
    street = models.CharField(_("alamat lengkap"), max_length=250)
    region = models.ForeignKey("regions.Region", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
                               related_name="+")
    postal_code = models.CharField(_("kode pos"), max_length=5)
    is_default = models.BooleanField(_("alamat utama"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_default=True),
                                    name="address_one_default_per_user"),
        ]

    def __str__(self):
        return f"{self.recipient}, {self.street}"

    @property
    def kabkota_code(self) -> str:
        return self.region_id[:5]

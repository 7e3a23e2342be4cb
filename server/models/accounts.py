from tortoise import fields
from tortoise.models import Model

from server.models.enums import AccountKind, AccountStatus, PupilAccess, Role


class Account(Model):
    """An administrator (administration pages) or a user (main site), never shared."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(AccountKind, max_length=20)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="accounts", on_delete=fields.RESTRICT
    )
    forename = fields.CharField(max_length=50)
    surname = fields.CharField(max_length=50)
    email = fields.CharField(max_length=254)
    # Normalised (trimmed, lower case); unique across every account.
    login_name = fields.CharField(max_length=254, unique=True)
    role = fields.CharEnumField(Role, max_length=40, null=True)
    pupil_access = fields.CharEnumField(PupilAccess, max_length=20, null=True)
    status = fields.CharEnumField(AccountStatus, max_length=20, default=AccountStatus.PENDING)
    password_hash = fields.CharField(max_length=255, null=True)
    totp_secret = fields.TextField(null=True)  # encrypted
    totp_enabled = fields.BooleanField(default=False)
    # The time step of the last code accepted: a code works once, and never an older one.
    totp_last_step = fields.BigIntField(null=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)
    password_changed_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "models.Account", related_name="created_accounts", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    activated_at = fields.DatetimeField(null=True)
    deactivated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account"
        indexes = (("organisation_id", "kind", "status"),)

    @property
    def is_administrator(self) -> bool:
        return self.kind == AccountKind.ADMINISTRATOR

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"


class AdministratorSlot(Model):
    """Holds the administrator limit in the database: one row per slot in use."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="administrator_slots", on_delete=fields.CASCADE
    )
    slot = fields.IntField()
    account = fields.OneToOneField(
        "models.Account", related_name="administrator_slot", on_delete=fields.CASCADE
    )

    class Meta:
        table = "administrator_slot"
        unique_together = (("organisation", "slot"),)


class Activation(Model):
    """The pending half of two-stage sign-up: activation code and verification link."""

    id = fields.IntField(primary_key=True)
    account = fields.OneToOneField(
        "models.Account", related_name="activation", on_delete=fields.CASCADE
    )
    code_encrypted = fields.TextField()
    link_hash = fields.CharField(max_length=64, unique=True)
    link_reference = fields.CharField(max_length=16)
    link_expires_at = fields.DatetimeField()
    tries = fields.IntField(default=0)
    locked = fields.BooleanField(default=False)
    code_verified_at = fields.DatetimeField(null=True)
    used_at = fields.DatetimeField(null=True)
    email_sent_at = fields.DatetimeField(null=True)
    email_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activation"


class SecurityAnswer(Model):
    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField(
        "models.Account", related_name="security_answers", on_delete=fields.CASCADE
    )
    position = fields.IntField()  # 1..3
    question = fields.CharField(max_length=40)
    answer_encrypted = fields.TextField()

    class Meta:
        table = "security_answer"
        unique_together = (("account", "position"), ("account", "question"))


class PasswordReset(Model):
    """A forgotten-password attempt: the character positions asked, failures and the link."""

    id = fields.IntField(primary_key=True)
    account = fields.OneToOneField(
        "models.Account", related_name="password_reset", on_delete=fields.CASCADE
    )
    positions = fields.JSONField()  # [[answer position, character index], ...]
    failures = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    link_hash = fields.CharField(max_length=64, null=True, unique=True)
    link_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "password_reset"


class Session(Model):
    """A server-side session: only the SHA-256 of the cookie value is stored."""

    id = fields.CharField(max_length=64, primary_key=True)
    account = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    area = fields.CharField(max_length=10)  # "admin" or "main"
    csrf_token = fields.CharField(max_length=64)
    mfa_pending = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    ip_address = fields.CharField(max_length=45, null=True)
    user_agent = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "session"


class ApiToken(Model):
    """A personal API token: only a visible prefix and the SHA-256 are stored."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField(
        "models.Account", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"


class ThrottleCounter(Model):
    """A fixed-window counter shared by every worker (per IP, per account, per action)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=200)
    window_start = fields.DatetimeField()
    count = fields.IntField(default=0)

    class Meta:
        table = "throttle_counter"
        unique_together = (("key", "window_start"),)

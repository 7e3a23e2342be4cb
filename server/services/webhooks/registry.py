"""Register, list and delete an organisation's webhooks.

The secret is made here, shown once (returned by `register` only) and stored encrypted with
the server's key, since signing needs it back. A new webhook starts from the revisions of
now: it tells of changes after it was made, not before.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from server.auth.secrets import decrypt, encrypt, random_token
from server.models import Account, Organisation, Webhook, WebhookDelivery
from server.models.enums import KeyStage
from server.permissions.webhooks import may_register_webhooks
from server.services.audit import Actor, record
from server.services.errors import NotFoundError, UserInputError
from server.services.webhooks.addresses import check_url
from server.services.webhooks.errors import WebhookErrorCode
from server.services.webhooks.sharing import revisions, schools_of, shared_year_groups

SECRET_PURPOSE = "webhook-secret"  # noqa: S105 (a key-derivation label)
SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
MAX_PER_ORGANISATION = 50

NOT_ALLOWED = ("Only users of a local authority or academy chain register change "
               "notifications")


def secret_of(webhook: Webhook) -> str:
    return decrypt(webhook.secret, SECRET_PURPOSE)


def _require(account: Account | None) -> Account:
    if not may_register_webhooks(account):
        raise PermissionError(NOT_ALLOWED)
    return account


async def register(account: Account | None, school_id: int | None, key_stage: KeyStage | None,
                   url: str, actor: Actor, development: bool) -> tuple[Webhook, str]:
    """A new webhook and its secret (the only time the secret is given out)."""
    account = _require(account)
    organisation = account.organisation
    url = check_url(url, development)
    if key_stage is None:
        raise UserInputError("Choose a key stage", field="keyStage", code=WebhookErrorCode.REQUIRED)
    schools = await schools_of(organisation, [school_id]) if school_id is not None else []
    if not schools:
        raise UserInputError(f"Choose one of {organisation.name}'s schools", field="schoolId",
                             code=WebhookErrorCode.UNKNOWN_SCHOOL)
    school = schools[0]
    pair = (school.id, key_stage.value)
    if not (await shared_year_groups(organisation, [pair]))[pair]:
        raise UserInputError(
            f"{school.name} does not share its {key_stage.value} targets with "
            f"{organisation.name}, so it cannot notify you. The school's administrators turn "
            "sharing on in Target Setting (a senior leader approves it).",
            field="schoolId", code=WebhookErrorCode.NOT_SHARED,
        )
    if await Webhook.filter(organisation_id=organisation.id, school_id=school.id,
                            key_stage=key_stage, url=url).exists():
        raise UserInputError("This address is already told about this school and key stage",
                             field="url", code=WebhookErrorCode.DUPLICATE)
    if await Webhook.filter(organisation_id=organisation.id).count() >= MAX_PER_ORGANISATION:
        raise UserInputError(
            f"{organisation.name} has {MAX_PER_ORGANISATION} change notifications, the most "
            "allowed: delete one you no longer use first", field="url", code=WebhookErrorCode.TOO_MANY)
    secret = SECRET_PREFIX + random_token(32)
    seen = (await revisions([pair]))[pair]
    async with in_transaction() as connection:
        webhook = await Webhook.create(
            organisation_id=organisation.id, school_id=school.id, key_stage=key_stage, url=url,
            secret=encrypt(secret, SECRET_PURPOSE), created_by_id=account.id,
            created_at=datetime.now(UTC), seen=seen, using_db=connection,
        )
        await record(actor, "webhook.registered", organisation.id, "webhook", str(webhook.id),
                     after={"school": school.id, "keyStage": key_stage.value, "url": url},
                     connection=connection)
    webhook.school = school
    webhook.created_by = account
    return webhook, secret


async def webhooks_of(account: Account | None) -> list[Webhook]:
    account = _require(account)
    return await Webhook.filter(organisation_id=account.organisation_id).order_by(
        "school__name", "key_stage", "id").prefetch_related("school", "created_by")


async def delete(account: Account | None, webhook_id: int, actor: Actor) -> Webhook:
    """Delete one of the organisation's webhooks; queued deliveries go with it."""
    account = _require(account)
    webhook = await Webhook.get_or_none(id=webhook_id, organisation_id=account.organisation_id
                                        ).prefetch_related("school", "created_by")
    if webhook is None:
        raise NotFoundError("There is no such change notification", field="id", code=WebhookErrorCode.NOT_FOUND)
    async with in_transaction() as connection:
        gone = await Webhook.filter(id=webhook.id).using_db(connection).delete()
        if gone:
            await record(actor, "webhook.deleted", account.organisation_id, "webhook",
                         str(webhook.id), before={"school": webhook.school_id,
                                                  "keyStage": webhook.key_stage.value,
                                                  "url": webhook.url}, connection=connection)
    return webhook


async def schools_to_choose(account: Account | None) -> list[tuple[Organisation, list[str]]]:
    """The organisation's schools with the key stages they share with it now."""
    account = _require(account)
    schools = await schools_of(account.organisation)
    pairs = [(s.id, ks.value) for s in schools for ks in KeyStage]
    shared = await shared_year_groups(account.organisation, pairs)
    return [(s, [ks.value for ks in KeyStage if shared[(s.id, ks.value)]]) for s in schools]


async def last_deliveries(webhook_ids: list[int]) -> dict[int, WebhookDelivery]:
    """The newest delivery of each webhook (two statements whatever the number)."""
    if not webhook_ids:
        return {}
    newest = await WebhookDelivery.filter(webhook_id__in=webhook_ids).annotate(
        newest=Max("id")).group_by("webhook_id").values_list("newest", flat=True)
    rows = await WebhookDelivery.filter(id__in=list(newest))
    return {d.webhook_id: d for d in rows}

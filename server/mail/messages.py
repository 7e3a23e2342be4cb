"""The emails the accounts area sends, each in plain text and HTML."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from html import escape


def _message(to: str, subject: str, paragraphs: list[str], link: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    text = "\n\n".join(paragraphs)
    if link:
        text = text.replace("{link}", link)
    message.set_content(text + "\n\nAspire Open\n")
    html_paragraphs = []
    for paragraph in paragraphs:
        safe = escape(paragraph)
        if link and "{link}" in paragraph:
            safe = safe.replace("{link}", f'<a href="{escape(link)}">{escape(link)}</a>')
        html_paragraphs.append(f"<p>{safe}</p>")
    message.add_alternative(
        '<!DOCTYPE html><html lang="en-GB"><body>'
        + "".join(html_paragraphs)
        + "<p>Aspire Open</p></body></html>",
        subtype="html",
    )
    return message


def when(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M") + " UTC"


def verification_email(
    *,
    to: str,
    forename: str,
    surname: str,
    organisation: str,
    created_by: str | None,
    link: str,
    expires_at: datetime,
    login_name: str | None,
) -> EmailMessage:
    """The sign-up link. Never the activation code: that travels by another route."""
    who = created_by or "The Aspire Open support team"
    paragraphs = [
        f"Dear {forename} {surname},",
        f"{who} has set up an Aspire Open account for you at {organisation}.",
        "To sign up, open this link: {link}",
        f"The link works once and expires at {when(expires_at)}.",
        f"You also need an activation code. {who} will give it to you separately, in a "
        "welcome letter, by telephone or in person. It is never sent by email.",
        "When you sign up you choose a password and answer three security questions. "
        "Make the answers easy to remember: you will be asked for characters from them if "
        "you forget your password.",
    ]
    if login_name:
        paragraphs.insert(
            2, f"You are an administrator. Your administrator login name is {login_name}."
        )
    paragraphs.append("If you were not expecting this email, you can ignore it.")
    return _message(to, "Sign up to Aspire Open", paragraphs, link)


def password_reset_email(
    *, to: str, forename: str, link: str, expires_at: datetime, by_administrator: bool
) -> EmailMessage:
    reason = (
        "An administrator of your organisation has started a password reset for your account."
        if by_administrator
        else "You answered your security questions to reset your password."
    )
    return _message(
        to,
        "Reset your Aspire Open password",
        [
            f"Dear {forename},",
            reason,
            "To choose a new password, open this link: {link}",
            f"The link works once and expires at {when(expires_at)}.",
            "If you did not ask for this, tell your administrator. Your password has not changed.",
        ],
        link,
    )


def password_changed_email(*, to: str, forename: str, moment: datetime) -> EmailMessage:
    return _message(
        to,
        "Your Aspire Open password has changed",
        [
            f"Dear {forename},",
            f"The password of your Aspire Open account was changed at {when(moment)}. "
            "Every session that was signed in has been signed out.",
            "If you did not do this, tell your administrator straight away.",
        ],
    )


def recovery_locked_email(*, to: str, forename: str, until: datetime) -> EmailMessage:
    return _message(
        to,
        "Aspire Open: password reset locked",
        [
            f"Dear {forename},",
            "Someone gave wrong characters of your security answers three times while trying "
            f"to reset your password. Password reset is locked until {when(until)}.",
            "Your password has not changed. If this was not you, tell your administrator.",
        ],
    )


def sharing_approval_email(
    *, to: str, forename: str, school: str, requested_by: str, changes: list[str], link: str
) -> EmailMessage:
    """A sharing change waits for a senior leader: what was asked, by whom, where to decide."""
    return _message(
        to,
        "A data sharing change waits for your approval",
        [
            f"Dear {forename},",
            f"{requested_by} has asked to share more of {school}'s targets:",
            *changes,
            "Nothing new is shared until a Head Teacher/Senior Leader of your school approves "
            "it. To approve or refuse it, sign in and open: {link}",
            "If you did not expect this, refuse it and speak to your administrator.",
        ],
        link,
    )

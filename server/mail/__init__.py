"""Message building (messages.py) and delivery (delivery.py): SMTP, or the outbox folder."""

"""Change notifications for outside tools (issue 15 item 3): webhooks and subscriptions.

- `sharing`: which year groups of which schools share with an organisation, and their
  revisions (bumped by triggers on target_summary, migration 0015);
- `registry`: register, list and delete webhooks (addresses checked, secret shown once);
- `queue`: compare revisions with what each webhook last saw and enqueue a delivery in the
  same transaction as moving its mark (one worker wins each change);
- `delivery`: claim due deliveries (a conditional UPDATE each, with a lease), sign, send
  with httpx, retry with exponential backoff, give up after the last attempt;
- `signing`: HMAC-SHA256 over "<timestamp>.<body>", checked by receivers;
- `watch`: the same changes as an async stream, for the GraphQL subscription.
"""

"""The message that tells a merchant their deposit was refunded carries a link to their page (issued for the whole
sweep in one pass, not one application at a time); after staff revoked the merchant's links (a lost phone) it
carries none."""
from __future__ import annotations

from datetime import timedelta


def test_a_refund_notice_links_to_the_merchants_page_unless_their_links_were_revoked(world):
    from onboarding.service.requests import revoke_links

    shipped = []
    for number in ("6222021234567890123", "6222021234567890131"):
        app = world.approved(settlement_number=number)
        world.confirm_call(app)
        shipped.append((app, world.shipped(app)))
    activated = world.now + timedelta(days=1)
    world.later(days=1, hours=5)
    world.import_rows([world.txn(sn, activated, 1_000_000) for _, sn in shipped])  # ¥10,000: the threshold
    (kept, _), (lost_phone, _) = shipped
    revoke_links(world.services, lost_phone, actor="staff:ana", reason="merchant lost phone")

    report = world.sweep(world.later(days=1))

    assert report["ledger"]["refunded"] == 2
    sms = {app: [m for m in world.outbox(app) if m["idempotency_key"] == f"deposit:{app}:refunded:sms"]
           for app, _ in shipped}
    assert [len(messages) for messages in sms.values()] == [1, 1]
    assert "/r/" in sms[kept][0]["body"] and "/r/" not in sms[lost_phone][0]["body"]
    with world.services.uow() as uow:
        newest = {app: uow.applications.get(app).links[-1] for app, _ in shipped}
        assert newest[kept].created_at == world.now and newest[kept].is_valid(world.now)  # issued by the sweep
        assert newest[kept].sealed_token is not None  # staff can resend it
        assert newest[lost_phone].revoked_at is not None  # nothing issued after the revoke

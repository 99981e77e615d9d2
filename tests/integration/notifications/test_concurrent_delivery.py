"""Two deliverers racing over the same outbox (threads, one database): every message leaves exactly once.

The SMTP server answers slowly, so while one thread is sending, the other is already trying to
claim the same rows; only the claim (an UPDATE that needs `sent_at IS NULL`) keeps them apart.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from notification_world import enqueue_request_rounds, expected_message_id, outbox_rows

from onboarding.notifications.delivery import DeliveryReport, deliver_pending
from tests.support.smtp_sink import SmtpSink
from tests.support.sns_inbox import published_sms

APPLICATIONS = 3
ROUNDS = 4
SLOW_RELAY_SECONDS = 0.05


@pytest.fixture
def slow_smtp_sink():
    with SmtpSink(delay_seconds=SLOW_RELAY_SECONDS) as sink:
        yield sink


def deliver_concurrently(services, workers: int) -> list[DeliveryReport]:
    start = threading.Barrier(workers)
    reports: list[DeliveryReport | BaseException] = [DeliveryReport()] * workers

    def work(index: int) -> None:
        start.wait()
        try:
            reports[index] = deliver_pending(services)
        except BaseException as error:  # surfaced by the assertion below, with its thread
            reports[index] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    crashed = [r for r in reports if isinstance(r, BaseException)]
    assert not crashed, crashed
    return reports  # type: ignore[return-value]


def test_two_concurrent_deliveries_send_each_message_exactly_once(services_with_smtp_port, slow_smtp_sink,
                                                                  sns_endpoint) -> None:
    services = services_with_smtp_port(slow_smtp_sink.port)
    enqueued = enqueue_request_rounds(services, APPLICATIONS, ROUNDS)
    total = 2 * len(enqueued)

    reports = deliver_concurrently(services, workers=2)

    assert [r.failed for r in reports] == [0, 0], [r.errors for r in reports]
    assert sum(r.sent for r in reports) == total
    assert all(r.sent > 0 for r in reports), "both deliverers should have won some claims"

    emails = Counter(m["Message-ID"] for m in slow_smtp_sink.messages)
    assert emails == Counter({expected_message_id(e.key("email")): 1 for e in enqueued})
    sms_by_link = Counter(sms.message for e in {x.phone for x in enqueued}
                          for sms in published_sms(sns_endpoint, f"+86{e}"))
    assert sms_by_link == Counter({e.notice.sms: 1 for e in enqueued})

    rows = [row for app_id in {e.application_id for e in enqueued} for row in outbox_rows(services, app_id).values()]
    assert len(rows) == total
    assert all(row["sent_at"] is not None and row["attempts"] == 1 and row["last_error"] is None for row in rows)

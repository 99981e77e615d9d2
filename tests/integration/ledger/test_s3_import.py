"""Transaction batches from S3 (moto, in process): every .csv under a prefix, each its own batch."""
from datetime import timedelta

import pytest
from ledger_world import SHIPPED_AT

from onboarding.service.transactions import (
    TransactionImportError,
    TransactionSourceUnavailable,
    import_transactions_from_s3,
)


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'onboard.db'}"


@pytest.fixture
def s3(monkeypatch):
    from moto import mock_aws

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        import boto3

        client = boto3.session.Session().client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="acquirer-batches")
        yield client


def test_every_csv_under_the_prefix_is_imported_once(ledger, s3):
    ledger.shipped("SN0001")
    day = lambda n: SHIPPED_AT + timedelta(days=n)  # noqa: E731
    s3.put_object(Bucket="acquirer-batches", Key="2026/01/06.csv", Body=ledger.csv([ledger.txn("SN0001", day(1), 500)]))
    s3.put_object(Bucket="acquirer-batches", Key="2026/01/07.csv",
                  Body=ledger.csv([ledger.txn("SN0001", day(2), 700), ledger.txn("SN0001", day(2), 900)]))
    s3.put_object(Bucket="acquirer-batches", Key="2026/01/README.txt", Body=b"not a batch")
    s3.put_object(Bucket="acquirer-batches", Key="2025/12/31.csv", Body=b"outside the prefix")
    ledger.now = day(3)  # the batches arrive after their transactions

    reports = import_transactions_from_s3(ledger.services, "acquirer-batches", "2026/")
    assert [(r.source, r.new) for r in reports] == [("s3://acquirer-batches/2026/01/06.csv", 1),
                                                    ("s3://acquirer-batches/2026/01/07.csv", 2)]
    again = import_transactions_from_s3(ledger.services, "acquirer-batches", "2026/")
    assert [(r.new, r.duplicate_batch) for r in again] == [(0, True), (0, True)]
    assert ledger.count("transactions") == 3


def test_a_bad_object_is_named_and_a_missing_bucket_is_a_clear_error(ledger, s3):
    ledger.shipped("SN0001")
    s3.put_object(Bucket="acquirer-batches", Key="in/bad.csv", Body=b"txn_id,terminal_sn\nT1,SN0001\n")
    with pytest.raises(TransactionImportError, match=r"s3://acquirer-batches/in/bad.csv: rejected.*line 1: header"):
        import_transactions_from_s3(ledger.services, "acquirer-batches", "in/")
    with pytest.raises(TransactionSourceUnavailable, match="s3://no-such-bucket/in/: NoSuchBucket"):
        import_transactions_from_s3(ledger.services, "no-such-bucket", "in/")

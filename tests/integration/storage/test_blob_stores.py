"""One contract, two stores: the local directory and S3 (moto over real HTTP on 127.0.0.1)."""
from __future__ import annotations

import hashlib
import time

import pytest

from documents.blob_stores import BlobCorrupted, open_blob_store
from documents.s3_storage import S3BlobStore
from documents.storage import BlobNotFound, BlobStoreUnavailable, LocalBlobStore

ID_PHOTO = b"\xff\xd8\xff\xe0 pretend this is a JPEG of an ID card" * 100
OTHER = b"\x89PNG\r\n\x1a\n a different document"


# ---- the shared contract ------------------------------------------------------------------


def test_put_then_get_returns_the_same_bytes(blob_store):
    digest = blob_store.store.put(ID_PHOTO)
    assert digest == hashlib.sha256(ID_PHOTO).hexdigest()
    assert blob_store.store.get(digest) == ID_PHOTO


def test_putting_the_same_bytes_twice_stores_one_object(blob_store):
    first = blob_store.store.put(ID_PHOTO)
    second = blob_store.store.put(ID_PHOTO)
    assert first == second
    assert blob_store.count_objects() == 1
    blob_store.store.put(OTHER)
    assert blob_store.count_objects() == 2


def test_exists_reflects_what_was_stored(blob_store):
    digest = hashlib.sha256(ID_PHOTO).hexdigest()
    assert not blob_store.store.exists(digest)
    blob_store.store.put(ID_PHOTO)
    assert blob_store.store.exists(digest)


def test_getting_a_missing_object_raises_blob_not_found(blob_store):
    with pytest.raises(BlobNotFound):
        blob_store.store.get(hashlib.sha256(b"never stored").hexdigest())


def test_delete_removes_the_object_and_is_idempotent(blob_store):
    digest = blob_store.store.put(ID_PHOTO)
    blob_store.store.delete(digest)
    assert not blob_store.store.exists(digest)
    assert blob_store.count_objects() == 0
    blob_store.store.delete(digest)  # deleting again is not an error
    with pytest.raises(BlobNotFound):
        blob_store.store.get(digest)


def test_empty_bytes_round_trip(blob_store):
    digest = blob_store.store.put(b"")
    assert blob_store.store.get(digest) == b""


@pytest.mark.parametrize("bad_key", ["../../etc/passwd", "ABC", "g" * 64, hashlib.sha256(b"x").hexdigest().upper()])
def test_keys_that_are_not_sha256_digests_are_rejected(blob_store, bad_key):
    with pytest.raises(ValueError):
        blob_store.store.get(bad_key)


# ---- S3 specifics -------------------------------------------------------------------------


def test_s3_objects_are_content_addressed_under_the_prefix(s3_admin, s3_bucket, moto_endpoint):
    store = S3BlobStore(s3_bucket, "tenant-a/docs/", endpoint_url=moto_endpoint)
    digest = store.put(ID_PHOTO)
    keys = [item["Key"] for item in s3_admin.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert keys == [f"tenant-a/docs/{digest[:2]}/{digest[2:4]}/{digest}"]


def test_s3_put_requests_server_side_encryption(s3_admin, s3_bucket, moto_endpoint):
    store = S3BlobStore(s3_bucket, "documents", endpoint_url=moto_endpoint, sse="AES256")
    digest = store.put(ID_PHOTO)
    head = s3_admin.head_object(Bucket=s3_bucket, Key=store.key_for(digest))
    assert head["ServerSideEncryption"] == "AES256"


def test_s3_second_put_does_not_upload_again(s3_admin, s3_bucket, moto_endpoint):
    store = S3BlobStore(s3_bucket, "documents", endpoint_url=moto_endpoint)
    digest = store.put(ID_PHOTO)
    first = s3_admin.head_object(Bucket=s3_bucket, Key=store.key_for(digest))["LastModified"]
    time.sleep(1.1)  # LastModified has one-second resolution
    store.put(ID_PHOTO)
    assert s3_admin.head_object(Bucket=s3_bucket, Key=store.key_for(digest))["LastModified"] == first


def test_s3_object_altered_at_rest_is_reported_as_corrupted(s3_admin, s3_bucket, moto_endpoint):
    store = S3BlobStore(s3_bucket, "documents", endpoint_url=moto_endpoint)
    digest = store.put(ID_PHOTO)
    s3_admin.put_object(Bucket=s3_bucket, Key=store.key_for(digest), Body=b"tampered")
    with pytest.raises(BlobCorrupted, match=digest):
        store.get(digest)


def test_s3_missing_bucket_is_unavailable_not_missing_object(moto_endpoint):
    store = S3BlobStore("no-such-bucket-here", endpoint_url=moto_endpoint)
    with pytest.raises(BlobStoreUnavailable, match="NoSuchBucket"):
        store.put(ID_PHOTO)


def test_s3_endpoint_down_fails_fast_and_stores_nothing(closed_port_endpoint, s3_admin, s3_bucket, moto_endpoint):
    down = S3BlobStore(s3_bucket, "documents", endpoint_url=closed_port_endpoint)
    started = time.monotonic()
    with pytest.raises(BlobStoreUnavailable, match="127.0.0.1") as caught:
        down.put(ID_PHOTO)
    assert time.monotonic() - started < 10
    assert "put" in str(caught.value) or "head_object" in str(caught.value)
    for operation in (down.get, down.exists, down.delete):
        with pytest.raises(BlobStoreUnavailable):
            operation(hashlib.sha256(ID_PHOTO).hexdigest())
    assert s3_admin.list_objects_v2(Bucket=s3_bucket).get("KeyCount", 0) == 0


def test_s3_store_builds_no_client_until_used():
    store = S3BlobStore("bucket", endpoint_url="http://127.0.0.1:1")
    assert store._client is None


def test_s3_published_objects_keep_kms_encryption(s3_admin, s3_bucket, moto_endpoint):
    store = S3BlobStore(s3_bucket, "documents", endpoint_url=moto_endpoint, sse="aws:kms", kms_key_id="alias/onboard")
    staged = store.stage(ID_PHOTO)
    store.publish(staged)  # a server-side copy: it must ask for the encryption again
    head = s3_admin.head_object(Bucket=s3_bucket, Key=store.key_for(staged.sha256))
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"].endswith("alias/onboard")


# ---- local files encrypted at rest -----------------------------------------------------------


def _keys(*keys: str):
    from onboarding.crypto import Sealer

    return Sealer(list(keys))


def test_local_files_are_encrypted_and_old_clear_files_still_read_until_resealed(tmp_path):
    from cryptography.fernet import Fernet

    from documents.envelope import EnvelopeUnreadable

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    root = tmp_path / "blobs"
    before = LocalBlobStore(root).put(OTHER)  # written before files were encrypted
    store = LocalBlobStore(root, _keys(old))
    digest = store.put(ID_PHOTO)
    on_disk = {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert b"ID card" not in on_disk[digest] and on_disk[before] == OTHER
    assert store.get(digest) == ID_PHOTO and store.get(before) == OTHER

    assert LocalBlobStore(root, _keys(new, old)).reseal() == 2
    rotated = LocalBlobStore(root, _keys(new))
    assert rotated.get(digest) == ID_PHOTO and rotated.get(before) == OTHER
    assert b"different document" not in rotated._path(before).read_bytes()
    with pytest.raises(EnvelopeUnreadable):
        store.get(digest)  # the old key alone no longer opens it
    rotated._path(before).write_bytes(rotated._path(digest).read_bytes())  # a file put under another name
    with pytest.raises(EnvelopeUnreadable):
        rotated.get(before)


def test_a_reseal_removes_what_a_killed_reseal_left_half_written_and_nothing_else(tmp_path):
    import os

    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    root = tmp_path / "blobs"
    store = LocalBlobStore(root, _keys(old))
    digest = store.put(ID_PHOTO)
    shard = store._path(digest).parent
    abandoned = shard / f".{digest}.killed"  # a rewrite of an earlier reseal that was killed before its rename
    abandoned.write_bytes(b"half a file")
    os.utime(abandoned, (time.time() - 7200, time.time() - 7200))
    in_progress = shard / f".{digest}.live"  # another reseal's rewrite, written a moment ago
    in_progress.write_bytes(b"being written")

    assert LocalBlobStore(root, _keys(new, old)).reseal() == 1

    assert not abandoned.exists() and in_progress.exists()
    assert LocalBlobStore(root, _keys(new)).get(digest) == ID_PHOTO


# ---- factory ------------------------------------------------------------------------------


def test_factory_builds_a_local_store(tmp_path):
    store = open_blob_store("local", local_root=tmp_path)
    assert isinstance(store, LocalBlobStore)
    assert store.get(store.put(OTHER)) == OTHER


def test_factory_builds_an_s3_store_that_works(s3_bucket, moto_endpoint):
    store = open_blob_store("s3", bucket=s3_bucket, prefix="p", endpoint_url=moto_endpoint, sse="AES256")
    assert isinstance(store, S3BlobStore)
    assert store.get(store.put(OTHER)) == OTHER


@pytest.mark.parametrize(
    ("kind", "options"),
    [("local", {}), ("s3", {}), ("s3", {"bucket": "b", "sse": "AES256", "kms_key_id": "k"}), ("ftp", {})],
)
def test_factory_rejects_incomplete_configuration(kind, options):
    with pytest.raises(ValueError):
        open_blob_store(kind, **options)


# ---- staging: written before the rows, moved into place after they commit ----------------------


def test_a_staged_blob_is_stored_only_once_published(blob_store):
    store = blob_store.store
    staged = store.stage(ID_PHOTO)
    assert staged.sha256 == hashlib.sha256(ID_PHOTO).hexdigest()
    assert not store.exists(staged.sha256)
    store.publish(staged)
    assert store.get(staged.sha256) == ID_PHOTO
    assert store.staged_before(time.time() + 60) == []
    again = store.stage(ID_PHOTO)
    store.publish(again)  # already stored: the staged copy just goes
    assert blob_store.count_objects() == 1 and store.staged_before(time.time() + 60) == []


def test_staged_blobs_are_listed_by_age_and_discarded(blob_store):
    store = blob_store.store
    first, second = store.stage(ID_PHOTO), store.stage(OTHER)
    assert {s.name for s in store.staged_before(time.time() + 60)} == {first.name, second.name}
    assert store.staged_before(time.time() - 3600) == []  # nothing an hour old
    store.discard(first)
    assert [s.name for s in store.staged_before(time.time() + 60)] == [second.name]
    assert not store.exists(first.sha256)

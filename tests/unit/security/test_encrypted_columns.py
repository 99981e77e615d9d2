"""The column types: plaintext in Python, a Fernet token in the database, keys from the engine's dialect."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from onboarding.adapters.columns import EncryptedJSON, EncryptedText
from onboarding.adapters.encryption import (
    SealerMissing, UnreadableCiphertext, configured_keys, sealer_for_keys)
from onboarding.settings import Settings

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def dialect(*keys: str):
    """Stands in for an engine's dialect: the only thing the column types ask it for is the sealer."""
    return SimpleNamespace(onboard_sealer=sealer_for_keys(keys) if keys else None)


@given(st.text())
def test_any_text_round_trips_and_is_never_stored_as_itself(value: str):
    column, keys = EncryptedText(), dialect(NEW)
    stored = column.process_bind_param(value, keys)
    assert stored != value and stored.startswith("gAAAAA")
    assert column.process_result_value(stored, keys) == value


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=10))
def test_json_documents_round_trip(value):
    column, keys = EncryptedJSON(), dialect(NEW)
    assert column.process_result_value(column.process_bind_param(value, keys), keys) == value


def test_none_stays_null_and_needs_no_key():
    for column in (EncryptedText(), EncryptedJSON()):
        assert column.process_bind_param(None, dialect()) is None
        assert column.process_result_value(None, dialect()) is None


def test_equal_values_give_different_tokens():
    """Randomised: the database cannot tell that two rows hold the same ID number (nor look one up)."""
    column, keys = EncryptedText(), dialect(NEW)
    assert column.process_bind_param("440781197506032481", keys) != column.process_bind_param("440781197506032481", keys)


def test_the_newest_key_encrypts_and_every_key_decrypts():
    column = EncryptedText()
    under_old = column.process_bind_param("6222021234567890123", dialect(OLD))
    assert column.process_result_value(under_old, dialect(NEW, OLD)) == "6222021234567890123"
    under_new = column.process_bind_param("6222021234567890123", dialect(NEW, OLD))
    assert Fernet(NEW.encode()).decrypt(under_new.encode()) == b"6222021234567890123"
    with pytest.raises(UnreadableCiphertext):
        column.process_result_value(under_old, dialect(NEW))


def test_an_engine_without_keys_refuses_rather_than_storing_plaintext():
    with pytest.raises(SealerMissing):
        EncryptedText().process_bind_param("440781197506032481", dialect())


def test_equal_key_lists_share_one_sealer_so_one_engine_per_database():
    assert sealer_for_keys((NEW, OLD)) is sealer_for_keys((NEW, OLD))
    assert sealer_for_keys((NEW, OLD)) is not sealer_for_keys((NEW,))


def test_keys_come_from_settings_newest_first_else_from_the_key_file(tmp_path: Path):
    assert configured_keys(Settings(home=tmp_path, secret_keys=[NEW, OLD])) == (NEW, OLD)
    (from_file,) = configured_keys(Settings(home=tmp_path, secret_keys=[]))
    assert (tmp_path / "secret.key").read_text() == from_file
    assert configured_keys(Settings(home=tmp_path, secret_keys=[])) == (from_file,)


def test_processes_starting_together_on_a_fresh_home_agree_on_one_key(tmp_path: Path):
    import threading

    barrier, keys = threading.Barrier(8), []

    def start() -> None:
        barrier.wait()
        keys.append(configured_keys(Settings(home=tmp_path, secret_keys=[])))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1

"""FieldCipher: authenticated field encryption with rotatable keys and a blind index."""

import base64

import pytest

from app.domain.common.crypto import DecryptionError, FieldCipher

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
HASH_KEY = b"a-hash-key-of-enough-length"


def cipher(active: str = "k1", **keys: bytes) -> FieldCipher:
    return FieldCipher(keys or {"k1": KEY_1}, active, HASH_KEY)


def test_a_value_round_trips_and_is_not_stored_in_clear():
    c = cipher()
    sealed = c.encrypt("13812345678", field="lawyer.phone")
    assert "13812345678" not in sealed
    assert sealed.startswith("v1.k1.")
    assert c.decrypt(sealed, field="lawyer.phone") == "13812345678"


def test_each_sealing_uses_a_fresh_nonce():
    c = cipher()
    assert c.encrypt("x", field="f") != c.encrypt("x", field="f")


def test_a_value_sealed_for_one_field_does_not_open_as_another():
    c = cipher()
    sealed = c.encrypt("13812345678", field="lawyer.phone")
    with pytest.raises(DecryptionError):
        c.decrypt(sealed, field="applicant.id_number")


def test_a_tampered_value_does_not_open():
    c = cipher()
    sealed = c.encrypt("13812345678", field="lawyer.phone")
    prefix, payload = sealed.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[-1] ^= 1
    forged = prefix + "." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(DecryptionError):
        c.decrypt(forged, field="lawyer.phone")


@pytest.mark.parametrize("garbage", ["", "v1", "v2.k1.AAAA", "v1.k9.AAAA", "v1.k1.!!!", "v1.k1."])
def test_garbage_is_a_decryption_error(garbage):
    with pytest.raises(DecryptionError):
        cipher().decrypt(garbage, field="f")


def test_keys_rotate_old_values_stay_readable():
    old = cipher("k1", k1=KEY_1)
    sealed_old = old.encrypt("13812345678", field="lawyer.phone")
    rotated = cipher("k2", k1=KEY_1, k2=KEY_2)
    assert rotated.decrypt(sealed_old, field="lawyer.phone") == "13812345678"
    assert rotated.needs_rotation(sealed_old)
    sealed_new = rotated.encrypt("13812345678", field="lawyer.phone")
    assert sealed_new.startswith("v1.k2.")
    assert not rotated.needs_rotation(sealed_new)
    # Once the old key is dropped, its values no longer open.
    with pytest.raises(DecryptionError):
        cipher("k2", k2=KEY_2).decrypt(sealed_old, field="lawyer.phone")


def test_the_blind_index_is_stable_keyed_and_field_bound():
    c = cipher()
    a = c.blind_index("13812345678", field="phone")
    assert a == c.blind_index("13812345678", field="phone")
    assert a != c.blind_index("13812345679", field="phone")
    assert a != c.blind_index("13812345678", field="other")
    other_key = FieldCipher({"k1": KEY_1}, "k1", b"another-hash-key-entirely")
    assert a != other_key.blind_index("13812345678", field="phone")
    assert "13812345678" not in a


@pytest.mark.parametrize(
    ("keys", "active", "hash_key"),
    [
        ({"k1": b"short"}, "k1", HASH_KEY),
        ({"k.1": KEY_1}, "k.1", HASH_KEY),
        ({"k1": KEY_1}, "k2", HASH_KEY),
        ({"k1": KEY_1}, "k1", b"short"),
    ],
)
def test_bad_configuration_is_refused(keys, active, hash_key):
    with pytest.raises(ValueError):
        FieldCipher(keys, active, hash_key)


def test_keys_from_settings_text():
    encoded = base64.urlsafe_b64encode(KEY_1).decode().rstrip("=")
    c = FieldCipher.from_encoded({"k1": encoded}, "k1", HASH_KEY.decode())
    assert cipher().decrypt(c.encrypt("x", field="f"), field="f") == "x"
    with pytest.raises(ValueError):
        FieldCipher.from_encoded({"k1": "@@@"}, "k1", HASH_KEY.decode())

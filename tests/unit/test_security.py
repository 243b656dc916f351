from backend.security import KEY_PREFIX, hash_api_key, hash_password, new_api_key, verify_password


def test_password_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("s3cret-pass")
    assert "s3cret-pass" not in stored
    assert verify_password("s3cret-pass", stored)
    assert not verify_password("s3cret-pasS", stored)
    assert hash_password("s3cret-pass") != stored  # salted


def test_api_keys_are_random_and_hashed() -> None:
    a, b = new_api_key(), new_api_key()
    assert a != b and a.startswith(KEY_PREFIX)
    assert hash_api_key(a) != hash_api_key(b)
    assert len(hash_api_key(a)) == 64 and a not in hash_api_key(a)

"""Verify a license-admin v1 blob offline in a Python desktop app (pip install cryptography).

Copy verify_license() into your app and embed TRUSTED_KEYS from `license-admin keys show`.
Running this file checks it against the test vectors: python3 docs/verify_license.py fixtures/vectors/*.json
"""
import base64, json, time
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _b64u(s):
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != s:  # reject non-canonical encodings
        raise ValueError("non-canonical base64url")
    return raw


def verify_license(blob, trusted_keys, product, tag="DTLIC3", now=None):
    """trusted_keys: {kid: 32-byte raw public key}. Returns (claims, None) or (None, reason)."""
    blob = "".join(blob.split())
    if tag:
        if not blob.startswith(tag + ":"):
            return None, "malformed"
        blob = blob[len(tag) + 1:]
    try:
        h, p, s = blob.split(".")
        header, claims, sig = json.loads(_b64u(h)), json.loads(_b64u(p)), _b64u(s)
    except ValueError:
        return None, "malformed"
    if header.get("alg") != "EdDSA" or set(header) - {"alg", "typ", "kid"}:
        return None, "malformed"  # pins the algorithm: no "none", no HMAC
    key = trusted_keys.get(header.get("kid"))
    if key is None:
        return None, "unknown-key"
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(sig, f"{h}.{p}".encode())
    except InvalidSignature:
        return None, "bad-signature"
    now = time.time() if now is None else now
    if claims.get("iss") != product:
        return None, "wrong-product"
    if claims["iat"] > now + 300:
        return None, "not-yet-valid"
    if "exp" in claims and claims["exp"] <= now:
        return None, "expired"
    return claims, None


if __name__ == "__main__":
    import sys
    from datetime import datetime

    for path in sys.argv[1:]:
        v = json.load(open(path, encoding="utf-8"))
        jwk = v["publicKeyJwk"]
        now = datetime.fromisoformat(v["now"].replace("Z", "+00:00")).timestamp()
        claims, reason = verify_license(v["blob"], {jwk["kid"]: _b64u(jwk["x"])}, v["product"], v["tag"], now)
        print(json.dumps({"file": path, "expected": v["expected"], "actual": reason or "valid"}))

"""Verify a license-admin v1 blob offline in a Python desktop app (pip install cryptography).

Copy everything above `if __name__ == "__main__":` into your app and embed TRUSTED_KEYS from
`license-admin keys show`. verify_license() never raises: every input, however hostile, gives
(claims, None) or (None, reason), with exactly the checks of docs/FORMAT.md section 3.
Leases and revocation lists (docs/FORMAT.md sections 7 and 8) have verify_lease(), verify_revocation_list()
and is_revoked(). Running this file checks it against test vectors:
python3 docs/verify_license.py fixtures/vectors/*.json fixtures/token-vectors/*.json
"""
import base64, hashlib, json, math, re, time
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_BLOB_CHARS = 65536
MAX_JSON_DEPTH = 16
EARLIEST_DATE, LATEST_DATE = 946684800, 7258118400  # signed dates: 2000-01-01 <= t < 2200-01-01 (UTC)
MAX_SAFE_INT = 2**53 - 1  # integers as JavaScript reads them, so both verifiers agree on every blob
_ASCII_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*\Z")


def _b64u(s):
    """Strict base64url (no padding, nothing outside the alphabet, unused bits zero), else None."""
    if not _BASE64URL.match(s) or len(s) % 4 == 1:
        return None
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == s else None


def _depth(text):
    """How deep arrays and objects nest (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def _refuse(name):
    raise ValueError(name)  # NaN and Infinity are not JSON


def _json(segment):
    """base64url -> UTF-8 (no BOM) -> JSON, or None. Checked for depth first: json.loads recurses."""
    raw = _b64u(segment)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _depth(text) > MAX_JSON_DEPTH:
        return None
    try:
        # Long digit strings become floats (as in JavaScript) instead of tripping int()'s digit limit.
        return json.loads(text, parse_constant=_refuse, parse_int=lambda s: int(s) if len(s) <= 20 else float(s))
    except ValueError:
        return None


def _int(v):
    return (type(v) is int or (type(v) is float and v.is_integer())) and abs(v) <= MAX_SAFE_INT


def _date(v):
    return _int(v) and EARLIEST_DATE <= v < LATEST_DATE


def _header_ok(h):
    return (isinstance(h, dict) and set(h) <= {"alg", "typ", "kid"} and h.get("alg") == "EdDSA"
            and h.get("typ", "license+jwt") == "license+jwt" and isinstance(h.get("kid"), str) and h["kid"] != "")


def _claims_ok(c):
    return (isinstance(c, dict) and _int(c.get("v")) and _date(c.get("iat"))
            and all(isinstance(c.get(k), str) for k in ("iss", "sub", "name", "email", "tier"))
            and all(k not in c or _date(c[k]) for k in ("exp", "updates_until"))
            and ("seats" not in c or _int(c["seats"]))
            and ("features" not in c or (isinstance(c["features"], list) and all(isinstance(f, str) for f in c["features"]))))


def verify_license(blob, trusted_keys, product=None, tag="DTLIC3", now=None):
    """trusted_keys: {kid: 32-byte raw public key}. Returns (claims, None) or (None, reason)."""
    if not isinstance(blob, str) or len(blob) > MAX_BLOB_CHARS:
        return None, "malformed"
    blob = _ASCII_WHITESPACE.sub("", blob)
    if tag:
        if not blob.startswith(tag + ":"):
            return None, "malformed"
        blob = blob[len(tag) + 1:]
    parts = blob.split(".")
    if len(parts) != 3:
        return None, "malformed"
    h, p, s = parts
    header, claims, sig = _json(h), _json(p), _b64u(s)
    if not _header_ok(header) or not _claims_ok(claims) or sig is None or len(sig) != 64:
        return None, "malformed"  # alg is pinned: no "none", no HMAC; only keys embedded in the app
    key = trusted_keys.get(header["kid"])
    if key is None:
        return None, "unknown-key"
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(sig, f"{h}.{p}".encode())
    except (InvalidSignature, ValueError, TypeError):
        return None, "bad-signature"
    if claims["v"] != 1:
        return None, "malformed"
    if product is not None and claims["iss"] != product:
        return None, "wrong-product"
    now = math.floor(time.time() if now is None else now)
    if claims["iat"] > now + 300:
        return None, "not-yet-valid"
    if "exp" in claims and claims["exp"] <= now:
        return None, "expired"
    return claims, None


def _compact(token, trusted_keys, typ, claims_ok):
    """The steps every newer token shares: exactly this typ (required), EdDSA, a trusted kid, the signature."""
    if not isinstance(token, str) or len(token) > MAX_BLOB_CHARS:
        return None, "malformed"
    parts = _ASCII_WHITESPACE.sub("", token).split(".")
    if len(parts) != 3:
        return None, "malformed"
    h, p, s = parts
    header, claims, sig = _json(h), _json(p), _b64u(s)
    if (not isinstance(header, dict) or not set(header) <= {"alg", "typ", "kid"}
            or header.get("alg") != "EdDSA" or header.get("typ") != typ or not isinstance(header.get("kid"), str) or header["kid"] == ""
            or not claims_ok(claims) or sig is None or len(sig) != 64):
        return None, "malformed"
    key = trusted_keys.get(header["kid"])
    if key is None:
        return None, "unknown-key"
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(sig, f"{h}.{p}".encode())
    except (InvalidSignature, ValueError, TypeError):
        return None, "bad-signature"
    if claims["v"] != 1:
        return None, "malformed"
    return claims, None


def _sha256_b64u(text):
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode("utf-8")).digest()).rstrip(b"=").decode()


def verify_lease(lease, trusted_keys, fingerprint, product=None, now=None):
    """A lease from POST /api/v1/licenses/activate, for this machine's fingerprint. (claims, None) or (None, reason)."""
    ok = lambda c: (isinstance(c, dict) and _int(c.get("v")) and _date(c.get("iat")) and _date(c.get("exp"))
                    and all(isinstance(c.get(k), str) and c[k] != "" for k in ("iss", "sub", "act", "fph")))
    claims, reason = _compact(lease, trusted_keys, "lease+jwt", ok)
    if reason:
        return None, reason
    if product is not None and claims["iss"] != product:
        return None, "wrong-product"
    if not isinstance(fingerprint, str) or _sha256_b64u(fingerprint) != claims["fph"]:
        return None, "wrong-machine"
    now = math.floor(time.time() if now is None else now)
    if claims["iat"] > now + 300:
        return None, "not-yet-valid"
    if claims["exp"] <= now:
        return None, "expired"
    return claims, None


def verify_revocation_list(token, trusted_keys, product=None, min_seq=None, now=None):
    """GET /api/v1/revocations. Keep the list with the highest seq you verified and pass that seq as min_seq."""
    ok = lambda c: (isinstance(c, dict) and _int(c.get("v")) and _int(c.get("seq")) and c["seq"] >= 0 and _date(c.get("iat"))
                    and _date(c.get("exp")) and isinstance(c.get("iss"), str)
                    and isinstance(c.get("revoked"), list) and all(isinstance(r, str) for r in c["revoked"]))
    claims, reason = _compact(token, trusted_keys, "revocations+jwt", ok)
    if reason:
        return None, reason
    if product is not None and claims["iss"] != product:
        return None, "wrong-product"
    if min_seq is not None and claims["seq"] < min_seq:
        return None, "rolled-back"
    if claims["exp"] <= math.floor(time.time() if now is None else now):
        return None, "expired"
    return claims, None


def is_revoked(license_claims, list_claims):
    """Whether a verified list names this verified license."""
    return _sha256_b64u(license_claims["sub"]) in list_claims["revoked"]


def _token_vector(v, keys, now):
    """fixtures/token-vectors: (verdict, what became of the revocation list or None)."""
    if v["kind"] == "lease":
        return verify_lease(v["token"], keys, v.get("fingerprint"), v.get("product"), now)[1] or "valid", None
    if v["kind"] == "revocations":
        return verify_revocation_list(v["token"], keys, v.get("product"), v.get("minSeq"), now)[1] or "valid", None
    claims, reason = verify_license(v["token"], keys, v.get("product"), None, now)
    if reason or not v.get("revocations"):
        return reason or "valid", None
    r = v["revocations"]
    listed, list_reason = verify_revocation_list(r["list"], keys, claims["iss"], r.get("minSeq"), now)
    if list_reason:
        return "valid", list_reason
    return ("revoked" if is_revoked(claims, listed) else "valid"), "trusted"


if __name__ == "__main__":
    # Test harness: each file holds one vector or a list of them (fixtures/vectors, the hostile corpus).
    import sys
    from datetime import datetime

    for path in sys.argv[1:]:
        loaded = json.load(open(path, encoding="utf-8"))
        for v in loaded if isinstance(loaded, list) else [loaded]:
            keys = {k["kid"]: _b64u(k["x"]) or b"" for k in v.get("trustedKeys") or [v["publicKeyJwk"]]}
            now = datetime.fromisoformat(v["now"].replace("Z", "+00:00")).timestamp()
            try:
                if "kind" in v:
                    actual, used = _token_vector(v, keys, now)
                    if "expectedRevocations" in v and used != v["expectedRevocations"]:
                        actual = f"{actual} (revocation list: {used})"
                else:
                    claims, reason = verify_license(v["blob"], keys, v.get("product"), v["tag"], now)
                    actual = reason or "valid"
            except Exception as error:  # the recipe must never get here; the tests fail if it does
                actual = f"raised {type(error).__name__}: {error}"
            print(json.dumps({"file": path, "name": v.get("name", path), "expected": v.get("expected"), "actual": actual}))

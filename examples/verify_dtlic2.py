"""How a shipped Python app checks a DTLIC2 license: python3 verify_dtlic2.py <public-key-hex> <blob>"""
import base64, json, sys, time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def verify_license(public_key_hex, blob):
    prefix, _, rest = blob.strip().partition(":")
    payload_b64, _, signature_b64 = rest.partition(".")
    if prefix != "DTLIC2": raise ValueError("not a DTLIC2 license")
    payload = base64.b64decode(payload_b64, validate=True)
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(base64.b64decode(signature_b64, validate=True), payload)
    license = json.loads(payload)
    if license["expires_at"] is not None and license["expires_at"] < time.time(): raise ValueError("expired")
    return license

if __name__ == "__main__":
    try: print(json.dumps(verify_license(sys.argv[1], sys.argv[2])))
    except Exception as error: sys.exit(f"INVALID: {type(error).__name__} {error}")

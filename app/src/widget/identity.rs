//! Identity verification for signed-in visitors: the site computes
//! `identifierHash = hex(HMAC-SHA256(hmacSecret, identifier))` on its own
//! server (the secret never reaches the browser), and Parley recomputes it.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Whether `hash` (hex, any case) is the HMAC-SHA256 of `identifier` under
/// `secret`. Compared in constant time by `verify_slice`.
pub fn verify(secret: &str, identifier: &str, hash: &str) -> bool {
    let Ok(given) = hex::decode(hash.trim().to_ascii_lowercase()) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(identifier.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// The hex HMAC a site sends for `identifier` (what `verify` accepts).
pub fn sign(secret: &str, identifier: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this arm cannot run.
        Err(_) => return String::new(),
    };
    mac.update(identifier.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// How a visitor token is stored: its SHA-256, so a copy of the database
/// does not hand out visitors' conversations.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new visitor token: 128 random bits, hex.
pub fn new_visitor_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_signed_identifier_verifies_and_nothing_else_does() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let hash = sign("a-long-enough-secret", "user-42");
        assert!(verify("a-long-enough-secret", "user-42", &hash));
        assert!(verify("a-long-enough-secret", "user-42", &hash.to_ascii_uppercase()));
        assert!(!verify("a-long-enough-secret", "user-43", &hash));
        assert!(!verify("another-secret-entirely", "user-42", &hash));
        assert!(!verify("a-long-enough-secret", "user-42", "not hex"));
        assert_ne!(token_hash("a"), token_hash("b"));
        assert_eq!(new_visitor_token().len(), 32);
    }
}

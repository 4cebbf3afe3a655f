//! `X-Hub-Signature-256`, as Meta documents it for webhooks: `sha256=` and
//! the hex HMAC-SHA256 of the raw request body, keyed with the app secret.
//! Checked over the bytes as received, before any parsing (Meta escapes
//! non-ASCII in the JSON, so re-serializing would not match).

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], data: &[u8]) -> Option<HmacSha256> {
    // HMAC takes keys of any length, so this never fails; an Option keeps
    // the code free of `expect`.
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac)
}

/// The header value Meta sends for `body` signed with `app_secret`.
pub fn compute(app_secret: &str, body: &[u8]) -> String {
    match mac(app_secret.as_bytes(), body) {
        Some(m) => format!("sha256={}", hex::encode(m.finalize().into_bytes())),
        None => String::new(),
    }
}

/// True when `header` is the signature of `body`. The comparison is
/// constant-time (`verify_slice`), so timing reveals nothing about how much
/// of a forged signature was right.
pub fn verify(app_secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_part) = header.trim().strip_prefix("sha256=") else { return false };
    let Ok(given) = hex::decode(hex_part) else { return false };
    match mac(app_secret.as_bytes(), body) {
        Some(m) => m.verify_slice(&given).is_ok(),
        None => false,
    }
}

/// Compares the handshake's `hub.verify_token` with the channel's in
/// constant time: both are MACed under one key and the MACs compared with
/// `verify_slice`, so neither the content nor the length leaks by timing.
pub fn same_token(expected: &str, given: &str) -> bool {
    const KEY: &[u8] = b"parley whatsapp verify token";
    match (mac(KEY, expected.as_bytes()), mac(KEY, given.as_bytes())) {
        (Some(a), Some(b)) => a.verify_slice(&b.finalize().into_bytes()).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "6b0e4e8a0c3f2d1b9a8e7f6d5c4b3a29";
    const BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[{"id":"0","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505551111","phone_number_id":"123456123"},"messages":[{"from":"16315551181","id":"ABGGFlA5Fpa","timestamp":"1504902988","type":"text","text":{"body":"caf\u00e9?"}}]}}]}]}"#;

    /// The documented algorithm, written out independently of `compute`:
    /// HMAC-SHA256 (RFC 2104) from the SHA-256 primitive, hex, `sha256=`.
    fn by_the_book(secret: &str, body: &[u8]) -> String {
        use sha2::Digest;
        let mut key = [0u8; 64];
        if secret.len() > 64 {
            key[..32].copy_from_slice(&Sha256::digest(secret.as_bytes()));
        } else {
            key[..secret.len()].copy_from_slice(secret.as_bytes());
        }
        let pad = |b: u8| key.iter().map(|k| k ^ b).collect::<Vec<u8>>();
        let inner = Sha256::new().chain_update(pad(0x36)).chain_update(body).finalize();
        let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
        format!("sha256={}", hex::encode(outer))
    }

    #[test]
    fn a_known_good_signature_verifies() {
        let expected = by_the_book(SECRET, BODY);
        assert_eq!(compute(SECRET, BODY), expected);
        assert!(verify(SECRET, BODY, &expected));
        // RFC 4231 test case 2, in Meta's header form.
        assert_eq!(
            compute("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify(
            "Jefe",
            b"what do ya want for nothing?",
            " sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ));
    }

    #[test]
    fn tampering_the_wrong_secret_or_a_bad_header_fails() {
        let good = by_the_book(SECRET, BODY);
        let mut tampered = BODY.to_vec();
        let at = tampered.len() - 10;
        tampered[at] ^= 1;
        assert!(!verify(SECRET, &tampered, &good), "a changed body");
        assert!(!verify(SECRET, &BODY[..BODY.len() - 1], &good), "a cut body");
        assert!(!verify("another-apps-secret", BODY, &good), "another app's secret");
        assert!(!verify(SECRET, BODY, ""), "no header");
        assert!(!verify(SECRET, BODY, good.trim_start_matches("sha256=")), "no sha256= prefix");
        assert!(!verify(SECRET, BODY, &good.replace("sha256=", "sha1=")), "another algorithm");
        assert!(!verify(SECRET, BODY, "sha256=not-hex"), "garbage");
        assert!(!verify(SECRET, BODY, &good[..good.len() - 2]), "truncated");
        let mut near = good.clone().into_bytes();
        let last = near.len() - 1;
        near[last] = if near[last] == b'0' { b'1' } else { b'0' };
        assert!(!verify(SECRET, BODY, &String::from_utf8_lossy(&near)), "a near miss");
    }

    #[test]
    fn verify_tokens_compare_exactly() {
        assert!(same_token("parley-verify", "parley-verify"));
        assert!(!same_token("parley-verify", "parley-verifx"));
        assert!(!same_token("parley-verify", "parley-verify "));
        assert!(!same_token("parley-verify", ""));
    }
}

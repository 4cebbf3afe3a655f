//! `X-Twilio-Signature`, as Twilio documents it: HMAC-SHA1, keyed with the
//! account's Auth Token, over the full URL Twilio requested followed by
//! each POST parameter's name and value, sorted by name; base64.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Option<HmacSha1> {
    // HMAC takes keys of any length, so this never fails; an Option keeps
    // the code free of `expect`.
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).ok()?;
    mac.update(url.as_bytes());
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // By name, and a repeated name by value, as Twilio's own libraries do.
    sorted.sort();
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    Some(mac)
}

/// The signature Twilio sends for a form POST of `params` to `url`.
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    match mac(auth_token, url, params) {
        Some(m) => base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes()),
        None => String::new(),
    }
}

/// True when `header` is the signature of this request. The comparison is
/// constant-time (`verify_slice`), so response timing reveals nothing
/// about how much of a forged signature was right.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], header: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else { return false };
    match mac(auth_token, url, params) {
        Some(m) => m.verify_slice(&given).is_ok(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(caller: &str) -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", caller),
            ("Digits", "1234"),
            ("From", caller),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    /// Twilio's published example (security docs and its api-snippets
    /// repository: auth token 12345, this URL and these parameters).
    #[test]
    fn twilios_published_examples_verify() {
        assert_eq!(compute("12345", URL, &params("+14158675310")), "GvWf1cFY/Q7PnoempGyD5oXAezc=");
        assert!(verify("12345", URL, &params("+14158675310"), "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        // The older edition of the same example, with another caller.
        assert_eq!(compute("12345", URL, &params("+14158675309")), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    }

    #[test]
    fn order_of_the_posted_fields_does_not_matter() {
        let mut shuffled = params("+14158675310");
        shuffled.reverse();
        assert!(verify("12345", URL, &shuffled, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
    }

    #[test]
    fn tampering_or_the_wrong_token_fails() {
        let good = "GvWf1cFY/Q7PnoempGyD5oXAezc=";
        let mut tampered = params("+14158675310");
        tampered[2].1 = "9999".into();
        assert!(!verify("12345", URL, &tampered, good), "a changed field");
        let mut extra = params("+14158675310");
        extra.push(("Body".into(), "hi".into()));
        assert!(!verify("12345", URL, &extra, good), "an added field");
        assert!(!verify("54321", URL, &params("+14158675310"), good), "another account's token");
        assert!(!verify("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", &params("+14158675310"), good));
        assert!(!verify("12345", "http://mycompany.com/myapp.php?foo=1&bar=2", &params("+14158675310"), good));
        assert!(!verify("12345", URL, &params("+14158675310"), ""), "no signature");
        assert!(!verify("12345", URL, &params("+14158675310"), "not base64!"), "garbage");
        assert!(!verify("12345", URL, &params("+14158675310"), "GvWf1cFY/Q7PnoempGyD5oXAezg="), "a near miss");
    }
}

//! Random secrets (session cookies, CSRF tokens, API tokens) and the SHA-256 hashes the store
//! keeps instead of them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Every API token starts with this, so leaked tokens are easy to search for.
pub const API_TOKEN_PREFIX: &str = "barid_";

/// 32 random bytes from the operating system's generator, URL-safe base64 (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a secret, lower-case hex: what the store keeps.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A new API token: `(secret, hash)`. Show the secret once; store only the hash
/// (`NewApiToken::secret_hash`). Public for `barid token issue`.
pub fn new_api_token() -> (String, String) {
    let secret = format!("{API_TOKEN_PREFIX}{}", random_secret());
    let hash = hash_secret(&secret);
    (secret, hash)
}

/// Compares two secrets in time that depends only on their lengths.
pub fn secrets_match(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let (secret, hash) = new_api_token();
        assert!(secret.starts_with("barid_"));
        assert_eq!(secret.len(), "barid_".len() + 43);
        assert_eq!(hash, hash_secret(&secret));
        assert_eq!(hash.len(), 64);
        assert_ne!(new_api_token().0, secret);
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(secrets_match("abc", "abc"));
        assert!(!secrets_match("abc", "abd"));
        assert!(!secrets_match("abc", "abcd"));
        assert!(!secrets_match("", "abc"));
    }
}

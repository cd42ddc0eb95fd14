//! Password hashing with argon2id, as PHC strings. Public so the `barid user add` and
//! `barid user passwd` commands hash exactly as the server verifies.

use std::sync::OnceLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// The shortest password accepted when one is set.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted, in bytes (argon2 would take more, but nobody types this).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password may have at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("the password could not be hashed: {0}")]
    Hash(String),
}

/// Checks the length rules a new password must meet.
pub fn check_password_rules(password: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// Hashes a new password with argon2id (default parameters, random salt) into a PHC string
/// such as `$argon2id$v=19$m=19456,t=2,p=1$...`. Checks [`check_password_rules`] first.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    check_password_rules(password)?;
    hash_unchecked(password)
}

fn hash_unchecked(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError::Hash(error.to_string()))
}

/// Whether `password` matches the PHC string `phc`. A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Permits for password verifications running at once: one per CPU. argon2id is
/// memory-hard (about 19 MiB per verification), so unbounded parallel logins, even for
/// usernames that do not exist, could exhaust the server's memory.
pub fn verification_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        tokio::sync::Semaphore::new(cpus)
    })
}

/// A real hash of a random password, verified against when a login names no such user, so
/// that a failed login takes as long whether or not the user exists.
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_unchecked(&crate::auth::secret::random_secret()).unwrap_or_else(|_| {
            // Only reachable if argon2 itself fails, in which case no login works anyway.
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$invalid".to_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert_ne!(
            hash,
            hash_password("correct horse battery").unwrap(),
            "salted"
        );
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        assert_eq!(hash_password("short"), Err(PasswordError::TooShort));
        assert_eq!(
            hash_password(&"x".repeat(2000)),
            Err(PasswordError::TooLong)
        );
        assert!(dummy_hash().starts_with("$argon2id$"));
    }
}

//! Server configuration: defaults in code, then an optional TOML file, then `BARID_*`
//! environment variables. The result is a value passed to whoever needs it, never a global.
//!
//! What belongs here: the settings, their defaults, loading and checking them, and the
//! commented example file. What does not: acting on them (the server, the store and the
//! binary do that).

use barid_core::delivery::{DeliveryPolicy, PolicyError};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::{Deserialize, Serialize};

/// The prefix of the environment variables that override settings.
pub const ENV_PREFIX: &str = "BARID_";

/// Everything `barid serve` can be told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`.
    pub database_url: DatabaseUrl,
    /// How long a login lasts, in minutes.
    pub session_lifetime_minutes: u32,
    /// Mark cookies `Secure` (only sent over HTTPS). Turn on when a reverse proxy serves
    /// Barid over HTTPS; with `tls_cert` and `tls_key` set, [`Config::load`] turns it on, since
    /// then Barid serves HTTPS only and a cookie without `Secure` would serve no one.
    pub cookie_secure: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Login attempts allowed per minute for one client address and username.
    pub login_attempts_per_minute: u32,
    /// Public tracking lookups (pages and API, one per request whatever the number of IDs)
    /// allowed per minute for one client address.
    pub tracking_lookups_per_minute: u32,
    /// Log output: `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Log filter in `tracing` syntax, e.g. `info` or `info,barid_web=debug`.
    pub log_filter: String,
    /// A folder whose CSV files replace the reference tables Barid ships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_dir: Option<PathBuf>,
    /// Failed delivery attempts after which an item goes back to its sender.
    pub delivery_attempts: u8,
    /// Days an item may wait at its delivery office before it goes back to its sender.
    pub delivery_days: u16,
    /// The certificate chain Barid serves HTTPS with (PEM: the server's certificate first,
    /// then its intermediates). With `tls_key`, Barid serves HTTPS only on `listen`; without
    /// both, plain HTTP. One without the other is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of `tls_cert` (PEM, unencrypted; PKCS#8, RSA or EC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// Extra root certificates (a PEM bundle) the partner exchange trusts for partners'
    /// `https://` endpoints, in addition to the built-in web PKI roots: for partners whose
    /// nodes are certified by a post's private certificate authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_ca_file: Option<PathBuf>,
}

/// The names of the settings, which are also the lower-cased `BARID_*` variables.
const SETTINGS: [&str; 15] = [
    "listen",
    "database_url",
    "session_lifetime_minutes",
    "cookie_secure",
    "body_limit_bytes",
    "login_attempts_per_minute",
    "tracking_lookups_per_minute",
    "log_format",
    "log_filter",
    "reference_dir",
    "delivery_attempts",
    "delivery_days",
    "tls_cert",
    "tls_key",
    "exchange_ca_file",
];

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DatabaseUrl("sqlite://barid.db".to_owned()),
            session_lifetime_minutes: 12 * 60,
            cookie_secure: false,
            body_limit_bytes: 1024 * 1024,
            login_attempts_per_minute: 10,
            tracking_lookups_per_minute: 120,
            log_format: LogFormat::Text,
            log_filter: "info".to_owned(),
            reference_dir: None,
            delivery_attempts: DeliveryPolicy::DEFAULT.attempts(),
            delivery_days: DeliveryPolicy::DEFAULT.days(),
            tls_cert: None,
            tls_key: None,
            exchange_ca_file: None,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// A database URL. `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL with its password, for connecting. Never log this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`: in the user part
    /// (`postgres://barid:***@db/barid`) and in query parameters such as `?password=`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (url.as_str(), None),
        };
        let mut redacted = redact_userinfo(base);
        if let Some(query) = query {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.to_ascii_lowercase().contains("pass") => {
                        format!("{key}=***")
                    }
                    _ => param.to_owned(),
                })
                .collect();
            redacted.push('?');
            redacted.push_str(&params.join("&"));
        }
        redacted
    }
}

/// `scheme://user:password@host/…` with the password replaced by `***`.
fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = url.get(authority_start..).unwrap_or("");
    let authority_end = rest.find(['/', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or("");
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = authority.get(..at).unwrap_or("");
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        url.get(..authority_start).unwrap_or(""),
        userinfo.get(..colon).unwrap_or(""),
        rest.get(at..).unwrap_or("")
    )
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Why the configuration cannot be used. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "configuration file {} does not exist: create it (`barid config example > {}`) or leave the option out",
        path.display(), path.display()
    )]
    MissingFile { path: PathBuf },
    #[error("invalid configuration: {message}. `barid config example` lists every setting")]
    Invalid { message: String },
    #[error("setting {setting}: {problem}")]
    Value {
        setting: &'static str,
        problem: String,
    },
}

impl Config {
    /// Loads the defaults, then `file` (if given; it must exist), then the `BARID_*` pairs of
    /// `env` (pass `std::env::vars()` in the binary, a list in tests). Unknown `BARID_*`
    /// variables are ignored, since other tools share the prefix; unknown keys in the file
    /// are an error, since they are usually typing mistakes.
    pub fn load<I, K, V>(file: Option<&Path>, env: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile {
                    path: path.to_owned(),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(EnvPairs::new(env));
        let mut config: Config = figment.extract().map_err(|error| ConfigError::Invalid {
            message: error.to_string(),
        })?;
        config.check()?;
        // Barid then serves HTTPS only: the example file's `cookie_secure = false` must not
        // leave the session cookie open to being sent over plain HTTP to another host.
        if config.tls_files().is_some() {
            config.cookie_secure = true;
        }
        Ok(config)
    }

    /// Checks the values that parse but cannot work.
    pub fn check(&self) -> Result<(), ConfigError> {
        let problem = |setting: &'static str, problem: &str| {
            Err(ConfigError::Value {
                setting,
                problem: problem.to_owned(),
            })
        };
        if self.session_lifetime_minutes == 0 {
            return problem("session_lifetime_minutes", "must be at least 1");
        }
        if self.body_limit_bytes < 1024 {
            return problem("body_limit_bytes", "must be at least 1024, or no form fits");
        }
        if self.login_attempts_per_minute == 0 {
            return problem(
                "login_attempts_per_minute",
                "must be at least 1, or nobody can log in",
            );
        }
        if self.tracking_lookups_per_minute == 0 {
            return problem(
                "tracking_lookups_per_minute",
                "must be at least 1, or nobody can track an item",
            );
        }
        if self.database_url.expose().trim().is_empty() {
            return problem(
                "database_url",
                "is empty; use sqlite://barid.db or postgres://USER:PASSWORD@HOST/DB",
            );
        }
        if let Err(error) = self.delivery_policy() {
            let setting = match error {
                PolicyError::Attempts(_) => "delivery_attempts",
                PolicyError::Days(_) => "delivery_days",
            };
            return Err(ConfigError::Value {
                setting,
                problem: error.to_string(),
            });
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => {
                return problem(
                    "tls_key",
                    "is not set but tls_cert is: HTTPS needs the certificate chain and its \
                     private key, so set both (or neither, for plain HTTP)",
                );
            }
            (None, Some(_)) => {
                return problem(
                    "tls_cert",
                    "is not set but tls_key is: HTTPS needs the certificate chain and its \
                     private key, so set both (or neither, for plain HTTP)",
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// The certificate chain and private key to serve HTTPS with, when both are set.
    pub fn tls_files(&self) -> Option<(&Path, &Path)> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            _ => None,
        }
    }

    /// When undeliverable items go back to their senders.
    pub fn delivery_policy(&self) -> Result<DeliveryPolicy, PolicyError> {
        DeliveryPolicy::new(self.delivery_attempts, self.delivery_days)
    }

    /// A commented configuration file holding the defaults; `barid config example` prints it.
    pub fn example() -> &'static str {
        EXAMPLE
    }
}

const EXAMPLE: &str = r#"# Barid server configuration.
#
# Settings are read in layers: the defaults shown here, then this file (barid serve --config
# FILE), then environment variables named BARID_ and the setting in capitals, for example
# BARID_LISTEN=0.0.0.0:8080 or BARID_DATABASE_URL=postgres://barid:secret@db/barid.
# Command-line options such as --listen and --database override all of them.

# Address and port to listen on. Use 0.0.0.0:8080 to accept connections from other machines.
listen = "127.0.0.1:8080"

# Where the data lives. The default is a SQLite file in the working folder; the folder must
# exist. For PostgreSQL: "postgres://USER:PASSWORD@HOST:5432/DATABASE".
database_url = "sqlite://barid.db"

# How long a login lasts, in minutes.
session_lifetime_minutes = 720

# Send cookies only over HTTPS. Turn this on when a reverse proxy serves Barid over HTTPS.
# When Barid serves HTTPS itself (tls_cert and tls_key below), it is on whatever this says.
cookie_secure = false

# The largest request body accepted, in bytes (1 MiB).
body_limit_bytes = 1048576

# Login attempts allowed per minute for one client address and username.
login_attempts_per_minute = 10

# Public tracking lookups (the /track pages and the tracking API) allowed per minute for one
# client address. A lookup of several IDs at once counts as one. Behind a reverse proxy every
# client has the proxy's address, so raise this (or limit at the proxy).
tracking_lookups_per_minute = 120

# Log output: "text" for people, "json" for log collectors.
log_format = "text"

# Which log lines to write, in tracing's filter syntax, e.g. "info,barid_web=debug".
log_filter = "info"

# A folder of CSV files that replace the reference tables Barid ships (event codes, mail
# classes, ...). Files that are missing keep the shipped table.
# reference_dir = "/etc/barid/reference"

# When the delivery office cannot hand an item over, it goes back to its sender after this
# many failed attempts, or once it has waited this many days at the delivery office (at the
# pick-up counter or between attempts). Barid checks the days every minute.
delivery_attempts = 3
delivery_days = 15

# HTTPS. With both set, Barid serves HTTPS only on `listen` (and prints https:// when it
# starts); with neither, plain HTTP; one without the other is refused. tls_cert is the PEM
# certificate chain (the server's certificate first, then any intermediates), tls_key its
# unencrypted PEM private key. A file that cannot be read or used stops Barid at startup.
# docs/exchange/tls.md shows how to make them with a post's own certificate authority.
# Partner tokens are bearer secrets: between real posts, the exchange must go over HTTPS.
# tls_cert = "/etc/barid/tls/cert.pem"
# tls_key = "/etc/barid/tls/key.pem"

# Root certificates (a PEM bundle) trusted for partners' https:// endpoints, in addition to
# the built-in web PKI roots: the certificate authority of a partner post that certifies its
# own nodes.
# exchange_ca_file = "/etc/barid/tls/partner-cas.pem"
"#;

/// A figment provider over `BARID_*` pairs given as a value rather than read from the
/// process, so tests need not change the environment.
struct EnvPairs {
    pairs: Vec<(String, String)>,
}

impl EnvPairs {
    fn new<I, K, V>(env: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs = env
            .into_iter()
            .filter_map(|(key, value)| {
                let name = key.as_ref().strip_prefix(ENV_PREFIX)?.to_ascii_lowercase();
                SETTINGS
                    .contains(&name.as_str())
                    .then(|| (name, value.as_ref().to_owned()))
            })
            .collect();
        Self { pairs }
    }
}

impl Provider for EnvPairs {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable").interpolater(|_: &Profile, keys: &[&str]| {
            format!("{ENV_PREFIX}{}", keys.join("_").to_ascii_uppercase())
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (key, value) in &self.pairs {
            // Text settings stay text ("true" is a valid log filter); the others parse the way
            // figment parses any environment value.
            let parsed = match key.as_str() {
                "database_url" | "log_filter" | "reference_dir" | "tls_cert" | "tls_key"
                | "exchange_ca_file" | "listen" | "log_format" => Value::from(value.clone()),
                _ => value
                    .parse::<Value>()
                    .unwrap_or_else(|never| match never {}),
            };
            dict.insert(key.clone(), parsed);
        }
        Ok(Profile::Default.collect(dict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_ENV: [(&str, &str); 0] = [];

    #[test]
    fn the_example_parses_back_to_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("barid.toml");
        std::fs::write(&path, Config::example()).unwrap();
        assert_eq!(
            Config::load(Some(&path), NO_ENV).unwrap(),
            Config::default()
        );
        // Every setting is in the example, commented or not.
        for setting in SETTINGS {
            assert!(
                Config::example().contains(&format!("{setting} = ")),
                "{setting}"
            );
        }
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("barid.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\ncookie_secure = true\nlog_format = \"json\"\n",
        )
        .unwrap();
        let env = [
            ("BARID_LISTEN", "127.0.0.1:9100"),
            (
                "BARID_DATABASE_URL",
                "postgres://barid:hunter2@db:5432/barid",
            ),
            ("BARID_BODY_LIMIT_BYTES", "4096"),
            ("BARID_TEST_POSTGRES_URL", "ignored"),
            ("PATH", "/usr/bin"),
        ];
        let config = Config::load(Some(&path), env).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9100".parse().unwrap());
        assert!(config.cookie_secure);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.body_limit_bytes, 4096);
        assert_eq!(
            config.database_url.expose(),
            "postgres://barid:hunter2@db:5432/barid"
        );
    }

    #[test]
    fn debug_hides_the_database_password() {
        let config = Config {
            database_url: DatabaseUrl::new(
                "postgres://barid:hunter2@db:5432/barid?sslmode=require",
            ),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgres://barid:***@db:5432/barid?sslmode=require"),
            "{shown}"
        );
        assert_eq!(
            DatabaseUrl::new("sqlite://barid.db").redacted(),
            "sqlite://barid.db"
        );
        assert_eq!(
            DatabaseUrl::new("postgres://barid@db/barid").redacted(),
            "postgres://barid@db/barid"
        );
        assert_eq!(
            DatabaseUrl::new("postgres://barid@db/barid?sslmode=require&password=hunter2")
                .redacted(),
            "postgres://barid@db/barid?sslmode=require&password=***"
        );
        assert_eq!(
            DatabaseUrl::new("postgres://barid:a@b@db/barid?sslpassword=x").redacted(),
            "postgres://barid:***@db/barid?sslpassword=***"
        );
    }

    #[test]
    fn errors_name_the_setting_and_where_it_came_from() {
        let error = Config::load(None, [("BARID_SESSION_LIFETIME_MINUTES", "soon")]).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("BARID_SESSION_LIFETIME_MINUTES"), "{text}");

        let error = Config::load(None, [("BARID_LISTEN", "localhost")]).unwrap_err();
        assert!(error.to_string().contains("BARID_LISTEN"), "{error}");

        let error = Config::load(Some(Path::new("/nonexistent/barid.toml")), NO_ENV).unwrap_err();
        assert!(matches!(error, ConfigError::MissingFile { .. }), "{error}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("barid.toml");
        std::fs::write(&path, "lisen = \"0.0.0.0:1\"\n").unwrap();
        let error = Config::load(Some(&path), NO_ENV).unwrap_err();
        assert!(error.to_string().contains("lisen"), "{error}");

        let error = Config::load(None, [("BARID_LOGIN_ATTEMPTS_PER_MINUTE", "0")]).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::Value {
                setting: "login_attempts_per_minute",
                ..
            }
        ));
    }

    #[test]
    fn tls_needs_the_certificate_and_the_key() {
        let error = Config::load(None, [("BARID_TLS_CERT", "/tmp/cert.pem")]).unwrap_err();
        assert!(
            matches!(
                error,
                ConfigError::Value {
                    setting: "tls_key",
                    ..
                }
            ),
            "{error}"
        );
        let text = error.to_string();
        assert!(
            text.contains("tls_key") && text.contains("tls_cert") && text.contains("both"),
            "{text}"
        );

        let error = Config::load(None, [("BARID_TLS_KEY", "/tmp/key.pem")]).unwrap_err();
        assert!(
            matches!(
                error,
                ConfigError::Value {
                    setting: "tls_cert",
                    ..
                }
            ),
            "{error}"
        );

        // Both: HTTPS, with Secure cookies even though the file says otherwise.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("barid.toml");
        std::fs::write(&path, "cookie_secure = false\n").unwrap();
        let config = Config::load(
            Some(&path),
            [
                ("BARID_TLS_CERT", "/etc/barid/cert.pem"),
                ("BARID_TLS_KEY", "/etc/barid/key.pem"),
                ("BARID_EXCHANGE_CA_FILE", "/etc/barid/cas.pem"),
            ],
        )
        .unwrap();
        assert_eq!(
            config.tls_files(),
            Some((
                Path::new("/etc/barid/cert.pem"),
                Path::new("/etc/barid/key.pem")
            ))
        );
        assert!(config.cookie_secure);
        assert_eq!(
            config.exchange_ca_file.as_deref(),
            Some(Path::new("/etc/barid/cas.pem"))
        );
        assert_eq!(Config::default().tls_files(), None);
    }
}

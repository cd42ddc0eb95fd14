//! Translations: every string a page shows comes from the Fluent files in `locales/ar/` and
//! `locales/en/`, compiled into the binary, and the choice of language for a request.
//!
//! Templates hold a [`Tr`] and call `t.tr("key")`, `t.tr1("key", "name", value)` and so on.
//! Postal codes get their texts from the reference data instead (event and reason names,
//! country names), which carries both languages itself.
//!
//! **Isolation marks.** Fluent wraps each placeable (`{ $id }`) in FIRST STRONG ISOLATE …
//! POP DIRECTORY ISOLATE (U+2068 … U+2069), and Barid keeps that default on purpose: an S10
//! ID, a number or a Latin name put inside an Arabic sentence then keeps its own direction,
//! as `<bdi>` does in markup, which a sentence from a translation file cannot contain (it is
//! escaped). IDs shown on their own are wrapped in `<bdi dir="ltr">` by the templates instead,
//! so copying one copies no marks. Tests compare text with [`strip_isolation`].
//!
//! What belongs here: the loader, lookups, language negotiation and the language cookie. What
//! does not: the words themselves (the `.ftl` files).

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use barid_store::model::Language;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
    };
}

static ARABIC: LanguageIdentifier = langid!("ar");
static ENGLISH: LanguageIdentifier = langid!("en");

/// The cookie that remembers the chosen language (`ar` or `en`).
pub const LANG_COOKIE: &str = "lang";

/// FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, which Fluent puts around placeables.
pub const ISOLATION_MARKS: [char; 2] = ['\u{2068}', '\u{2069}'];

/// `text` without Fluent's isolation marks, for comparing in tests and logs.
pub fn strip_isolation(text: &str) -> String {
    text.chars()
        .filter(|c| !ISOLATION_MARKS.contains(c))
        .collect()
}

fn identifier(language: Language) -> &'static LanguageIdentifier {
    match language {
        Language::Ar => &ARABIC,
        Language::En => &ENGLISH,
    }
}

/// A value for a message's variable.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Self {
        Arg::Text(text.clone())
    }
}

impl From<i64> for Arg {
    fn from(number: i64) -> Self {
        Arg::Number(number)
    }
}

impl From<u16> for Arg {
    fn from(number: u16) -> Self {
        Arg::Number(i64::from(number))
    }
}

impl From<u32> for Arg {
    fn from(number: u32) -> Self {
        Arg::Number(i64::from(number))
    }
}

impl From<u8> for Arg {
    fn from(number: u8) -> Self {
        Arg::Number(i64::from(number))
    }
}

impl From<u64> for Arg {
    fn from(number: u64) -> Self {
        Arg::Number(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

/// Templates pass fields by reference.
macro_rules! arg_from_ref {
    ($($type:ty),*) => {
        $(impl From<&$type> for Arg {
            fn from(value: &$type) -> Self {
                Arg::from(*value)
            }
        })*
    };
}
arg_from_ref!(&str, i64, u64, u32, u16, u8, usize);

impl From<usize> for Arg {
    fn from(number: usize) -> Self {
        Arg::Number(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

/// The translator for one language: what templates call to get their strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    language: Language,
}

impl Tr {
    pub fn new(language: Language) -> Self {
        Self { language }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The `lang` attribute: `ar` or `en`.
    pub fn lang(&self) -> &'static str {
        self.language.as_str()
    }

    /// The `dir` attribute: `rtl` for Arabic, `ltr` for English.
    pub fn dir(&self) -> &'static str {
        match self.language {
            Language::Ar => "rtl",
            Language::En => "ltr",
        }
    }

    pub fn is_rtl(&self) -> bool {
        self.language == Language::Ar
    }

    /// The language the switch offers.
    pub fn other(&self) -> Tr {
        Tr::new(match self.language {
            Language::Ar => Language::En,
            Language::En => Language::Ar,
        })
    }

    /// The message `key`.
    pub fn tr(&self, key: &str) -> String {
        self.lookup(key, &[])
    }

    /// The message `key` with one variable.
    pub fn tr1(&self, key: &str, name: &'static str, value: impl Into<Arg>) -> String {
        self.lookup(key, &[(name, value.into())])
    }

    /// The message `key` with two variables.
    pub fn tr2(
        &self,
        key: &str,
        name: &'static str,
        value: impl Into<Arg>,
        name2: &'static str,
        value2: impl Into<Arg>,
    ) -> String {
        self.lookup(key, &[(name, value.into()), (name2, value2.into())])
    }

    /// The message `key` with any number of variables.
    pub fn lookup(&self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let args: Option<HashMap<Cow<'static, str>, FluentValue<'static>>> = (!args.is_empty())
            .then(|| {
                args.iter()
                    .map(|(name, value)| {
                        let value = match value {
                            Arg::Text(text) => FluentValue::from(text.clone()),
                            Arg::Number(number) => FluentValue::from(*number),
                        };
                        (Cow::Borrowed(*name), value)
                    })
                    .collect()
            });
        match LOCALES.lookup_single_language(identifier(self.language), key, args.as_ref()) {
            Ok(text) => text,
            Err(error) => {
                // A missing key is a defect the completeness tests catch; show English (or the
                // key) rather than nothing.
                tracing::warn!(key, language = self.lang(), %error, "translation missing");
                LOCALES
                    .lookup_single_language(&ENGLISH, key, args.as_ref())
                    .unwrap_or_else(|_| key.to_owned())
            }
        }
    }

    /// A country's name in this language, from the ISO table of barid-core.
    pub fn country(&self, country: &barid_core::CountryCode) -> &'static str {
        match self.language {
            Language::Ar => country.name_ar(),
            Language::En => country.name_en(),
        }
    }

    /// One of a pair of texts (English, Arabic) from reference or office data.
    pub fn pick<'a>(&self, en: &'a str, ar: &'a str) -> &'a str {
        match self.language {
            Language::Ar if !ar.is_empty() => ar,
            _ => en,
        }
    }
}

/// The page language from what the request says: `?lang=`, then the language cookie, then
/// `Accept-Language`. `None` leaves the choice to the operator's default.
pub fn requested_language(query: Option<&str>, headers: &HeaderMap) -> Option<Language> {
    let jar = CookieJar::from_headers(headers);
    query
        .and_then(Language::parse)
        .or_else(|| {
            jar.get(LANG_COOKIE)
                .and_then(|cookie| Language::parse(cookie.value()))
        })
        .or_else(|| from_accept_language(headers))
}

/// The first of Arabic or English in `Accept-Language`, by preference.
fn from_accept_language(headers: &HeaderMap) -> Option<Language> {
    let header = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut choices: Vec<(u16, usize, Language)> = header
        .split(',')
        .enumerate()
        .filter_map(|(index, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            let primary = tag.split('-').next()?;
            let language = Language::parse(primary)?;
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            // Thousandths, so the sort is on integers.
            let quality = (quality.clamp(0.0, 1.0) * 1000.0) as u16;
            (quality > 0).then_some((quality, index, language))
        })
        .collect();
    choices.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    choices.first().map(|choice| choice.2)
}

/// Sets the language cookie when the request chose a language with `?lang=`. The cookie is
/// `SameSite=Lax`, unlike the session's, so that a tracking link followed from an e-mail
/// still opens in the language the person chose.
pub fn remember_language(jar: CookieJar, query: Option<&str>, secure: bool) -> CookieJar {
    match query.and_then(Language::parse) {
        Some(language) => jar.add(
            Cookie::build((LANG_COOKIE, language.as_str().to_owned()))
                .http_only(true)
                .same_site(SameSite::Lax)
                .path("/")
                .secure(secure)
                .max_age(time::Duration::days(365))
                .build(),
        ),
        None => jar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(accept: Option<&'static str>, cookie: Option<&'static str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(accept));
        }
        if let Some(cookie) = cookie {
            headers.insert(header::COOKIE, HeaderValue::from_static(cookie));
        }
        headers
    }

    #[test]
    fn language_comes_from_query_then_cookie_then_header() {
        let none = headers(None, None);
        assert_eq!(requested_language(Some("ar"), &none), Some(Language::Ar));
        assert_eq!(requested_language(None, &none), None);
        assert_eq!(
            requested_language(None, &headers(Some("fr-FR, ar-EG;q=0.8, en;q=0.5"), None)),
            Some(Language::Ar)
        );
        assert_eq!(
            requested_language(None, &headers(Some("ar;q=0.4, en-GB"), None)),
            Some(Language::En)
        );
        assert_eq!(
            requested_language(None, &headers(Some("ar"), Some("lang=en"))),
            Some(Language::En)
        );
        assert_eq!(
            requested_language(Some("xx"), &headers(None, Some("lang=en"))),
            Some(Language::En)
        );
        assert_eq!(
            requested_language(None, &headers(Some("fr, de;q=0.5"), None)),
            None
        );
    }

    #[test]
    fn lookups_fill_in_variables_inside_isolation_marks() {
        let en = Tr::new(Language::En);
        let text = en.tr1("track-not-known", "id", "RR123456785EG");
        assert!(text.contains("\u{2068}RR123456785EG\u{2069}"), "{text:?}");
        assert!(strip_isolation(&text).contains("RR123456785EG"));
        let ar = Tr::new(Language::Ar);
        assert_ne!(ar.tr("app-name"), en.tr("app-name"));
        assert_eq!(ar.dir(), "rtl");
        assert_eq!(en.other().lang(), "ar");
    }

    #[test]
    fn a_missing_key_falls_back_to_the_key() {
        assert_eq!(Tr::new(Language::Ar).tr("no-such-key"), "no-such-key");
    }
}

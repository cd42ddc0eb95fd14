//! The translation files: Arabic and English have the same files, the same messages with the
//! same variables, and every key the code and the templates use exists in both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use barid_core::lifecycle::ItemStatus;
use barid_core::{ContentCategory, Role, S10Service};
use barid_store::model::Language;
use barid_web::pages::Tr;

const LANGUAGES: [&str; 2] = ["ar", "en"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The message IDs (and `message.attribute` IDs) of a Fluent file, each with the variables its
/// value uses. Terms (`-name`) are listed with their dash.
fn messages(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let starts_entry = line
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '-');
        let body = if starts_entry {
            let (id, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not a message: {line:?}"));
            let id = id.trim().to_owned();
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "bad message ID {id:?}"
            );
            assert!(
                messages.insert(id.clone(), BTreeSet::new()).is_none(),
                "{id} is defined twice"
            );
            current = Some(id);
            value
        } else if let Some(attribute) = line.trim_start().strip_prefix('.') {
            let (name, value) = attribute.split_once('=').unwrap();
            let parent = current.clone().expect("attribute outside a message");
            let id = format!("{}.{}", parent.split('.').next().unwrap(), name.trim());
            messages.insert(id.clone(), BTreeSet::new());
            current = Some(id);
            value
        } else {
            line
        };
        if let Some(id) = &current {
            let variables = messages.get_mut(id).unwrap();
            for piece in body.split("$").skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                variables.insert(name);
            }
        }
    }
    messages
}

fn ftl_files(language: &str) -> BTreeMap<String, PathBuf> {
    let dir = crate_dir().join("locales").join(language);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect()
}

fn all_messages(language: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut all = BTreeMap::new();
    for (name, path) in ftl_files(language) {
        for (id, variables) in messages(&std::fs::read_to_string(&path).unwrap()) {
            assert!(
                all.insert(id.clone(), variables).is_none(),
                "{language}/{name}: {id} is also in another file"
            );
        }
    }
    all
}

#[test]
fn arabic_and_english_have_the_same_files_keys_and_variables() {
    let ar_files: BTreeSet<String> = ftl_files("ar").into_keys().collect();
    let en_files: BTreeSet<String> = ftl_files("en").into_keys().collect();
    assert_eq!(
        ar_files, en_files,
        "the same files in locales/ar and locales/en"
    );
    assert!(!ar_files.is_empty());
    for file in &ar_files {
        let ar =
            messages(&std::fs::read_to_string(crate_dir().join("locales/ar").join(file)).unwrap());
        let en =
            messages(&std::fs::read_to_string(crate_dir().join("locales/en").join(file)).unwrap());
        let only_ar: Vec<_> = ar.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !ar.contains_key(*k)).collect();
        assert!(
            only_ar.is_empty() && only_en.is_empty(),
            "{file}: only in Arabic {only_ar:?}, only in English {only_en:?}"
        );
        for (key, variables) in &en {
            assert_eq!(
                &ar[key], variables,
                "{file}: {key} uses different variables in Arabic and English"
            );
        }
    }
}

#[test]
fn the_key_parser_sees_what_fluent_sees() {
    // A message without variables formats to something other than its key in both languages,
    // so the files parse and the parser above is not missing anything.
    for language in LANGUAGES {
        let t = Tr::new(Language::parse(language).unwrap());
        let all = all_messages(language);
        assert!(all.len() > 150, "{}", all.len());
        for (key, variables) in all {
            if variables.is_empty() {
                let text = t.tr(&key);
                assert!(text != key && !text.is_empty(), "{language}: {key}");
            }
        }
    }
    let parsed =
        messages("a = x\nb = { $n ->\n    [one] one\n   *[other] { $n } and { $m }\n}\n# c = no\n");
    assert_eq!(parsed.keys().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(
        parsed["b"],
        BTreeSet::from(["n".to_owned(), "m".to_owned()])
    );
}

/// Every `tr("key"`, `tr1("key"`, `tr2("key"` and `lookup("key"` in the templates and the code.
fn keys_used() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .extension()
                .is_some_and(|ext| ext == "rs" || ext == "html")
            {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&crate_dir().join("src"), &mut files);
    walk(&crate_dir().join("templates"), &mut files);
    let key_of = |rest: &str| -> Option<String> {
        let rest = rest.trim_start().strip_prefix('"')?;
        let key: String = rest.chars().take_while(|c| *c != '"').collect();
        let plain = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        plain.then_some(key)
    };
    let mut keys = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for call in [".tr(", ".tr1(", ".tr2(", ".lookup("] {
            keys.extend(text.split(call).skip(1).filter_map(key_of));
        }
        // The home page's tasks are listed as keys in a table.
        for prefix in ["\"task-", "\"coming-"] {
            keys.extend(
                text.split(prefix)
                    .skip(1)
                    .filter_map(|rest| key_of(&format!("\"{}{rest}", &prefix[1..]))),
            );
        }
    }
    keys
}

#[test]
fn every_key_the_code_uses_is_in_both_languages() {
    let mut used = keys_used();
    // Examples in the i18n module's documentation and tests.
    used.remove("key");
    used.remove("no-such-key");
    for key in [
        "track-invalid",
        "app-name",
        "date-time",
        "task-oe-scan",
        "coming-quality",
    ] {
        assert!(used.contains(key), "the scan missed {key}");
    }
    // Keys built from values.
    for status in ItemStatus::ALL {
        used.insert(format!("status-{}", status.as_str().replace('_', "-")));
    }
    for role in Role::ALL {
        used.insert(format!("role-{}", role.as_str().replace('_', "-")));
    }
    for month in 1..=12 {
        used.insert(format!("month-{month}"));
    }
    for service in [
        S10Service::Ems,
        S10Service::Registered,
        S10Service::Tracked,
        S10Service::Insured,
        S10Service::OtherLetterPost,
        S10Service::MBag,
        S10Service::Parcel,
        S10Service::EcommerceParcel,
        S10Service::Ibrs,
        S10Service::DomesticOrBilateral,
        S10Service::Unassigned,
    ] {
        used.insert(format!("service-{}", service.as_str().replace('_', "-")));
    }
    for category in ContentCategory::ALL {
        used.insert(format!("category-{}", category.as_str().replace('_', "-")));
    }
    for code in ["login-failed", "rate-limited", "csrf-failed"] {
        used.insert(format!("login-error-{code}"));
    }
    for source in ["local", "partner"] {
        used.insert(format!("event-source-{source}"));
    }
    for state in ["in-node", "no-endpoint", "paused", "failing", "sending"] {
        used.insert(format!("partners-state-{state}"));
    }
    for step in ["paused", "resumed"] {
        used.insert(format!("partners-done-{step}"));
    }
    for status in ["draft", "active", "suspended", "ended"] {
        used.insert(format!("agreements-status-{status}"));
    }
    for leg in barid_core::quality::QualityLeg::ALL {
        used.insert(format!("agreements-leg-{}", leg.as_str()));
    }
    for language in LANGUAGES {
        let defined = all_messages(language);
        let missing: Vec<_> = used
            .iter()
            .filter(|key| !defined.contains_key(*key))
            .collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
    }
}

//! The outward documents of recently closed dispatches, rendered while the closing transaction
//! ran, kept in memory so that the operator's first print is served at once.
//!
//! A miss is never an error: the document is rendered from the stored dispatch, as a reprint
//! always could be. Nothing a cached document prints changes after its dispatch closes (S8 and
//! S9 IDs, weights, items, their countries) except office names, so the cache is emptied when
//! an office changes.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use axum::body::Bytes;
use barid_core::{CountryCode, DispatchId, SiteCode};

/// The documents an outward dispatch prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutwardDocument {
    /// CN 35 (CN 34 for surface mail), one label per receptacle.
    ReceptacleLabels,
    /// CN 31.
    LetterBill,
    /// CN 33.
    SpecialList,
    /// CN 37, CN 38 or CN 41, chosen by the mail category.
    DeliveryBill,
}

impl OutwardDocument {
    pub const ALL: [Self; 4] = [
        Self::ReceptacleLabels,
        Self::LetterBill,
        Self::SpecialList,
        Self::DeliveryBill,
    ];

    /// The end of the file name, after the S8 ID.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Self::ReceptacleLabels => "cn35",
            Self::LetterBill => "cn31",
            Self::SpecialList => "cn33",
            Self::DeliveryBill => "delivery-bill",
        }
    }
}

/// The four documents of one dispatch, in the order of [`OutwardDocument::ALL`].
#[derive(Debug, Clone)]
pub struct RenderedDocuments {
    pub file_stem: String,
    pub documents: [Bytes; 4],
}

impl RenderedDocuments {
    fn bytes(&self) -> usize {
        self.documents.iter().map(Bytes::len).sum()
    }

    pub fn get(&self, document: OutwardDocument) -> Bytes {
        let index = OutwardDocument::ALL
            .iter()
            .position(|candidate| *candidate == document)
            .unwrap_or_default();
        self.documents.get(index).cloned().unwrap_or_default()
    }
}

/// One cached document, with what authorises reading it.
#[derive(Debug, Clone)]
pub struct CachedDocument {
    /// The office that closed the dispatch: only its staff (and the operator's supervisors)
    /// may print it.
    pub office: SiteCode,
    pub file_name: String,
    pub bytes: Bytes,
}

struct Entry {
    operator: CountryCode,
    /// S8 numbers restart each year: a later dispatch with the same ID replaces the entry.
    dispatch: DispatchId,
    office: SiteCode,
    documents: RenderedDocuments,
}

/// The most recent dispatches' documents, up to a total size.
pub struct DocumentCache {
    limit_bytes: usize,
    entries: Mutex<VecDeque<Entry>>,
}

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentCache")
            .field("limit_bytes", &self.limit_bytes)
            .finish_non_exhaustive()
    }
}

/// A CN 33 of 10,000 lines is about 12.5 MB: this keeps the documents of the last few large
/// dispatches, or of dozens of ordinary ones.
const DEFAULT_LIMIT_BYTES: usize = 64 * 1024 * 1024;

impl Default for DocumentCache {
    fn default() -> Self {
        Self::with_limit(DEFAULT_LIMIT_BYTES)
    }
}

impl DocumentCache {
    pub fn with_limit(limit_bytes: usize) -> Self {
        Self {
            limit_bytes,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    fn entries(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        // A panic while holding the lock leaves whole entries behind (each change is one
        // push or pop), so the contents are still sound.
        match self.entries.lock() {
            Ok(entries) => entries,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn insert(
        &self,
        operator: CountryCode,
        dispatch: DispatchId,
        office: SiteCode,
        documents: RenderedDocuments,
    ) {
        if documents.bytes() > self.limit_bytes {
            return;
        }
        let mut entries = self.entries();
        entries.retain(|entry| !(entry.operator == operator && entry.dispatch == dispatch));
        entries.push_back(Entry {
            operator,
            dispatch,
            office,
            documents,
        });
        let mut total: usize = entries.iter().map(|entry| entry.documents.bytes()).sum();
        while total > self.limit_bytes {
            match entries.pop_front() {
                Some(oldest) => total -= oldest.documents.bytes(),
                None => break,
            }
        }
    }

    pub fn get(
        &self,
        operator: CountryCode,
        dispatch: &DispatchId,
        document: OutwardDocument,
    ) -> Option<CachedDocument> {
        let entries = self.entries();
        let entry = entries
            .iter()
            .find(|entry| entry.operator == operator && entry.dispatch == *dispatch)?;
        Some(CachedDocument {
            office: entry.office.clone(),
            file_name: format!(
                "{}-{}.pdf",
                entry.documents.file_stem,
                document.file_suffix()
            ),
            bytes: entry.documents.get(document),
        })
    }

    pub fn clear(&self) {
        self.entries().clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn documents(size: usize) -> RenderedDocuments {
        RenderedDocuments {
            file_stem: "EGCAIAPSRMHAAUR60001".to_owned(),
            documents: [
                Bytes::from(vec![1; size]),
                Bytes::from(vec![2; size]),
                Bytes::from(vec![3; size]),
                Bytes::from(vec![4; size]),
            ],
        }
    }

    fn cc(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn site() -> SiteCode {
        SiteCode::parse("EGCAIA").unwrap()
    }

    fn s8(number: u16) -> DispatchId {
        DispatchId::parse(&format!("EGCAIAPSRMHAAUR6{number:04}")).unwrap()
    }

    #[test]
    fn each_document_comes_back_with_its_file_name_and_office() {
        let cache = DocumentCache::default();
        cache.insert(cc("EG"), s8(1), site(), documents(10));
        let hit = cache
            .get(cc("EG"), &s8(1), OutwardDocument::SpecialList)
            .unwrap();
        assert_eq!(hit.file_name, "EGCAIAPSRMHAAUR60001-cn33.pdf");
        assert_eq!(hit.bytes.first(), Some(&3));
        assert_eq!(hit.office, site());
        assert!(
            cache
                .get(cc("JO"), &s8(1), OutwardDocument::SpecialList)
                .is_none(),
            "another operator's dispatch of the same S8 ID is not served"
        );
    }

    #[test]
    fn a_later_dispatch_with_the_same_s8_replaces_the_earlier() {
        // S8 numbers start again each year: ten years on, the same ID.
        let cache = DocumentCache::default();
        cache.insert(cc("EG"), s8(1), site(), documents(10));
        let later = SiteCode::parse("EGALXA").unwrap();
        cache.insert(cc("EG"), s8(1), later.clone(), documents(20));
        let hit = cache
            .get(cc("EG"), &s8(1), OutwardDocument::LetterBill)
            .unwrap();
        assert_eq!(hit.office, later);
        assert_eq!(hit.bytes.len(), 20);
    }

    #[test]
    fn the_oldest_dispatches_go_first_when_the_limit_is_passed() {
        let cache = DocumentCache::with_limit(100);
        for number in 1..=3 {
            cache.insert(cc("EG"), s8(number), site(), documents(10));
        }
        let present = |number| {
            cache
                .get(cc("EG"), &s8(number), OutwardDocument::LetterBill)
                .is_some()
        };
        assert!(!present(1));
        assert!(present(2) && present(3));
        cache.insert(cc("EG"), s8(4), site(), documents(1_000));
        assert!(!present(4), "a set larger than the whole cache is not kept");
        cache.clear();
        assert!(!present(3));
    }
}

//! What the office-of-exchange documents share: how offices, dispatches and receptacles are
//! given to them, and how they are written (office blocks, category and subclass in words, the
//! route, weights in kilograms with one decimal).
//!
//! Weights: a receptacle's S9 ID carries its gross weight rounded to 0.1 kg, and the documents
//! print exactly that figure, so the label, the letter bill and the delivery bill agree with the
//! barcode. Totals add the printed tenths, so a column always adds up to its total. A gross
//! weight that does not round to the S9 ID's weight is refused rather than printed beside a
//! barcode that says otherwise.

use barid_core::exchange::DispatchedReceptacle;
use barid_core::{
    DispatchId, Grams, MailCategory, MailSubclass, OfficeCode, ReceptacleId, ReceptacleWeight,
};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::format::{date_time, ltr};
use crate::parts::Item;
use crate::sheet::{Field, Sheet};
use crate::strings::{self, Bilingual, mail_category_name, mail_class_name};
use crate::text::TextStyle;

/// The name of an office of exchange, in English and, where the post gives one, in Arabic
/// (e.g. "Cairo-A mail traffic centre" / "مركز القاهرة أ لحركة البريد").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeName<'a> {
    pub en: &'a str,
    pub ar: Option<&'a str>,
}

impl<'a> OfficeName<'a> {
    pub const fn new(en: &'a str, ar: Option<&'a str>) -> Self {
        Self { en, ar }
    }
}

/// An office of exchange that is not named by the dispatch's own ID: the closed-transit office,
/// or the office handing mails over on a delivery bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Office<'a> {
    pub code: OfficeCode,
    pub name: OfficeName<'a>,
}

/// The dispatch a letter bill (CN 31) or special list (CN 33) is about: its S8 ID (origin and
/// destination offices, category, subclass, year, number), the names of its offices, its route
/// and when it was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchHeader<'a> {
    pub id: DispatchId,
    /// The name of the office of exchange of origin (its code is in the S8 ID).
    pub origin: OfficeName<'a>,
    /// The name of the office of exchange of destination (its code is in the S8 ID).
    pub destination: OfficeName<'a>,
    /// The office a closed-transit dispatch goes through; `None` for a direct dispatch.
    pub transit: Option<Office<'a>>,
    /// When the dispatch was closed, in the office's offset.
    pub closed_at: OffsetDateTime,
}

/// One closed receptacle as the letter bill and the delivery bill list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchReceptacle {
    pub id: ReceptacleId,
    /// The weight measured at closing; it must round to the S9 ID's weight.
    pub gross_weight: Grams,
    /// The S10-listed items in it.
    pub items: usize,
    /// How many of them are registered or insured.
    pub registered_items: usize,
}

impl DispatchReceptacle {
    /// A receptacle of a closed dispatch, with the number of its registered items (which the
    /// dispatch itself does not record).
    pub fn from_dispatched(receptacle: &DispatchedReceptacle, registered_items: usize) -> Self {
        Self {
            id: receptacle.id,
            gross_weight: receptacle.gross_weight,
            items: receptacle.items.len(),
            registered_items,
        }
    }
}

/// The weight printed for a receptacle, in tenths of a kilogram: the S9 ID's, once checked
/// against the measured gross weight.
pub(crate) fn printed_tenths(id: &ReceptacleId, gross: Grams) -> Result<u16, DocumentError> {
    match ReceptacleWeight::from_grams(gross.get()) {
        Ok(weight) if weight == id.weight => Ok(weight.tenths_of_kg()),
        _ => Err(DocumentError::WeightMismatch {
            receptacle: *id,
            gross_weight: gross,
        }),
    }
}

/// Refuses a receptacle listed under a dispatch it does not belong to.
pub(crate) fn check_belongs(dispatch: &DispatchId, id: &ReceptacleId) -> Result<(), DocumentError> {
    if id.dispatch == *dispatch {
        Ok(())
    } else {
        Err(DocumentError::NotInDispatch {
            dispatch: *dispatch,
            receptacle: *id,
        })
    }
}

/// Tenths of a kilogram as kilograms with one decimal: `12.3`.
pub(crate) fn kg_tenths(tenths: u64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The lines of an office block: the IMPC code large, then the English and Arabic names.
pub(crate) fn office_items(code: OfficeCode, name: &OfficeName<'_>, code_size: f32) -> Vec<Item> {
    let mut items = vec![Item::new(code.as_str(), TextStyle::bold(code_size))];
    let name_size = (code_size * 0.7).max(7.5);
    if !name.en.trim().is_empty() {
        items.push(Item::new(name.en, TextStyle::regular(name_size)));
    }
    if let Some(ar) = name.ar.filter(|ar| !ar.trim().is_empty()) {
        items.push(Item::new(ar, TextStyle::regular(name_size + 0.5)));
    }
    items
}

/// `A  Priority / airmail` and its Arabic; the bare letter for a category Barid has no name for.
pub(crate) fn category_items(category: MailCategory, style: TextStyle) -> Vec<Item> {
    match mail_category_name(category) {
        Some(name) => vec![
            Item::new(format!("{}  {}", category.letter(), name.en), style),
            Item::new(name.ar, style),
        ],
        None => vec![Item::new(category.letter().to_string(), style)],
    }
}

/// `UN  U: Letter post` and its Arabic.
pub(crate) fn subclass_items(subclass: MailSubclass, style: TextStyle) -> Vec<Item> {
    let class = subclass.class();
    match mail_class_name(class) {
        Some(name) => vec![
            Item::new(
                format!("{}  ({}: {})", subclass.as_str(), class.letter(), name.en),
                style,
            ),
            Item::new(format!("{}  {}", name.ar, ltr(subclass.as_str())), style),
        ],
        None => vec![Item::new(subclass.as_str(), style)],
    }
}

/// "Direct" or "Closed transit via JOAMMA" with the transit office's names.
pub(crate) fn route_items(transit: Option<&Office<'_>>, style: TextStyle) -> Vec<Item> {
    match transit {
        None => vec![Item::new(
            format!("{} / {}", strings::DIRECT.en, strings::DIRECT.ar),
            style,
        )],
        Some(office) => {
            let mut items = vec![Item::new(
                format!(
                    "{} / {}  {}",
                    strings::CLOSED_TRANSIT_VIA.en,
                    strings::CLOSED_TRANSIT_VIA.ar,
                    ltr(office.code.as_str())
                ),
                style,
            )];
            let small = TextStyle::regular(style.size - 0.5);
            if !office.name.en.trim().is_empty() {
                items.push(Item::new(office.name.en, small));
            }
            if let Some(ar) = office.name.ar.filter(|ar| !ar.trim().is_empty()) {
                items.push(Item::new(ar, small));
            }
            items
        }
    }
}

/// Whether a dispatch header shows the route: the verification note leaves it out, since the
/// receiving office does not always know it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RouteField<'r, 'a> {
    /// Direct (`None`) or through a closed-transit office.
    Shown(Option<&'r Office<'a>>),
    Omitted,
}

/// The header rows every dispatch document opens with: the two offices of exchange; the
/// dispatch, its number and the date (`date_label`: closing or receipt); its category,
/// subclass and route.
pub(crate) fn dispatch_fields(
    id: &DispatchId,
    origin: &OfficeName<'_>,
    destination: &OfficeName<'_>,
    route: RouteField<'_, '_>,
    (date_label, date): (Bilingual<'static>, OffsetDateTime),
) -> [Vec<Field>; 3] {
    let value = TextStyle::bold(8.5);
    let detail = TextStyle::regular(8.0);
    let mut last = match route {
        RouteField::Shown(_) => vec![
            Field::new(
                strings::MAIL_CATEGORY,
                category_items(id.category, detail),
                0.3,
            ),
            Field::new(
                strings::MAIL_SUBCLASS,
                subclass_items(id.subclass, detail),
                0.3,
            ),
        ],
        RouteField::Omitted => vec![
            Field::new(
                strings::MAIL_CATEGORY,
                category_items(id.category, detail),
                0.5,
            ),
            Field::new(
                strings::MAIL_SUBCLASS,
                subclass_items(id.subclass, detail),
                0.5,
            ),
        ],
    };
    if let RouteField::Shown(transit) = route {
        last.push(Field::new(
            strings::ROUTE,
            route_items(transit, detail),
            0.4,
        ));
    }
    [
        vec![
            Field::new(
                strings::ORIGIN_OE,
                office_items(id.origin, origin, 11.0),
                0.5,
            ),
            Field::new(
                strings::DESTINATION_OE,
                office_items(id.destination, destination, 11.0),
                0.5,
            ),
        ],
        vec![
            Field::new(
                strings::DISPATCH,
                vec![Item::new(id.human(), TextStyle::bold(9.5))],
                0.4,
            ),
            Field::new(
                strings::DISPATCH_NUMBER,
                vec![Item::new(
                    format!("{:04}", id.number.get()),
                    TextStyle::bold(11.0),
                )],
                0.2,
            ),
            Field::new(date_label, vec![Item::new(date_time(date), value)], 0.4),
        ],
        last,
    ]
}

/// The dispatch header rows at the top of a CN 31 or CN 33, with the route.
pub(crate) fn sheet_header(
    sheet: &mut Sheet,
    dispatch: &DispatchHeader<'_>,
    date: (Bilingual<'static>, OffsetDateTime),
) -> Result<(), DocumentError> {
    for row in dispatch_fields(
        &dispatch.id,
        &dispatch.origin,
        &dispatch.destination,
        RouteField::Shown(dispatch.transit.as_ref()),
        date,
    ) {
        sheet.fields(&row)?;
    }
    sheet.gap();
    Ok(())
}

/// A field of a totals row: the figure in bold.
pub(crate) fn total_field(label: Bilingual<'static>, value: String, share: f32) -> Field {
    Field::new(label, vec![Item::new(value, TextStyle::bold(11.0))], share)
}

/// "R" in a receptacle's registered column, blank otherwise.
pub(crate) fn registered_mark(registered: bool) -> String {
    if registered { "R" } else { "" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_print_with_one_decimal_and_must_match_the_s9_id() {
        assert_eq!(kg_tenths(0), "0.0");
        assert_eq!(kg_tenths(123), "12.3");
        assert_eq!(kg_tenths(52_340), "5234.0");
        let id = ReceptacleId::parse("EGCAIAJOAMMAAUN50001001010123").unwrap();
        assert_eq!(printed_tenths(&id, Grams::new(12_349)), Ok(123));
        assert_eq!(printed_tenths(&id, Grams::new(12_250)), Ok(123));
        assert_eq!(
            printed_tenths(&id, Grams::new(12_350)),
            Err(DocumentError::WeightMismatch {
                receptacle: id,
                gross_weight: Grams::new(12_350)
            })
        );
        assert!(printed_tenths(&id, Grams::new(u32::MAX)).is_err());
    }

    #[test]
    fn a_receptacle_of_another_dispatch_is_refused() {
        let id = ReceptacleId::parse("EGCAIAJOAMMAAUN50001001010123").unwrap();
        let other = DispatchId::parse("EGCAIAJOAMMAAUN50002").unwrap();
        assert!(check_belongs(&id.dispatch, &id).is_ok());
        let error = check_belongs(&other, &id).unwrap_err();
        assert_eq!(
            error.to_string(),
            "receptacle EGCAIAJOAMMAAUN50001001010123 does not belong to dispatch \
             EGCAIAJOAMMAAUN50002, whose document lists it"
        );
    }

    #[test]
    fn categories_and_classes_are_named_where_known() {
        let style = TextStyle::regular(8.0);
        let texts = |items: Vec<Item>| items.into_iter().map(|i| i.text).collect::<Vec<_>>();
        assert_eq!(
            texts(category_items(MailCategory::parse("A").unwrap(), style)),
            ["A  Priority / airmail", "أولوية / بريد جوي"]
        );
        assert_eq!(
            texts(category_items(MailCategory::parse("Q").unwrap(), style)),
            ["Q"]
        );
        assert_eq!(
            texts(subclass_items(MailSubclass::parse("UN").unwrap(), style))[0],
            "UN  (U: Letter post)"
        );
        assert_eq!(
            texts(subclass_items(MailSubclass::parse("XY").unwrap(), style)),
            ["XY"]
        );
    }

    #[test]
    fn a_dispatched_receptacle_becomes_a_listed_one() {
        let id = ReceptacleId::parse("EGCAIAJOAMMAAUN50001001010123").unwrap();
        let dispatched = DispatchedReceptacle {
            id,
            gross_weight: Grams::new(12_310),
            items: Vec::new(),
        };
        assert_eq!(
            DispatchReceptacle::from_dispatched(&dispatched, 0),
            DispatchReceptacle {
                id,
                gross_weight: Grams::new(12_310),
                items: 0,
                registered_items: 0,
            }
        );
    }
}

/// Every A4 office-of-exchange document survives any office names and transport details.
#[cfg(test)]
mod names {
    use super::*;
    use crate::canvas::{Page, assert_tidy, mm};
    use crate::delivery_bill::{DeliveryBillDispatch, Transport, delivery_bill_pages};
    use crate::letter_bill::{LetterBillInput, letter_bill_pages};
    use crate::sheet::MARGIN_MM;
    use crate::special_list::{SpecialListInput, special_list_pages};
    use crate::support::*;
    use crate::verification_note::verification_note_pages;

    fn tidy(pages: &[Page]) {
        for page in pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        #[test]
        fn any_office_names_give_tidy_sheets(
            latin in "\\PC{0,400}",
            arabic in proptest::option::of("[\u{0600}-\u{06FF} ]{0,300}"),
            carrier in proptest::option::of("\\PC{0,200}"),
        ) {
            let name = OfficeName::new(&latin, arabic.as_deref());
            let office = Office { code: crate::support::office("JOAMMA"), name };
            let header = DispatchHeader {
                origin: name,
                destination: name,
                transit: Some(office),
                ..dispatch_header()
            };
            let receptacles = dispatch_receptacles(3, 5);
            tidy(&letter_bill_pages(&LetterBillInput { dispatch: header, receptacles: &receptacles }).unwrap());
            let items = registered_items(5, 3);
            tidy(&special_list_pages(&SpecialListInput { dispatch: header, items: &items }).unwrap());
            let dispatches = [DeliveryBillDispatch { id: header.id, receptacles: &receptacles }];
            let mut bill = delivery_bill_input(&dispatches);
            bill.office = office;
            bill.transport = Transport {
                carrier: carrier.as_deref(),
                flight: carrier.as_deref(),
                loading: Some(&latin),
                unloading: arabic.as_deref(),
                departure: None,
            };
            tidy(&delivery_bill_pages(&bill).unwrap().1);
            let discrepancies = every_discrepancy();
            let mut note = verification_note_input(&discrepancies);
            note.origin = name;
            note.destination = name;
            tidy(&verification_note_pages(&note).unwrap());
        }
    }
}

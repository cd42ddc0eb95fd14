//! Delivery bills (A4): the receipt between the office of exchange and the carrier for the
//! dispatches handed over together. The form follows the mail category: CN 38 for airmail
//! (A), CN 41 for S.A.L. (B), CN 37 for surface mail (C, and D, priority mail sent by surface).
//!
//! The office handing over and the date; the carrier, flight or trip, places of loading and
//! unloading and departure, each a blank line to fill in by hand when not given; one line per
//! dispatch (origin and destination IMPC codes, S8 ID, receptacles, of which registered,
//! weight); the totals; the registered (red-label) receptacles listed separately, each marked
//! "R"; and the signatures of the office and the carrier.
//!
//! C and D share the CN 37, so one bill may hold dispatches of both; any other mix is refused,
//! since each form is its own bill.

use barid_core::{DispatchId, MailCategory};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::canvas::{DocumentInfo, Page, write_pdf};
use crate::exchange::{
    DispatchReceptacle, Office, check_belongs, kg_tenths, office_items, printed_tenths,
    registered_mark, total_field,
};
use crate::format::date_time;
use crate::parts::Item;
use crate::sheet::{Field, Sheet};
use crate::strings::{self, Bilingual};
use crate::table::{Column, Table};
use crate::text::{Align, TextStyle};

/// The delivery bill form a category of mail goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryBillForm {
    /// Surface mails: categories C and D.
    Cn37,
    /// Airmails: category A.
    Cn38,
    /// S.A.L. mails: category B.
    Cn41,
}

impl DeliveryBillForm {
    /// The form for `category`, or `None` for a category with no delivery bill.
    pub fn for_category(category: MailCategory) -> Option<Self> {
        match category.letter() {
            'A' => Some(Self::Cn38),
            'B' => Some(Self::Cn41),
            'C' | 'D' => Some(Self::Cn37),
            _ => None,
        }
    }

    /// `CN 38`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Cn37 => "CN 37",
            Self::Cn38 => "CN 38",
            Self::Cn41 => "CN 41",
        }
    }

    /// The printed title, e.g. "DELIVERY BILL — Airmails".
    pub fn title(&self) -> Bilingual<'static> {
        match self {
            Self::Cn37 => strings::CN37_TITLE,
            Self::Cn38 => strings::CN38_TITLE,
            Self::Cn41 => strings::CN41_TITLE,
        }
    }
}

/// One dispatch handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryBillDispatch<'a> {
    pub id: DispatchId,
    /// Its receptacles; the registered ones are also listed separately.
    pub receptacles: &'a [DispatchReceptacle],
}

/// The transport, as far as it is known when the bill is printed. What is `None` is printed
/// as a blank line for the carrier or the officer to fill in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Transport<'a> {
    /// The airline, shipping line or road carrier.
    pub carrier: Option<&'a str>,
    /// Flight, voyage or trip number.
    pub flight: Option<&'a str>,
    /// Airport or place of loading.
    pub loading: Option<&'a str>,
    /// Airport or place of unloading (or transhipment).
    pub unloading: Option<&'a str>,
    /// Scheduled departure, in the office's offset.
    pub departure: Option<OffsetDateTime>,
}

/// What a delivery bill shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryBillInput<'a> {
    /// The office of exchange handing the mails over.
    pub office: Office<'a>,
    /// The dispatches handed over, all going on the same form.
    pub dispatches: &'a [DeliveryBillDispatch<'a>],
    pub transport: Transport<'a>,
    /// When the mails are handed over, in the office's offset.
    pub handed_over_at: OffsetDateTime,
}

/// The one form every dispatch of the bill goes on.
pub(crate) fn bill_form(
    dispatches: &[DeliveryBillDispatch<'_>],
) -> Result<DeliveryBillForm, DocumentError> {
    let mut chosen: Option<(DispatchId, DeliveryBillForm)> = None;
    for dispatch in dispatches {
        let form = DeliveryBillForm::for_category(dispatch.id.category).ok_or(
            DocumentError::UnknownCategory {
                dispatch: dispatch.id,
            },
        )?;
        match chosen {
            None => chosen = Some((dispatch.id, form)),
            Some((first, first_form)) if first_form != form => {
                return Err(DocumentError::MixedCategories {
                    first,
                    first_form,
                    other: dispatch.id,
                    other_form: form,
                });
            }
            Some(_) => {}
        }
    }
    chosen.map(|(_, form)| form).ok_or(DocumentError::Empty(
        "a delivery bill needs at least one dispatch",
    ))
}

/// Renders the delivery bill whose form the dispatches' category calls for.
pub fn delivery_bill(input: &DeliveryBillInput<'_>) -> Result<Vec<u8>, DocumentError> {
    let (form, pages) = delivery_bill_pages(input)?;
    write_pdf(
        &pages,
        &DocumentInfo {
            title: format!(
                "{} delivery bill {} {}",
                form.label(),
                input.office.code,
                date_time(input.handed_over_at)
            ),
            created: input.handed_over_at,
        },
    )
}

/// A transport field: the value given, or nothing (a line to write on).
fn transport_field(label: Bilingual<'static>, value: Option<String>, share: f32) -> Field {
    let values = value
        .filter(|value| !value.trim().is_empty())
        .map(|value| vec![Item::new(value, TextStyle::bold(8.5))])
        .unwrap_or_default();
    Field::new(label, values, share)
}

pub(crate) fn delivery_bill_pages(
    input: &DeliveryBillInput<'_>,
) -> Result<(DeliveryBillForm, Vec<Page>), DocumentError> {
    let form = bill_form(input.dispatches)?;
    let mut dispatch_rows = Vec::with_capacity(input.dispatches.len());
    let mut registered_rows = Vec::new();
    let (mut receptacles, mut registered, mut tenths) = (0usize, 0usize, 0u64);
    for (index, dispatch) in input.dispatches.iter().enumerate() {
        let (mut dispatch_registered, mut dispatch_tenths) = (0usize, 0u64);
        for receptacle in dispatch.receptacles {
            check_belongs(&dispatch.id, &receptacle.id)?;
            let weight = printed_tenths(&receptacle.id, receptacle.gross_weight)?;
            dispatch_tenths += u64::from(weight);
            if receptacle.id.registered {
                dispatch_registered += 1;
                registered_rows.push(vec![
                    registered_mark(true),
                    receptacle.id.human(),
                    format!("{:03}", receptacle.id.serial.get()),
                    kg_tenths(u64::from(weight)),
                ]);
            }
        }
        receptacles += dispatch.receptacles.len();
        registered += dispatch_registered;
        tenths += dispatch_tenths;
        dispatch_rows.push(vec![
            (index + 1).to_string(),
            dispatch.id.origin.as_str().to_owned(),
            dispatch.id.destination.as_str().to_owned(),
            dispatch.id.human(),
            dispatch.receptacles.len().to_string(),
            dispatch_registered.to_string(),
            kg_tenths(dispatch_tenths),
        ]);
    }

    let reference = format!("{}  {}", input.office.code, date_time(input.handed_over_at));
    let mut sheet = Sheet::new(form.label(), form.title(), reference)?;
    sheet.fields(&[
        Field::new(
            strings::HANDING_OVER_OE,
            office_items(input.office.code, &input.office.name, 11.0),
            0.6,
        ),
        Field::new(
            strings::HANDED_OVER_AT,
            vec![Item::new(
                date_time(input.handed_over_at),
                TextStyle::bold(8.5),
            )],
            0.4,
        ),
    ])?;
    let transport = &input.transport;
    sheet.fields(&[
        transport_field(strings::CARRIER, transport.carrier.map(str::to_owned), 0.22),
        transport_field(strings::FLIGHT, transport.flight.map(str::to_owned), 0.16),
        transport_field(strings::LOADING, transport.loading.map(str::to_owned), 0.2),
        transport_field(
            strings::UNLOADING,
            transport.unloading.map(str::to_owned),
            0.2,
        ),
        transport_field(strings::DEPARTURE, transport.departure.map(date_time), 0.22),
    ])?;
    sheet.gap();

    let dispatches = Table::new(
        vec![
            Column::new(strings::SERIAL, 0.06, Align::Right),
            Column::new(strings::ORIGIN_IMPC, 0.12, Align::Left),
            Column::new(strings::DESTINATION_IMPC, 0.12, Align::Left),
            Column::new(strings::DISPATCH, 0.32, Align::Left),
            Column::new(strings::RECEPTACLES, 0.13, Align::Right),
            Column::new(strings::OF_WHICH_REGISTERED, 0.11, Align::Right).bold(),
            Column::new(strings::WEIGHT_KG, 0.14, Align::Right),
        ],
        dispatch_rows,
        (sheet.x(), sheet.width()),
        TextStyle::regular(8.0),
        2,
    )?;
    sheet.table(&dispatches)?;
    sheet.gap();
    sheet.fields(&[
        total_field(
            strings::TOTAL_DISPATCHES,
            input.dispatches.len().to_string(),
            0.25,
        ),
        total_field(strings::TOTAL_RECEPTACLES, receptacles.to_string(), 0.25),
        total_field(strings::OF_WHICH_REGISTERED, registered.to_string(), 0.25),
        total_field(strings::TOTAL_WEIGHT_KG, kg_tenths(tenths), 0.25),
    ])?;
    sheet.gap();

    let registered_table = Table::new(
        vec![
            Column::new(strings::REGISTERED_FLAG, 0.08, Align::Center).bold(),
            Column::new(strings::RECEPTACLE_ID, 0.60, Align::Left),
            Column::new(strings::RECEPTACLE_NO, 0.14, Align::Center),
            Column::new(strings::WEIGHT_KG, 0.18, Align::Right),
        ],
        registered_rows,
        (sheet.x(), sheet.width()),
        TextStyle::regular(8.0),
        2,
    )?;
    sheet.heading(
        strings::REGISTERED_RECEPTACLES,
        registered_table.header_height() * 2.0,
    )?;
    if registered_table.len() == 0 {
        sheet.notice(strings::NO_REGISTERED_RECEPTACLES, 9.0)?;
    } else {
        sheet.table(&registered_table)?;
    }
    sheet.gap();
    sheet.signatures(&[strings::HANDED_OVER_BY, strings::RECEIVED_BY_CARRIER])?;
    Ok((form, sheet.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::{assert_tidy, mm};
    use crate::sheet::MARGIN_MM;
    use crate::support::*;

    fn texts(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|page| page.text_extents().into_iter().map(|(text, _)| text))
            .collect()
    }

    #[test]
    fn the_category_picks_the_form() {
        for (letter, form, label) in [
            ("A", DeliveryBillForm::Cn38, "CN 38"),
            ("B", DeliveryBillForm::Cn41, "CN 41"),
            ("C", DeliveryBillForm::Cn37, "CN 37"),
            ("D", DeliveryBillForm::Cn37, "CN 37"),
        ] {
            let category = MailCategory::parse(letter).unwrap();
            assert_eq!(DeliveryBillForm::for_category(category), Some(form));
            assert_eq!(form.label(), label);
        }
        assert_eq!(
            DeliveryBillForm::for_category(MailCategory::parse("E").unwrap()),
            None
        );
    }

    #[test]
    fn registered_receptacles_are_listed_separately_and_missing_transport_is_blank() {
        let receptacles = dispatch_receptacles(6, 10);
        let dispatches = [DeliveryBillDispatch {
            id: receptacles[0].id.dispatch,
            receptacles: &receptacles,
        }];
        let mut input = delivery_bill_input(&dispatches);
        input.transport = Transport::default();
        let (form, pages) = delivery_bill_pages(&input).unwrap();
        assert_eq!(form, DeliveryBillForm::Cn38);
        assert_eq!(pages.len(), 1);
        assert_tidy(&pages[0], mm(MARGIN_MM));
        let all = texts(&pages);
        let registered: Vec<_> = receptacles.iter().filter(|r| r.id.registered).collect();
        assert!(!registered.is_empty() && registered.len() < receptacles.len());
        for receptacle in &receptacles {
            let listed = all.iter().any(|t| *t == receptacle.id.human());
            assert_eq!(listed, receptacle.id.registered, "{}", receptacle.id);
        }
        // One "R" per registered receptacle, and the column's own header.
        assert_eq!(
            all.iter().filter(|t| *t == "R").count(),
            registered.len() + 1
        );
        assert!(all.iter().any(|t| t == "EGCAIA PSRMHA A UN 6 0001"));
        assert!(all.iter().any(|t| t.contains("DELIVERY BILL — Airmails")));
    }

    #[test]
    fn mixed_forms_are_refused_but_c_and_d_share_the_cn_37() {
        fn dispatch(receptacles: &[DispatchReceptacle]) -> DeliveryBillDispatch<'_> {
            DeliveryBillDispatch {
                id: receptacles[0].id.dispatch,
                receptacles,
            }
        }
        let a = dispatch_receptacles(2, 1);
        let c = receptacles_of("EGCAIAPSRMHACUN60001", 2);
        let d = receptacles_of("EGCAIAPSRMHADUN60001", 2);
        let e = receptacles_of("EGCAIAPSRMHAEUN60001", 1);
        let mixed = [dispatch(&a), dispatch(&c)];
        let error = delivery_bill(&delivery_bill_input(&mixed)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a delivery bill covers one category of mail: dispatch EGCAIAPSRMHAAUN60001 is \
             category A (CN 38), but dispatch EGCAIAPSRMHACUN60001 is category C (CN 37); make \
             one delivery bill per form"
        );
        let surface = [dispatch(&c), dispatch(&d)];
        let (form, _) = delivery_bill_pages(&delivery_bill_input(&surface)).unwrap();
        assert_eq!(form, DeliveryBillForm::Cn37);
        let error = delivery_bill(&delivery_bill_input(&[dispatch(&e)])).unwrap_err();
        assert!(matches!(error, DocumentError::UnknownCategory { .. }));
        assert_eq!(
            delivery_bill(&delivery_bill_input(&[])).unwrap_err(),
            DocumentError::Empty("a delivery bill needs at least one dispatch")
        );
    }
}

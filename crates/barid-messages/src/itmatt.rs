//! ITMATT: advance data about items, the electronic CN 22/CN 23, from the origin post to the
//! destination post before the items arrive.

use std::collections::BTreeMap;

use barid_core::{
    CountryCode, CustomsDeclaration, CustomsForm, Grams, MailClass, MailStream, Party, S10Id,
    S10Service, ServiceIndicator, SiteCode,
};
use time::OffsetDateTime;

use crate::error::MessageError;
use crate::text::Contents;

/// What the destination post learns about one item before it arrives.
///
/// The service indicator and S10 service are not fields: the S10 ID starts with the one and
/// so gives the other ([`ItemAttributes::service`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemAttributes {
    pub s10: S10Id,
    /// The mail class the item is dispatched in (`U` letter post, `C` parcels, `E` EMS), from
    /// the origin's service catalogue.
    pub mail_class: MailClass,
    pub origin_country: CountryCode,
    pub destination_country: CountryCode,
    /// When the counter accepted it, with the office's UTC offset.
    pub accepted_at: OffsetDateTime,
    /// The counter that accepted it: an IMPC code or the origin post's own office code.
    pub posting_office: SiteCode,
    /// As weighed at acceptance.
    pub gross_weight: Grams,
    pub contents: Contents,
    pub sender: Party,
    pub addressee: Party,
    /// The CN 22 or CN 23; absent for items that need none (correspondence).
    pub customs: Option<CustomsDeclaration>,
}

impl ItemAttributes {
    pub fn service_indicator(&self) -> ServiceIndicator {
        self.s10.service_indicator()
    }

    pub fn service(&self) -> S10Service {
        self.s10.service()
    }

    /// The customs stream, which decides the declaration rules.
    pub fn stream(&self) -> MailStream {
        MailStream::from(self.s10.service())
    }
}

/// Advance data about one or more items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Itmatt {
    items: Vec<ItemAttributes>,
}

impl Itmatt {
    /// Checks each item as counter acceptance does: it crosses a border, the addressee lives
    /// in the destination country, and a parcel's declaration is a CN 23 (parcels never take a
    /// CN 22, whatever their value). At least one item; none listed twice.
    pub fn new(items: Vec<ItemAttributes>) -> Result<Self, MessageError> {
        if items.is_empty() {
            return Err(MessageError::new(
                "items",
                "empty",
                "an ITMATT carries at least one item".to_owned(),
            ));
        }
        let mut seen: BTreeMap<S10Id, usize> = BTreeMap::new();
        for (index, item) in items.iter().enumerate() {
            check_item(item).map_err(|error| error.under(&format!("items[{index}]")))?;
            if let Some(first) = seen.insert(item.s10, index) {
                return Err(MessageError::new(
                    format!("items[{index}].s10"),
                    "duplicate_item",
                    format!(
                        "item {} is listed twice (first at items[{first}])",
                        item.s10
                    ),
                ));
            }
        }
        Ok(Self { items })
    }

    pub fn items(&self) -> &[ItemAttributes] {
        &self.items
    }

    pub fn into_items(self) -> Vec<ItemAttributes> {
        self.items
    }
}

pub(crate) fn check_item(item: &ItemAttributes) -> Result<(), MessageError> {
    if item.origin_country == item.destination_country {
        return Err(MessageError::new(
            "destination_country",
            "same_country",
            format!(
                "item {} goes from {} to the same country; advance data is for items crossing a border",
                item.s10, item.origin_country
            ),
        ));
    }
    if item.addressee.country() != item.destination_country {
        return Err(MessageError::new(
            "addressee.country",
            "destination_mismatch",
            format!(
                "the addressee is in {}, but the item goes to {}",
                item.addressee.country(),
                item.destination_country
            ),
        ));
    }
    if let Some(customs) = &item.customs
        && item.stream() == MailStream::Parcel
        && customs.form() != CustomsForm::Cn23
    {
        return Err(MessageError::new(
            "customs.form",
            "cn23_required",
            format!(
                "item {} is a parcel, and parcels always take a CN 23, not a {}",
                item.s10,
                customs.form()
            ),
        ));
    }
    Ok(())
}

//! Who acts in Barid: roles, and the codes of the offices they act at.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a text is not a role or a site code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("{found:?} is not a role; expected one of {}", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))]
    Role { found: String },
    #[error(
        "an office code is 2 to 16 characters A-Z, 0-9 and '-', starting with a letter; found {found:?}"
    )]
    SiteCode { found: String },
}

/// What a user or an API token may do. A user may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Manages offices, users, ranges, tariffs, agreements, partners and tokens.
    Admin,
    /// Follows volumes, discrepancies and quality of service; reads everything of its operator.
    Supervisor,
    /// Accepts items at a counter.
    Clerk,
    /// Works an office of exchange: receptacles, dispatches, transit, inward receipt.
    OeOperator,
    /// Customs officer: sees advance data, holds, releases, assesses duty.
    Customs,
    /// Delivery office: arrival, attempts, delivery, returns.
    Delivery,
    /// E-commerce merchant creating shipments by API (tokens only).
    Merchant,
    /// A partner post's node exchanging messages (tokens only).
    Partner,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Supervisor,
        Role::Clerk,
        Role::OeOperator,
        Role::Customs,
        Role::Delivery,
        Role::Merchant,
        Role::Partner,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Clerk => "clerk",
            Role::OeOperator => "oe_operator",
            Role::Customs => "customs",
            Role::Delivery => "delivery",
            Role::Merchant => "merchant",
            Role::Partner => "partner",
        }
    }

    pub fn parse(text: &str) -> Result<Self, AccessError> {
        let wanted = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == wanted)
            .ok_or_else(|| AccessError::Role {
                found: text.to_owned(),
            })
    }

    /// Roles held by machines through API tokens, never by people logging in.
    pub fn is_machine(&self) -> bool {
        matches!(self, Role::Merchant | Role::Partner)
    }

    /// Roles whose work happens at particular offices, so a user needs an office assignment.
    pub fn works_at_offices(&self) -> bool {
        matches!(
            self,
            Role::Clerk | Role::OeOperator | Role::Customs | Role::Delivery
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An office's code within its operator: the IMPC code for an office of exchange, or the post's
/// own code (a postcode, say) for a counter or delivery office, which have no IMPC code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteCode(String);

impl SiteCode {
    pub fn parse(text: &str) -> Result<Self, AccessError> {
        let code = text.trim().to_ascii_uppercase();
        let valid = (2..=16).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_uppercase())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(Self(code))
        } else {
            Err(AccessError::SiteCode {
                found: text.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<crate::office::OfficeCode> for SiteCode {
    fn from(impc: crate::office::OfficeCode) -> Self {
        Self(impc.as_str().to_owned())
    }
}

impl fmt::Display for SiteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! text_serde {
    ($type:ty) => {
        impl FromStr for $type {
            type Err = AccessError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_serde!(Role);
text_serde!(SiteCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_by_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse(" OE_Operator "), Ok(Role::OeOperator));
        assert!(Role::parse("postmaster").is_err());
        assert!(Role::Partner.is_machine() && !Role::Clerk.is_machine());
        assert!(Role::Delivery.works_at_offices() && !Role::Supervisor.works_at_offices());
    }

    #[test]
    fn site_codes_take_impc_codes_and_local_codes() {
        assert_eq!(SiteCode::parse("egcaia").unwrap().as_str(), "EGCAIA");
        assert_eq!(SiteCode::parse("PS-RAM-01").unwrap().as_str(), "PS-RAM-01");
        for bad in ["", "E", "1ABC", "EG CAIRO", "رام", "ABCDEFGHIJKLMNOPQ"] {
            assert!(SiteCode::parse(bad).is_err(), "{bad}");
        }
        let impc = crate::office::OfficeCode::parse("PSRMHA").unwrap();
        assert_eq!(SiteCode::from(impc).as_str(), "PSRMHA");
    }
}

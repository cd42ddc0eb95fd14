//! EMSEVT v1.

use barid_core::{EventCode, Milestone, NextAction, ReasonCode, S10Id, SiteCode};
use serde::Serialize;

use super::common::{Time, text, time};
use crate::emsevt::{Emsevt, TrackingEvent};
use crate::error::CodecError;
use crate::json::read::Node;

#[derive(Serialize)]
pub(in crate::json) struct EmsevtV1<'a> {
    events: Vec<EventV1<'a>>,
}

#[derive(Serialize)]
struct EventV1<'a> {
    s10: S10Id,
    code: EventCode,
    milestone: Milestone,
    at: Time,
    office: &'a SiteCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a ReasonCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_action: Option<NextAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signatory: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

impl<'a> From<&'a Emsevt> for EmsevtV1<'a> {
    fn from(emsevt: &'a Emsevt) -> Self {
        Self {
            events: emsevt
                .events()
                .iter()
                .map(|event| EventV1 {
                    s10: event.s10,
                    code: event.code,
                    milestone: event.milestone,
                    at: time(event.at),
                    office: &event.office,
                    reason: event.reason.as_ref(),
                    next_action: event.next_action,
                    signatory: event.signatory.as_ref().map(|text| text.as_str()),
                    note: event.note.as_ref().map(|text| text.as_str()),
                })
                .collect(),
        }
    }
}

pub(super) fn decode(node: &Node<'_>) -> Result<Emsevt, CodecError> {
    let object = node.object(&["events"])?;
    let events = object.required("events")?.list(event)?;
    Emsevt::new(events).map_err(|error| error.under(node.path()).into())
}

fn event(node: &Node<'_>) -> Result<TrackingEvent, CodecError> {
    let object = node.object(&[
        "s10",
        "code",
        "milestone",
        "at",
        "office",
        "reason",
        "next_action",
        "signatory",
        "note",
    ])?;
    Ok(TrackingEvent {
        s10: object.required("s10")?.parse(S10Id::parse)?,
        code: object.required("code")?.parse(EventCode::parse)?,
        milestone: object.required("milestone")?.parse(Milestone::parse)?,
        at: object.required("at")?.time()?,
        office: object.required("office")?.parse(SiteCode::parse)?,
        reason: object.optional_with("reason", |node| node.parse(ReasonCode::parse))?,
        next_action: object.optional_with("next_action", |node| node.parse(NextAction::parse))?,
        signatory: object.optional_with("signatory", text)?,
        note: object.optional_with("note", text)?,
    })
}

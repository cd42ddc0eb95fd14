//! The links to partner posts' nodes as administrators see and steer them: where each
//! partner's messages go, what is waiting for it and why, what it refused, what we
//! quarantined from it; and pausing, resuming and pointing a link elsewhere. The JSON API and
//! the partners page both read and act through here.

use std::collections::BTreeMap;

use barid_core::CountryCode;
use barid_store::model::{Actor, InboxMessage, InboxState, OutboxMessage, PartnerEndpoint};
use barid_store::{Store, StoreResult};
use time::OffsetDateTime;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The most refused or quarantined messages listed at once.
pub const LISTED: u32 = 200;

/// One partner as the exchange screens show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerLink {
    pub partner: CountryCode,
    /// Where its messages go; `None` when the partner is hosted on this node (delivered
    /// in-node) or has no endpoint yet.
    pub url: Option<String>,
    /// Hosted on this node: its messages need no endpoint.
    pub same_node: bool,
    pub paused: bool,
    /// Messages waiting to be delivered, and since when.
    pub pending: u64,
    pub oldest_pending_at: Option<OffsetDateTime>,
    /// Why the oldest waiting message did not go through, last time it was tried.
    pub last_error: Option<String>,
    pub last_delivered_at: Option<OffsetDateTime>,
    /// Delivered messages the partner's node refused.
    pub rejected: u64,
    /// Messages from the partner that we could not apply.
    pub quarantined: u64,
}

impl PartnerLink {
    fn new(partner: CountryCode) -> Self {
        Self {
            partner,
            url: None,
            same_node: false,
            paused: false,
            pending: 0,
            oldest_pending_at: None,
            last_error: None,
            last_delivered_at: None,
            rejected: 0,
            quarantined: 0,
        }
    }
}

/// Every partner `operator` has an endpoint for, has written to, or received a quarantined
/// message from, by country code.
pub async fn links(store: &dyn Store, operator: CountryCode) -> StoreResult<Vec<PartnerLink>> {
    let quarantined = store.quarantined_inbox(operator).await?;
    links_with(store, operator, &quarantined).await
}

/// [`links`], with the operator's quarantine already read (the partners page lists it too).
pub async fn links_with(
    store: &dyn Store,
    operator: CountryCode,
    quarantined: &[InboxMessage],
) -> StoreResult<Vec<PartnerLink>> {
    let hosted: Vec<CountryCode> = store
        .operators()
        .await?
        .into_iter()
        .filter(|known| known.hosted)
        .map(|known| known.code)
        .collect();
    let mut links: BTreeMap<CountryCode, PartnerLink> = BTreeMap::new();
    for endpoint in store.partner_endpoints(operator).await? {
        let link = links
            .entry(endpoint.partner)
            .or_insert_with(|| PartnerLink::new(endpoint.partner));
        link.url = Some(endpoint.url);
        link.paused = endpoint.paused;
    }
    for backlog in store.outbox_backlog(operator).await? {
        let link = links
            .entry(backlog.recipient)
            .or_insert_with(|| PartnerLink::new(backlog.recipient));
        link.pending = backlog.pending;
        link.oldest_pending_at = backlog.oldest_pending_at;
        link.last_error = backlog.last_error;
        link.last_delivered_at = backlog.last_delivered_at;
        link.rejected = backlog.rejected;
    }
    for message in quarantined {
        let sender = message.message.sender;
        links
            .entry(sender)
            .or_insert_with(|| PartnerLink::new(sender))
            .quarantined += 1;
    }
    links.remove(&operator);
    Ok(links
        .into_values()
        .map(|mut link| {
            link.same_node = hosted.contains(&link.partner);
            link
        })
        .collect())
}

/// The principal's link to `partner`.
pub async fn link(
    state: &AppState,
    principal: &Principal,
    partner: CountryCode,
) -> ApiResult<PartnerLink> {
    links(state.store(), principal.operator)
        .await?
        .into_iter()
        .find(|link| link.partner == partner)
        .ok_or_else(|| ApiError::not_found("partner"))
}

async fn endpoint_of(
    store: &dyn Store,
    operator: CountryCode,
    partner: CountryCode,
) -> ApiResult<PartnerEndpoint> {
    store
        .partner_endpoints(operator)
        .await?
        .into_iter()
        .find(|endpoint| endpoint.partner == partner)
        .ok_or_else(|| {
            ApiError::refused(
                "no_endpoint",
                "partner",
                format!("{operator} has no endpoint for {partner}: set its URL and token first"),
            )
        })
}

/// Stops (`paused`) or resumes sending from `actor`'s operator to `partner`. While paused,
/// its messages wait in the outbox, in order; nothing is dropped.
pub async fn pause(
    store: &dyn Store,
    actor: &Actor,
    partner: CountryCode,
    paused: bool,
) -> ApiResult<PartnerEndpoint> {
    let mut endpoint = endpoint_of(store, actor.operator, partner).await?;
    endpoint.paused = paused;
    endpoint.updated_at = actor.at;
    store.set_partner_endpoint(actor, &endpoint).await?;
    Ok(endpoint)
}

/// [`pause`] for a signed-in administrator: the link as it is now.
pub async fn set_paused(
    state: &AppState,
    principal: &Principal,
    partner: CountryCode,
    paused: bool,
) -> ApiResult<PartnerLink> {
    pause(
        state.store(),
        &principal.actor(state.now()),
        partner,
        paused,
    )
    .await?;
    link(state, principal, partner).await
}

/// The endpoint for `operator`'s messages to `partner`: the partner node's base URL, checked
/// to be http(s) with a host, and the token it issued.
fn endpoint(
    operator: CountryCode,
    partner: CountryCode,
    url: &str,
    token: &str,
    paused: bool,
    at: OffsetDateTime,
) -> ApiResult<PartnerEndpoint> {
    if partner == operator {
        return Err(ApiError::refused(
            "own_operator",
            "partner",
            "a post does not send its messages to itself",
        ));
    }
    let url = url.trim();
    let parsed = reqwest::Url::parse(url)
        .map_err(|error| ApiError::invalid_body("url", format!("{url:?} is not a URL: {error}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(ApiError::invalid_body(
            "url",
            "the partner's node is reached at an http:// or https:// URL with a host, \
             e.g. https://barid.palpost.ps",
        ));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::invalid_body(
            "token",
            "the token the partner's node issued to us is required",
        ));
    }
    Ok(PartnerEndpoint {
        operator,
        partner,
        url: url.trim_end_matches('/').to_owned(),
        outbound_token: token.to_owned(),
        paused,
        updated_at: at,
    })
}

/// Points `actor`'s operator's link to `partner` at the partner node's `url`, with the token
/// it issued. A link already paused stays paused. The API, the partners page and
/// `barid partner connect` all go through here.
pub async fn connect(
    store: &dyn Store,
    actor: &Actor,
    partner: CountryCode,
    url: &str,
    token: &str,
) -> ApiResult<PartnerEndpoint> {
    let paused = store
        .partner_endpoints(actor.operator)
        .await?
        .iter()
        .any(|existing| existing.partner == partner && existing.paused);
    let endpoint = endpoint(actor.operator, partner, url, token, paused, actor.at)?;
    store.set_partner_endpoint(actor, &endpoint).await?;
    Ok(endpoint)
}

/// [`connect`] for a signed-in administrator: the link as it is now.
pub async fn configure(
    state: &AppState,
    principal: &Principal,
    partner: CountryCode,
    url: &str,
    token: &str,
) -> ApiResult<PartnerLink> {
    connect(
        state.store(),
        &principal.actor(state.now()),
        partner,
        url,
        token,
    )
    .await?;
    link(state, principal, partner).await
}

/// Messages the partners' nodes refused, latest first.
pub async fn rejections(
    store: &dyn Store,
    operator: CountryCode,
) -> StoreResult<Vec<OutboxMessage>> {
    store.rejected_outbox(operator, LISTED).await
}

/// Messages we received and could not apply, oldest first.
pub async fn quarantine(
    store: &dyn Store,
    operator: CountryCode,
) -> StoreResult<Vec<InboxMessage>> {
    let mut quarantined = store.quarantined_inbox(operator).await?;
    quarantined.truncate(LISTED as usize);
    Ok(quarantined)
}

/// Applies a message quarantined here again, for a signed-in administrator who has put its
/// cause right: released from the quarantine and applied out of its turn
/// ([`crate::inbox::apply_again`]). The page and the API both come here. A message that still
/// cannot be applied is refused with `not_applicable` and the new reason, and stays in the
/// quarantine.
pub async fn apply_again(
    state: &AppState,
    principal: &Principal,
    message_id: uuid::Uuid,
) -> ApiResult<InboxMessage> {
    // Applied in a task of its own, as a partner's batch is: a request cut short (the client
    // gone, the time limit) must not stop the message half way through being applied.
    let applier = state.clone();
    let actor = principal.actor(state.now());
    let message = tokio::spawn(async move {
        crate::inbox::apply_again(applier.store(), applier.reference(), &actor, message_id).await
    })
    .await
    .map_err(ApiError::internal)??;
    match message.state {
        InboxState::Quarantined => Err(ApiError::refused(
            crate::partner_exchange::NOT_APPLICABLE,
            "message_id",
            message.error.unwrap_or_default(),
        )),
        InboxState::Applied | InboxState::Pending => Ok(message),
    }
}

//! ISO 20022 over HTTP: `POST /v1/iso20022` (XML in, XML out); the statements
//! `GET /v1/iso20022/camt.053` and `GET /v1/iso20022/camt.054/{payment_id}`; and
//! `GET /v1/iso20022/pacs.008/{payment_id}`, a payment as forwarded to the creditor.
//!
//! Messages are read by the `iso20022` crate and mapped here onto the same hub commands as the
//! JSON API: payments become a [`crate::app::payments::PaymentDraft`] (hub types and the
//! message's minor units, no JSON) and go through the service layer's
//! [`crate::app::payments::create_command`], screening included: one payment path. Refusals
//! become ISO reasons through the one vocabulary ([`crate::refusal`]).
//!
//! # What each message does (the caller is a participant; other roles get 403)
//! - pacs.008 / pacs.009 → one payment per transaction, answered by a pacs.002 (`ACSP` reserved,
//!   `PDNG` held for compliance, `RJCT` with the hub's reason: AM04, RR04, AG01, DUPL ...).
//!   Cross-currency: the transaction names the debtor's FX quote as `InstrForNxtAgt/InstrInf`
//!   `/FXQUOTE/{quote id}`, `InstdAmt` is the quote's source (the debtor's amount) and
//!   `IntrBkSttlmAmt` its target (what the creditor receives; another amount is `AM09`, another
//!   currency `CURR`); `XchgRate` is required by ISO when the currencies differ (`FF02`) and is
//!   informative: the quote's amounts are what moves. Two currencies without a quote are
//!   `CURR`; a quote without `InstdAmt` or not a UUID is `FF02`; another participant's quote is
//!   `quote_not_found`, like an unknown one. The forwarded pacs.008 carries the rate applied.
//!   Screened, kept and forwarded besides `Dbtr`/`Cdtr`: `UltmtDbtr`, `InitgPty`, `UltmtCdtr`
//!   (name, address lines, country), the names given in `DbtrAgt`/`CdtrAgt` and
//!   `IntrmyAgt1..3`, every postal address line, `RmtInf/Ustrd` and every text inside
//!   `RmtInf/Strd` (forwarded as `Strd/AddtlRmtInf`). A hit holds the payment (`PDNG`) and
//!   names the field, e.g. `ultimate_creditor.name`, `intermediary_agents[2].name`,
//!   `remittance_information`.
//! - Size: a message asks for at most the server's bulk limit of transactions (`NARR`).
//! - pacs.002 from the creditor participant → accept (`ACSC`, `ACCP`, `ACSP`, `ACCC`) or reject
//!   (`RJCT`, its reason code mapped to a hub reason) the original payment; other statuses, or a
//!   payment no longer reserved, change nothing (the answer says where it stands). Without
//!   `TxInfAndSts` the group status applies to every payment to the caller in the original
//!   message: the debtor's pacs.008 MsgId, or the MsgId of the pacs.008 the hub forwarded
//!   (`KLR` + payment id); a MsgId used by several debtors for payments to the caller is
//!   ambiguous (`NARR`), a group without `GrpSts` or an `OrgnlMsgId` named twice is `FF02`.
//!   Answered by a pacs.002 with each payment's resulting status.
//! - pacs.004 → return of a committed payment (creditor only, full amount); answered by a
//!   pacs.002 on the return (`ACSC`, or `RJCT`).
//! - camt.056 from the debtor participant → one hub `CancelPayment` per transaction, answered
//!   by a camt.029: `CNCL`/`ACCR` when cancelled (held, queued or reserved; a reservation is
//!   voided), `PDCR` when the payment is committed and its creditor participant was asked to
//!   return it, `RJCR` with `NOOR` (no such payment), `ARDT` (already returned), `ARJR`
//!   (already rejected or expired) or `AGNT` otherwise.
//! - pacs.028 → a pacs.002 with the current status of each payment asked about.
//! - camt.029/052/053/054 and pain.001/002 inbound → HTTP 422 `iso20022_not_consumed`.
//!
//! # Rejections (nothing is applied)
//! - Unreadable or invalid message → pacs.002 `RJCT` with every violation's reason code when its
//!   MsgId and type could be read; otherwise HTTP 400 `iso20022_unreadable`.
//! - Sender: the instructing agent (`InstgAgt` of the transaction, else of the group header,
//!   else `DbtrAgt`; `Assgnr` for camt.056) must carry the BIC of the calling participant: else
//!   `AG01` (the participant may not act for that agent); an agent identified without a BIC is
//!   `RC01` (kliring identifies participants by BIC). BICs compare on the first 8 characters
//!   and the branch, where a missing branch equals `XXX`.
//! - Duplicate MsgId from the same sender → `RJCT DU01` (ExternalStatusReason1Code
//!   DuplicateMessageID; `DUPL` is kept for a duplicate payment, e.g. a payment id repeated).
//!   pacs.008/009, pacs.002 and pacs.004 reach the hub as one journalled `ReceiveMessage` (see
//!   `hub::message`): the hub records the sender's MsgId with the message's actions, so a
//!   resend, with the same or new content, is refused whole, also after a restart, and two
//!   concurrent sends cannot both apply. A message refused before it reaches the hub (e.g.
//!   `RC04`) leaves its MsgId free for a corrected resend. pacs.028 (a query) and camt.056 (a
//!   resend answers the same; its cancellations go to the hub as one batch) are not recorded.
//! - Lookups: a message's original payments are found in one hub read (every read closes the
//!   sequencer's batch); a pacs.002 naming one payment in two `TxInfAndSts` is `FF02`.
//! - A message whose transaction cannot be mapped (unknown creditor BIC `RC04`, a party without
//!   name or country `FF02`, an amount the scheme's currency cannot hold `AM12`, a currency the
//!   scheme does not accept `AM03` ...) is refused whole before anything reaches the hub.
//!
//! # Payment ids
//! The payment id is the UETR. Without one it is derived from the sending participant, the
//! MsgId and the transaction's TxId (else InstrId, else EndToEndId): HMAC-SHA256 under a key
//! of this data directory (`DATA/iso-payment-ids.key`, made on first use), shaped as a UUID v4.
//! Per sender, so two banks using the same references get two payments and neither hears of
//! the other's (no `DUPL`, no 409); keyed, so no other participant can compute the id a bank's
//! next pacs.008 will get and take it first through the JSON API. A later pacs.002/pacs.028/
//! camt.056/pacs.004 naming `OrgnlMsgId` + `OrgnlTxId` finds the payment: originals are looked
//! up by `OrgnlUETR`, then by the id derived for the original's possible senders (the caller for
//! a camt.056, the other bank for a pacs.002 or pacs.004, either for a pacs.028; the payment's
//! debtor must be that sender), then by `OrgnlEndToEndId` among the caller's payments (a scan,
//! unique match required). A data directory rebuilt without the key file (from PostgreSQL, say)
//! makes a new key: earlier derived ids are then found by `OrgnlEndToEndId` only.

mod answer;
mod cancel;
mod credit;
mod decide;
pub(crate) mod forward;
mod lookup;
mod reasons;
pub(crate) mod statement;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use hub::{Action, Command, HubError, Outcome, ParticipantId, Principal, Success};
use iso20022::emit::StatusReason;
use iso20022::{Message, MessageInfo};
use std::sync::Arc;

use crate::auth::Caller;
use crate::error::Code;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

use lookup::{Directory, DirectoryCache, IdKey};

/// The ISO 20022 routes, merged into the main router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/iso20022", post(post_message))
        .route("/v1/iso20022/camt.053", get(statement::camt053))
        .route("/v1/iso20022/camt.054/{id}", get(statement::camt054))
        .route("/v1/iso20022/pacs.008/{id}", get(forward::pacs008))
        .layer(Extension(Arc::new(Shared::default())))
}

/// What the ISO routes keep between requests (per server).
#[derive(Default)]
pub(crate) struct Shared {
    pub directory: DirectoryCache,
    /// The key of derived payment ids, read (or made) by the first message that needs it.
    ids: tokio::sync::OnceCell<IdKey>,
}

/// Who sent the original pacs.008 a message refers to, so whose derived payment ids it may name.
#[derive(Clone, Copy, Debug)]
pub(crate) enum OriginalSender {
    /// The caller (its own camt.056).
    Caller,
    /// The other bank: a creditor's pacs.002 or pacs.004 refers to the debtor's pacs.008.
    Counterpart,
    /// Either, the caller's own first (a pacs.028).
    Either,
}

/// What every message handler needs: the state, the calling participant, what was read.
pub(crate) struct Ctx {
    pub state: AppState,
    pub sender: ParticipantId,
    pub info: MessageInfo,
    pub shared: Arc<Shared>,
}

impl Ctx {
    /// The participants, knowing the sender and every BIC in `bics` if the hub does.
    pub async fn directory(&self, bics: &[&str]) -> Result<Arc<Directory>, ApiError> {
        self.shared
            .directory
            .get(&self.state, &[self.sender], bics)
            .await
    }

    /// The key of the payment ids derived from this server's ISO references.
    pub async fn ids(&self) -> Result<&IdKey, ApiError> {
        let dir = self.state.config.data_dir.clone();
        self.shared
            .ids
            .get_or_try_init(|| async move {
                let path = dir.join(lookup::ID_KEY_FILE);
                tokio::task::spawn_blocking(move || IdKey::load_or_create(&dir))
                    .await
                    .map_err(|error| {
                        tracing::error!(%error, "reading the payment id key failed");
                        ApiError::Internal
                    })?
                    .map_err(|error| {
                        tracing::error!(%error, path = %path.display(), "payment id key unusable");
                        ApiError::Internal
                    })
            })
            .await
    }

    /// The original payments `wanted` names, as the sender may see them (see
    /// [`lookup::originals`]); `from` says who sent the originals, whose derived ids apply.
    pub async fn originals(
        &self,
        wanted: Vec<(iso20022::model::OriginalRef, Option<hub::PaymentStatus>)>,
        from: OriginalSender,
    ) -> Result<Vec<Option<hub::state::Payment>>, ApiError> {
        let others = || {
            let me = self.sender;
            async move {
                let dir = self.directory(&[]).await?;
                Ok::<_, ApiError>(dir.ids().into_iter().filter(move |p| *p != me))
            }
        };
        let senders: Vec<ParticipantId> = match from {
            OriginalSender::Caller => vec![self.sender],
            OriginalSender::Counterpart => others().await?.collect(),
            OriginalSender::Either => std::iter::once(self.sender)
                .chain(others().await?)
                .collect(),
        };
        let ids = self.ids().await?;
        lookup::originals(&self.state, ids, &senders, self.sender, wanted).await
    }

    /// A message may ask for at most the server's bulk limit of payments or decisions (one
    /// message is one journal record and one hub command).
    pub fn check_size(&self, items: usize) -> Result<(), StatusReason> {
        let max = self.state.config.bulk_items_max;
        if items <= max {
            return Ok(());
        }
        let text = format!("{items} transactions; this hub takes at most {max} per message");
        Err(reasons::with_text(reasons::NARR, text))
    }

    /// Submits the sender's message `msg_id` with its actions as one hub `ReceiveMessage`: the
    /// outcome of each action, or `DU01` (nothing applied) when the sender used the MsgId
    /// before, or the hub's reason when it refused the message itself.
    pub async fn receive(
        &self,
        msg_id: &str,
        actions: Vec<Action>,
    ) -> Result<Result<Vec<Outcome>, StatusReason>, ApiError> {
        let action = Action::ReceiveMessage {
            msg_id: msg_id.to_owned(),
            actions,
        };
        let command = Command::new(Principal::Participant(self.sender), action);
        match self.state.submit(command).await? {
            Ok(Success::MessageReceived { outcomes }) => Ok(Ok(outcomes)),
            Ok(other) => Err(crate::app::unexpected(&other)),
            Err(HubError::DuplicateMessageId) => Ok(Err(reasons::with_text(
                "DU01",
                format!("MsgId {msg_id} was already used by this sender; nothing was applied"),
            ))),
            Err(error) => Ok(Err(reasons::for_hub_error(&error, "MsgId: "))),
        }
    }
}

/// `POST /v1/iso20022`: one ISO 20022 message in, the hub's ISO answer out.
#[utoipa::path(post, path = "/v1/iso20022", tag = "iso20022",
    request_body(content = String, content_type = "application/xml",
        description = "pacs.008, pacs.009, pacs.002, pacs.004, camt.056 or pacs.028"),
    security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/xml", body = String,
            description = "pacs.002 (camt.029 for a camt.056), including RJCT refusals"),
        (status = 400, body = ErrorBody, description = "iso20022_unreadable"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "iso20022_not_consumed")))]
pub(crate) async fn post_message(
    State(state): State<AppState>,
    Extension(shared): Extension<Arc<Shared>>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let sender = caller.require_participant()?;
    check_content_type(&headers)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge
        } else {
            ApiError::refused(Code::BodyUnreadable, rejection.body_text())
        }
    })?;
    let parsed = match parse_off_workers(body).await? {
        Ok(parsed) => parsed,
        Err(rejection) => return answer::refused(&rejection),
    };
    let Some(message) = parsed.message else {
        return Err(not_consumed(&parsed.info));
    };
    let ctx = Ctx {
        state,
        sender,
        info: parsed.info,
        shared,
    };
    match message {
        Message::CreditTransfer(ct) => credit::handle(&ctx, ct).await,
        Message::StatusReport(report) => decide::status_report(&ctx, report).await,
        Message::PaymentReturn(ret) => decide::payment_return(&ctx, ret).await,
        Message::CancellationRequest(req) => cancel::cancellation(&ctx, req).await,
        Message::StatusRequest(req) => decide::status_request(&ctx, req).await,
    }
}

/// XML only: `application/xml`, `text/xml` or any `+xml` type; a missing header is tolerated
/// (curl's `--data-binary` sends a form type, which is refused).
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml") {
        return Ok(());
    }
    Err(ApiError::refused(
        Code::UnsupportedMediaType,
        "send ISO 20022 messages as application/xml",
    ))
}

/// 422 `iso20022_not_consumed`: a valid message of a type the hub does not act on inbound.
fn not_consumed(info: &MessageInfo) -> ApiError {
    let reason = match &info.inbound {
        Some(iso20022::Inbound::NotConsumed { reason }) => *reason,
        _ => "the hub does not act on this message",
    };
    ApiError::refused(
        Code::Iso20022NotConsumed,
        format!("{}: {reason}", info.version.as_deref().unwrap_or("message")),
    )
}

/// Parses at most this many messages at once, each on tokio's blocking pool: a parse is CPU
/// work (bounded and linear in the input by `iso20022`'s limits, but up to 4 MiB), and on the
/// async workers concurrent large messages would stall every other request, health included.
static PARSE_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
/// How long a message may wait for a parse slot and be parsed before the caller gets 503.
const PARSE_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// [`iso20022::parse`] off the async workers, within [`PARSE_BUDGET`]. Past the budget the
/// caller is answered at once; the parse, bounded by the reader's limits, finishes on its own
/// and its slot is released then.
async fn parse_off_workers(
    body: Bytes,
) -> Result<Result<iso20022::Parsed, Box<iso20022::Rejection>>, ApiError> {
    let busy = || {
        ApiError::refused(
            Code::Iso20022ParseBusy,
            format!("the message could not be read within {PARSE_BUDGET:?}; retry later"),
        )
    };
    let parse = async {
        let permit = PARSE_PERMITS.acquire().await.map_err(|_| busy())?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            iso20022::parse(&body)
        })
        .await
        .map_err(|_| busy())
    };
    tokio::time::timeout(PARSE_BUDGET, parse)
        .await
        .map_err(|_| busy())?
}

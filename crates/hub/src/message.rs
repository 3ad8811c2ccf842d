//! Participants' messages (`ReceiveMessage`): a MsgId and the actions it carries, as one
//! journalled unit, so duplicate detection survives restarts and never half-applies.
//!
//! - Only a participant sends messages (`forbidden_not_participant`); MsgIds are per sender
//!   (ISO 20022: unique per instructing party), 1 to 35 characters (`Max35Text`).
//! - A MsgId the sender used before refuses the whole message (`duplicate_message_id`, ISO DU01)
//!   before any action runs; otherwise the MsgId is recorded and every action is applied in
//!   order, each with its own outcome, exactly as if sent alone. The MsgId stays used even if
//!   every action was refused: the message was received and answered.
//! - A message inside a message is refused (`nested_message`), and so is one of more than
//!   [`MESSAGE_ACTIONS_MAX`] actions (`message_too_large`).
//! - The record keeps the ids of the payments the message's `CreatePayment`s created (or
//!   replayed), so a status report naming only the original MsgId finds them.

use crate::command::{Action, Outcome, Success};
use crate::error::HubError;
use crate::model::{ParticipantId, PaymentId, Principal, Timestamp, check_text};
use crate::state::Hub;

/// ISO 20022 `Max35Text`.
pub const MSG_ID_CHARS_MAX: usize = 35;

/// Most actions in one message: bounds the work of one command and the size of its journal
/// record (the server refuses larger messages earlier, by its bulk limit).
pub const MESSAGE_ACTIONS_MAX: usize = 100_000;

impl Hub {
    pub(crate) fn receive_message(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        msg_id: &str,
        actions: &[Action],
    ) -> Outcome {
        let Principal::Participant(sender) = actor else {
            return Err(HubError::ForbiddenNotParticipant);
        };
        check_text("msg_id", msg_id, MSG_ID_CHARS_MAX)?;
        if actions.len() > MESSAGE_ACTIONS_MAX {
            return Err(HubError::MessageTooLarge);
        }
        if actions
            .iter()
            .any(|a| matches!(a, Action::ReceiveMessage { .. }))
        {
            return Err(HubError::NestedMessage);
        }
        let key = (msg_id.to_owned(), *sender);
        if self.messages.contains_key(&key) {
            return Err(HubError::DuplicateMessageId);
        }
        let outcomes: Vec<Outcome> = actions
            .iter()
            .map(|action| self.apply_action(now, actor, action))
            .collect();
        let payments = actions
            .iter()
            .zip(&outcomes)
            .filter_map(|(action, outcome)| match (action, outcome) {
                (
                    Action::CreatePayment(_) | Action::CreatePaymentWithParties(_),
                    Ok(Success::Payment(p)),
                ) => Some(p.payment),
                _ => None,
            })
            .collect();
        self.messages.insert(key, payments);
        Ok(Success::MessageReceived { outcomes })
    }

    /// The payments created by `sender`'s message `msg_id`, if the sender used that MsgId.
    pub fn message(&self, sender: ParticipantId, msg_id: &str) -> Option<&[PaymentId]> {
        self.messages
            .get(&(msg_id.to_owned(), sender))
            .map(Vec::as_slice)
    }

    /// Every sender's message `msg_id` (MsgIds are unique per sender only), by sender.
    pub fn messages_named(&self, msg_id: &str) -> Vec<(ParticipantId, &[PaymentId])> {
        let from = (msg_id.to_owned(), ParticipantId(0));
        let to = (msg_id.to_owned(), ParticipantId(u64::MAX));
        self.messages
            .range(from..=to)
            .map(|((_, sender), payments)| (*sender, payments.as_slice()))
            .collect()
    }
}

//! Finding the business application header (head.001) and the ISO `Document` inside whatever
//! wraps them — bare, SWIFT `Envelope`, FedNow technical wrappers, or any parent — by namespace
//! URI only, and checking that the header's `MsgDefIdr` names the Document's message.
//!
//! Decision on header/document version skew (the corpus' camt.056 AtoB quirk: BAH says
//! camt.056.001.08, Document is camt.056.001.11): the Document namespace is authoritative. A
//! different *message type* in `MsgDefIdr` is rejected (FF01); the same type in another
//! *version* is accepted with a note in the report, because the body is self-describing and
//! valid, and market infrastructures forward such messages during version migrations.

use crate::catalog::{ISO_NS_PREFIX, MessageName};
use crate::dom::El;
use crate::map::institution as map_agent;
use crate::model::Agent;
use crate::report::{ReasonCode, Violation, Wrapper};
use serde::Serialize;

const HEAD_NS_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:head.001.";

/// The business application header fields the hub uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BusinessHeader {
    /// e.g. `head.001.001.02`.
    pub version: String,
    pub from: Agent,
    pub to: Agent,
    pub biz_msg_id: String,
    pub msg_def_id: String,
    pub created: String,
}

/// AppHdr and Document located in a parsed tree.
pub struct Located<'a> {
    pub wrapper: Wrapper,
    pub app_hdr: Option<El<'a>>,
    pub document: El<'a>,
}

/// Finds the header and Document. Errors are FF01 violations.
pub fn locate<'a>(root: El<'a>) -> Result<Located<'a>, Violation> {
    let mut app_hdr = None;
    let mut documents = Vec::new();
    for el in root.descendants() {
        // Names first (cheap), then the namespace URI decides.
        let name = el.name();
        if name != "AppHdr" && name != "Document" {
            continue;
        }
        let Some(ns) = el.ns() else { continue };
        if ns.starts_with(HEAD_NS_PREFIX) {
            if name == "AppHdr" && app_hdr.is_none() {
                app_hdr = Some(el);
            }
        } else if ns.starts_with(ISO_NS_PREFIX) && name == "Document" {
            documents.push(el);
        }
    }
    let document = match documents.as_slice() {
        [one] => *one,
        [] => {
            return Err(Violation::new(
                ReasonCode::FF01,
                "envelope.document",
                "no ISO 20022 Document (namespace urn:iso:std:iso:20022:tech:xsd:...) found",
                root.path(),
            ));
        }
        [_, second, ..] => {
            return Err(Violation::new(
                ReasonCode::FF01,
                "envelope.document",
                "more than one ISO 20022 Document in one message",
                second.path(),
            ));
        }
    };
    let root_ns = root.ns().unwrap_or("");
    let wrapper = if root.name() == "Document" && root_ns.starts_with(ISO_NS_PREFIX) {
        Wrapper::Document
    } else if root_ns.starts_with("urn:fednow:incoming") {
        Wrapper::FedNowIncoming
    } else if root_ns.starts_with("urn:fednow:outgoing") {
        Wrapper::FedNowOutgoing
    } else if root.name() == "Envelope"
        && (root_ns.is_empty() || root_ns == "urn:swift:xsd:envelope")
    {
        Wrapper::Envelope
    } else if app_hdr.is_some() {
        Wrapper::AppHdrDocument
    } else {
        return Err(Violation::new(
            ReasonCode::FF01,
            "envelope.unknown",
            format!(
                "unknown wrapper element {} around the Document",
                root.name()
            ),
            root.path(),
        ));
    };
    Ok(Located {
        wrapper,
        app_hdr,
        document,
    })
}

/// Reads the header and checks `MsgDefIdr` against the Document's message name.
/// Returns the header, a violation if the types differ, and a note if only versions differ.
pub fn read_header(
    hdr: El<'_>,
    document_name: &str,
    violations: &mut Vec<Violation>,
    notes: &mut Vec<String>,
) -> BusinessHeader {
    let text = |name: &str| {
        hdr.child(name)
            .map(|e| e.text().trim().to_owned())
            .unwrap_or_default()
    };
    let msg_def_id = text("MsgDefIdr");
    for required in ["Fr", "To", "BizMsgIdr", "MsgDefIdr", "CreDt"] {
        if hdr.child(required).is_none() {
            violations.push(Violation::new(
                ReasonCode::FF02,
                "xsd.required",
                format!("required element {required} is missing"),
                format!("{}/{required}", hdr.path()),
            ));
        }
    }
    let path = format!("{}/MsgDefIdr", hdr.path());
    match (
        MessageName::parse(&msg_def_id),
        MessageName::parse(document_name),
    ) {
        (Some(h), Some(d)) if h.id == d.id && h.version != d.version => notes.push(format!(
            "AppHdr MsgDefIdr {msg_def_id} differs in version from the Document \
             ({document_name}); the Document namespace is authoritative"
        )),
        (Some(h), Some(d)) if h.id == d.id => {}
        _ if hdr.child("MsgDefIdr").is_none() => {}
        _ => violations.push(Violation::new(
            ReasonCode::FF01,
            "bah.msgdefidr",
            format!(
                "AppHdr MsgDefIdr '{}' does not name the Document's message {document_name}",
                crate::rules::clip(&msg_def_id)
            ),
            path,
        )),
    }
    let agent_at = |name: &str| {
        hdr.at(&[name, "FIId", "FinInstnId"])
            .map(map_agent)
            .unwrap_or_default()
    };
    BusinessHeader {
        version: hdr
            .ns()
            .and_then(|ns| ns.strip_prefix(ISO_NS_PREFIX))
            .unwrap_or("")
            .to_owned(),
        from: agent_at("Fr"),
        to: agent_at("To"),
        biz_msg_id: text("BizMsgIdr"),
        msg_def_id,
        created: text("CreDt"),
    }
}

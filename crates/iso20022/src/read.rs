//! The reading pipeline: bytes → XML tree → located Document → identified message → field
//! rules → version-neutral model. Every failure is a [`Violation`] with an ISO reason code;
//! nothing panics on input.

use crate::catalog::{self, ISO_NS_PREFIX, MessageName};
use crate::dom::Dom;
use crate::envelope::{self, BusinessHeader};
use crate::map;
use crate::model::Message;
use crate::report::{CheckReport, Inbound, ReasonCode, Verdict, Violation, Wrapper};
use crate::rules;
use serde::Serialize;

/// What was identified about a message, as far as reading got.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MessageInfo {
    /// e.g. `pacs.008`.
    pub message_type: Option<&'static str>,
    /// e.g. `pacs.008.001.08`.
    pub version: Option<String>,
    pub wrapper: Option<Wrapper>,
    pub header: Option<Box<BusinessHeader>>,
    /// The message's own id (`GrpHdr/MsgId` or `Assgnmt/Id`), for answering a rejection.
    pub msg_id: Option<String>,
    pub inbound: Option<Inbound>,
    pub notes: Vec<String>,
}

/// A message that passed every check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub info: MessageInfo,
    /// The model, for types the hub consumes; `None` for recognised types it does not
    /// (see `info.inbound`).
    pub message: Option<Message>,
}

/// A message that was refused, with every violation found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub info: MessageInfo,
    pub violations: Vec<Violation>,
}

/// Reads, validates and maps one message.
pub fn parse(bytes: &[u8]) -> Result<Parsed, Box<Rejection>> {
    let mut info = MessageInfo::default();
    let reject = |info: MessageInfo, v: Violation| {
        Box::new(Rejection {
            info,
            violations: vec![v],
        })
    };
    let dom = match Dom::parse(bytes) {
        Ok(dom) => dom,
        Err(e) => {
            let rule = if e.is_limit() {
                "xml.limits"
            } else {
                "xml.wellformed"
            };
            let v = Violation::new(ReasonCode::FF01, rule, e.to_string(), "/");
            return Err(reject(info, v));
        }
    };
    let located = match envelope::locate(dom.root()) {
        Ok(l) => l,
        Err(v) => return Err(reject(info, v)),
    };
    info.wrapper = Some(located.wrapper);
    let doc = located.document;
    let name = doc
        .ns()
        .and_then(|ns| ns.strip_prefix(ISO_NS_PREFIX))
        .unwrap_or("");
    let entry = MessageName::parse(name).and_then(|n| {
        let e = catalog::entry(n.id)?;
        Some((e, e.versions.contains(&n.version)))
    });
    let entry = match entry {
        Some((e, true)) => e,
        Some((e, false)) => {
            info.message_type = Some(e.id);
            let v = Violation::new(
                ReasonCode::FF01,
                "catalog.version",
                format!("{name} is not a supported version of {}", e.id),
                doc.path(),
            );
            return Err(reject(info, v));
        }
        None => {
            let v = Violation::new(
                ReasonCode::FF01,
                "catalog.message",
                format!("unknown or unsupported message '{}'", rules::clip(name)),
                doc.path(),
            );
            return Err(reject(info, v));
        }
    };
    info.message_type = Some(entry.id);
    info.version = Some(name.to_owned());
    info.inbound = Some(entry.inbound.clone());
    let Some(root) = doc.child(entry.root) else {
        let v = Violation::new(
            ReasonCode::FF02,
            "xsd.required",
            format!("{name} Document must contain {}", entry.root),
            format!("{}/{}", doc.path(), entry.root),
        );
        return Err(reject(info, v));
    };
    info.msg_id = root
        .text_at(&["GrpHdr", "MsgId"])
        .or_else(|| root.text_at(&["Assgnmt", "Id"]))
        .map(|s| s.trim().to_owned());
    let consumed = matches!(entry.inbound, Inbound::Consumed { .. });
    let mut violations = Vec::new();
    if let Some(hdr) = located.app_hdr {
        info.header = Some(Box::new(envelope::read_header(
            hdr,
            name,
            &mut violations,
            &mut info.notes,
        )));
        rules::check_fields(hdr, consumed, &mut violations);
    }
    rules::check_fields(doc, consumed, &mut violations);
    let (message, structural) = map::map(entry.ty, root);
    violations.extend(structural);
    if violations.is_empty() {
        Ok(Parsed { info, message })
    } else {
        Err(Box::new(Rejection { info, violations }))
    }
}

/// Parses and validates one message offline and reports type, version, wrapper and verdict.
pub fn check(bytes: &[u8]) -> CheckReport {
    let (info, verdict) = match parse(bytes) {
        Ok(p) => (p.info, Verdict::Valid),
        Err(r) => {
            let r = *r;
            (r.info, Verdict::Rejected(r.violations))
        }
    };
    CheckReport {
        message_type: info.message_type.map(str::to_owned),
        version: info.version,
        wrapper: info.wrapper,
        business_header: info.header.map(|h| h.version),
        inbound: info.inbound,
        verdict,
        notes: info.notes,
    }
}

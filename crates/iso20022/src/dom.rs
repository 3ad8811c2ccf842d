//! A small namespace-aware element tree built with quick-xml. ISO 20022 messages are small
//! (kilobytes), so a tree keeps the mapping code simple; hard limits keep hostile input bounded.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use std::borrow::Cow;

/// Largest message accepted, in bytes.
pub const INPUT_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Deepest element nesting accepted.
pub const DEPTH_MAX: usize = 64;
/// Most elements accepted in one message.
pub const ELEMENTS_MAX: usize = 100_000;

/// Why the bytes are not a well-formed XML document kliring will read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("message is {0} bytes; the limit is {INPUT_BYTES_MAX}")]
    TooLarge(usize),
    #[error("message is not UTF-8")]
    NotUtf8,
    #[error("malformed XML at byte {position}: {detail}")]
    Malformed { position: u64, detail: String },
    #[error("elements nest deeper than {DEPTH_MAX}")]
    TooDeep,
    #[error("more than {ELEMENTS_MAX} elements")]
    TooManyElements,
    #[error("DOCTYPE declarations are not accepted")]
    Doctype,
    #[error("no root element")]
    NoRoot,
    #[error("content after the root element")]
    TrailingContent,
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
}

/// Index of a node in its [`Dom`].
pub type NodeId = usize;

#[derive(Debug)]
struct Node<'a> {
    /// Index into `Dom::namespaces`; `None` for no namespace.
    ns: Option<usize>,
    /// Borrowed from the input whenever possible (always, for `Dom::parse` input).
    name: Cow<'a, str>,
    text: Cow<'a, str>,
    attrs: Vec<(String, String)>,
    parent: Option<NodeId>,
    first_child: Option<NodeId>,
    last_child: Option<NodeId>,
    next_sibling: Option<NodeId>,
    /// One past the last descendant: nodes are stored in document (pre-)order, so a subtree
    /// is the contiguous range `id..end`.
    end: NodeId,
}

/// A parsed document borrowing from its input: node 0 is the root element.
#[derive(Debug)]
pub struct Dom<'a> {
    nodes: Vec<Node<'a>>,
    namespaces: Vec<String>,
}

/// A borrowed view of one element.
#[derive(Clone, Copy)]
pub struct El<'a> {
    dom: &'a Dom<'a>,
    id: NodeId,
}

impl<'a> Dom<'a> {
    /// Parses `bytes` into a tree, enforcing the limits above.
    pub fn parse(bytes: &'a [u8]) -> Result<Dom<'a>, XmlError> {
        if bytes.len() > INPUT_BYTES_MAX {
            return Err(XmlError::TooLarge(bytes.len()));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = NsReader::from_str(text);
        let mut dom = Dom {
            nodes: Vec::with_capacity(128),
            namespaces: Vec::new(),
        };
        let mut stack: Vec<NodeId> = Vec::with_capacity(16);
        let mut done = false;
        loop {
            let position = reader.buffer_position();
            let malformed = |e: quick_xml::Error| XmlError::Malformed {
                position,
                detail: e.to_string(),
            };
            let (resolved, event) = reader.read_resolved_event().map_err(malformed)?;
            let ns = match resolved {
                ResolveResult::Bound(ns) => Some(dom.intern(ns.into_inner())?),
                ResolveResult::Unbound => None,
                ResolveResult::Unknown(prefix) => {
                    return Err(XmlError::Malformed {
                        position,
                        detail: format!(
                            "unbound namespace prefix {}",
                            String::from_utf8_lossy(&prefix)
                        ),
                    });
                }
            };
            match event {
                Event::Start(_) | Event::Empty(_) if done => {
                    return Err(XmlError::TrailingContent);
                }
                Event::Start(start) => {
                    let id = dom.push(text, ns, &start, stack.last().copied())?;
                    stack.push(id);
                    if stack.len() > DEPTH_MAX {
                        return Err(XmlError::TooDeep);
                    }
                }
                Event::Empty(start) => {
                    let id = dom.push(text, ns, &start, stack.last().copied())?;
                    dom.nodes[id].end = id + 1;
                    if stack.is_empty() {
                        done = true;
                    }
                }
                Event::End(_) => {
                    if let Some(id) = stack.pop() {
                        dom.nodes[id].end = dom.nodes.len();
                    }
                    if stack.is_empty() {
                        done = true;
                    }
                }
                Event::Text(t) => {
                    // Indentation between elements is the common case: skip it cheaply.
                    let blank = t.iter().all(u8::is_ascii_whitespace);
                    if !(blank && dom.open_text_is_empty(&stack)) {
                        let content = t.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                        dom.append_text(&stack, content)?;
                    }
                }
                Event::CData(c) => {
                    let content = c.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                    dom.append_text(&stack, content)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = resolve_entity(&r)?;
                    let owned = Cow::Owned(resolved.to_string());
                    dom.append_text(&stack, owned)?;
                }
                Event::DocType(_) => return Err(XmlError::Doctype),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !stack.is_empty() {
            return Err(XmlError::Malformed {
                position: reader.buffer_position(),
                detail: "unexpected end of input inside an element".into(),
            });
        }
        if dom.nodes.is_empty() {
            return Err(XmlError::NoRoot);
        }
        Ok(dom)
    }

    fn intern(&mut self, uri: &[u8]) -> Result<usize, XmlError> {
        // Most elements share their parent's namespace: try the newest entries first.
        if let Some(i) = self.namespaces.iter().rposition(|n| n.as_bytes() == uri) {
            return Ok(i);
        }
        let uri = std::str::from_utf8(uri).map_err(|_| XmlError::NotUtf8)?;
        self.namespaces.push(uri.to_owned());
        Ok(self.namespaces.len() - 1)
    }

    fn push(
        &mut self,
        input: &'a str,
        ns: Option<usize>,
        start: &BytesStart<'_>,
        parent: Option<NodeId>,
    ) -> Result<NodeId, XmlError> {
        if self.nodes.len() >= ELEMENTS_MAX {
            return Err(XmlError::TooManyElements);
        }
        let local = start.local_name().into_inner();
        let name = match borrow_from(input, local) {
            Some(borrowed) => Cow::Borrowed(borrowed),
            None => Cow::Owned(
                std::str::from_utf8(local)
                    .map_err(|_| XmlError::NotUtf8)?
                    .to_owned(),
            ),
        };
        let mut attrs = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| XmlError::Malformed {
                position: 0,
                detail: e.to_string(),
            })?;
            let key = attr.key;
            // Namespace declarations and prefixed attributes (xsi:...) carry no business data.
            if key.as_namespace_binding().is_some() || key.prefix().is_some() {
                continue;
            }
            let key = std::str::from_utf8(key.local_name().into_inner())
                .map_err(|_| XmlError::NotUtf8)?
                .to_owned();
            let value = attr.unescape_value().map_err(|e| XmlError::Malformed {
                position: 0,
                detail: e.to_string(),
            })?;
            attrs.push((key, value.into_owned()));
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            ns,
            name,
            text: Cow::Borrowed(""),
            attrs,
            parent,
            first_child: None,
            last_child: None,
            next_sibling: None,
            end: id + 1,
        });
        if let Some(p) = parent {
            match self.nodes[p].last_child {
                Some(last) => self.nodes[last].next_sibling = Some(id),
                None => self.nodes[p].first_child = Some(id),
            }
            self.nodes[p].last_child = Some(id);
        }
        Ok(id)
    }

    fn open_text_is_empty(&self, stack: &[NodeId]) -> bool {
        stack
            .last()
            .is_none_or(|&id| self.nodes[id].text.is_empty())
    }

    /// Appends character data to the open element. Whitespace before any character data is
    /// dropped: it is indentation between elements, and leaf values are trimmed anyway.
    fn append_text(&mut self, stack: &[NodeId], content: Cow<'a, str>) -> Result<(), XmlError> {
        let Some(&id) = stack.last() else {
            return if content.trim().is_empty() {
                Ok(())
            } else {
                Err(XmlError::TrailingContent)
            };
        };
        let text = &mut self.nodes[id].text;
        if text.is_empty() {
            if !content.trim().is_empty() {
                *text = content;
            }
        } else {
            text.to_mut().push_str(&content);
        }
        Ok(())
    }

    /// The root element.
    pub fn root(&self) -> El<'_> {
        El { dom: self, id: 0 }
    }
}

/// `part` as a sub-slice of `input` with the input's lifetime, if it lies within it.
fn borrow_from<'a>(input: &'a str, part: &[u8]) -> Option<&'a str> {
    let range = input.as_bytes().as_ptr_range();
    let start = part.as_ptr();
    if !range.contains(&start) {
        return None;
    }
    let offset = (start as usize).checked_sub(input.as_ptr() as usize)?;
    input.get(offset..offset.checked_add(part.len())?)
}

fn resolve_entity(r: &quick_xml::events::BytesRef<'_>) -> Result<char, XmlError> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(XmlError::UnknownEntity(
                String::from_utf8_lossy(r.as_ref()).into_owned(),
            )),
        };
    }
    match r.as_ref() {
        b"amp" => Ok('&'),
        b"lt" => Ok('<'),
        b"gt" => Ok('>'),
        b"quot" => Ok('"'),
        b"apos" => Ok('\''),
        other => Err(XmlError::UnknownEntity(
            String::from_utf8_lossy(other).into_owned(),
        )),
    }
}

impl<'a> El<'a> {
    /// Local element name, without prefix.
    pub fn name(&self) -> &'a str {
        &self.node().name
    }

    /// Namespace URI, if any.
    pub fn ns(&self) -> Option<&'a str> {
        self.node().ns.map(|i| self.dom.namespaces[i].as_str())
    }

    /// Text content of this element (excluding children, leading indentation dropped).
    pub fn text(&self) -> &'a str {
        &self.node().text
    }

    /// The value of an unprefixed attribute.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.node()
            .attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the element has child elements.
    pub fn has_children(&self) -> bool {
        self.node().first_child.is_some()
    }

    /// Child elements in document order.
    pub fn children(self) -> impl Iterator<Item = El<'a>> + 'a {
        let dom = self.dom;
        std::iter::successors(self.node().first_child, move |&id| {
            dom.nodes[id].next_sibling
        })
        .map(move |id| El { dom, id })
    }

    /// Child elements named `name`.
    pub fn children_named(self, name: &'a str) -> impl Iterator<Item = El<'a>> + 'a {
        self.children().filter(move |c| c.name() == name)
    }

    /// First child element named `name`.
    pub fn child(&self, name: &str) -> Option<El<'a>> {
        self.children().find(|c| c.name() == name)
    }

    /// Follows a path of child names, e.g. `["GrpHdr", "MsgId"]`.
    pub fn at(&self, path: &[&str]) -> Option<El<'a>> {
        path.iter().try_fold(*self, |el, name| el.child(name))
    }

    /// Text of the element at `path`, if present.
    pub fn text_at(&self, path: &[&str]) -> Option<&'a str> {
        self.at(path).map(|e| e.text())
    }

    /// All elements of this subtree (self first), in document order.
    pub fn descendants(self) -> impl Iterator<Item = El<'a>> + 'a {
        let dom = self.dom;
        (self.id..self.node().end).map(move |id| El { dom, id })
    }

    /// Slash-separated path of local names from the root, e.g. `/Document/FIToFICstmrCdtTrf`.
    pub fn path(&self) -> String {
        let mut names = Vec::new();
        let mut cur = Some(self.id);
        while let Some(id) = cur {
            names.push(self.dom.nodes[id].name.as_ref());
            cur = self.dom.nodes[id].parent;
        }
        names.reverse();
        let mut out = String::new();
        for n in names {
            out.push('/');
            out.push_str(n);
        }
        out
    }

    fn node(&self) -> &'a Node<'a> {
        &self.dom.nodes[self.id]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_resolve_regardless_of_prefix() {
        let xml = br#"<e:Envelope xmlns:e="urn:x"><p:Doc xmlns:p="urn:y"><p:A>1 &amp; 2</p:A></p:Doc></e:Envelope>"#;
        let dom = Dom::parse(xml).expect("parses");
        let root = dom.root();
        assert_eq!(root.name(), "Envelope");
        assert_eq!(root.ns(), Some("urn:x"));
        let a = root.at(&["Doc", "A"]).expect("A");
        assert_eq!(a.ns(), Some("urn:y"));
        assert_eq!(a.text(), "1 & 2");
        assert_eq!(a.path(), "/Envelope/Doc/A");
        let names: Vec<_> = root.descendants().map(|e| e.name()).collect();
        assert_eq!(names, ["Envelope", "Doc", "A"]);
        assert_eq!(root.children().count(), 1);
    }

    #[test]
    fn text_keeps_inner_whitespace_and_entities() {
        let dom = Dom::parse(b"<a>\n  <b> x &lt; y </b>\n  <c/></a>").expect("parses");
        let root = dom.root();
        assert_eq!(root.text(), "");
        assert_eq!(root.text_at(&["b"]), Some(" x < y "));
        let subtree: Vec<_> = root
            .at(&["b"])
            .expect("b")
            .descendants()
            .map(|e| e.name())
            .collect();
        assert_eq!(subtree, ["b"]);
    }

    #[test]
    fn malformed_input_is_an_error() {
        let cases: [&[u8]; 7] = [
            b"",
            b"<a>",
            b"<a></b>",
            b"<a/><b/>",
            b"<!DOCTYPE a><a/>",
            b"<a>&foo;</a>",
            b"<p:a/>",
        ];
        for case in cases {
            assert!(
                Dom::parse(case).is_err(),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(DEPTH_MAX + 1),
            "</a>".repeat(DEPTH_MAX + 1)
        );
        assert_eq!(Dom::parse(deep.as_bytes()).err(), Some(XmlError::TooDeep));
    }
}

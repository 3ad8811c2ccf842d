//! Screening at the edge: every free text of a payment (debtor, creditor, ultimate parties and
//! initiating party with their address lines, agents' names, unstructured and structured
//! remittance information) is screened against the active lists before the command is
//! submitted, and the verdict (hits naming their field + list versions) travels inside the
//! command, so replaying the journal never re-screens. Each distinct text is screened once per
//! payment (and at most once per list snapshot, through the cache). Names are screened as names
//! (agents as organisations); free text that may carry a name among other words (address
//! lines, remittance information) is screened as text ([`Lists::screen_text`]: a listed name
//! anywhere in it). A text that is disguised in itself (bidi controls, invisible characters
//! between letters, look-alike letters from another script inside a word) holds the payment
//! whether or not it matched: the hit's list is [`SUSPICION_LIST`] and its reference the
//! suspicion's code.
//!
//! Lists come from `DATA/lists` (imported with `kliring lists import`), from files named in the
//! configuration, and from lists handed over in memory (the demo). A UN list must look like the
//! published one to be put in force ([`un_list_problems`]: at least [`UN_ENTRIES_MIN`] entries,
//! a `dateGenerated`, not older than the UN list in force); one that does not is refused unless
//! the operator started the server with `--accept-unverified-un-list`, and then the override is
//! journalled (`RecordListOverride`) and shown on `/v1/health`. Only the bundled demo list,
//! handed over in memory with the label "demo data", skips the checks, and health says so. Without a UN Security Council
//! list every payment is refused with `no_un_list_loaded`; the hub refuses a verdict without a UN
//! version too, so the rule holds even if this edge had a bug.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hub::{
    AgentRecord, ClearedHit, CountryCode, ListVersionRecord, PartySide, PaymentInstruction,
    RelatedParties, RelatedParty, SCORE_BP_MAX, ScreeningHitRecord, ScreeningVerdict,
};
use screening::{
    EntryKind, Hit, ImportedList, ListSet, ListSource, ListStore, ListVersion, Lists, Query,
    RawList, ScreeningResult,
};

use crate::error::{ApiError, Code};

pub use screening::{UN_ENTRIES_MIN, generated_at, un_list_problems};

/// The message every refused payment carries when no UN list is loaded.
pub const NO_UN_LIST_MESSAGE: &str =
    "no UN Security Council list loaded; import one with kliring lists import FILE";

/// Days after its `dateGenerated` a UN list raises the stale alarm by default (the Council
/// amends it several times a month).
pub const UN_LIST_MAX_AGE_DAYS_DEFAULT: u32 = 30;

/// Most screening results kept in the cache before it is emptied.
pub const SCREEN_CACHE_ENTRIES_MAX: usize = 65_536;

/// The `list` of a hit that records a disguised text rather than a listed entry.
pub const SUSPICION_LIST: &str = "suspicion";

/// The screening engine as the server uses it.
#[derive(Clone)]
pub struct Screener {
    lists: Arc<ListSet>,
    store: ListStore,
    threshold: f64,
    cache: Arc<Mutex<ScreenCache>>,
    /// Whether UN lists failing the checks may be put in force (journalled).
    accept_unverified: bool,
    un: Arc<Mutex<UnListState>>,
}

/// What the last load or reload decided about UN lists.
#[derive(Clone, Debug, Default)]
pub struct UnListState {
    /// A UN list that was not put in force, and why.
    pub refused: Option<String>,
    /// The UN list in force by the operator's override, as it is (to be) journalled.
    pub overridden: Option<hub::ListOverrideRecord>,
}

/// Why lists could not be put in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnListRefused(pub String);

/// Results per query (how it is read, the text and everything else the matcher weighs) for one
/// snapshot of the lists. Banks pay the same customers
/// over and over (payroll, suppliers); screening is deterministic for a given snapshot and
/// threshold, so repeating a name costs a map lookup. A reload changes the snapshot, which
/// empties the cache, so a result is never served from lists that are no longer active.
#[derive(Default)]
struct ScreenCache {
    lists: Option<Arc<Lists>>,
    results: HashMap<(ScreenMode, Query), ScreeningResult>,
}

/// How a text is read: as a party's name, or as free text that may carry a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ScreenMode {
    Name,
    Text,
}

/// Why lists could not be loaded at start.
#[derive(Debug, thiserror::Error)]
pub enum ListLoadError {
    #[error("{0}; pass --accept-unverified-un-list to put it in force anyway (journalled)")]
    UnRefused(String),
    #[error("loading stored lists from {dir}: {message}")]
    Store { dir: PathBuf, message: String },
    #[error("importing {path}: {message}")]
    File { path: PathBuf, message: String },
}

impl Screener {
    /// Loads `DATA/lists`, then `files` (later ones replace earlier lists of the same source),
    /// then `extra` lists given in memory. A UN list failing [`un_list_problems`] is left out
    /// (payments are refused without a UN list; `/v1/health` says why) unless
    /// `accept_unverified`.
    pub fn load(
        lists_dir: &Path,
        files: &[PathBuf],
        extra: &[ImportedList],
        threshold: f64,
        accept_unverified: bool,
    ) -> Result<Self, ListLoadError> {
        let store = ListStore::new(lists_dir);
        let stored = store.load_all().map_err(|error| ListLoadError::Store {
            dir: lists_dir.to_path_buf(),
            message: error.to_string(),
        })?;
        let screener = Screener {
            lists: Arc::new(ListSet::new()),
            store,
            threshold,
            cache: Arc::new(Mutex::new(ScreenCache::default())),
            accept_unverified,
            un: Arc::new(Mutex::new(UnListState::default())),
        };
        let mut candidates = stored;
        for path in files {
            candidates.push(import_file(path)?);
        }
        for list in candidates {
            // The bundled demo list, stored by `kliring demo --data`: small by design, and only
            // the bundled file itself (same content hash), whatever label another file claims.
            if is_bundled_demo(&list) {
                screener.lists.install(list);
                continue;
            }
            if let Err(UnListRefused(reason)) = screener.admit(list) {
                tracing::error!("{reason}; it is not in force");
                screener.un_state_mut().refused = Some(reason);
            }
        }
        for list in extra {
            // The bundled demo list is small by design; its label shows wherever it is used.
            if list.version.label.as_deref() == Some(screening::fixtures::DEMO_LABEL) {
                screener.lists.install(list.clone());
            } else if let Err(UnListRefused(reason)) = screener.admit(list.clone()) {
                tracing::error!("{reason}; it is not in force");
                screener.un_state_mut().refused = Some(reason);
            }
        }
        for version in screener.lists.versions() {
            tracing::info!(source = %version.source, version = %version.content_hash,
                entries = version.entries, label = ?version.label, "sanctions list loaded");
        }
        if !screener.lists.has_un() {
            tracing::warn!("{NO_UN_LIST_MESSAGE}; payments will be refused");
        }
        Ok(screener)
    }

    /// Re-reads `DATA/lists` and swaps in what is there (screenings in flight keep theirs). A
    /// UN list failing the checks (without the override) changes nothing at all.
    pub fn reload(&self) -> Result<(), ListLoadError> {
        let stored = self
            .store
            .load_all()
            .map_err(|error| ListLoadError::Store {
                dir: self.store.dir().to_path_buf(),
                message: error.to_string(),
            })?;
        let installed = self.installed_un();
        for list in &stored {
            if list.version.source == ListSource::Un
                && !is_bundled_demo(list)
                && installed.as_ref().map(|v| &v.content_hash) != Some(&list.version.content_hash)
            {
                let problems = un_list_problems(&list.version, installed.as_ref());
                if !problems.is_empty() && !self.accept_unverified {
                    let reason = refusal(&list.version, &problems);
                    self.un_state_mut().refused = Some(reason.clone());
                    return Err(ListLoadError::UnRefused(reason));
                }
            }
        }
        for list in stored {
            let unchanged = list.version.source == ListSource::Un
                && installed.as_ref().map(|v| &v.content_hash) == Some(&list.version.content_hash);
            if is_bundled_demo(&list) {
                self.lists.install(list);
            } else if !unchanged {
                // Checked above: a refusal here cannot happen without the override.
                self.admit(list)
                    .map_err(|UnListRefused(r)| ListLoadError::UnRefused(r))?;
            }
        }
        Ok(())
    }

    /// Puts a list in force; a UN list only when it passes the checks or the override is on.
    fn admit(&self, list: ImportedList) -> Result<(), UnListRefused> {
        if list.version.source != ListSource::Un {
            self.lists.install(list);
            return Ok(());
        }
        let problems = un_list_problems(&list.version, self.installed_un().as_ref());
        let mut state = self.un_state_mut();
        if problems.is_empty() {
            state.overridden = None;
        } else if self.accept_unverified {
            tracing::warn!(version = %list.version.content_hash, ?problems,
                "UN list put in force by the operator's override");
            state.overridden = Some(hub::ListOverrideRecord {
                source: ListSource::Un.as_str().to_owned(),
                version: list.version.content_hash.clone(),
                entries: u64::try_from(list.version.entries).unwrap_or(u64::MAX),
                generated: list.version.generated.clone(),
                reason: problems.join("; "),
            });
        } else {
            return Err(UnListRefused(refusal(&list.version, &problems)));
        }
        state.refused = None;
        drop(state);
        self.lists.install(list);
        Ok(())
    }

    /// The UN list in force, if any.
    pub fn installed_un(&self) -> Option<ListVersion> {
        self.lists
            .versions()
            .into_iter()
            .find(|v| v.source == ListSource::Un)
    }

    /// What the last load or reload decided about UN lists.
    pub fn un_state(&self) -> UnListState {
        self.un_state_mut().clone()
    }

    fn un_state_mut(&self) -> std::sync::MutexGuard<'_, UnListState> {
        self.un.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current snapshot of the lists.
    pub fn snapshot(&self) -> Arc<Lists> {
        self.lists.snapshot()
    }

    /// Labels of the lists loaded now (e.g. "demo data") by version hash: the hub records only
    /// source and version, so views of recorded verdicts look the labels up here.
    pub fn list_labels(&self) -> std::collections::BTreeMap<String, String> {
        self.snapshot()
            .versions()
            .into_iter()
            .filter_map(|v| Some((v.content_hash, v.label?)))
            .collect()
    }

    /// Screens an ad hoc name.
    pub fn screen_name(&self, name: &str, threshold: Option<f64>) -> ScreeningResult {
        self.snapshot()
            .screen(&Query::name(name), threshold.unwrap_or(self.threshold))
    }

    /// A participant to be admitted: its name hits no list (with its country), or the admission
    /// is refused with `participant_sanctioned`, naming the entries it hit. Without a UN list
    /// the check cannot be made; payments are refused then anyway.
    pub fn check_participant(&self, name: &str, country: CountryCode) -> Result<(), ApiError> {
        let lists = self.snapshot();
        let hits = self.participant_hits(&lists, name, country);
        if hits.is_empty() {
            return Ok(());
        }
        let listed: Vec<String> = hits
            .iter()
            .map(|h| {
                format!(
                    "{} {} {:?} (matched {:?}, score {:.3})",
                    h.list.as_str(),
                    h.reference,
                    h.name,
                    h.matched_name,
                    h.score
                )
            })
            .collect();
        Err(ApiError::Refused {
            code: Code::ParticipantSanctioned,
            message: format!(
                "participant {name:?} hits a sanctions list: {}",
                listed.join("; ")
            ),
            field: Some("name".to_owned()),
        })
    }

    /// A participant bank's own name (an organisation, with its country) against `lists`.
    fn participant_hits(&self, lists: &Arc<Lists>, name: &str, country: CountryCode) -> Vec<Hit> {
        let query = Query {
            name: name.to_owned(),
            country: Some(country.as_str().to_owned()),
            kind: Some(EntryKind::Entity),
            ..Query::default()
        };
        self.cached(lists, ScreenMode::Name, query).hits
    }

    /// The verdict on an admitted participant's name against the lists in force, if it hits
    /// (none without a UN list: the hub would refuse the verdict, and payments stop anyway).
    pub fn participant_verdict(
        &self,
        name: &str,
        country: CountryCode,
    ) -> Option<ScreeningVerdict> {
        let lists = self.snapshot();
        if !lists.has_un() {
            return None;
        }
        let hits: Vec<ScreeningHitRecord> = self
            .participant_hits(&lists, name, country)
            .into_iter()
            .take(hub::SCREENING_HITS_MAX)
            .map(|hit| ScreeningHitRecord {
                party: PartySide::DebtorParticipant,
                list: hit.list.as_str().to_owned(),
                reference: hit.reference,
                name: hit.name,
                matched_name: hit.matched_name,
                score_bp: score_bp(hit.score),
            })
            .collect();
        (!hits.is_empty()).then(|| ScreeningVerdict {
            lists: list_records(&lists),
            hits,
        })
    }

    /// Screens every text of a payment against one snapshot of the lists.
    pub fn verdict(
        &self,
        instruction: &PaymentInstruction,
        related: &RelatedParties,
    ) -> Result<PaymentScreening, ApiError> {
        let lists = self.snapshot();
        if !lists.has_un() {
            return Err(ApiError::refused(Code::NoUnListLoaded, NO_UN_LIST_MESSAGE));
        }
        // Each distinct query once, with every field it appeared in.
        let mut queries: Vec<((ScreenMode, Query), Vec<PartySide>)> = Vec::new();
        for text in payment_texts(instruction, related) {
            let key = (text.mode, text.query);
            match queries.iter_mut().find(|(k, _)| *k == key) {
                Some((_, sides)) if sides.contains(&text.side) => {}
                Some((_, sides)) => sides.push(text.side),
                None => queries.push((key, vec![text.side])),
            }
        }
        let mut hits: Vec<ScreeningHitRecord> = Vec::new();
        let mut fingerprints = BTreeMap::new();
        for ((mode, query), sides) in queries {
            let result = self.cached(&lists, mode, query);
            for hit in &result.hits {
                fingerprints.insert(
                    (hit.list.as_str().to_owned(), hit.reference.clone()),
                    hit.entry_fingerprint.clone(),
                );
            }
            for side in &sides {
                for hit in &result.hits {
                    add_hit(
                        &mut hits,
                        ScreeningHitRecord {
                            party: *side,
                            list: hit.list.as_str().to_owned(),
                            reference: hit.reference.clone(),
                            name: hit.name.clone(),
                            matched_name: hit.matched_name.clone(),
                            score_bp: score_bp(hit.score),
                        },
                    );
                }
                for suspicion in &result.suspicions {
                    add_hit(
                        &mut hits,
                        ScreeningHitRecord {
                            party: *side,
                            list: SUSPICION_LIST.to_owned(),
                            reference: suspicion.code.as_str().to_owned(),
                            name: suspicion.explanation.clone(),
                            matched_name: result.query.clone(),
                            score_bp: SCORE_BP_MAX,
                        },
                    );
                }
            }
        }
        hits.sort_by_key(|h| std::cmp::Reverse(h.score_bp));
        hits.truncate(hub::SCREENING_HITS_MAX);
        Ok(PaymentScreening {
            verdict: ScreeningVerdict {
                lists: list_records(&lists),
                hits,
            },
            fingerprints,
        })
    }

    /// The fingerprint of a listed entry in the lists in force, if it is listed.
    pub fn entry_fingerprint(&self, list: &str, reference: &str) -> Option<String> {
        let source = ListSource::parse(list)?;
        self.snapshot()
            .get(source)?
            .entries()
            .iter()
            .find(|e| e.reference == reference)
            .map(screening::Entry::fingerprint)
    }
}

/// A payment's verdict, and the fingerprint of each listed entry its hits name (by list and
/// reference), for false positives.
pub struct PaymentScreening {
    pub verdict: ScreeningVerdict,
    pub fingerprints: BTreeMap<(String, String), String>,
}

/// Moves the hits that officers' false positives in force cover (same participant, party name,
/// listed entry and entry fingerprint) out of the verdict, into cleared hits the hub checks
/// again. Reads the hub only when a party's name had a hit.
pub async fn clear_false_positives(
    state: &crate::state::AppState,
    instruction: &PaymentInstruction,
    related: &RelatedParties,
    screening: PaymentScreening,
) -> Result<(ScreeningVerdict, Vec<ClearedHit>), ApiError> {
    let PaymentScreening {
        mut verdict,
        fingerprints,
    } = screening;
    let parties: Vec<(hub::ParticipantId, String)> = verdict
        .hits
        .iter()
        .filter_map(|h| hub::party_of(instruction, Some(related), h.party))
        .map(|(participant, name)| (participant, name.to_owned()))
        .collect();
    if parties.is_empty() {
        return Ok((verdict, Vec::new()));
    }
    let in_force: Vec<hub::FalsePositive> = state
        .read(move |hub| {
            hub.false_positives()
                .iter()
                .filter(|fp| {
                    fp.in_force()
                        && parties
                            .iter()
                            .any(|(p, name)| *p == fp.participant && *name == fp.party_name)
                })
                .cloned()
                .collect()
        })
        .await?;
    let mut cleared = Vec::new();
    let mut kept = Vec::new();
    for hit in verdict.hits {
        let party = hub::party_of(instruction, Some(related), hit.party);
        let fingerprint = fingerprints.get(&(hit.list.clone(), hit.reference.clone()));
        let covering = in_force.iter().find(|fp| {
            party == Some((fp.participant, fp.party_name.as_str()))
                && fp.list == hit.list
                && fp.reference == hit.reference
                && Some(&fp.entry_fingerprint) == fingerprint
        });
        match (covering, fingerprint) {
            (Some(fp), Some(fingerprint)) => cleared.push(ClearedHit {
                false_positive: fp.id,
                entry_fingerprint: fingerprint.clone(),
                hit,
            }),
            _ => kept.push(hit),
        }
    }
    verdict.hits = kept;
    Ok((verdict, cleared))
}

/// The versions of a snapshot's lists, as the hub records them.
fn list_records(lists: &Lists) -> Vec<ListVersionRecord> {
    lists
        .versions()
        .into_iter()
        .map(|v| ListVersionRecord {
            source: v.source.as_str().to_owned(),
            version: v.content_hash,
        })
        .collect()
}

/// One hit per field and listed entry (or suspicion): the best of them.
fn add_hit(hits: &mut Vec<ScreeningHitRecord>, record: ScreeningHitRecord) {
    match hits.iter_mut().find(|h| {
        h.party == record.party && h.list == record.list && h.reference == record.reference
    }) {
        Some(seen) if seen.score_bp >= record.score_bp => {}
        Some(seen) => *seen = record,
        None => hits.push(record),
    }
}

/// One text of a payment to screen, how to read it, and the field it came from.
struct PaymentText {
    side: PartySide,
    mode: ScreenMode,
    query: Query,
}

impl PaymentText {
    fn name(side: PartySide, text: &str, country: Option<&str>, kind: Option<EntryKind>) -> Self {
        PaymentText {
            side,
            mode: ScreenMode::Name,
            query: Query {
                name: text.to_owned(),
                country: country.map(str::to_owned),
                kind,
                ..Query::default()
            },
        }
    }

    /// No country for free text: a name inside an address or a remittance need not be of the
    /// party's country.
    fn free_text(side: PartySide, text: &str) -> Self {
        PaymentText {
            side,
            mode: ScreenMode::Text,
            query: Query::name(text),
        }
    }
}

/// Every text of a payment that could name a party, with its field.
fn payment_texts(ins: &PaymentInstruction, related: &RelatedParties) -> Vec<PaymentText> {
    let mut texts = Vec::new();
    for (side, address, account, party) in [
        (
            PartySide::Debtor,
            PartySide::DebtorAddress,
            PartySide::DebtorAccount,
            &ins.debtor,
        ),
        (
            PartySide::Creditor,
            PartySide::CreditorAddress,
            PartySide::CreditorAccount,
            &ins.creditor,
        ),
    ] {
        texts.push(PaymentText::name(
            side,
            &party.name,
            Some(party.country.as_str()),
            None,
        ));
        push_address(&mut texts, address, &party.name, &party.address_lines);
        // Account identifiers are free text on the wire and travel to the creditor.
        texts.push(PaymentText::free_text(account, &party.account));
    }
    texts.push(PaymentText::free_text(
        PartySide::EndToEndId,
        &ins.end_to_end_id,
    ));
    let related_parties: [(PartySide, PartySide, &Option<RelatedParty>); 3] = [
        (
            PartySide::UltimateDebtor,
            PartySide::UltimateDebtorAddress,
            &related.ultimate_debtor,
        ),
        (
            PartySide::UltimateCreditor,
            PartySide::UltimateCreditorAddress,
            &related.ultimate_creditor,
        ),
        (
            PartySide::InitiatingParty,
            PartySide::InitiatingPartyAddress,
            &related.initiating_party,
        ),
    ];
    for (side, address, party) in related_parties {
        let Some(party) = party else { continue };
        let country = party.country.as_ref().map(|c| c.as_str());
        texts.push(PaymentText::name(side, &party.name, country, None));
        push_address(&mut texts, address, &party.name, &party.address_lines);
    }
    let agents = [
        (PartySide::DebtorAgent, related.debtor_agent.as_ref()),
        (PartySide::CreditorAgent, related.creditor_agent.as_ref()),
    ]
    .into_iter()
    .chain(
        related
            .intermediary_agents
            .iter()
            .enumerate()
            .map(|(n, agent)| {
                let number = u8::try_from(n.saturating_add(1)).unwrap_or(u8::MAX);
                (PartySide::IntermediaryAgent(number), Some(agent))
            }),
    );
    for (side, agent) in agents {
        if let Some(AgentRecord {
            name: Some(agent_name),
            bic,
        }) = agent
        {
            texts.push(PaymentText::name(
                side,
                agent_name,
                bic.as_ref().map(|b| b.country()),
                Some(EntryKind::Entity),
            ));
        }
    }
    let remittance: Vec<&String> = ins
        .remittance_info
        .iter()
        .chain(&related.remittance_structured)
        .collect();
    for text in &remittance {
        texts.push(PaymentText::free_text(
            PartySide::RemittanceInformation,
            text,
        ));
    }
    // A name split across remittance fields ("SAADI" as invoicer, "QADHAFI" as invoicee) is
    // read whole too.
    if remittance.len() > 1 {
        let joined: Vec<&str> = remittance.iter().map(|t| t.as_str()).collect();
        texts.push(PaymentText::free_text(
            PartySide::RemittanceInformation,
            &joined.join(" "),
        ));
    }
    texts
}

/// A party's address lines read, with the name, as one text: a listed name in any line is found
/// there as in the line alone (free text is searched throughout, in overlapping windows, and
/// seven lines of 70 characters stay far below the 2,048 bytes read), and so is a name split
/// between the name and an address line or across lines. One text instead of one per line
/// too, since free-text screening is the expensive part of a payment's.
fn push_address(texts: &mut Vec<PaymentText>, side: PartySide, name: &str, lines: &[String]) {
    if !lines.is_empty() {
        let whole = std::iter::once(name)
            .chain(lines.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        texts.push(PaymentText::free_text(side, &whole));
    }
}

impl Screener {
    /// The result for `query` read as `mode` against `lists`, from the cache when this
    /// snapshot saw it before.
    fn cached(&self, lists: &Arc<Lists>, mode: ScreenMode, query: Query) -> ScreeningResult {
        let key = (mode, query);
        {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let same = cache
                .lists
                .as_ref()
                .is_some_and(|cached| Arc::ptr_eq(cached, lists));
            if !same {
                cache.lists = Some(Arc::clone(lists));
                cache.results.clear();
            } else if let Some(result) = cache.results.get(&key) {
                return result.clone();
            }
        }
        // Screen outside the lock; other requests keep using the cache meanwhile.
        let result = match key.0 {
            ScreenMode::Name => lists.screen(&key.1, self.threshold),
            ScreenMode::Text => lists.screen_text(&key.1, self.threshold),
        };
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache
            .lists
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(cached, lists))
        {
            if cache.results.len() >= SCREEN_CACHE_ENTRIES_MAX {
                cache.results.clear();
            }
            cache.results.insert(key, result.clone());
        }
        result
    }
}

/// Journals the override that put the UN list in force, unless the hub has it already (a
/// restart with the same list records nothing new).
pub async fn journal_override(state: &crate::state::AppState) -> Result<(), ApiError> {
    let Some(record) = state.screener.un_state().overridden else {
        return Ok(());
    };
    let version = record.version.clone();
    let known = state
        .read(move |hub| {
            hub.list_overrides()
                .iter()
                .any(|o| o.record.version == version)
        })
        .await?;
    if !known {
        let command = hub::Command::new(
            hub::Principal::Operator,
            hub::Action::RecordListOverride(record),
        );
        state
            .submit(command)
            .await?
            .map_err(crate::state::hub_error)?;
    }
    Ok(())
}

/// Screens every admitted participant against the lists in force (at start and after each
/// reload): one whose name hits is sanctioned through the journal (`SanctionParticipant`:
/// suspended, its reserved payments held). Skipped: a participant already under a sanction, and
/// one whose sanction the operator cleared (by reactivating it) for these same list versions.
/// Returns the participants sanctioned now.
pub async fn screen_participants(
    state: &crate::state::AppState,
) -> Result<Vec<hub::ParticipantId>, ApiError> {
    let current = list_records(&state.screener.snapshot());
    let candidates = state
        .read(move |hub| {
            hub.participants()
                .iter()
                .filter(|p| match hub.sanctions().get(&p.id) {
                    None => true,
                    Some(s) => s.cleared_at.is_some() && s.screening.lists != current,
                })
                .map(|p| (p.id, p.name.clone(), p.country))
                .collect::<Vec<_>>()
        })
        .await?;
    let mut sanctioned = Vec::new();
    for (participant, name, country) in candidates {
        let Some(screening) = state.screener.participant_verdict(&name, country) else {
            continue;
        };
        tracing::error!(participant = participant.0, %name, hits = screening.hits.len(),
            "participant's name hits a sanctions list: suspending it and holding its payments");
        let command = hub::Command::new(
            hub::Principal::Operator,
            hub::Action::SanctionParticipant(Box::new(hub::ParticipantSanction {
                participant,
                screening,
            })),
        );
        state
            .submit(command)
            .await?
            .map_err(crate::state::hub_error)?;
        sanctioned.push(participant);
    }
    Ok(sanctioned)
}

/// Whether `list` is the bundled demo UN list (label and content both).
fn is_bundled_demo(list: &ImportedList) -> bool {
    list.version.source == ListSource::Un
        && list.version.label.as_deref() == Some(screening::fixtures::DEMO_LABEL)
        && screening::fixtures::demo_lists().is_ok_and(|demo| {
            demo.iter()
                .any(|d| d.version.content_hash == list.version.content_hash)
        })
}

/// The refusal of a UN list, in words.
fn refusal(version: &ListVersion, problems: &[String]) -> String {
    format!(
        "UN list {} does not look like the published one: {}",
        version.content_hash,
        problems.join("; ")
    )
}

/// A score in [0, 1] as basis points, so no float enters the hub's state.
fn score_bp(score: f64) -> u16 {
    let bp = (score * f64::from(SCORE_BP_MAX))
        .round()
        .clamp(0.0, f64::from(SCORE_BP_MAX));
    // In range after the clamp (NaN maps to 0), so the conversion cannot truncate.
    bp as u16
}

/// Imports one list file: `*.xml` is a UN list; `*sdn*.csv` an OFAC SDN file, with `alt.csv`
/// and `add.csv` taken from the same directory when present.
pub fn import_file(path: &Path) -> Result<ImportedList, ListLoadError> {
    let failed = |message: String| ListLoadError::File {
        path: path.to_path_buf(),
        message,
    };
    let read = |p: &Path| screening::read_file(p).map_err(|e| failed(e.to_string()));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let raw = if name.ends_with(".xml") {
        // UN, EU and UK lists are all XML: the root element tells them apart.
        let xml = read(path)?;
        match screening::xml_list_source(&xml) {
            Some(ListSource::Eu) => RawList::Eu { xml },
            Some(ListSource::Uk) => RawList::Uk { xml },
            _ => RawList::Un { xml },
        }
    } else if name.ends_with(".csv") && name.contains("sdn") {
        let sibling = |file: &str| {
            let p = path.with_file_name(file);
            if p.exists() {
                read(&p).map(Some)
            } else {
                Ok(None)
            }
        };
        RawList::OfacSdn {
            sdn: read(path)?,
            alt: sibling("alt.csv")?,
            add: sibling("add.csv")?,
        }
    } else {
        return Err(failed(
            "expected a UN, EU or UK list (.xml) or an OFAC sdn.csv".to_owned(),
        ));
    };
    screening::import(&raw, None, &mut screening::no_progress).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_become_basis_points() {
        assert_eq!(score_bp(1.0), 10_000);
        assert_eq!(score_bp(0.84567), 8_457);
        assert_eq!(score_bp(-0.5), 0);
        assert_eq!(score_bp(7.0), 10_000);
        assert_eq!(score_bp(f64::NAN), 0);
    }
}

//! `kliring lists …` and `kliring screen …`: import sanctions lists (UN, OFAC SDN, EU FSF, UK
//! Sanctions List) into a hub's data directory, download the official files, show what is
//! loaded, and screen names ad hoc.

use screening::un_list_problems;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use screening::{ImportedList, ListSet, ListSource, ListStore, Query, RawList};

#[derive(Subcommand)]
pub enum ListsCommand {
    /// Import a list file into the hub's data directory; a running hub swaps it in on
    /// `kliring client reload-lists` (or at its next start).
    Import {
        /// The hub's data directory; lists are stored in DATA/lists.
        #[arg(long, value_name = "DIR", default_value = "kliring-data")]
        data: PathBuf,
        /// `un` (UN Consolidated XML), `ofac-sdn` (sdn.csv; give --alt/--add too), `eu` (EU
        /// Financial Sanctions Files XML 1.1) or `uk` (UK Sanctions List XML). Guessed from the
        /// file's content when absent.
        #[arg(long)]
        source: Option<String>,
        /// OFAC alias file (alt.csv) accompanying an sdn.csv.
        #[arg(long)]
        alt: Option<PathBuf>,
        /// OFAC address file (add.csv) accompanying an sdn.csv.
        #[arg(long)]
        add: Option<PathBuf>,
        /// Store a UN list that does not look like the published one (fewer than 500
        /// entries, no or an older dateGenerated than the one stored). A hub puts it in force
        /// only when served with --accept-unverified-un-list, which journals the override.
        #[arg(long)]
        accept_unverified_un_list: bool,
        /// The list file as published: UN or EU or UK XML, or OFAC sdn.csv.
        file: PathBuf,
    },
    /// Download the official files and import them (needs network access).
    Update {
        /// The hub's data directory; lists are stored in DATA/lists.
        #[arg(long, value_name = "DIR", default_value = "kliring-data")]
        data: PathBuf,
        /// Lists to download, repeatable: un, ofac-sdn, eu, uk. Default: un and ofac-sdn (EU
        /// and UK lists are the operator's choice).
        #[arg(long = "source")]
        sources: Vec<String>,
    },
    /// Show the lists imported in a data directory.
    Show {
        /// The hub's data directory; lists are stored in DATA/lists.
        #[arg(long, value_name = "DIR", default_value = "kliring-data")]
        data: PathBuf,
    },
}

pub fn run(command: ListsCommand) -> anyhow::Result<()> {
    match command {
        ListsCommand::Import {
            data,
            source,
            alt,
            add,
            accept_unverified_un_list,
            file,
        } => {
            let raw = read_raw(source.as_deref(), &file, alt.as_deref(), add.as_deref())?;
            import_and_store(
                &data,
                &raw,
                &file.display().to_string(),
                accept_unverified_un_list,
            )
        }
        ListsCommand::Update { data, sources } => update(&data, &sources),
        ListsCommand::Show { data } => {
            let lists = store(&data).load_all()?;
            if lists.is_empty() {
                println!("no lists imported in {}", data.display());
            }
            for list in lists {
                print_version(&list);
            }
            Ok(())
        }
    }
}

fn store(data: &Path) -> ListStore {
    ListStore::new(data.join("lists"))
}

/// The list source named on the command line.
fn parse_source(name: &str) -> anyhow::Result<ListSource> {
    ListSource::parse(name)
        .with_context(|| format!("unknown list source {name:?} (un, ofac-sdn, eu, uk)"))
}

fn read_raw(
    source: Option<&str>,
    file: &Path,
    alt: Option<&Path>,
    add: Option<&Path>,
) -> anyhow::Result<RawList> {
    let bytes = screening::read_file(file)?;
    let source = match source {
        Some(name) => parse_source(name)?,
        // An XML file whose root is none of the known lists is handed to the UN importer, which
        // names the unexpected root element.
        None if looks_like_xml(&bytes) => {
            screening::xml_list_source(&bytes).unwrap_or(ListSource::Un)
        }
        None => ListSource::OfacSdn,
    };
    if source != ListSource::OfacSdn && (alt.is_some() || add.is_some()) {
        bail!("--alt and --add belong to an OFAC sdn.csv, not to a {source} list");
    }
    let read_opt = |path: Option<&Path>| path.map(screening::read_file).transpose();
    Ok(match source {
        ListSource::Un => RawList::Un { xml: bytes },
        ListSource::OfacSdn => RawList::OfacSdn {
            sdn: bytes,
            alt: read_opt(alt)?,
            add: read_opt(add)?,
        },
        ListSource::Eu => RawList::Eu { xml: bytes },
        ListSource::Uk => RawList::Uk { xml: bytes },
    })
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let start = bytes.trim_ascii_start();
    start.starts_with(b"<") || start.starts_with("\u{feff}<".as_bytes())
}

/// Parses with a progress bar, checks a UN list against the published one's shape (see
/// `screening::un_list_problems`), then stores; a file that fails to parse or the check
/// leaves the previously imported version in place.
fn import_and_store(
    data: &Path,
    raw: &RawList,
    what: &str,
    accept_unverified_un_list: bool,
) -> anyhow::Result<()> {
    let list = parse_with_progress(raw, None, what)?;
    if list.version.source == ListSource::Un {
        let stored = store(data).load(ListSource::Un)?;
        let problems = un_list_problems(&list.version, stored.as_ref().map(|l| &l.version));
        if !problems.is_empty() {
            let problems = problems.join("; ");
            if !accept_unverified_un_list {
                bail!(
                    "{what} does not look like the published UN list: {problems}; not imported \
                     (--accept-unverified-un-list stores it anyway)"
                );
            }
            eprintln!(
                "warning: {what} does not look like the published UN list: {problems}; stored, \
                 and a hub puts it in force only with --accept-unverified-un-list (journalled)"
            );
        }
    }
    store(data).save(raw, &list.version)?;
    print_version(&list);
    Ok(())
}

pub fn parse_with_progress(
    raw: &RawList,
    label: Option<&str>,
    what: &str,
) -> anyhow::Result<ImportedList> {
    let bar = ProgressBar::new(raw.len()).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes}")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    bar.set_message(format!("importing {what}"));
    let result = screening::import(raw, label, &mut |read, _total| bar.set_position(read));
    bar.finish_and_clear();
    result.with_context(|| format!("{what} rejected; the previously imported version stays active"))
}

fn print_version(list: &ImportedList) {
    let v = &list.version;
    println!(
        "{:<9} {:>6} entries  version {}{}{}",
        v.source.as_str(),
        v.entries,
        v.content_hash.get(..16).unwrap_or(&v.content_hash),
        v.generated
            .as_deref()
            .map(|g| format!("  generated {g}"))
            .unwrap_or_default(),
        v.label
            .as_deref()
            .map(|l| format!("  ({l})"))
            .unwrap_or_default(),
    );
}

fn update(data: &Path, sources: &[String]) -> anyhow::Result<()> {
    let sources = if sources.is_empty() {
        vec![ListSource::Un, ListSource::OfacSdn]
    } else {
        sources
            .iter()
            .map(|s| parse_source(s))
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()?;
    let fetch = |url: String| {
        let client = client.clone();
        async move {
            let response = client
                .get(&url)
                .send()
                .await
                .with_context(|| format!("cannot download {url} (is this machine online?); import a local copy with `kliring lists import FILE`"))?;
            let status = response.status();
            if !status.is_success() {
                bail!("{url} answered HTTP {status}");
            }
            Ok::<_, anyhow::Error>(response.bytes().await?.to_vec())
        }
    };
    for source in sources {
        let mut parts = BTreeMap::new();
        for (part, url) in source.official_urls() {
            parts.insert(*part, runtime.block_on(fetch(url.to_string()))?);
        }
        let mut take = |part: &str| parts.remove(part);
        let mut xml = || take("xml").with_context(|| format!("no {source} file downloaded"));
        let raw = match source {
            ListSource::Un => RawList::Un { xml: xml()? },
            ListSource::Eu => RawList::Eu { xml: xml()? },
            ListSource::Uk => RawList::Uk { xml: xml()? },
            ListSource::OfacSdn => RawList::OfacSdn {
                sdn: take("sdn").context("no OFAC sdn.csv downloaded")?,
                alt: take("alt"),
                add: take("add"),
            },
        };
        import_and_store(data, &raw, &format!("official {source} list"), false)?;
    }
    Ok(())
}

/// `kliring screen`: lists given as `--list SOURCE=FILE` (or the hub's imported ones), names as
/// arguments or one per line on stdin. A line starting with `{` is a JSON query
/// (`{"name":…,"country":…,"birth_date":…,"kind":"individual"|"entity"}`); `text` screens each
/// line as free text (remittance information, an address) instead of a party name.
pub fn screen(
    list_args: &[String],
    data: &Path,
    threshold: f64,
    json: bool,
    text: bool,
    names: Vec<String>,
) -> anyhow::Result<()> {
    let lists = load_for_screening(list_args, data)?;
    if !lists.has_un() {
        bail!(
            "no UN Security Council list loaded; import one with `kliring lists import FILE` or pass --list un=FILE"
        );
    }
    let names = if names.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|line| !line.trim().is_empty())
            .collect()
    } else {
        names
    };
    for (i, line) in names.into_iter().enumerate() {
        let query = if line.trim_start().starts_with('{') {
            let query: Query = serde_json::from_str(&line)
                .with_context(|| format!("query {}: not a JSON query object", i + 1))?;
            query
                .validate()
                .map_err(|e| anyhow::anyhow!("query {}: {e}", i + 1))?;
            query
        } else {
            Query::name(line)
        };
        let result = if text {
            screening::screen_text(&lists, &query, threshold)
        } else {
            screening::screen(&lists, &query, threshold)
        };
        if json {
            println!("{}", serde_json::to_string(&result)?);
            continue;
        }
        println!("{}: {} hit(s)", result.query, result.hits.len());
        for suspicion in &result.suspicions {
            println!("  suspicious: {}", suspicion.explanation);
        }
        for hit in &result.hits {
            println!(
                "  {:.3}  {} {}  {}  (matched {:?})",
                hit.score, hit.list, hit.reference, hit.name, hit.matched_name
            );
            println!("         {}", hit.explanation);
        }
    }
    Ok(())
}

pub fn load_for_screening(list_args: &[String], data: &Path) -> anyhow::Result<ListSet> {
    let set = ListSet::new();
    if list_args.is_empty() {
        for list in store(data).load_all()? {
            set.install(list);
        }
        return Ok(set);
    }
    let mut xml_lists = Vec::new();
    let (mut sdn, mut alt, mut add) = (None, None, None);
    for arg in list_args {
        let (name, file) = arg
            .split_once('=')
            .with_context(|| format!("--list takes SOURCE=FILE, got {arg:?}"))?;
        let path = PathBuf::from(file);
        match name {
            "un" | "eu" | "uk" => xml_lists.push((name, path)),
            "ofac-sdn" => sdn = Some(path),
            "ofac-alt" => alt = Some(path),
            "ofac-add" => add = Some(path),
            other => bail!("unknown list {other:?} (un, eu, uk, ofac-sdn, ofac-alt, ofac-add)"),
        }
    }
    for (name, path) in xml_lists {
        set.install(parse_with_progress(
            &read_raw(Some(name), &path, None, None)?,
            None,
            &path.display().to_string(),
        )?);
    }
    match sdn {
        Some(path) => {
            set.install(parse_with_progress(
                &read_raw(Some("ofac-sdn"), &path, alt.as_deref(), add.as_deref())?,
                None,
                &path.display().to_string(),
            )?);
        }
        None if alt.is_some() || add.is_some() => {
            bail!("--list ofac-alt/ofac-add need --list ofac-sdn=FILE")
        }
        None => {}
    }
    Ok(set)
}

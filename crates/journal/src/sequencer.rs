//! The group-commit sequencer: one thread owns the journal and the state machine, drains queued
//! commands into one batch, appends and fsyncs it as one record, applies it, then answers each
//! caller. Callers therefore see results only after their commands are durable (and, with a
//! [`RecordSink`], stored in the system of record too).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot, watch};

use crate::StateMachine;
use crate::error::JournalError;
use crate::format::{self, RECORD_HEADER_LEN};
use crate::log::Journal;
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::recovery::{RecoveryReport, recover};
use crate::sink::{Leadership, RecordSink, replica};
use crate::snapshot;

/// How often a sequencer with a sink polls it: a standby for new records and the writer
/// session, a leader (when idle) to notice a lost session. Bounds the takeover delay.
const SINK_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// Longest wait between two attempts to reach an unreachable system of record.
const SINK_BACKOFF_MAX: Duration = Duration::from_secs(2);

/// Limits and schedules of a sequencer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequencerConfig {
    /// Most commands in one record; a single `submit_many` may not exceed it.
    pub batch_commands_max: usize,
    /// Requests that may wait in the queue before submitters wait (backpressure).
    pub queue_requests_max: usize,
    /// When set, an empty batch is committed after this long without one, so that time-driven
    /// work (expiry of pending transfers) happens without traffic.
    pub tick_interval: Option<Duration>,
    /// Write a snapshot after this many records since the last one (0: never by count).
    pub snapshot_every_records: u64,
    /// Write a snapshot after this many journal bytes since the last one (0: never by size).
    pub snapshot_every_bytes: u64,
    /// Start a new journal segment file once the current one holds this many bytes (0: one
    /// file forever). Segments entirely before a snapshot can be archived.
    pub segment_bytes_max: u64,
}

impl Default for SequencerConfig {
    fn default() -> Self {
        SequencerConfig {
            batch_commands_max: 65_536,
            queue_requests_max: 4_096,
            tick_interval: Some(Duration::from_secs(1)),
            snapshot_every_records: 100_000,
            snapshot_every_bytes: 256 << 20,
            segment_bytes_max: 256 << 20,
        }
    }
}

/// Which part a sequencer with a sink plays (without a sink it always leads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// It holds the system of record's writer session and commits.
    Leader,
    /// It follows the system of record, applying what the leader commits, and refuses
    /// submissions; it takes over when the writer session is free.
    Standby,
}

/// What the sequencer thread publishes about itself, readable at once whatever that thread is
/// doing (waiting on a commit, reconnecting): [`SequencerHandle::status`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequencerStatus {
    pub role: Role,
    /// Why the system of record cannot be reached or written right now (`None`: it can).
    pub problem: Option<String>,
}

/// Why a submission or read got no result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SequencerError {
    /// The sequencer has shut down (or stopped after a journal failure).
    #[error("the sequencer has stopped")]
    Stopped,
    /// The journal write or fsync failed; the batch may or may not be durable, and the sequencer
    /// stopped (recovery decides by re-reading the journal).
    #[error("journal write failed, sequencer stopped: {0}")]
    Journal(String),
    /// The system of record could not commit the batch (or did not say in time): it was not
    /// applied here and its callers were not acknowledged; what the system of record decided
    /// becomes this sequencer's state once it is reachable again. Retry (with the same ids).
    #[error("the system of record is unavailable, retry: {0}")]
    Unavailable(String),
    /// This sequencer is a standby: another one leads and takes submissions.
    #[error("this hub is a standby; another hub leads and takes writes")]
    NotLeader,
    /// The batch's encoding exceeds the record size limit; nothing was written. Lower
    /// `batch_commands_max` if commands are large.
    #[error("batch too large for one journal record: {0}")]
    BatchTooLarge(String),
    #[error("{count} commands exceed the batch limit of {max}")]
    TooManyCommands { count: usize, max: usize },
    #[error("state machine returned {outcomes} outcomes for {commands} commands")]
    OutcomeCountMismatch { commands: usize, outcomes: usize },
}

type ReadFn<S> = Box<dyn FnOnce(&S) + Send>;

enum Reply<O> {
    One(oneshot::Sender<Result<O, SequencerError>>),
    Many(oneshot::Sender<Result<Vec<O>, SequencerError>>),
}

enum Request<S: StateMachine> {
    Submit {
        commands: Vec<S::Command>,
        reply: Reply<S::Outcome>,
    },
    Read(ReadFn<S>),
    Tick,
    /// Time to poll the sink (see [`SINK_POLL_INTERVAL`]).
    Poll,
    Shutdown,
}

/// A running sequencer. Dropping it (or [`Sequencer::shutdown`]) commits what is queued ahead of
/// the shutdown request, writes a final snapshot if enabled, and joins the thread.
pub struct Sequencer<S: StateMachine> {
    handle: SequencerHandle<S>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<(), SequencerError>>>,
    recovery: RecoveryReport,
}

/// A cheap, cloneable handle for submitting commands and reads, from async code or threads.
pub struct SequencerHandle<S: StateMachine> {
    tx: mpsc::Sender<Request<S>>,
    batch_commands_max: usize,
    metrics: Arc<Metrics>,
    status: watch::Receiver<SequencerStatus>,
}

impl<S: StateMachine> Clone for SequencerHandle<S> {
    fn clone(&self) -> Self {
        SequencerHandle {
            tx: self.tx.clone(),
            batch_commands_max: self.batch_commands_max,
            metrics: Arc::clone(&self.metrics),
            status: self.status.clone(),
        }
    }
}

impl<S: StateMachine> Sequencer<S> {
    /// Recovers the journal in `dir` (creating it if absent) and starts the sequencer thread.
    pub fn start(dir: &Path, config: SequencerConfig) -> Result<Self, JournalError> {
        Self::start_inner(dir, config, None)
    }

    /// Like [`Sequencer::start`], and hands every committed record to `sink` before its callers
    /// are answered (see [`RecordSink`]). The caller reconciles `dir` with the sink first.
    pub fn start_with_sink(
        dir: &Path,
        config: SequencerConfig,
        sink: Box<dyn RecordSink>,
    ) -> Result<Self, JournalError> {
        Self::start_inner(dir, config, Some((sink, Role::Leader)))
    }

    /// Like [`Sequencer::start_with_sink`] for a standby: starts following `sink` (applying its
    /// records to the state and to `dir`), refuses submissions with
    /// [`SequencerError::NotLeader`], and leads once [`RecordSink::try_lead`] succeeds.
    pub fn start_following(
        dir: &Path,
        config: SequencerConfig,
        sink: Box<dyn RecordSink>,
    ) -> Result<Self, JournalError> {
        Self::start_inner(dir, config, Some((sink, Role::Standby)))
    }

    fn start_inner(
        dir: &Path,
        config: SequencerConfig,
        sink: Option<(Box<dyn RecordSink>, Role)>,
    ) -> Result<Self, JournalError> {
        let mut recovered = recover::<S>(dir)?;
        recovered
            .journal
            .set_segment_bytes_max(config.segment_bytes_max);
        let metrics = Arc::new(Metrics::new(recovered.journal.head_sequence()));
        let (tx, rx) = mpsc::channel(config.queue_requests_max.max(1));
        let stop = Arc::new(AtomicBool::new(false));
        let role = sink.as_ref().map_or(Role::Leader, |(_, role)| *role);
        let polled = sink.is_some();
        let (status, status_rx) = watch::channel(SequencerStatus {
            role,
            problem: None,
        });
        let mode = match role {
            Role::Leader => Mode::Leading,
            Role::Standby => Mode::Following {
                leader_elsewhere: true,
                pending: None,
            },
        };
        let worker = Worker {
            journal: Some(recovered.journal),
            state: recovered.state,
            sink: sink.map(|(sink, _)| sink),
            dir: dir.to_path_buf(),
            mode,
            status,
            backoff: SINK_POLL_INTERVAL,
            next_attempt: Instant::now(),
            config: config.clone(),
            metrics: Arc::clone(&metrics),
            stop: Arc::clone(&stop),
            records_since_snapshot: 0,
            bytes_since_snapshot: 0,
            snapshot_job: None,
            snapshot_base: None,
            snapshot_failed: false,
            last_commit: Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name(format!("sequencer-{}", S::KIND))
            .spawn(move || worker.run(rx))
            .map_err(|e| JournalError::io(dir, e))?;
        if let Some(interval) = config.tick_interval {
            spawn_ticker(tx.downgrade(), interval, || Request::Tick);
        }
        if polled {
            spawn_ticker(tx.downgrade(), SINK_POLL_INTERVAL, || Request::Poll);
        }
        Ok(Sequencer {
            handle: SequencerHandle {
                tx,
                batch_commands_max: config.batch_commands_max,
                metrics,
                status: status_rx,
            },
            stop,
            thread: Some(thread),
            recovery: recovered.report,
        })
    }

    pub fn handle(&self) -> SequencerHandle<S> {
        self.handle.clone()
    }

    /// What recovery found when this sequencer started.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// Stops after committing everything queued before this call (if the queue is full, only
    /// the batch in progress; the rest get [`SequencerError::Stopped`]); blocks until the
    /// thread ends. Requests queued after it get [`SequencerError::Stopped`].
    pub fn shutdown(mut self) -> Result<(), SequencerError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<(), SequencerError> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        // Queued behind everything already submitted, so all of that is committed first. Only
        // if the queue is full does the worker stop after its current batch instead.
        if self.handle.tx.try_send(Request::Shutdown).is_err() {
            self.stop.store(true, Ordering::SeqCst);
        }
        thread.join().unwrap_or(Err(SequencerError::Stopped))
    }
}

impl<S: StateMachine> Drop for Sequencer<S> {
    fn drop(&mut self) {
        if let Err(e) = self.stop_and_join() {
            tracing::warn!(error = %e, "sequencer ended with an error");
        }
    }
}

/// Sends `request()` every `interval` until the sequencer is gone.
fn spawn_ticker<S: StateMachine>(
    tx: mpsc::WeakSender<Request<S>>,
    interval: Duration,
    request: fn() -> Request<S>,
) {
    let spawned = std::thread::Builder::new()
        .name("sequencer-tick".to_string())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                let Some(tx) = tx.upgrade() else { break };
                if tx.is_closed() || tx.blocking_send(request()).is_err() {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the sequencer tick thread; ticks disabled");
    }
}

impl<S: StateMachine> SequencerHandle<S> {
    /// Submits one command; resolves to its outcome once its batch is durable and applied.
    /// The command is queued when the future is first polled.
    pub fn submit(
        &self,
        command: S::Command,
    ) -> impl Future<Output = Result<S::Outcome, SequencerError>> + Send + 'static {
        let tx = self.tx.clone();
        async move {
            let (reply, answer) = oneshot::channel();
            let request = Request::Submit {
                commands: vec![command],
                reply: Reply::One(reply),
            };
            tx.send(request)
                .await
                .map_err(|_| SequencerError::Stopped)?;
            answer.await.unwrap_or(Err(SequencerError::Stopped))
        }
    }

    /// Submits many commands as one unit (they land in the same record, in order); resolves to
    /// their outcomes in order.
    pub fn submit_many(
        &self,
        commands: Vec<S::Command>,
    ) -> impl Future<Output = Result<Vec<S::Outcome>, SequencerError>> + Send + 'static {
        let tx = self.tx.clone();
        let checked = self.check_count(commands.len());
        async move {
            checked?;
            if commands.is_empty() {
                return Ok(Vec::new());
            }
            let (reply, answer) = oneshot::channel();
            let request = Request::Submit {
                commands,
                reply: Reply::Many(reply),
            };
            tx.send(request)
                .await
                .map_err(|_| SequencerError::Stopped)?;
            answer.await.unwrap_or(Err(SequencerError::Stopped))
        }
    }

    /// Runs `read` on the sequencer thread between batches and returns its result: a
    /// linearizable read of the state after every batch acknowledged before this call.
    pub fn read<R, F>(
        &self,
        read: F,
    ) -> impl Future<Output = Result<R, SequencerError>> + Send + 'static
    where
        R: Send + 'static,
        F: FnOnce(&S) -> R + Send + 'static,
    {
        let tx = self.tx.clone();
        async move {
            let (reply, answer) = oneshot::channel();
            let job: ReadFn<S> = Box::new(move |state: &S| {
                let _ = reply.send(read(state));
            });
            tx.send(Request::Read(job))
                .await
                .map_err(|_| SequencerError::Stopped)?;
            answer.await.map_err(|_| SequencerError::Stopped)
        }
    }

    /// Blocking [`SequencerHandle::submit`], for plain threads (panics inside an async runtime).
    pub fn submit_blocking(&self, command: S::Command) -> Result<S::Outcome, SequencerError> {
        let (reply, answer) = oneshot::channel();
        let request = Request::Submit {
            commands: vec![command],
            reply: Reply::One(reply),
        };
        self.tx
            .blocking_send(request)
            .map_err(|_| SequencerError::Stopped)?;
        answer
            .blocking_recv()
            .unwrap_or(Err(SequencerError::Stopped))
    }

    /// Blocking [`SequencerHandle::submit_many`], for plain threads.
    pub fn submit_many_blocking(
        &self,
        commands: Vec<S::Command>,
    ) -> Result<Vec<S::Outcome>, SequencerError> {
        self.check_count(commands.len())?;
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        let request = Request::Submit {
            commands,
            reply: Reply::Many(reply),
        };
        self.tx
            .blocking_send(request)
            .map_err(|_| SequencerError::Stopped)?;
        answer
            .blocking_recv()
            .unwrap_or(Err(SequencerError::Stopped))
    }

    /// Blocking [`SequencerHandle::read`], for plain threads.
    pub fn read_blocking<R, F>(&self, read: F) -> Result<R, SequencerError>
    where
        R: Send + 'static,
        F: FnOnce(&S) -> R + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: ReadFn<S> = Box::new(move |state: &S| {
            let _ = reply.send(read(state));
        });
        self.tx
            .blocking_send(Request::Read(job))
            .map_err(|_| SequencerError::Stopped)?;
        answer.blocking_recv().map_err(|_| SequencerError::Stopped)
    }

    /// Counters and commit latencies of the sequencer.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.metrics.snapshot()
    }

    /// The role and system-of-record state the sequencer thread last published; never waits
    /// for that thread.
    pub fn status(&self) -> SequencerStatus {
        self.status.borrow().clone()
    }

    /// Most commands accepted by one `submit_many`.
    pub fn batch_commands_max(&self) -> usize {
        self.batch_commands_max
    }

    fn check_count(&self, count: usize) -> Result<(), SequencerError> {
        if count > self.batch_commands_max {
            return Err(SequencerError::TooManyCommands {
                count,
                max: self.batch_commands_max,
            });
        }
        Ok(())
    }
}

/// State of the sequencer thread.
struct Worker<S: StateMachine> {
    /// `None` only for a moment, while records are cut from the file (which needs its lock).
    journal: Option<Journal>,
    state: S,
    sink: Option<Box<dyn RecordSink>>,
    dir: PathBuf,
    mode: Mode,
    status: watch::Sender<SequencerStatus>,
    /// Wait before the next attempt to reach the sink, doubled on each failure.
    backoff: Duration,
    next_attempt: Instant,
    config: SequencerConfig,
    metrics: Arc<Metrics>,
    stop: Arc<AtomicBool>,
    records_since_snapshot: u64,
    bytes_since_snapshot: u64,
    /// The background snapshot in flight (at most one).
    snapshot_job: Option<JoinHandle<Result<snapshot::Built, snapshot::BuildError>>>,
    /// Where the last background snapshot ended, for the next one to start from.
    snapshot_base: Option<snapshot::Base>,
    /// The last background snapshot failed: shutdown writes one even without new records.
    snapshot_failed: bool,
    last_commit: Instant,
}

impl<S: StateMachine> Drop for Worker<S> {
    /// However the thread ends, a snapshot in flight finishes before anything else may open
    /// the data directory.
    fn drop(&mut self) {
        self.finish_snapshot(true);
    }
}

/// Whether this sequencer commits (see [`RecordSink`]).
enum Mode {
    Leading,
    Following {
        /// Another writer holds the session (submissions get [`SequencerError::NotLeader`]);
        /// otherwise the system of record is unreachable ([`SequencerError::Unavailable`]).
        leader_elsewhere: bool,
        /// The last record of `journal.log`, appended and fsynced but not acknowledged, whose
        /// commit in the system of record failed: kept if the system of record has the same
        /// bytes at its sequence, cut otherwise.
        pending: Option<Vec<u8>>,
    },
}

/// What to do after committing the batch gathered so far.
enum After<S: StateMachine> {
    Nothing,
    Read(ReadFn<S>),
    Shutdown,
}

impl<S: StateMachine> Worker<S> {
    fn run(mut self, mut rx: mpsc::Receiver<Request<S>>) -> Result<(), SequencerError> {
        let mut carried: Option<Request<S>> = None;
        let mut commands: Vec<S::Command> = Vec::new();
        let mut waiters: Vec<(Reply<S::Outcome>, usize)> = Vec::new();
        loop {
            let first = match carried.take() {
                Some(request) => request,
                None => match rx.blocking_recv() {
                    Some(request) => request,
                    None => break,
                },
            };
            let mut tick = false;
            let mut poll = false;
            let mut next = Some(first);
            let mut after = After::Nothing;
            while let Some(request) = next.take() {
                match request {
                    Request::Submit {
                        commands: mut more,
                        reply,
                    } => {
                        let full = commands.len() + more.len() > self.config.batch_commands_max;
                        if full && !commands.is_empty() {
                            carried = Some(Request::Submit {
                                commands: more,
                                reply,
                            });
                            break;
                        }
                        waiters.push((reply, more.len()));
                        commands.append(&mut more);
                    }
                    Request::Read(read) => {
                        after = After::Read(read);
                        break;
                    }
                    Request::Tick => tick = true,
                    Request::Poll => poll = true,
                    Request::Shutdown => {
                        after = After::Shutdown;
                        break;
                    }
                }
                if commands.len() >= self.config.batch_commands_max {
                    break;
                }
                next = rx.try_recv().ok();
            }
            let idle = self
                .config
                .tick_interval
                .is_some_and(|interval| self.last_commit.elapsed() >= interval);
            if !matches!(self.mode, Mode::Leading) {
                self.refuse(&mut commands, &mut waiters);
            } else if !commands.is_empty() || (tick && idle) {
                self.commit(&mut commands, &mut waiters)?;
            }
            if poll {
                self.poll()?;
            }
            match after {
                After::Nothing => {}
                After::Read(read) => read(&self.state),
                After::Shutdown => break,
            }
            if self.stop.load(Ordering::SeqCst) && carried.is_none() {
                break;
            }
        }
        self.finish_snapshot(true);
        if (self.records_since_snapshot > 0 || self.snapshot_failed) && self.snapshots_enabled() {
            self.final_snapshot();
        }
        Ok(())
    }

    /// Appends, fsyncs and applies one batch, then answers its callers.
    fn commit(
        &mut self,
        commands: &mut Vec<S::Command>,
        waiters: &mut Vec<(Reply<S::Outcome>, usize)>,
    ) -> Result<(), SequencerError> {
        let started = Instant::now();
        let Some(journal) = self.journal.as_mut() else {
            return Err(stop_with(waiters, SequencerError::Stopped));
        };
        let timestamp = wall_clock_ns().max(journal.last_timestamp().saturating_add(1));
        let info = match journal.append_durable(timestamp, commands) {
            Ok(info) => info,
            Err(JournalError::BatchTooLarge(reason)) => {
                // Nothing was written: refuse this batch and carry on.
                tracing::warn!(%reason, "batch too large for one record; refused");
                commands.clear();
                for (reply, _) in waiters.drain(..) {
                    answer_error(reply, SequencerError::BatchTooLarge(reason.clone()));
                }
                return Ok(());
            }
            Err(e) => {
                tracing::error!(error = %e, "journal append failed; stopping the sequencer");
                return Err(stop_with(waiters, SequencerError::Journal(e.to_string())));
            }
        };
        if let Some(sink) = self.sink.as_mut() {
            let record = journal.last_record();
            if let Err(reason) = sink.committed(info.sequence, &info.hash, record) {
                tracing::error!(sequence = info.sequence, %reason,
                    "system of record did not commit the record; not leading until it is reached");
                let reason = format!("record {} not committed: {reason}", info.sequence);
                // Published before anyone is answered, so that a caller who saw the refusal
                // sees the status that explains it.
                self.mode = Mode::Following {
                    leader_elsewhere: false,
                    pending: Some(record.to_vec()),
                };
                self.publish(Some(reason.clone()));
                stop_with(waiters, SequencerError::Unavailable(reason));
                commands.clear();
                return Ok(());
            }
        }
        // Only now may the batch be acknowledged: record it in the head marker first, so that a
        // later damaged or missing record is refused at recovery rather than cut as torn.
        if let Err(e) = journal.acknowledge() {
            tracing::error!(error = %e, "head marker write failed; stopping the sequencer");
            return Err(stop_with(waiters, SequencerError::Journal(e.to_string())));
        }
        let outcomes = self.state.apply(timestamp, commands);
        let count = commands.len();
        commands.clear();
        self.metrics.record_commit(
            info.sequence,
            u64::try_from(count).unwrap_or(u64::MAX),
            info.bytes,
            started.elapsed(),
        );
        self.last_commit = Instant::now();
        // A successful commit is the freshest proof that the session is there.
        self.next_attempt = self.last_commit + SINK_POLL_INTERVAL;
        let mismatch = SequencerError::OutcomeCountMismatch {
            commands: count,
            outcomes: outcomes.len(),
        };
        let matched = outcomes.len() == count;
        let mut outcomes = outcomes.into_iter();
        for (reply, n) in waiters.drain(..) {
            if !matched {
                answer_error(reply, mismatch.clone());
                continue;
            }
            match reply {
                Reply::One(tx) => {
                    let result = outcomes.next().ok_or_else(|| mismatch.clone());
                    let _ = tx.send(result);
                }
                Reply::Many(tx) => {
                    let _ = tx.send(Ok(outcomes.by_ref().take(n).collect()));
                }
            }
        }
        self.count_for_snapshot(info.bytes);
        Ok(())
    }

    /// Counts an applied record towards the snapshot schedule and snapshots when it is due.
    fn count_for_snapshot(&mut self, bytes: u64) {
        // Collect a finished background snapshot promptly (metrics, the next one's base).
        self.finish_snapshot(false);
        self.records_since_snapshot += 1;
        self.bytes_since_snapshot += bytes;
        let by_count = self.config.snapshot_every_records > 0
            && self.records_since_snapshot >= self.config.snapshot_every_records;
        let by_size = self.config.snapshot_every_bytes > 0
            && self.bytes_since_snapshot >= self.config.snapshot_every_bytes;
        if by_count || by_size {
            self.snapshot();
        }
    }

    /// Not leading: answers a gathered batch without committing it.
    fn refuse(
        &mut self,
        commands: &mut Vec<S::Command>,
        waiters: &mut Vec<(Reply<S::Outcome>, usize)>,
    ) {
        commands.clear();
        let error = match (&self.mode, self.status.borrow().problem.clone()) {
            (
                Mode::Following {
                    leader_elsewhere: true,
                    ..
                },
                _,
            ) => SequencerError::NotLeader,
            (_, Some(problem)) => SequencerError::Unavailable(problem),
            (_, None) => SequencerError::Unavailable("reconnecting".to_string()),
        };
        stop_with(waiters, error);
    }

    /// On a poll request: a leader checks (when idle) that it still holds its session; a
    /// follower applies the records the system of record has gained and tries to lead. An
    /// unreachable system of record is retried with a growing backoff.
    fn poll(&mut self) -> Result<(), SequencerError> {
        let now = Instant::now();
        if now < self.next_attempt {
            return Ok(());
        }
        let Some(sink) = self.sink.as_mut() else {
            return Ok(());
        };
        let reached = match self.mode {
            Mode::Leading => match sink.still_leading() {
                Ok(()) => Ok(()),
                Err(reason) => {
                    tracing::error!(%reason, "lost the system of record's writer session; not leading");
                    self.mode = Mode::Following {
                        leader_elsewhere: false,
                        pending: None,
                    };
                    Err(reason)
                }
            },
            Mode::Following { .. } => self.follow(),
        };
        match reached {
            Ok(()) => {
                self.backoff = SINK_POLL_INTERVAL;
                self.next_attempt = Instant::now() + SINK_POLL_INTERVAL;
                self.publish(None);
                Ok(())
            }
            Err(reason) => {
                self.backoff = (self.backoff * 2).min(SINK_BACKOFF_MAX);
                self.next_attempt = Instant::now() + self.backoff;
                self.publish(Some(reason));
                Ok(())
            }
        }
    }

    /// Applies what the system of record holds beyond `journal.log`, then tries to lead; on
    /// leading, catches up to the last record (nobody else can write now) and decides the
    /// pending record. A local journal failure is reported like an unreachable system of
    /// record (in the status, retried with backoff): nothing is acknowledged meanwhile.
    fn follow(&mut self) -> Result<(), String> {
        self.catch_up()?;
        let Some(sink) = self.sink.as_mut() else {
            return Ok(());
        };
        match sink.try_lead()? {
            Leadership::HeldElsewhere => {
                if let Mode::Following {
                    leader_elsewhere, ..
                } = &mut self.mode
                {
                    *leader_elsewhere = true;
                }
                Ok(())
            }
            Leadership::Leading => {
                self.catch_up()?;
                if let Mode::Following {
                    pending: Some(_), ..
                } = self.mode
                {
                    // The only writer now, and the system of record lacks it: it never was
                    // committed and never will be.
                    let keep = self.head_sequence().saturating_sub(1);
                    tracing::warn!(
                        sequence = keep + 1,
                        "cutting a record the system of record never committed (never acknowledged)"
                    );
                    self.cut_after(keep)?;
                }
                tracing::info!(head = self.head_sequence(), "leading: taking submissions");
                self.mode = Mode::Leading;
                Ok(())
            }
        }
    }

    fn head_sequence(&self) -> u64 {
        self.journal.as_ref().map_or(0, Journal::head_sequence)
    }

    /// Appends and applies the records the system of record holds after the last acknowledged
    /// one, keeping or cutting the pending record by what the system of record says.
    fn catch_up(&mut self) -> Result<(), String> {
        loop {
            let pending = matches!(
                self.mode,
                Mode::Following {
                    pending: Some(_),
                    ..
                }
            );
            let acknowledged = self.head_sequence().saturating_sub(u64::from(pending));
            let Some(sink) = self.sink.as_mut() else {
                return Ok(());
            };
            let records = sink.records_after(acknowledged)?;
            if records.is_empty() {
                return Ok(());
            }
            let started = Instant::now();
            let mut appended = false;
            for record in records {
                let decided = match &mut self.mode {
                    Mode::Following { pending, .. } => pending.take(),
                    Mode::Leading => None,
                };
                match decided {
                    Some(ours) if ours == record => {
                        // Committed after all: acknowledge and apply it like any other.
                        tracing::info!(
                            sequence = acknowledged + 1,
                            "the system of record committed the record whose commit failed"
                        );
                        self.journal_mut()?.acknowledge().map_err(fatal)?;
                        self.apply_sealed(&record, started)?;
                        continue;
                    }
                    Some(_) => self.cut_after(acknowledged)?,
                    None => {}
                }
                self.journal_mut()?.append_sealed(&record).map_err(fatal)?;
                appended = true;
                self.apply_sealed(&record, started)?;
            }
            if appended {
                self.journal_mut()?.sync().map_err(fatal)?;
            }
        }
    }

    fn journal_mut(&mut self) -> Result<&mut Journal, String> {
        self.journal
            .as_mut()
            .ok_or_else(|| "the journal is closed".to_string())
    }

    /// Applies a record already in `journal.log` (appended from the system of record).
    fn apply_sealed(&mut self, record: &[u8], started: Instant) -> Result<(), String> {
        let (header, body) = record
            .split_first_chunk::<RECORD_HEADER_LEN>()
            .ok_or_else(|| fatal("record shorter than its header"))?;
        let header = format::decode_record_header(header)
            .map_err(|problem| fatal(format!("record header: {problem:?}")))?;
        let commands: Vec<S::Command> = postcard::from_bytes(body)
            .map_err(|e| fatal(format!("record {}: {e}", header.sequence)))?;
        if u32::try_from(commands.len()).ok() != Some(header.command_count) {
            return Err(fatal(format!(
                "record {} declares {} commands, holds {}",
                header.sequence,
                header.command_count,
                commands.len()
            )));
        }
        // Nobody waits for these outcomes: the leader answered its callers.
        self.state.apply(header.timestamp, &commands);
        let bytes = u64::try_from(record.len()).unwrap_or(u64::MAX);
        self.metrics.record_commit(
            header.sequence,
            u64::try_from(commands.len()).unwrap_or(u64::MAX),
            bytes,
            started.elapsed(),
        );
        self.count_for_snapshot(bytes);
        Ok(())
    }

    /// Cuts every record after `keep` from `journal.log` (they were never acknowledged) and
    /// reopens it; the state never applied them.
    fn cut_after(&mut self, keep: u64) -> Result<(), String> {
        if let Mode::Following { pending, .. } = &mut self.mode {
            *pending = None;
        }
        // The cut takes the file's lock, which the open journal holds.
        self.journal = None;
        let mut journal = replica::cut_after(&self.dir, S::KIND, keep)
            .and_then(|_| replica::open_for_extending(&self.dir, S::KIND))
            .map_err(fatal)?;
        journal.set_segment_bytes_max(self.config.segment_bytes_max);
        self.journal = Some(journal);
        Ok(())
    }

    /// Publishes the role and the system of record's state for [`SequencerHandle::status`].
    fn publish(&self, problem: Option<String>) {
        let role = match self.mode {
            Mode::Leading => Role::Leader,
            Mode::Following { .. } => Role::Standby,
        };
        self.status.send_if_modified(|status| {
            let changed = status.role != role || status.problem != problem;
            *status = SequencerStatus { role, problem };
            changed
        });
    }

    fn snapshots_enabled(&self) -> bool {
        self.config.snapshot_every_records > 0 || self.config.snapshot_every_bytes > 0
    }

    /// Starts a background snapshot of the state after the head record, unless one is still in
    /// flight (then the schedule stays due and the next commit after it ends starts one). The
    /// sequencer only names the record: the snapshot thread rebuilds that state from the
    /// newest snapshot and the durable journal ([`snapshot::rebuild`]), so no caller waits for
    /// encoding, writing or fsync. A failure is logged, not fatal: the journal alone still
    /// recovers everything, and the next one is tried at the next due point.
    fn snapshot(&mut self) {
        self.finish_snapshot(false);
        if self.snapshot_job.is_some() {
            return;
        }
        // A pending record is in the file but not in the state: a snapshot now would claim it
        // (the rebuild replays the file).
        let pending = self.record_pending();
        let Some(journal) = self.journal.as_ref().filter(|_| !pending) else {
            return;
        };
        let target = snapshot::SnapshotMeta {
            sequence: journal.head_sequence(),
            timestamp: journal.last_timestamp(),
            record_hash: journal.head_hash(),
        };
        let dir = journal.dir().to_path_buf();
        let base = self.snapshot_base;
        let spawned = std::thread::Builder::new()
            .name(format!("snapshot-{}", S::KIND))
            .spawn(move || snapshot::rebuild::<S>(&dir, &target, base));
        match spawned {
            Ok(job) => self.snapshot_job = Some(job),
            Err(e) => {
                tracing::warn!(error = %e, "cannot start a snapshot thread; will retry later")
            }
        }
        self.records_since_snapshot = 0;
        self.bytes_since_snapshot = 0;
    }

    /// A record is in the file but not yet in the state (a standby's pending record).
    fn record_pending(&self) -> bool {
        matches!(
            self.mode,
            Mode::Following {
                pending: Some(_),
                ..
            }
        )
    }

    /// Collects the background snapshot if it ended (or, with `wait`, once it ends).
    fn finish_snapshot(&mut self, wait: bool) {
        let Some(job) = self.snapshot_job.take_if(|job| wait || job.is_finished()) else {
            return;
        };
        match job.join() {
            Ok(Ok(built)) => {
                tracing::info!(
                    snapshot = %built.path.display(),
                    bytes = built.payload_bytes,
                    from_sequence = built.from_sequence,
                    records_replayed = built.records_replayed,
                    restore_ms = built.restore.as_millis(),
                    replay_ms = built.replay.as_millis(),
                    encode_ms = built.encode.as_millis(),
                    write_ms = built.write.as_millis(),
                    "background snapshot written"
                );
                self.snapshot_base = Some(built.base);
                self.snapshot_failed = false;
                self.metrics.record_snapshot();
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "background snapshot failed; will retry later");
                self.snapshot_failed = true;
            }
            Err(_) => {
                tracing::warn!("background snapshot thread panicked; will retry later");
                self.snapshot_failed = true;
            }
        }
    }

    /// At shutdown nobody waits any more: the sequencer's own state is encoded directly.
    fn final_snapshot(&mut self) {
        let pending = self.record_pending();
        let Some(journal) = self.journal.as_ref().filter(|_| !pending) else {
            return;
        };
        match journal.write_snapshot(&self.state) {
            Ok(_) => self.metrics.record_snapshot(),
            Err(e) => tracing::warn!(error = %e, "final snapshot failed"),
        }
        self.records_since_snapshot = 0;
        self.bytes_since_snapshot = 0;
    }
}

/// A local journal failure while following: logged, and the sequencer's status names it.
fn fatal(error: impl std::fmt::Display) -> String {
    let reason = format!("local journal: {error}");
    tracing::error!(%reason, "cannot apply the system of record's records");
    reason
}

fn answer_error<O>(reply: Reply<O>, error: SequencerError) {
    match reply {
        Reply::One(tx) => {
            let _ = tx.send(Err(error));
        }
        Reply::Many(tx) => {
            let _ = tx.send(Err(error));
        }
    }
}

/// Answers every waiter of a batch that will never be applied with `error`, which stops the
/// sequencer.
fn stop_with<O>(waiters: &mut Vec<(Reply<O>, usize)>, error: SequencerError) -> SequencerError {
    for (reply, _) in waiters.drain(..) {
        answer_error(reply, error.clone());
    }
    error
}

/// Nanoseconds since the Unix epoch; 0 if the clock is before it (the journal then bumps).
fn wall_clock_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

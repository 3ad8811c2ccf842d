//! The group-commit sequencer: one thread owns the journal and the state machine, drains queued
//! commands into one batch, appends and fsyncs it as one record, applies it, then answers each
//! caller. Callers therefore see results only after their commands are durable (and, with a
//! [`RecordSink`], stored in the system of record too).

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot};

use crate::StateMachine;
use crate::error::JournalError;
use crate::log::Journal;
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::recovery::{RecoveryReport, recover};
use crate::sink::RecordSink;

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
}

impl<S: StateMachine> Clone for SequencerHandle<S> {
    fn clone(&self) -> Self {
        SequencerHandle {
            tx: self.tx.clone(),
            batch_commands_max: self.batch_commands_max,
            metrics: Arc::clone(&self.metrics),
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
        Self::start_inner(dir, config, Some(sink))
    }

    fn start_inner(
        dir: &Path,
        config: SequencerConfig,
        sink: Option<Box<dyn RecordSink>>,
    ) -> Result<Self, JournalError> {
        let mut recovered = recover::<S>(dir)?;
        recovered
            .journal
            .set_segment_bytes_max(config.segment_bytes_max);
        let metrics = Arc::new(Metrics::new(recovered.journal.head_sequence()));
        let (tx, rx) = mpsc::channel(config.queue_requests_max.max(1));
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            journal: recovered.journal,
            state: recovered.state,
            sink,
            config: config.clone(),
            metrics: Arc::clone(&metrics),
            stop: Arc::clone(&stop),
            records_since_snapshot: 0,
            bytes_since_snapshot: 0,
            last_commit: Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name(format!("sequencer-{}", S::KIND))
            .spawn(move || worker.run(rx))
            .map_err(|e| JournalError::io(dir, e))?;
        if let Some(interval) = config.tick_interval {
            spawn_ticker(tx.downgrade(), interval);
        }
        Ok(Sequencer {
            handle: SequencerHandle {
                tx,
                batch_commands_max: config.batch_commands_max,
                metrics,
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

/// Sends a tick every `interval` until the sequencer is gone.
fn spawn_ticker<S: StateMachine>(tx: mpsc::WeakSender<Request<S>>, interval: Duration) {
    let spawned = std::thread::Builder::new()
        .name("sequencer-tick".to_string())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                let Some(tx) = tx.upgrade() else { break };
                if tx.is_closed() || tx.blocking_send(Request::Tick).is_err() {
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
    journal: Journal,
    state: S,
    sink: Option<Box<dyn RecordSink>>,
    config: SequencerConfig,
    metrics: Arc<Metrics>,
    stop: Arc<AtomicBool>,
    records_since_snapshot: u64,
    bytes_since_snapshot: u64,
    last_commit: Instant,
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
            if !commands.is_empty() || (tick && idle) {
                self.commit(&mut commands, &mut waiters)?;
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
        if self.records_since_snapshot > 0 && self.snapshots_enabled() {
            self.snapshot();
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
        let timestamp = wall_clock_ns().max(self.journal.last_timestamp().saturating_add(1));
        let info = match self.journal.append_durable(timestamp, commands) {
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
            let stored = sink.committed(info.sequence, &info.hash, self.journal.last_record());
            if let Err(reason) = stored {
                tracing::error!(sequence = info.sequence, %reason,
                    "system of record refused the record; stopping the sequencer");
                let error = SequencerError::Journal(format!(
                    "record {} not stored in the system of record: {reason}",
                    info.sequence
                ));
                return Err(stop_with(waiters, error));
            }
        }
        // Only now may the batch be acknowledged: record it in the head marker first, so that a
        // later damaged or missing record is refused at recovery rather than cut as torn.
        if let Err(e) = self.journal.acknowledge() {
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
        self.records_since_snapshot += 1;
        self.bytes_since_snapshot += info.bytes;
        let by_count = self.config.snapshot_every_records > 0
            && self.records_since_snapshot >= self.config.snapshot_every_records;
        let by_size = self.config.snapshot_every_bytes > 0
            && self.bytes_since_snapshot >= self.config.snapshot_every_bytes;
        if by_count || by_size {
            self.snapshot();
        }
        Ok(())
    }

    fn snapshots_enabled(&self) -> bool {
        self.config.snapshot_every_records > 0 || self.config.snapshot_every_bytes > 0
    }

    /// A failed snapshot is logged, not fatal: the journal alone still recovers everything.
    fn snapshot(&mut self) {
        match self.journal.write_snapshot(&self.state) {
            Ok(_) => self.metrics.record_snapshot(),
            Err(e) => tracing::warn!(error = %e, "snapshot failed; will retry later"),
        }
        self.records_since_snapshot = 0;
        self.bytes_since_snapshot = 0;
    }
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

//! In-memory ceiling of the state machine: single-phase and two-phase transfers per second
//! through `Ledger::apply`, no journal, for a few hot accounts and for many accounts.
//!
//! Run: `cargo run --release -p bench --example ledger_apply [transfers]`. Prints one JSON
//! object per configuration. The durable benchmark (journal + fsync) is `kliring bench ledger`.

use std::time::Instant;

use ledger::{
    AccountFlags, AccountId, Currency, Event, Ledger, NewAccount, NewTransfer, TransferFlags,
    TransferId,
};

const BATCH_EVENTS_MAX: usize = 8_190;

/// xorshift64: a fixed pseudo-random account choice, so runs are comparable.
struct Picker(u64);

impl Picker {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

fn setup(accounts: u64) -> Result<Ledger, String> {
    let eur = Currency::new("EUR", 2).map_err(|e| e.to_string())?;
    let mut ledger = Ledger::new();
    let events: Vec<Event> = (1..=accounts)
        .map(|id| {
            Event::CreateAccount(NewAccount {
                id: AccountId(u128::from(id)),
                currency: eur,
                owner: u128::from(id),
                code: 1,
                flags: AccountFlags::NONE,
                net_debit_cap: Some(u128::MAX / 4),
            })
        })
        .collect();
    for chunk in events.chunks(BATCH_EVENTS_MAX) {
        if !ledger.apply(1, chunk).iter().all(|r| r.is_ok()) {
            return Err("account creation failed".into());
        }
    }
    Ok(ledger)
}

fn transfer(id: u64, debit: u64, credit: u64, flags: TransferFlags, pending: u64) -> Event {
    Event::CreateTransfer(NewTransfer {
        id: TransferId(u128::from(id)),
        debit_account_id: AccountId(u128::from(debit)),
        credit_account_id: AccountId(u128::from(credit)),
        amount: 100,
        pending_id: (pending != 0).then_some(TransferId(u128::from(pending))),
        timeout_ns: 0,
        code: if pending == 0 { 1 } else { 0 },
        user_data: 0,
        flags,
    })
}

/// Events for `count` transfers: plain, or (two-phase) a pending and later its post.
fn workload(count: u64, accounts: u64, two_phase: bool) -> Vec<Event> {
    let mut picker = Picker(0x9E37_79B9_7F4A_7C15);
    let mut events = Vec::new();
    for n in 1..=count {
        let debit = picker.next(accounts) + 1;
        let credit = (debit + picker.next(accounts - 1)) % accounts + 1;
        if two_phase {
            events.push(transfer(2 * n, debit, credit, TransferFlags::PENDING, 0));
        } else {
            events.push(transfer(2 * n, debit, credit, TransferFlags::NONE, 0));
        }
    }
    if two_phase {
        let posts: Vec<Event> = (1..=count)
            .map(|n| transfer(2 * n + 1, 0, 0, TransferFlags::POST_PENDING, 2 * n))
            .collect();
        let mut mixed = Vec::with_capacity(events.len() * 2);
        // Each batch reserves, the next one posts what the previous one reserved.
        let chunk = BATCH_EVENTS_MAX / 2;
        for (reserve, post) in events.chunks(chunk).zip(posts.chunks(chunk)) {
            mixed.extend_from_slice(reserve);
            mixed.extend_from_slice(post);
        }
        return mixed;
    }
    events
}

/// CPU time this thread has run, in ns (Linux `schedstat`); `None` where unavailable. On a
/// shared machine this, unlike wall time, does not count the time other processes ran.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn main() -> Result<(), String> {
    let transfers: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| format!("not a count: {arg}"))?,
        None => 2_000_000,
    };
    for accounts in [16, 100_000] {
        for two_phase in [false, true] {
            let mut ledger = setup(accounts)?;
            let events = workload(transfers, accounts, two_phase);
            let started = Instant::now();
            let cpu_started = thread_cpu_ns();
            let mut now = 1_000_000;
            let mut refused = 0usize;
            for batch in events.chunks(BATCH_EVENTS_MAX) {
                now += 1_000_000;
                refused += ledger
                    .apply(now, batch)
                    .iter()
                    .filter(|r| !r.is_ok())
                    .count();
            }
            let seconds = started.elapsed().as_secs_f64();
            let cpu_seconds = thread_cpu_ns()
                .zip(cpu_started)
                .map(|(end, start)| end.saturating_sub(start) as f64 / 1e9);
            let rate = events.len() as f64 / seconds;
            let cpu_rate = cpu_seconds.map_or("null".to_string(), |cpu| {
                format!("{:.0}", events.len() as f64 / cpu)
            });
            ledger.check_invariants().map_err(|e| e.to_string())?;
            let workload = if two_phase {
                "pending_then_post"
            } else {
                "single_phase"
            };
            println!(
                "{{\"workload\":\"{workload}\",\"accounts\":{accounts},\"events\":{},\
                 \"batch_events\":{BATCH_EVENTS_MAX},\"refused\":{refused},\
                 \"events_per_sec\":{rate:.0},\"events_per_cpu_sec\":{cpu_rate}}}",
                events.len()
            );
        }
    }
    Ok(())
}

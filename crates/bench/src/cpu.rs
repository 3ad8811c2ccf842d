//! CPU time from Linux `/proc`, for benchmarks that report cost independently of other load on
//! the machine. Elsewhere every figure reads 0.

use std::path::Path;

/// Linux reports per-process and per-thread CPU time in /proc in units of USER_HZ, which is 100
/// on every architecture.
const USER_HZ: f64 = 100.0;

/// CPU seconds (user + system) this process has used so far.
pub fn process_seconds() -> f64 {
    seconds_in(Path::new("/proc/self/stat"))
}

/// CPU seconds used so far by this process's sequencer thread for the state machine `kind`
/// (the thread is named `sequencer-<kind>`, truncated by Linux to 15 bytes).
pub fn sequencer_seconds(kind: &str) -> f64 {
    let name = format!("sequencer-{kind}");
    let prefix = name.get(..15).unwrap_or(&name);
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim_end().starts_with(prefix))
        })
        .map(|task| seconds_in(&task.path().join("stat")))
        .sum()
}

fn seconds_in(stat: &Path) -> f64 {
    let Ok(text) = std::fs::read_to_string(stat) else {
        return 0.0;
    };
    // Fields after the parenthesised command name: state is the first, utime the 12th.
    let Some((_, rest)) = text.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<u64>().ok());
    match (ticks(11), ticks(12)) {
        // A CPU time for a report: f64's precision is plenty (exact below 2^53 ticks).
        #[allow(clippy::cast_precision_loss)]
        (Some(user), Some(system)) => user.saturating_add(system) as f64 / USER_HZ,
        _ => 0.0,
    }
}

//! How the simulation scales, natively: see `scenario` for what is measured.
//!
//! `cargo bench -p daemonlab-core --bench scale [-- NODES...]` (default 500 5000).
//! Memory comes from a counting allocator: the heap the settled cluster holds,
//! and the high-water mark over the whole run.

mod scenario;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use scenario::Probe;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![500, 5000]
    } else {
        sizes
    };
    let epoch = Instant::now();
    let now_ms = || epoch.elapsed().as_secs_f64() * 1e3;
    let memory = || CURRENT.load(Ordering::Relaxed);
    for nodes in sizes {
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let report = scenario::run(
            nodes,
            &Probe {
                now_ms: &now_ms,
                memory: &memory,
            },
        );
        let peak = PEAK.load(Ordering::Relaxed) - base;
        println!("{report}");
        println!(
            "  heap high-water mark {:.0} MiB",
            peak as f64 / (1024.0 * 1024.0)
        );
    }
}

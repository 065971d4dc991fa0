//! The sync crate's modules call one another without a cycle (docs/architecture.md), so each
//! can be read and changed from the bottom up: the addressing and the queues under the engine,
//! the engine under the steps that move packages into the register.
//!
//! `cargo test -p vanthu-sync --test modules -- --nocapture` prints the graph.
#[path = "../../registry/tests/support/modgraph.rs"]
mod modgraph;

use std::path::Path;

#[test]
fn sync_modules_have_no_cycle() {
    let graph = modgraph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    println!("{}", modgraph::render(&graph));
    assert_eq!(
        modgraph::cycle(&graph),
        None,
        "{}",
        modgraph::render(&graph)
    );
    // The graph is read at all: the bridge calls the engine and the queues.
    assert!(graph["bridge"].contains("state") && graph["bridge"].contains("engine"));
}

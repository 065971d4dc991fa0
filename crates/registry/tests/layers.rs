//! The registry's modules form layers (docs/architecture.md, "Inside the registry"): the
//! store primitives at the bottom never call the policy modules above them, so a change to
//! how desktops exchange packages cannot reach into how a number is allocated. This test
//! reads the sources and fails on any `crate::` reference that points to the same or a
//! higher layer, and on a module no layer declares.
//!
//! `cargo test -p vanthu-registry --test layers -- --nocapture` prints the graph.
#[path = "support/modgraph.rs"]
mod modgraph;

use std::path::Path;

/// Bottom first. A module may refer only to modules of lower layers.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary",
        &[
            "error",
            "register",
            "rank",
            "sort",
            "status_upgrade",
            "blobs",
            "audit",
            "snapshot",
            "bulk",
            "soft_copy",
        ],
    ),
    (
        "stores",
        &[
            "agencies",
            "syncq",
            "events",
            "desks::wire",
            "outgoing_offer",
            "scan_drafts",
            "people",
        ],
    ),
    ("people's images", &["sign_images"]),
    ("index and desk queue", &["search", "desks::outbox"]),
    ("numbering and schema", &["numbering", "schema"]),
    ("documents", &["documents"]),
    (
        "policy",
        &[
            "processing",
            "signing",
            "dispatch",
            "csvio",
            "desks::submit",
            "report_facts",
            "archive_restore",
            "dashboard",
            "handling",
        ],
    ),
    (
        "policy on policy",
        &["revisions", "desks::receive", "sender_recall"],
    ),
    ("re-exports", &["desks"]),
];

fn layer_of(module: &str) -> Option<(usize, &'static str)> {
    LAYERS
        .iter()
        .enumerate()
        .find(|(_, (_, mods))| mods.contains(&module))
        .map(|(i, (name, _))| (i, *name))
}

#[test]
fn registry_modules_only_call_downward() {
    let graph = modgraph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    println!("{}", modgraph::render(&graph));
    let mut wrong = Vec::new();
    for (module, deps) in &graph {
        let Some((layer, name)) = layer_of(module) else {
            wrong.push(format!("{module}: in no layer (declare it in LAYERS)"));
            continue;
        };
        for dep in deps {
            match layer_of(dep) {
                Some((l, dep_name)) if l >= layer => wrong.push(format!(
                    "{module} ({name}) → {dep} ({dep_name}): not a lower layer"
                )),
                None => wrong.push(format!("{dep}: in no layer (declare it in LAYERS)")),
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(modgraph::cycle(&graph), None);
}

/// The reader itself: a module group, a nested path and a reference inside a test module.
#[test]
fn the_graph_reader_sees_groups_and_nested_paths() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir(src.join("desks")).unwrap();
    std::fs::write(src.join("desks/mod.rs"), "pub(crate) mod outbox;\n").unwrap();
    std::fs::write(
        src.join("desks/outbox.rs"),
        "use super::wire::X;\nuse crate::{audit, Error};\n",
    )
    .unwrap();
    std::fs::write(src.join("desks/wire.rs"), "").unwrap();
    std::fs::write(src.join("audit.rs"), "// crate::events in a comment\n").unwrap();
    std::fs::write(src.join("events.rs"), "").unwrap();
    std::fs::write(
        src.join("numbering.rs"),
        "fn f() { crate::desks::outbox::queue(); }\n#[cfg(test)]\nmod t { use crate::events; }\n",
    )
    .unwrap();
    let g = modgraph::read(src);
    assert_eq!(
        modgraph::render(&g),
        "audit: \ndesks: \ndesks::outbox: audit desks::wire\ndesks::wire: \nevents: \nnumbering: desks::outbox\n"
    );
    assert_eq!(modgraph::cycle(&g), None);
    std::fs::write(src.join("events.rs"), "use crate::numbering;").unwrap();
    std::fs::write(src.join("desks/wire.rs"), "use crate::events;").unwrap();
    let g = modgraph::read(src);
    assert!(modgraph::cycle(&g).is_some(), "{}", modgraph::render(&g));
}

//! The crate map of docs/architecture.md is the workspace's: the "Crate dependencies" and
//! "Test-only dependencies" paragraphs are parsed and compared, edge by edge, with the
//! dependencies `cargo metadata` reports for the workspace members. An edge added to a
//! Cargo.toml and not to the document, or left in the document after it was removed, fails.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

type Edges = BTreeSet<(String, String)>;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `vanthu-core` → `core`: the document names crates without the common prefix.
fn short(package: &str) -> String {
    package
        .strip_prefix("vanthu-")
        .unwrap_or(package)
        .to_owned()
}

/// (normal, dev) edges between workspace members, as Cargo resolves the manifests.
fn cargo_edges() -> (Edges, Edges) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(repo().join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let members: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let (mut normal, mut dev) = (Edges::new(), Edges::new());
    for p in packages {
        let from = short(p["name"].as_str().unwrap());
        for d in p["dependencies"].as_array().unwrap() {
            let name = d["name"].as_str().unwrap();
            if !members.contains(name) {
                continue;
            }
            let edge = (from.clone(), short(name));
            match d["kind"].as_str() {
                None => normal.insert(edge),
                Some("dev") => dev.insert(edge),
                Some(other) => panic!("a {other} dependency between crates is not in the map"),
            };
        }
    }
    (normal, dev)
}

/// The edges of the paragraph of `doc` that starts with `title`: clauses separated by `;`,
/// each "`from` → `to`, `to`…" (anything in parentheses is commentary).
fn doc_edges(doc: &str, title: &str) -> Edges {
    let start = doc
        .find(title)
        .unwrap_or_else(|| panic!("docs/architecture.md has no paragraph {title:?}"));
    let paragraph = doc[start + title.len()..]
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let mut plain = String::new();
    let mut depth = 0u32;
    for c in paragraph.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let names =
        |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let mut edges = Edges::new();
    for clause in plain.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        let (from, to) = clause
            .split_once('→')
            .unwrap_or_else(|| panic!("clause without →: {clause:?}"));
        let from = names(from);
        assert_eq!(from.len(), 1, "one crate before → in {clause:?}");
        let to = names(to);
        assert!(!to.is_empty(), "no crate after → in {clause:?}");
        for t in to {
            edges.insert((from[0].clone(), t));
        }
    }
    edges
}

fn differences(documented: &Edges, actual: &Edges) -> Vec<String> {
    let mut out: Vec<String> = actual
        .difference(documented)
        .map(|(a, b)| format!("in Cargo.toml, not in the document: {a} → {b}"))
        .collect();
    out.extend(
        documented
            .difference(actual)
            .map(|(a, b)| format!("in the document, not in Cargo.toml: {a} → {b}")),
    );
    out
}

#[test]
fn the_documented_crate_map_is_the_cargo_graph() {
    let doc = std::fs::read_to_string(repo().join("docs/architecture.md")).unwrap();
    let (normal, dev) = cargo_edges();
    assert!(!normal.is_empty(), "cargo metadata reported no edges");
    let mut wrong = differences(&doc_edges(&doc, "Crate dependencies:"), &normal);
    wrong.extend(differences(
        &doc_edges(&doc, "Test-only dependencies:"),
        &dev,
    ));
    assert!(
        wrong.is_empty(),
        "docs/architecture.md and the Cargo.toml files disagree:\n{}",
        wrong.join("\n")
    );
}

/// The layers of the map hold whatever the paragraph says: nothing below `core` reaches up
/// to it or to the shells, the leaf crates do not reach the register or sync, and the hub
/// needs nothing but the edXML header scan.
#[test]
fn the_layers_point_one_way() {
    let (normal, _) = cargo_edges();
    let layer = |c: &str| match c {
        "domain" => 0,
        "registry" | "edxml" | "pdf" | "sign" => 1,
        "sync" => 2,
        "core" => 3,
        "cli" | "app" => 4,
        "hub" => 1,
        other => panic!("crate {other} has no layer in this test"),
    };
    for (from, to) in &normal {
        let allowed = match from.as_str() {
            // sign places its block with pdf's text runs: a sideways edge, documented.
            "sign" => to == "pdf" || layer(to) < layer(from),
            "hub" => to == "domain" || to == "edxml",
            "cli" => layer(to) < layer(from),
            _ => to != "hub" && layer(to) < layer(from),
        };
        assert!(allowed, "{from} → {to} goes against the layers");
    }
}

#[test]
fn the_paragraph_parser_reads_clauses_and_ignores_commentary() {
    let doc = "x\n\nCrate dependencies: `a` → `b` (not `c`), `d`;\n`e` → `b`.\n\nnext `z` → `y`";
    let edges = doc_edges(doc, "Crate dependencies:");
    let want: Edges = [("a", "b"), ("a", "d"), ("e", "b")]
        .into_iter()
        .map(|(x, y)| (x.to_owned(), y.to_owned()))
        .collect();
    assert_eq!(edges, want);
}

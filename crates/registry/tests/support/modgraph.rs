//! The module import graph of a crate, read from its sources: which modules each module
//! names through `crate::` (and, inside a directory module, `super::`). Code under
//! `#[cfg(test)]` is left out: a test may reach anywhere. Shared by the registry's and the
//! sync crate's layer tests (included with `#[path]`).
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name (`documents`, or `desks::outbox` for a file of a directory module; `desks`
/// for its `mod.rs`) → the crate modules it refers to, itself excluded.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// Reads `src` (a crate's `src/` directory) and returns its graph. `lib.rs` is the crate
/// root, which sits above every module, and is left out.
pub fn read(src: &Path) -> Graph {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let dir = path.file_name().unwrap().to_str().unwrap().to_owned();
            for sub in std::fs::read_dir(&path).unwrap() {
                let sub = sub.unwrap().path();
                let stem = sub.file_stem().unwrap().to_str().unwrap();
                let name = if stem == "mod" {
                    dir.clone()
                } else {
                    format!("{dir}::{stem}")
                };
                files.push((name, Some(dir.clone()), sub));
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            if stem != "lib" && stem != "main" {
                files.push((stem, None, path));
            }
        }
    }
    let dirs: BTreeSet<String> = files.iter().filter_map(|(_, d, _)| d.clone()).collect();
    let names: BTreeSet<String> = files.iter().map(|(n, _, _)| n.clone()).collect();
    let mut graph = Graph::new();
    for (name, dir, path) in &files {
        let text = code_of(&std::fs::read_to_string(path).unwrap());
        let mut refs = BTreeSet::new();
        for path in paths_after(&text, "crate::") {
            refs.insert(resolve(&path, &dirs));
        }
        // `super::x` in `desks/outbox.rs` is `desks::x`; in `desks/mod.rs` it is the root.
        if let Some(dir) = dir.as_ref().filter(|_| name.contains("::")) {
            for path in paths_after(&text, "super::") {
                refs.insert(resolve(&format!("{dir}::{path}"), &dirs));
            }
        }
        refs.retain(|r| names.contains(r) && r != name);
        graph.insert(name.clone(), refs);
    }
    graph
}

/// The source without comments and without everything from the first `#[cfg(test)]` on
/// (test modules close the files of this workspace).
fn code_of(text: &str) -> String {
    let end = text.find("\n#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths that follow each `prefix`, with `{a, b::c}` groups expanded.
fn paths_after(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        expand(rest, &mut out);
    }
    out
}

fn expand(rest: &str, out: &mut Vec<String>) {
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    expand(group[start..i].trim(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(group[start..i].trim(), out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let path: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let path = path.trim_end_matches(':');
    if path.ends_with("::") || rest[path.len()..].starts_with("::{") {
        // `a::{b, c}`: the group's members are under `a`.
        let mut inner = Vec::new();
        expand(&rest[path.len() + 2..], &mut inner);
        out.extend(inner.into_iter().map(|p| format!("{path}::{p}")));
    } else if !path.is_empty() {
        out.push(path.to_owned());
    }
}

/// The module a path names: `desks::outbox::x` → `desks::outbox`, `documents::x` → `documents`.
fn resolve(path: &str, dirs: &BTreeSet<String>) -> String {
    let mut parts = path.split("::");
    let first = parts.next().unwrap_or_default().to_owned();
    match parts.next() {
        Some(second) if dirs.contains(&first) => format!("{first}::{second}"),
        _ => first,
    }
}

/// The graph as text, one module a line (`module: dep dep …`), for the report and failures.
pub fn render(graph: &Graph) -> String {
    graph
        .iter()
        .map(|(m, deps)| {
            let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
            format!("{m}: {}\n", deps.join(" "))
        })
        .collect()
}

/// A cycle of the graph, if it has one (as the modules along it).
pub fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == m) {
            let mut c = stack[i..].to_vec();
            c.push(m.to_owned());
            return Some(c);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_owned());
        for d in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(d, graph, done, stack) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut done, &mut Vec::new()))
}

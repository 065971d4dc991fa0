//! Unicode normalisation and search folding for Vietnamese text.
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The NFC form of `s`: what every stored and displayed string uses.
pub fn nfc(s: &str) -> String {
    // Most text arrives in NFC already; the quick check proves it without recomposing.
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return s.to_owned();
    }
    s.nfc().collect()
}

/// Folds text for search: diacritics removed, `đ`/`Đ` (and the look-alike `Ð`) become `d`,
/// lower case. NFC and NFD input fold to the same string, so "QUYẾT ĐỊNH", "quyet dinh"
/// and a decomposed "Quyết định" all become "quyet dinh".
pub fn fold(s: &str) -> String {
    // Lower-case first: some lower-case mappings (İ → i̇) produce combining marks that the
    // decomposition below must then see and strip.
    s.to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'đ' || c == 'ð' { 'd' } else { c })
        .collect()
}

/// A piece of a text shown with a search's matches marked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Marked {
    /// The text, as stored (NFC).
    pub text: String,
    /// Whether it is a word the search matched.
    pub hit: bool,
}

/// Splits `text` into pieces with the words that `query` matches marked, by the search's own
/// rule: a word matches when its folded form equals a folded query word (so "quyet" marks
/// "Quyết"), and a query ending in `*` matches its last word as a prefix. Joined, the pieces
/// give back `text` unchanged.
pub fn mark_matches(text: &str, query: &str) -> Vec<Marked> {
    let folded_query = fold(query);
    let words: Vec<&str> = folded_query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let prefix = query
        .trim_end()
        .ends_with('*')
        .then(|| words.last().copied())
        .flatten();
    let matches = |word: &str| {
        let f = fold(word);
        words.iter().any(|w| *w == f) || prefix.is_some_and(|p| f.starts_with(p))
    };
    let mut out: Vec<Marked> = Vec::new();
    let mut push = |piece: &str, hit: bool| match out.last_mut() {
        Some(last) if last.hit == hit => last.text.push_str(piece),
        _ => out.push(Marked {
            text: piece.to_owned(),
            hit,
        }),
    };
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        // Combining marks belong to the word they follow (a decomposed "Quyết").
        let wordy = c.is_alphanumeric() || (in_word && is_combining_mark(c));
        if wordy != in_word {
            if i > start {
                let piece = &text[start..i];
                push(piece, in_word && matches(piece));
            }
            start = i;
            in_word = wordy;
        }
    }
    if start < text.len() {
        let piece = &text[start..];
        push(piece, in_word && matches(piece));
    }
    out
}

/// The part of `text` around the first word `query` matches: about `width` characters, white
/// space collapsed, the matches marked, "…" where it was cut, whole words only. `None` when
/// no word matches. Tra cứu shows it for a document found by the text of its PDF.
pub fn excerpt(text: &str, query: &str, width: usize) -> Option<Vec<Marked>> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let pieces = mark_matches(&flat, query);
    let first = pieces.iter().position(|p| p.hit)?;
    let chars: Vec<char> = flat.chars().collect();
    let before: usize = pieces[..first].iter().map(|p| p.text.chars().count()).sum();
    let mut start = before.saturating_sub(width / 3);
    let mut end = (start + width).min(chars.len()).max(before + 1);
    // Whole words: move the cuts to the nearest space inside the window.
    if start > 0 {
        if let Some(sp) = chars[start..before].iter().position(|c| *c == ' ') {
            start += sp + 1;
        } else {
            start = before;
        }
    }
    if end < chars.len() {
        let hit_end = before + pieces[first].text.chars().count();
        if let Some(sp) = chars[hit_end.min(end)..end].iter().rposition(|c| *c == ' ') {
            end = hit_end.min(end) + sp;
        }
    }
    let window: String = chars[start..end].iter().collect();
    let mut out = Vec::new();
    if start > 0 {
        out.push(Marked {
            text: "…".into(),
            hit: false,
        });
    }
    for p in mark_matches(&window, query) {
        match out.last_mut() {
            Some(last) if !last.hit && !p.hit => last.text.push_str(&p.text),
            _ => out.push(p),
        }
    }
    if end < chars.len() {
        match out.last_mut() {
            Some(last) if !last.hit => last.text.push('…'),
            _ => out.push(Marked {
                text: "…".into(),
                hit: false,
            }),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn joined(pieces: &[Marked]) -> String {
        pieces.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn an_excerpt_shows_the_first_match_in_whole_words() {
        let text =
            "ỦY BAN NHÂN DÂN\nTỈNH KON TUM\n\nV/v triển khai   dịch vụ công trực tuyến toàn trình \
                    cho các thủ tục hành chính thuộc thẩm quyền giải quyết của Sở";
        let e = excerpt(text, "truc tuyen", 40).unwrap();
        let s = joined(&e);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(!s.contains('\n') && !s.contains("  "), "{s}");
        let hits: Vec<&str> = e
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits, ["trực", "tuyến"]);
        // Every word in the window is whole.
        for w in s.trim_matches('…').split(' ') {
            assert!(text.contains(w), "{w:?} is cut");
        }
        assert_eq!(excerpt(text, "ngân sách", 40), None);
        // A short text comes whole, without marks of cutting.
        assert_eq!(
            joined(&excerpt("Kế hoạch chuyển đổi số", "so", 80).unwrap()),
            "Kế hoạch chuyển đổi số"
        );
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("QUYẾT ĐỊNH"), "quyet dinh");
        assert_eq!(fold("Quyết định"), "quyet dinh");
        assert_eq!(
            fold("Ủy ban nhân dân tỉnh Kon Tum"),
            "uy ban nhan dan tinh kon tum"
        );
        assert_eq!(fold("Hỏa tốc, Thượng khẩn"), "hoa toc, thuong khan");
        assert_eq!(fold("Ðà Nẵng"), "da nang");
        assert_eq!(fold("ơ ư ă â ê ô"), "o u a a e o");
    }

    #[test]
    fn nfc_and_nfd_fold_alike() {
        let nfd: String = "Tờ trình về việc đề nghị".nfd().collect();
        assert_ne!(nfd, "Tờ trình về việc đề nghị");
        assert_eq!(nfc(&nfd), "Tờ trình về việc đề nghị");
        assert_eq!(fold(&nfd), fold("Tờ trình về việc đề nghị"));
    }

    fn marked(text: &str, query: &str) -> String {
        mark_matches(text, query)
            .iter()
            .map(|m| {
                if m.hit {
                    format!("[{}]", m.text)
                } else {
                    m.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn marks_the_words_a_search_matched() {
        assert_eq!(
            marked(
                "Quyết định ban hành Kế hoạch chuyển đổi số",
                "quyet dinh KE HOACH"
            ),
            "[Quyết] [định] ban hành [Kế] [hoạch] chuyển đổi số"
        );
        assert_eq!(marked("Đôn đốc, đôn đốc!", "don"), "[Đôn] đốc, [đôn] đốc!");
        assert_eq!(marked("chuyển đổi số", "chuy*"), "[chuyển] đổi số");
        assert_eq!(marked("chuyển đổi số", "chuy"), "chuyển đổi số");
        assert_eq!(marked("Văn bản", ""), "Văn bản");
        let nfd: String = "Tờ trình".nfd().collect();
        let m = mark_matches(&nfd, "to");
        assert!(m[0].hit && fold(&m[0].text) == "to" && !m[1].hit, "{m:?}");
    }

    proptest! {
        #[test]
        fn marking_keeps_the_text(s in "\\PC{0,40}", q in "\\PC{0,10}") {
            let joined: String = mark_matches(&s, &q).into_iter().map(|m| m.text).collect();
            prop_assert_eq!(joined, s);
        }

        #[test]
        fn fold_is_idempotent_and_normalisation_blind(s in "\\PC{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(fold(&nfd), f);
        }
    }
}

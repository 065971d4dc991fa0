//! Unicode normalisation and search folding for Vietnamese text.
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The NFC form of `s`: what every stored and displayed string uses.
pub fn nfc(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        fn fold_is_idempotent_and_normalisation_blind(s in "\\PC{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(fold(&nfd), f);
        }
    }
}

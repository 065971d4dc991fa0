//! Token presence polling for the "Chờ ký" screen on a real SoftHSM2 token
//! (tests/fixtures/sign). Batch signing itself is tested in crates/sign/tests/queue.rs.

use vanthu_app::signing::SigningState;
use vanthu_sign::testing::{module_path, serial, token_dir};

#[test]
fn token_status_lists_the_certificates_and_reports_changes_once() {
    let _g = serial();
    token_dir();
    std::env::set_var("VANTHU_PKCS11_MODULE", module_path());
    let data = tempfile::tempdir().unwrap();
    let st = SigningState::with_module(data.path(), vanthu_sign::testing::module());
    let first = st.poll_change().expect("first poll reports the state");
    assert!(first.problem.is_none(), "{first:?}");
    let tok = first
        .tokens
        .iter()
        .find(|t| t.label == "vanthu-test")
        .unwrap();
    let holders: Vec<&str> = tok.certificates.iter().map(|c| c.holder.as_str()).collect();
    assert!(holders.contains(&"Nguyễn Văn An"), "{holders:?}");
    assert!(st.poll_change().is_none(), "no change, no event");
}

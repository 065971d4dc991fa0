//! The arrival stamp workflow on a real SoftHSM2 token (tests/fixtures/sign): a registered
//! incoming document's PDF, already signed by others, stamped with the seal key and stored
//! with its history line and audit entry; refusals before the PIN is used.
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;
use vanthu_core::arrival_stamp::{stamp_arrival, StampError, StampKey};
use vanthu_domain::{IncomingState, Secrecy};
use vanthu_registry::{NewIncoming, NewPerson, Registry};
use vanthu_sign::testing::{self, corpus, serial};
use vanthu_sign::token::Module;
use vanthu_sign::SignError;
use zeroize::Zeroizing;

fn module() -> &'static Module {
    static M: OnceLock<Arc<Module>> = OnceLock::new();
    M.get_or_init(testing::module)
}

const KEY: StampKey<'static> = StampKey {
    key_label: Some("org-rsa"),
    token_label: Some("vanthu-test"),
};

fn pin() -> Zeroizing<String> {
    Zeroizing::new(testing::PIN.into())
}

fn incoming(secrecy: Secrecy, file: &str) -> NewIncoming {
    NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: "412/VPCP-KSTT".into(),
        document_date: NaiveDate::from_ymd_opt(2025, 11, 3).unwrap(),
        arrival_date: Some(NaiveDate::from_ymd_opt(2025, 11, 5).unwrap()),
        doc_type: "Công văn".into(),
        subject: "Về việc gửi, nhận văn bản điện tử".into(),
        secrecy,
        handler: Some("Phòng Tổng hợp".into()),
        files: vec![corpus(file)],
        ..Default::default()
    }
}

fn registry() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    (dir, reg)
}

#[test]
fn a_registered_document_gets_its_stamped_copy_history_and_audit() {
    let _g = serial();
    let (_d, mut reg) = registry();
    // A secret document: its số đến is M-prefixed on the stamp as in the register.
    let doc = reg
        .register_incoming(incoming(
            Secrecy::Confidential,
            "minimal-signed-twice-second-created.pdf",
        ))
        .unwrap();
    assert_eq!(doc.number_label().as_deref(), Some("M1"));
    let original = doc.attachments[0].clone();
    let events_before = reg.status_events(doc.id).unwrap().len();
    let reg = Mutex::new(reg);
    let out = stamp_arrival(&reg, module(), &testing::trust_store(), doc.id, KEY, pin()).unwrap();
    assert_eq!(
        out.attachment.file_name,
        original.file_name.replace(".pdf", " (dấu đến).pdf")
    );
    assert_ne!(out.attachment.sha256, original.sha256);
    let reg = reg.lock().unwrap();
    let now = reg.get(doc.id).unwrap();
    assert_eq!(now.attachments.len(), 2, "the PDF as received is kept");
    assert_eq!(now.attachments.last().unwrap().id, out.attachment.id);
    assert_eq!(now.incoming_state(), Some(IncomingState::Registered));

    // The sender's two signatures still intact, the stamp valid and trusted.
    let rep = out.verification.as_ref().unwrap();
    assert_eq!(rep.signatures.len(), 3);
    assert!(rep.signatures.iter().all(|s| s.intact && s.valid));
    assert!(rep.signatures[..2].iter().all(|s| !s.modified_after));
    assert!(rep.signatures[2].trusted && rep.signatures[2].covers_whole_document);

    // The stamp's text on page 1: số đến with its M, ngày đến, chuyển, the unit.
    // poppler prints annotation appearances with the page; pdfium's page text has none.
    let text = std::process::Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(reg.attachment_path(&out.attachment))
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    for want in [
        "ĐẾN",
        "Số: M1",
        "Ngày: 05/11/2025",
        "Chuyển: Phòng Tổng hợp",
        "KON TUM",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }

    let events = reg.status_events(doc.id).unwrap();
    assert_eq!(events.len(), events_before + 1);
    let line = events.last().unwrap();
    assert!(
        line.note
            .as_deref()
            .unwrap_or("")
            .starts_with("Đóng dấu đến (số đến M1"),
        "{line:?}"
    );
    let audit = reg
        .audit_entries(Some("document"), Some(&doc.id.to_string()), 100)
        .unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "incoming.arrival_stamp")
        .expect("audit entry");
    assert_eq!(entry.detail["sha256"], out.attachment.sha256);
    assert_eq!(entry.detail["stamped_from_sha256"], original.sha256);
}

#[test]
fn refused_before_registration_and_without_a_pdf_and_the_pin_is_not_used() {
    let _g = serial();
    let (_d, mut reg) = registry();
    let arrived = reg
        .receive_incoming(incoming(Secrecy::Normal, "minimal.pdf"))
        .unwrap();
    assert_eq!(arrived.incoming_state(), Some(IncomingState::Arrived));
    let mut no_pdf = incoming(Secrecy::Normal, "minimal.pdf");
    no_pdf.files.clear();
    let no_pdf = reg.register_incoming(no_pdf).unwrap();
    let reg = Mutex::new(reg);
    for id in [arrived.id, no_pdf.id] {
        // A wrong PIN would fail the login if it were tried: the refusal comes first.
        let e = stamp_arrival(
            &reg,
            module(),
            &testing::trust_store(),
            id,
            KEY,
            Zeroizing::new("0000".into()),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                StampError::Registry(vanthu_registry::Error::InvalidState(_))
            ),
            "{e}"
        );
        assert_eq!(
            reg.lock().unwrap().get(id).unwrap().attachments.len(),
            (id == arrived.id) as usize
        );
    }
}

#[test]
fn only_the_van_thu_stamps_and_a_wrong_pin_changes_nothing() {
    let _g = serial();
    let (_d, mut reg) = registry();
    let doc = reg
        .register_incoming(incoming(Secrecy::Normal, "minimal.pdf"))
        .unwrap();
    let clerk = reg
        .add_person(&NewPerson {
            full_name: "Phạm Thị Dung".into(),
            roles: vec!["văn thư".into()],
            ..Default::default()
        })
        .unwrap();
    let handler = reg
        .add_person(&NewPerson {
            full_name: "Lê Văn Cường".into(),
            roles: vec!["chuyên viên".into()],
            ..Default::default()
        })
        .unwrap();
    reg.sign_in(Some(handler.id)).unwrap();
    let reg = Mutex::new(reg);
    let e = stamp_arrival(&reg, module(), &testing::trust_store(), doc.id, KEY, pin()).unwrap_err();
    assert!(
        matches!(
            e,
            StampError::Registry(vanthu_registry::Error::NotPermitted { .. })
        ),
        "{e}"
    );
    reg.lock().unwrap().sign_in(Some(clerk.id)).unwrap();
    let e = stamp_arrival(
        &reg,
        module(),
        &testing::trust_store(),
        doc.id,
        KEY,
        Zeroizing::new("0000".into()),
    )
    .unwrap_err();
    assert!(matches!(e, StampError::Sign(SignError::WrongPin(_))), "{e}");
    assert_eq!(
        reg.lock().unwrap().get(doc.id).unwrap().attachments.len(),
        1
    );
    let out = stamp_arrival(&reg, module(), &testing::trust_store(), doc.id, KEY, pin()).unwrap();
    assert_eq!(out.document.attachments.len(), 2);
    // Once stamped, the newest PDF is the stamped copy: no second "ĐẾN" box.
    let e = stamp_arrival(&reg, module(), &testing::trust_store(), doc.id, KEY, pin()).unwrap_err();
    assert!(
        matches!(
            e,
            StampError::Registry(vanthu_registry::Error::InvalidState(_))
        ),
        "{e}"
    );
    assert_eq!(
        reg.lock().unwrap().get(doc.id).unwrap().attachments.len(),
        2
    );
}

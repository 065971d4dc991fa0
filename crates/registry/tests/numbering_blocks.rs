//! Numbering with blocks reserved by the unit's hub (docs/sync.md "Numbering while
//! offline"): a desktop numbers from its blocks, falls back to provisional numbers when they
//! run out, and resolves them when the next block arrives. The hub is modelled here by one
//! counter per key; the real hub is exercised in crates/sync/tests/numbering.rs.
use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use vanthu_domain::{Actor, IncomingState};
use vanthu_registry::{NewIncoming, NewOutgoing, Registry};

const YEAR: i32 = 2026;

fn desktop(name: &str) -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.set_user(format!("văn thư {name}"));
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    reg.set_numbering_desktop(Some(name)).unwrap();
    (dir, reg)
}

fn incoming(i: usize) -> NewIncoming {
    NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: format!("{}/VPCP-KSTT", i + 1),
        document_date: NaiveDate::from_ymd_opt(YEAR, 3, 1).unwrap(),
        arrival_date: Some(NaiveDate::from_ymd_opt(YEAR, 3, 2).unwrap()),
        doc_type: "Công văn".into(),
        subject: format!("Văn bản số {i}"),
        ..Default::default()
    }
}

/// The hub side of a block: one counter per key, every request answered once and replayed
/// by request id.
#[derive(Default)]
struct HubModel {
    next: BTreeMap<(String, String, i32), u32>,
    answered: BTreeMap<String, u32>,
}

impl HubModel {
    fn sync(&mut self, reg: &mut Registry, block_size: u32) -> usize {
        let mut resolved = 0;
        for req in reg.prepare_block_requests(YEAR, block_size).unwrap() {
            let start = *self
                .answered
                .entry(req.request_id.clone())
                .or_insert_with(|| {
                    let n = self
                        .next
                        .entry((req.register.clone(), req.series.clone(), req.year))
                        .or_insert(1);
                    let start = *n;
                    *n += req.size;
                    start
                });
            resolved += reg
                .add_number_block(&req.request_id, start, req.size)
                .unwrap()
                .len();
        }
        resolved
    }
}

#[test]
fn standalone_desktop_keeps_the_gapless_counter() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    assert!(reg.prepare_block_requests(YEAR, 20).unwrap().is_empty());
    let a = reg.register_incoming(incoming(0)).unwrap();
    let b = reg.register_incoming(incoming(1)).unwrap();
    assert_eq!((a.number, b.number), (Some(1), Some(2)));
    assert_eq!(a.provisional_number, None);
}

#[test]
fn blocks_then_provisional_then_resolution() {
    let (_d, mut reg) = desktop("VT1");
    let mut hub = HubModel::default();
    // Nothing reserved yet: the first document is provisional.
    let first = reg.register_incoming(incoming(0)).unwrap();
    assert_eq!(first.number, None);
    assert_eq!(first.provisional_number.as_deref(), Some("T-VT1-1"));
    assert_eq!(first.number_label().as_deref(), Some("Số tạm T-VT1-1"));
    assert!(first.is_provisional());
    // Moving it along the state machine does not give it a second (provisional) number.
    reg.append_status_event(first.id, IncomingState::Assigned, Actor::Leader, None)
        .unwrap();
    assert_eq!(
        reg.get(first.id).unwrap().provisional_number.as_deref(),
        Some("T-VT1-1")
    );

    // Sync: one block per key of the year; the provisional document gets number 1.
    assert_eq!(hub.sync(&mut reg, 4), 1);
    let first = reg.get(first.id).unwrap();
    assert_eq!(first.number, Some(1));
    assert_eq!(first.provisional_number.as_deref(), Some("T-VT1-1"));
    assert!(!first.is_provisional());
    assert!(reg.provisional_documents().unwrap().is_empty());
    let resolved = reg
        .audit_entries(None, None, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "numbering.resolve")
        .count();
    assert_eq!(resolved, 1);
    // One block per key of the year (incoming normal: 1..=4), used in order.
    let blocks = reg.number_blocks().unwrap();
    assert_eq!(blocks.len(), 4);
    let nums: Vec<_> = (1..4)
        .map(|i| reg.register_incoming(incoming(i)).unwrap().number)
        .collect();
    assert_eq!(nums, vec![Some(2), Some(3), Some(4)]);
    let p = reg.register_incoming(incoming(9)).unwrap();
    assert_eq!(p.provisional_number.as_deref(), Some("T-VT1-2"));
    // Outgoing documents: the provisional number stands in the notation until resolved.
    let out = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Đi".into(),
            ..Default::default()
        })
        .unwrap();
    let out = reg
        .issue_outgoing(out.id, NaiveDate::from_ymd_opt(YEAR, 3, 3).unwrap())
        .unwrap();
    assert_eq!(out.number, Some(1));
    assert_eq!(out.notation, "01/UBND-VP");
    assert_eq!(hub.sync(&mut reg, 4), 1);
    assert_eq!(reg.get(p.id).unwrap().number, Some(5));
    assert_eq!(reg.register_incoming(incoming(10)).unwrap().number, Some(6));
}

#[test]
fn a_lost_answer_is_replayed_not_burnt() {
    let (_d, mut reg) = desktop("VT2");
    let asked = reg.prepare_block_requests(YEAR, 10).unwrap();
    assert_eq!(asked.len(), 4);
    // The answers never arrived: the next round asks again with the same ids.
    let again = reg.prepare_block_requests(YEAR, 10).unwrap();
    assert_eq!(asked, again);
    reg.add_number_block(&asked[0].request_id, 1, 10).unwrap();
    // Applying the same block twice changes nothing; a wrong size is refused.
    reg.add_number_block(&asked[0].request_id, 1, 10).unwrap();
    assert_eq!(reg.number_blocks().unwrap().len(), 1);
    assert!(reg.add_number_block(&asked[1].request_id, 1, 11).is_err());
    assert!(reg.add_number_block("unknown", 1, 10).is_err());
}

#[test]
fn closing_the_year_voids_the_unused_numbers_and_stops_numbering() {
    let (_d, mut reg) = desktop("VT3");
    let mut hub = HubModel::default();
    // Offline first: a provisional document blocks the closure until it is resolved.
    let early = reg.register_incoming(incoming(0)).unwrap();
    assert!(early.is_provisional());
    let before = reg.audit_entries(None, None, 1000).unwrap().len();
    assert!(matches!(
        reg.close_numbering_year(YEAR),
        Err(vanthu_registry::Error::InvalidState(_))
    ));
    assert_eq!(reg.numbering_closed_at(YEAR).unwrap(), None);
    assert_eq!(reg.audit_entries(None, None, 1000).unwrap().len(), before);
    hub.sync(&mut reg, 5);
    for i in 1..3 {
        reg.register_incoming(incoming(i)).unwrap();
    }
    // Incoming normal used 1..=3 of 1..=5; the other three keys used nothing.
    let closure = reg.close_numbering_year(YEAR).unwrap();
    let ranges: Vec<_> = closure
        .voided
        .iter()
        .map(|v| (v.register.as_str(), v.series.as_str(), v.first, v.last))
        .collect();
    assert_eq!(
        ranges,
        vec![
            ("incoming", "normal", 4, 5),
            ("incoming", "secret", 1, 5),
            ("outgoing", "normal", 1, 5),
            ("outgoing", "secret", 1, 5),
        ]
    );
    let voids = reg
        .audit_entries(None, None, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "numbering.void")
        .count();
    assert_eq!(voids, 4);
    assert!(reg.numbering_closed_at(YEAR).unwrap().is_some());
    // Nothing is numbered in a closed year, neither from a block nor provisionally.
    let count = reg.count(None).unwrap();
    assert!(matches!(
        reg.register_incoming(incoming(7)),
        Err(vanthu_registry::Error::InvalidState(_))
    ));
    assert_eq!(reg.count(None).unwrap(), count);
    // No new block is asked for a closed year; closing again is the same closure.
    assert!(reg.prepare_block_requests(YEAR, 5).unwrap().is_empty());
    assert_eq!(reg.close_numbering_year(YEAR).unwrap(), closure);
    assert_eq!(reg.voided_numbers().unwrap(), closure.voided);
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn a_block_answered_after_the_year_closed_is_void_as_a_whole() {
    let (_d, mut reg) = desktop("VT4");
    let asked = reg.prepare_block_requests(YEAR, 10).unwrap();
    reg.close_numbering_year(YEAR).unwrap();
    // The request sent before the closure is still sent (the hub may have reserved it)...
    assert_eq!(reg.prepare_block_requests(YEAR, 10).unwrap(), asked);
    reg.add_number_block(&asked[0].request_id, 21, 10).unwrap();
    // ...and its numbers are void, none handed out.
    let void = reg.voided_numbers().unwrap();
    assert!(void
        .iter()
        .any(|v| v.register == asked[0].register && (v.first, v.last) == (21, 30)));
}

#[derive(Debug, Clone)]
enum Op {
    Register { desktop: usize },
    Sync { desktop: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..2).prop_map(|desktop| Op::Register { desktop }),
        1 => (0usize..2).prop_map(|desktop| Op::Sync { desktop }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Two desktops of one unit, interleaving offline registrations and syncs in any order:
    /// final numbers never repeat across the two, and after a last sync of both every
    /// document has a final number.
    #[test]
    fn two_desktops_never_share_a_number(ops in prop::collection::vec(op(), 1..40), block in 1u32..6) {
        let (_a, ra) = desktop("A");
        let (_b, rb) = desktop("B");
        let mut regs = [ra, rb];
        let mut hub = HubModel::default();
        let mut count = 0;
        for o in &ops {
            match o {
                Op::Register { desktop } => {
                    regs[*desktop].register_incoming(incoming(count)).unwrap();
                    count += 1;
                }
                Op::Sync { desktop } => {
                    hub.sync(&mut regs[*desktop], block);
                }
            }
            let mut seen = HashSet::new();
            for reg in &regs {
                let nums: Vec<Option<u32>> = reg.connection()
                    .prepare("SELECT number FROM documents WHERE register = 'incoming' AND number IS NOT NULL")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                for n in nums.into_iter().flatten() {
                    prop_assert!(seen.insert(n), "number {} given twice", n);
                }
            }
        }
        for reg in regs.iter_mut() {
            hub.sync(reg, block);
            prop_assert!(reg.provisional_documents().unwrap().is_empty());
        }
        let total: i64 = regs.iter().map(|r| r.connection()
            .query_row("SELECT count(*) FROM documents WHERE number IS NOT NULL", [], |r| r.get::<_, i64>(0))
            .unwrap()).sum();
        prop_assert_eq!(total, count as i64);
    }
}

#[test]
fn a_year_that_has_not_begun_cannot_be_closed() {
    let (_d, mut reg) = desktop("VT4");
    let next = chrono::Local::now().year() + 1;
    let before = reg.audit_entries(None, None, 1000).unwrap().len();
    assert!(matches!(
        reg.close_numbering_year(next),
        Err(vanthu_registry::Error::InvalidState(m)) if m.contains("chưa đến")
    ));
    assert_eq!(reg.numbering_closed_at(next).unwrap(), None);
    assert_eq!(reg.audit_entries(None, None, 1000).unwrap().len(), before);
    // This year and past years can be.
    assert!(reg.close_numbering_year(next - 1).is_ok());
}

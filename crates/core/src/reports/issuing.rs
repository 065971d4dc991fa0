//! Issuing statistics (reports.md §1; seed 000 Phụ lục III items 1.10 and 1.11): what the
//! unit issued, how much went out electronically only, and how many of the electronic
//! documents exchanged with its own sub-units and with other agencies carry a signature that
//! verifies (not merely a signature field).
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use vanthu_domain::AgencyCode;
use vanthu_registry::{ExchangeFact, Registry};
use vanthu_sign::{verify_pdf_with, TrustStore};

use super::table::{Cell, Document, Table};
use super::{day_of_ms, month_key, round2, ReportError, ReportScope};

/// The issuing report; its JSON keys are those of reports.md §1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuingReport {
    /// Period and department.
    pub scope: ReportScope,
    /// Months in the period (partial months as fractions).
    pub months: f64,
    /// Outgoing documents issued (numbered), paper and electronic.
    pub issued_total: u64,
    /// `issued_total` per month.
    pub issued_total_per_month: f64,
    /// Issued documents the hub accepted (sent electronically, without paper).
    pub issued_electronic_only: u64,
    /// `issued_electronic_only` per month.
    pub issued_electronic_only_per_month: f64,
    /// Signed / total electronic documents exchanged with the unit's own sub-units.
    pub signed_ratio_internal: SignedRatio,
    /// The same with other agencies.
    pub signed_ratio_external: SignedRatio,
    /// Distinct certificates in the signatures of the documents the unit issued.
    pub certificates: u64,
    /// Those certificates, with how many issued documents each signed.
    pub certificate_list: Vec<CertificateUse>,
}

/// Signed among electronic documents, for the period and per month.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SignedRatio {
    /// Documents with at least one signature that verifies.
    pub signed: u64,
    /// Electronic documents exchanged.
    pub total: u64,
    /// `signed / total`, when there is any document.
    pub ratio: Option<f64>,
    /// The same per month, every month of the period.
    pub months: Vec<MonthRatio>,
}

/// Signed / total in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthRatio {
    /// `YYYY-MM`.
    pub month: String,
    /// Signed documents.
    pub signed: u64,
    /// All electronic documents.
    pub total: u64,
}

/// One signing certificate and how many issued documents carry a verified signature by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateUse {
    /// The signer's name.
    pub signer: String,
    /// The certificate's subject.
    pub subject: String,
    /// The certificate's issuer.
    pub issuer: String,
    /// Issued documents it signed.
    pub documents: u64,
}

/// A signature that verified: the certificate that made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct VerifiedSigner {
    signer: String,
    subject: String,
    issuer: String,
}

/// Verifies each attachment once per report (the store is content-addressed, so the hash
/// names the bytes).
struct Verifier<'a> {
    reg: &'a Registry,
    trust: &'a TrustStore,
    seen: HashMap<String, Vec<VerifiedSigner>>,
}

impl Verifier<'_> {
    /// The signatures of the attachment that verify: intact, valid, chained to a trust
    /// anchor, and nothing a reader sees changed after them.
    fn signers(&mut self, sha256: Option<&str>) -> &[VerifiedSigner] {
        let Some(sha) = sha256 else { return &[] };
        let (reg, trust) = (self.reg, self.trust);
        self.seen.entry(sha.to_owned()).or_insert_with(|| {
            match verify_pdf_with(&reg.blobs().path_of(sha), trust) {
                Ok(report) => report
                    .signatures
                    .iter()
                    .filter(|s| s.intact && s.valid && s.trusted && !s.modified_after)
                    .map(|s| VerifiedSigner {
                        signer: s.signer.clone(),
                        subject: s.details.signer_subject.clone(),
                        issuer: s.details.issuer.clone(),
                    })
                    .collect(),
                Err(e) => {
                    tracing::debug!("report: {sha} does not verify: {e}");
                    Vec::new()
                }
            }
        })
    }
}

/// Computes the issuing report.
pub fn issuing_report(
    reg: &Registry,
    scope: &ReportScope,
    trust: &TrustStore,
) -> Result<IssuingReport, ReportError> {
    let w = scope.window();
    let months = scope.months();
    let per_month = |n: u64| {
        if months > 0.0 {
            round2(n as f64 / months)
        } else {
            0.0
        }
    };
    let mut verifier = Verifier {
        reg,
        trust,
        seen: HashMap::new(),
    };

    let issued: Vec<_> = reg
        .issued_facts(&w)?
        .into_iter()
        .filter(|f| scope.has_department(f.drafting_unit.as_deref()))
        .collect();
    let issued_total = issued.len() as u64;
    let issued_electronic_only = issued.iter().filter(|f| f.sent_electronically).count() as u64;
    let mut certs: BTreeMap<VerifiedSigner, u64> = BTreeMap::new();
    for f in &issued {
        let mut signers = verifier.signers(f.pdf_sha256.as_deref()).to_vec();
        signers.sort();
        signers.dedup();
        for s in signers {
            *certs.entry(s).or_default() += 1;
        }
    }

    let root = reg
        .own_unit()?
        .and_then(|(code, _)| AgencyCode::parse(&code).ok())
        .map(|c| c.root());
    let exchanged: Vec<ExchangeFact> = reg
        .exchange_facts(&w)?
        .into_iter()
        .filter(|f| f.business == "new" && scope.has_department(f.department.as_deref()))
        .collect();
    let mut internal = Ratios::new(scope);
    let mut external = Ratios::new(scope);
    for f in &exchanged {
        let is_internal = |c: &String| {
            AgencyCode::parse(c)
                .ok()
                .is_some_and(|c| Some(c.root()) == root)
        };
        let signed = !verifier.signers(f.pdf_sha256.as_deref()).is_empty();
        let month = day_of_ms(f.at_ms).map(month_key).unwrap_or_default();
        // A package addressed both inside and outside the unit counts once on each side.
        if f.counterparts.iter().any(is_internal) {
            internal.add(&month, signed);
        }
        if f.counterparts.iter().any(|c| !is_internal(c)) {
            external.add(&month, signed);
        }
    }

    let certificate_list: Vec<CertificateUse> = certs
        .into_iter()
        .map(|(s, documents)| CertificateUse {
            signer: s.signer,
            subject: s.subject,
            issuer: s.issuer,
            documents,
        })
        .collect();
    Ok(IssuingReport {
        scope: scope.clone(),
        months: round2(months),
        issued_total,
        issued_total_per_month: per_month(issued_total),
        issued_electronic_only,
        issued_electronic_only_per_month: per_month(issued_electronic_only),
        signed_ratio_internal: internal.finish(),
        signed_ratio_external: external.finish(),
        certificates: certificate_list.len() as u64,
        certificate_list,
    })
}

struct Ratios(BTreeMap<String, (u64, u64)>);

impl Ratios {
    fn new(scope: &ReportScope) -> Ratios {
        Ratios(
            scope
                .month_keys()
                .into_iter()
                .map(|m| (m, (0, 0)))
                .collect(),
        )
    }

    fn add(&mut self, month: &str, signed: bool) {
        let e = self.0.entry(month.to_owned()).or_default();
        e.0 += u64::from(signed);
        e.1 += 1;
    }

    fn finish(self) -> SignedRatio {
        let (signed, total) = self.0.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
        SignedRatio {
            signed,
            total,
            ratio: (total > 0).then(|| round2(signed as f64 / total as f64)),
            months: self
                .0
                .into_iter()
                .map(|(month, (signed, total))| MonthRatio {
                    month,
                    signed,
                    total,
                })
                .collect(),
        }
    }
}

impl IssuingReport {
    /// The report as printed tables.
    pub fn document(&self, unit: &str) -> Document {
        let mut summary = Table::new("Tổng hợp", &["Chỉ tiêu", "Số lượng", "Trung bình/tháng"]);
        summary.push(vec![
            "Văn bản phát hành".into(),
            self.issued_total.into(),
            Cell::Num(self.issued_total_per_month),
        ]);
        summary.push(vec![
            "Phát hành điện tử, không kèm bản giấy".into(),
            self.issued_electronic_only.into(),
            Cell::Num(self.issued_electronic_only_per_month),
        ]);
        summary.push(vec![
            "Chứng thư số đã dùng để ký".into(),
            self.certificates.into(),
            Cell::Empty,
        ]);
        let mut ratios = Table::new(
            "Tỷ lệ ký số",
            &[
                "Tháng",
                "Nội bộ: có ký số",
                "Nội bộ: tổng điện tử",
                "Bên ngoài: có ký số",
                "Bên ngoài: tổng điện tử",
            ],
        );
        for (i, m) in self.signed_ratio_internal.months.iter().enumerate() {
            let ext = self.signed_ratio_external.months.get(i);
            ratios.push(vec![
                month_label(&m.month).into(),
                m.signed.into(),
                m.total.into(),
                ext.map_or(Cell::Empty, |e| e.signed.into()),
                ext.map_or(Cell::Empty, |e| e.total.into()),
            ]);
        }
        ratios.push(vec![
            "Cả kỳ".into(),
            self.signed_ratio_internal.signed.into(),
            self.signed_ratio_internal.total.into(),
            self.signed_ratio_external.signed.into(),
            self.signed_ratio_external.total.into(),
        ]);
        let mut certs = Table::new(
            "Chứng thư số",
            &["Người ký", "Chủ thể", "Tổ chức cấp", "Số văn bản"],
        );
        for c in &self.certificate_list {
            certs.push(vec![
                c.signer.as_str().into(),
                c.subject.as_str().into(),
                c.issuer.as_str().into(),
                c.documents.into(),
            ]);
        }
        Document {
            title: "BÁO CÁO TÌNH HÌNH PHÁT HÀNH VĂN BẢN ĐIỆN TỬ".into(),
            subtitle: super::export::subtitle(unit, &self.scope),
            tables: vec![summary, ratios, certs],
            ..Default::default()
        }
    }
}

/// `2026-03` → `03/2026`.
pub fn month_label(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) => format!("{m}/{y}"),
        None => key.to_owned(),
    }
}

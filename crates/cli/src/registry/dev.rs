//! Hidden developer commands: synthetic registers for demos and benchmarks, a
//! registration loop for the concurrency test, and the search benchmark.
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Result};
use chrono::{Duration, NaiveDate};
use clap::Subcommand;
use vanthu_domain::{Secrecy, Urgency};
use vanthu_registry::{NewIncoming, NewOutgoing, SearchQuery};

use super::{open, parse_date, print_json};
use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum DevCommand {
    /// Generates a realistic synthetic register (Vietnamese subjects, real senders).
    GenDemo {
        #[arg(long)]
        count: u64,
        /// Share of outgoing documents, in percent.
        #[arg(long, default_value_t = 20)]
        outgoing_percent: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Documents per transaction.
        #[arg(long, default_value_t = 50_000)]
        batch: usize,
        #[arg(long, default_value = "2023-01-01")]
        from: String,
        #[arg(long, default_value = "2025-11-20")]
        to: String,
        /// Write an incoming-register CSV here instead of importing.
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Registers documents one transaction at a time (concurrency test).
    StressRegister {
        #[arg(long)]
        count: u64,
        #[arg(long, default_value = "2024-06-01")]
        arrival_date: String,
    },
    /// Times `search` against the raw FTS5 query on the same database.
    BenchSearch {
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Writes a one-page Vietnamese công văn as a real PDF (the reports' font, real text),
    /// for demo data the viewer and Chờ ký can be tried on.
    DemoPdf {
        /// The issuing agency's name.
        #[arg(long)]
        agency: String,
        /// Số, ký hiệu.
        #[arg(long)]
        notation: String,
        /// Ngày văn bản, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// Trích yếu.
        #[arg(long)]
        subject: String,
        #[arg(long, default_value = "")]
        signer: String,
        #[arg(long, short = 'o')]
        out: PathBuf,
    },
    /// Times the monthly reports against the raw SQL aggregate of their figures.
    BenchReports {
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// The month, YYYY-MM.
        #[arg(long, default_value = "2025-06")]
        month: String,
    },
}

/// splitmix64: deterministic and dependency-free; quality is ample for demo data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const ACTIONS: &[&str] = &[
    "triển khai",
    "tăng cường",
    "đôn đốc",
    "hướng dẫn",
    "báo cáo kết quả",
    "phê duyệt",
    "đề nghị hỗ trợ",
    "góp ý dự thảo",
    "kiểm tra",
    "tổ chức",
    "thực hiện",
    "rà soát",
    "bố trí kinh phí",
    "điều chỉnh",
    "tổng kết",
    "sơ kết",
    "chấn chỉnh",
    "giao chỉ tiêu",
];
const OBJECTS: &[&str] = &[
    "kế hoạch phát triển kinh tế - xã hội",
    "công tác phòng, chống dịch bệnh",
    "chuyển đổi số",
    "cải cách hành chính",
    "gửi, nhận văn bản điện tử",
    "quản lý đất đai",
    "xây dựng nông thôn mới",
    "phòng, chống thiên tai",
    "bảo đảm an toàn thông tin mạng",
    "kế hoạch đầu tư công trung hạn",
    "giải ngân vốn đầu tư công",
    "bảo vệ môi trường",
    "giáo dục và đào tạo",
    "y tế cơ sở",
    "bảo đảm an ninh trật tự",
    "thu ngân sách nhà nước",
    "hạ tầng giao thông nông thôn",
    "phát triển du lịch",
    "đào tạo, bồi dưỡng cán bộ, công chức",
    "dịch vụ công trực tuyến toàn trình",
    "sử dụng chữ ký số",
    "lập hồ sơ điện tử",
    "phòng cháy, chữa cháy",
    "tuyển dụng viên chức",
    "công tác thi đua, khen thưởng",
    "quản lý tài sản công",
    "hỗ trợ đồng bào dân tộc thiểu số",
    "phát triển cây cà phê",
    "trồng rừng và bảo vệ rừng",
    "tiêm chủng mở rộng",
    "cấp nước sinh hoạt",
    "sắp xếp đơn vị hành chính cấp xã",
    "thanh toán không dùng tiền mặt",
];
const SCOPES: &[&str] = &[
    "năm 2024",
    "năm 2025",
    "quý III",
    "6 tháng đầu năm",
    "trên địa bàn tỉnh",
    "giai đoạn 2021 - 2025",
    "tại các huyện, thành phố",
    "",
    "",
    "đợt 2",
    "tháng 10",
];
const TYPES: &[(&str, &str, u64)] = &[
    ("Công văn", "", 50),
    ("QĐ", "QĐ", 12),
    ("TB", "TB", 8),
    ("KH", "KH", 7),
    ("BC", "BC", 7),
    ("GM", "GM", 6),
    ("TTr", "TTr", 4),
    ("HD", "HD", 3),
    ("CT", "CT", 2),
    ("NQ", "NQ", 1),
];
const ORGS: &[&str] = &[
    "UBND", "VPCP", "BTTTT", "BNV", "BTC", "BKHĐT", "STTTT", "SNV", "STC", "SKHĐT", "SYT", "SGDĐT",
    "BCĐ", "HĐND", "TTg",
];
const UNITS: &[&str] = &[
    "VP", "HCTC", "KSTT", "KGVX", "KTN", "TH", "NC", "TCCB", "QLCL",
];
const SIGNERS: &[&str] = &[
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Hoàng Cường",
    "Phạm Minh Đức",
    "Hoàng Thị Hà",
    "Vũ Đức Hải",
    "Đặng Quốc Khánh",
    "Bùi Thị Lan",
    "Đỗ Văn Hùng",
    "Ngô Thị Mai",
    "Dương Văn Nam",
    "Lý Thị Oanh",
    "Y Ngọc",
    "A Pớt",
    "Trương Thị Quỳnh",
    "Đinh Văn Sơn",
];
const HANDLERS: &[&str] = &[
    "Văn phòng",
    "Phòng Kinh tế",
    "Phòng Tổng hợp",
    "Phòng Nội chính",
    "Phòng Khoa giáo - Văn xã",
    "Trung tâm Phục vụ hành chính công",
    "Phòng Hành chính - Tổ chức",
];

fn subject(rng: &mut Rng, type_name: &str) -> String {
    let action = rng.pick(ACTIONS);
    let object = rng.pick(OBJECTS);
    let scope = rng.pick(SCOPES);
    let body = format!("{action} {object} {scope}");
    let body = body.trim();
    let lead = match type_name {
        "" => "V/v",
        "GM" => "Mời họp",
        "KH" => "Kế hoạch",
        "BC" => "Báo cáo",
        "TTr" => "Tờ trình về việc",
        "HD" => "Hướng dẫn",
        "TB" => "Thông báo về việc",
        _ => "Về việc",
    };
    format!("{lead} {body}")
}

fn pick_type(rng: &mut Rng) -> (&'static str, &'static str) {
    let total: u64 = TYPES.iter().map(|t| t.2).sum();
    let mut x = rng.below(total);
    for (name, abbr, w) in TYPES {
        if x < *w {
            return (name, abbr);
        }
        x -= w;
    }
    (TYPES[0].0, TYPES[0].1)
}

fn urgency(rng: &mut Rng) -> Urgency {
    match rng.below(100) {
        0 => Urgency::Flash,
        1..=4 => Urgency::VeryUrgent,
        5..=14 => Urgency::Urgent,
        _ => Urgency::Normal,
    }
}

fn notation(rng: &mut Rng, abbr: &str) -> String {
    let n = 1 + rng.below(3000);
    let org = rng.pick(ORGS);
    if abbr.is_empty() {
        format!("{n}/{org}-{}", rng.pick(UNITS))
    } else {
        format!("{n}/{abbr}-{org}")
    }
}

pub fn run(cmd: DevCommand, global: &GlobalOpts) -> Result<()> {
    match cmd {
        DevCommand::GenDemo {
            count,
            outgoing_percent,
            seed,
            batch,
            from,
            to,
            csv,
        } => gen_demo(
            global,
            count,
            outgoing_percent,
            seed,
            batch,
            &from,
            &to,
            csv,
        ),
        DevCommand::StressRegister {
            count,
            arrival_date,
        } => {
            let mut reg = open(global)?;
            let arrival = parse_date(&arrival_date)?;
            let pid = std::process::id();
            let mut numbers = Vec::with_capacity(count as usize);
            for i in 0..count {
                let rec = reg.register_incoming(NewIncoming {
                    sender: "000.00.00.G22".into(),
                    notation: format!("{}/VPCP-KSTT", i + 1),
                    document_date: arrival,
                    arrival_date: Some(arrival),
                    doc_type: "Công văn".into(),
                    subject: format!("Văn bản thử tải {pid}-{i}"),
                    ..Default::default()
                })?;
                numbers.push(rec.arrival_number.unwrap_or_default());
            }
            print_json(&serde_json::json!({"pid": pid, "numbers": numbers}))
        }
        DevCommand::BenchSearch { runs } => bench_search(global, runs),
        DevCommand::DemoPdf {
            agency,
            notation,
            date,
            subject,
            signer,
            out,
        } => demo_pdf(
            &agency,
            &notation,
            parse_date(&date)?,
            &subject,
            &signer,
            &out,
        ),
        DevCommand::BenchReports { runs, month } => {
            super::bench_reports::bench_reports(global, runs, &month)
        }
    }
}

/// The body of every demo công văn: invented, but the register's kind of text.
const DEMO_BODY: &str = "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về chuyển đổi số trong hoạt động của cơ quan nhà nước, đề nghị các cơ quan, đơn vị triển khai gửi, nhận văn bản điện tử qua Trục liên thông văn bản quốc gia, bảo đảm đúng thời hạn, không gửi văn bản mật qua trục, và báo cáo kết quả thực hiện trước ngày 20 hằng tháng để tổng hợp. (Văn bản mẫu của bộ dữ liệu thử.)";

fn demo_pdf(
    agency: &str,
    notation: &str,
    date: NaiveDate,
    subject: &str,
    signer: &str,
    out: &std::path::Path,
) -> Result<()> {
    use vanthu_core::reports::export;
    use vanthu_core::reports::table::{Document, Table};
    let mut t = Table::new("Văn bản", &["Mục", "Nội dung"]);
    for (k, v) in [
        ("Số, ký hiệu", notation.to_owned()),
        ("Ngày văn bản", date.format("%d/%m/%Y").to_string()),
        ("Trích yếu", subject.to_owned()),
        ("Nội dung", DEMO_BODY.to_owned()),
        ("Người ký", signer.to_owned()),
    ] {
        t.push(vec![k.into(), v.into()]);
    }
    let doc = Document {
        title: vanthu_domain::text::nfc(&agency.to_uppercase()),
        subtitle: vec![
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
            "Độc lập - Tự do - Hạnh phúc".into(),
        ],
        tables: vec![t],
        cover: Vec::new(),
        portrait: true,
    };
    export::write_file(out, &export::to_pdf(&doc)?)?;
    println!("{}", out.display());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn gen_demo(
    global: &GlobalOpts,
    count: u64,
    outgoing_percent: u64,
    seed: u64,
    batch: usize,
    from: &str,
    to: &str,
    csv: Option<PathBuf>,
) -> Result<()> {
    let from = parse_date(from)?;
    let to = parse_date(to)?;
    if to < from || batch == 0 {
        bail!("invalid --from/--to/--batch");
    }
    let days = (to - from).num_days() as u64 + 1;
    let mut reg = open(global)?;
    let senders: Vec<String> = reg.agencies()?.into_iter().map(|a| a.code).collect();
    let mut rng = Rng(seed);
    let n_out = count * outgoing_percent / 100;
    let n_in = count - n_out;
    // Dates ascending, so số đến follow ngày đến as in a real register.
    let mut offsets: Vec<u64> = (0..n_in).map(|_| rng.below(days)).collect();
    offsets.sort_unstable();
    let started = Instant::now();
    let cpu_start = cpu_seconds();
    let make_in = |rng: &mut Rng, off: u64, i: u64| -> NewIncoming {
        let arrival = from + Duration::days(off as i64);
        let (type_name, abbr) = pick_type(rng);
        NewIncoming {
            sender: rng.pick(&senders).clone(),
            notation: notation(rng, abbr),
            document_date: arrival - Duration::days(rng.below(7) as i64),
            arrival_date: Some(arrival),
            doc_type: type_name.into(),
            subject: subject(rng, abbr),
            signer: Some(rng.pick(SIGNERS).to_string()),
            urgency: urgency(rng),
            secrecy: if rng.below(100) < 2 {
                Secrecy::Confidential
            } else {
                Secrecy::Normal
            },
            deadline: (rng.below(10) < 3)
                .then(|| arrival + Duration::days(10 + rng.below(20) as i64)),
            handler: Some(rng.pick(HANDLERS).to_string()),
            notes: i.is_multiple_of(50).then(|| "Bản giấy gửi sau".to_string()),
            ..Default::default()
        }
    };
    if let Some(path) = csv {
        let mut w = csv::Writer::from_writer(std::fs::File::create(&path)?);
        w.write_record([
            "arrival_date",
            "sender",
            "notation",
            "date",
            "type",
            "subject",
            "signer",
            "urgency",
            "secrecy",
            "deadline",
            "handler",
            "notes",
        ])?;
        for (i, off) in offsets.iter().enumerate() {
            let n = make_in(&mut rng, *off, i as u64);
            let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            w.write_record([
                d(n.arrival_date),
                n.sender,
                n.notation,
                n.document_date.to_string(),
                n.doc_type,
                n.subject,
                n.signer.unwrap_or_default(),
                n.urgency.as_str().to_string(),
                n.secrecy.as_str().to_string(),
                d(n.deadline),
                n.handler.unwrap_or_default(),
                n.notes.unwrap_or_default(),
            ])?;
        }
        w.flush()?;
        return print_json(&serde_json::json!({"csv": path, "rows": n_in}));
    }
    let mut done_in = 0u64;
    for chunk in offsets.chunks(batch) {
        let items: Vec<(u64, NewIncoming)> = chunk
            .iter()
            .map(|off| {
                done_in += 1;
                (done_in, make_in(&mut rng, *off, done_in))
            })
            .collect();
        reg.import_incoming(items)?;
    }
    let mut out_dates: Vec<u64> = (0..n_out).map(|_| rng.below(days)).collect();
    out_dates.sort_unstable();
    let mut done_out = 0u64;
    for chunk in out_dates.chunks(batch) {
        let items: Vec<(u64, NewOutgoing)> = chunk
            .iter()
            .map(|off| {
                done_out += 1;
                let (type_name, abbr) = pick_type(&mut rng);
                let code_notation = if abbr.is_empty() {
                    format!("UBND-{}", rng.pick(UNITS))
                } else {
                    format!("{abbr}-UBND")
                };
                let recipients = (0..1 + rng.below(3))
                    .map(|_| rng.pick(&senders).clone())
                    .chain(std::iter::once("Lưu: VT".to_string()))
                    .collect();
                (
                    done_out,
                    NewOutgoing {
                        notation: code_notation,
                        doc_type: type_name.into(),
                        subject: subject(&mut rng, abbr),
                        signer: Some(rng.pick(SIGNERS).to_string()),
                        recipients,
                        copies: Some(2 + rng.below(10) as u32),
                        archive_copy_holder: Some("Lưu: VT".into()),
                        drafting_unit: Some(rng.pick(HANDLERS).to_string()),
                        urgency: urgency(&mut rng),
                        issue_date: Some(from + Duration::days(*off as i64)),
                        ..Default::default()
                    },
                )
            })
            .collect();
        reg.import_outgoing(items)?;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().map(|c| c - cpu_start.unwrap_or(0.0));
    print_json(&serde_json::json!({
        "incoming": n_in, "outgoing": n_out, "seconds": secs,
        "docs_per_second": (count as f64 / secs).round(),
        "cpu_seconds": cpu,
        "docs_per_cpu_second": cpu.map(|c| (count as f64 / c).round()),
    }))
}

/// User + system CPU time of this process (Linux; the machine is shared, so wall-clock
/// rates alone understate throughput).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// CPU time of the calling thread, in ms: on a machine shared by many builds the wall clock
/// mostly measures waiting for a core; this measures the work. (Unix; NaN elsewhere, which the
/// JSON report shows as null.)
#[cfg(not(unix))]
pub(super) fn thread_cpu_ms() -> f64 {
    f64::NAN
}

/// CPU time of the calling thread, in ms: on a machine shared by many builds the wall clock
/// mostly measures waiting for a core; this measures the work.
#[cfg(unix)]
pub(super) fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

/// 20 typical clerk searches: words of a subject, a sender, a signer, a notation.
const BENCH_QUERIES: &[&str] = &[
    "chuyển đổi số",
    "van ban dien tu",
    "QUYẾT ĐỊNH",
    "kế hoạch đầu tư công",
    "phong chong thien tai",
    "Bộ Tài chính",
    "y te co so",
    "giải ngân vốn",
    "Nguyễn Văn An",
    "dich vu cong truc tuyen",
    "an toàn thông tin mạng",
    "nông thôn mới",
    "tuyen dung vien chuc",
    "thi đua khen thưởng",
    "cà phê",
    "UBND-HCTC",
    "sắp xếp đơn vị hành chính",
    "Đặng Quốc Khánh",
    "tiem chung",
    "thanh toán không dùng tiền mặt",
];

/// One peer result row (id, register, number, notation, subject, sender, date).
type PeerRow = (
    i64,
    String,
    Option<u32>,
    String,
    String,
    Option<String>,
    Option<String>,
);

pub(super) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn bench_search(global: &GlobalOpts, runs: usize) -> Result<()> {
    let reg = open(global)?;
    let conn = reg.connection();
    // The same ranking as `Registry::search` in one raw statement: `vanthu_rank` order among the
    // newest RECENT_WINDOW matches.
    let peer_sql = format!(
        "SELECT d.id, d.register, d.number, d.notation, d.subject, d.sender_name, d.document_date
           FROM doc_fts JOIN documents d ON d.id = doc_fts.rowid
          WHERE doc_fts MATCH ?1 AND doc_fts.rowid >= (SELECT min(rowid) FROM (SELECT rowid
                FROM doc_fts WHERE doc_fts MATCH ?1 ORDER BY rowid DESC LIMIT {}))
          ORDER BY vanthu_rank(doc_fts), d.id DESC LIMIT 20",
        vanthu_registry::RECENT_WINDOW
    );
    let mut ours = Vec::new();
    let mut peer = Vec::new();
    let mut per_query = Vec::new();
    let mut cpu_ours = Vec::new();
    let mut cpu_peer = Vec::new();
    for q in BENCH_QUERIES {
        let expr = vanthu_registry::match_expression(q).unwrap_or_default();
        // Warm-up (page cache, statement cache) for both sides.
        let first = reg.search(&SearchQuery::text(*q))?;
        let mut stmt = conn.prepare_cached(&peer_sql)?;
        let peer_ids: Vec<i64> = stmt
            .query_map([&expr], |r| r.get(0))?
            .collect::<vanthu_registry::rusqlite::Result<_>>()?;
        let mut q_ours = Vec::new();
        let mut q_peer = Vec::new();
        for run in 0..runs {
            // Alternate who goes first: the second query of a pair finds the doclists the
            // first one just read still in the CPU caches.
            for side in [run % 2, 1 - run % 2] {
                let (t, c) = (Instant::now(), thread_cpu_ms());
                if side == 0 {
                    let page = reg.search(&SearchQuery::text(*q))?;
                    std::hint::black_box(page);
                    q_ours.push(t.elapsed().as_secs_f64() * 1000.0);
                    cpu_ours.push(thread_cpu_ms() - c);
                } else {
                    let rows: Vec<PeerRow> = stmt
                        .query_map([&expr], |r| {
                            Ok((
                                r.get(0)?,
                                r.get(1)?,
                                r.get(2)?,
                                r.get(3)?,
                                r.get(4)?,
                                r.get(5)?,
                                r.get(6)?,
                            ))
                        })?
                        .collect::<vanthu_registry::rusqlite::Result<_>>()?;
                    std::hint::black_box(rows);
                    q_peer.push(t.elapsed().as_secs_f64() * 1000.0);
                    cpu_peer.push(thread_cpu_ms() - c);
                }
            }
        }
        q_ours.sort_by(f64::total_cmp);
        q_peer.sort_by(f64::total_cmp);
        per_query.push(serde_json::json!({
            "query": q, "hits_first_page": first.hits.len(),
            "same_first_hit": first.hits.first().map(|h| h.id) == peer_ids.first().copied(),
            "ours_p50_ms": percentile(&q_ours, 50.0), "peer_p50_ms": percentile(&q_peer, 50.0),
        }));
        ours.extend(q_ours);
        peer.extend(q_peer);
    }
    ours.sort_by(f64::total_cmp);
    peer.sort_by(f64::total_cmp);
    cpu_ours.sort_by(f64::total_cmp);
    cpu_peer.sort_by(f64::total_cmp);
    let (c_o50, c_o95, c_p50, c_p95) = (
        percentile(&cpu_ours, 50.0),
        percentile(&cpu_ours, 95.0),
        percentile(&cpu_peer, 50.0),
        percentile(&cpu_peer, 95.0),
    );
    let (o50, o95, p50, p95) = (
        percentile(&ours, 50.0),
        percentile(&ours, 95.0),
        percentile(&peer, 50.0),
        percentile(&peer, 95.0),
    );
    print_json(&serde_json::json!({
        "documents": reg.count(None)?,
        "queries": BENCH_QUERIES.len(), "runs_per_query": runs,
        "ours_p50_ms": o50, "ours_p95_ms": o95, "peer_p50_ms": p50, "peer_p95_ms": p95,
        "ratio_p50": o50 / p50, "ratio_p95": o95 / p95,
        "cpu_ours_p50_ms": c_o50, "cpu_ours_p95_ms": c_o95,
        "cpu_peer_p50_ms": c_p50, "cpu_peer_p95_ms": c_p95,
        "cpu_ratio_p50": c_o50 / c_p50, "cpu_ratio_p95": c_o95 / c_p95,
        "per_query": per_query,
    }))
}

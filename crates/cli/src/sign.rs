//! `vanthu token list`, `vanthu sign`, `vanthu verify`.
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use vanthu_sign::token::{candidate_modules, Module};
use vanthu_sign::{Role, SignError, SignRequest};
use zeroize::Zeroizing;

use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum TokenCmd {
    /// List tokens and their certificates.
    List {
        /// PKCS#11 module (default: $VANTHU_PKCS11_MODULE or the built-in list).
        #[arg(long)]
        module: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct SignArgs {
    /// PDF to sign.
    pub input: PathBuf,
    /// Signed PDF to write.
    #[arg(short, long)]
    pub output: PathBuf,
    #[arg(long)]
    pub module: Option<PathBuf>,
    #[arg(long)]
    pub token_label: Option<String>,
    #[arg(long)]
    pub key_label: Option<String>,
    /// leader | organization | attachment
    #[arg(long, default_value = "leader")]
    pub role: Role,
    /// Signature image (PNG, transparent background).
    #[arg(long)]
    pub image: Option<PathBuf>,
    /// Seal image (PNG, transparent background).
    #[arg(long)]
    pub seal: Option<PathBuf>,
    /// Page number (1-based).
    #[arg(long)]
    pub page: Option<u32>,
    /// x,y,w,h in points from the lower-left corner of the page as displayed (rotation applied).
    #[arg(long)]
    pub rect: Option<String>,
    /// Số, ký hiệu of the main document (attachment stamp).
    #[arg(long)]
    pub notation: Option<String>,
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long)]
    pub location: Option<String>,
    /// RFC 3161 timestamp server URL (PAdES B-T).
    #[arg(long)]
    pub tsa: Option<String>,
    /// No visible appearance.
    #[arg(long)]
    pub invisible: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Signed PDF.
    pub file: PathBuf,
    /// Trust anchor (PEM or DER); repeatable. Added to <data dir>/trust/.
    #[arg(long)]
    pub trust: Vec<PathBuf>,
    /// Certificate revocation list (DER or PEM); repeatable. Added to the CRLs in
    /// <data dir>/trust/; a signer listed on a CRL of its issuer is not valid.
    #[arg(long)]
    pub crl: Vec<PathBuf>,
}

pub fn run_token(cmd: TokenCmd, g: &GlobalOpts) -> anyhow::Result<()> {
    match cmd {
        TokenCmd::List { module } => {
            if module.is_none() && candidate_modules(None).is_empty() {
                bail!("{}", SignError::NoModule);
            }
            let (tokens, problems) = vanthu_sign::token::list_tokens(module.as_deref());
            if module.is_some() && !problems.is_empty() {
                bail!("{}", problems.join("; "));
            }
            if g.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "tokens": tokens, "problems": problems
                    }))?
                );
            } else {
                if tokens.is_empty() {
                    println!("Không có token nào được cắm / no token present");
                }
                for t in &tokens {
                    println!(
                        "Token \"{}\" ({} {}, số sê-ri {}), khe {}",
                        t.label, t.manufacturer, t.model, t.serial, t.slot
                    );
                    for c in &t.certificates {
                        println!("  - {} [{}]", c.info.common_name, c.label);
                        println!("    Chủ thể: {}", c.info.subject);
                        println!("    Cấp bởi: {}", c.info.issuer);
                        println!("    Hiệu lực: {} → {}", c.info.not_before, c.info.not_after);
                        println!("    Mục đích: {}", c.info.key_usage.join(", "));
                    }
                }
                for p in &problems {
                    eprintln!("cảnh báo / warning: {p}");
                }
            }
            Ok(())
        }
    }
}

fn parse_rect(s: &str) -> anyhow::Result<[f64; 4]> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--rect phải là x,y,w,h / --rect must be x,y,w,h: {s}"))?;
    if v.len() != 4 {
        bail!("--rect phải là x,y,w,h / --rect must be x,y,w,h: {s}");
    }
    Ok([v[0], v[1], v[2], v[3]])
}

/// The PIN from `file` (its first line; the file is the caller's to protect), else as
/// [`read_pin`] gets it.
pub(crate) fn read_pin_from(file: Option<&std::path::Path>) -> anyhow::Result<Zeroizing<String>> {
    let Some(file) = file else {
        return read_pin();
    };
    let text = Zeroizing::new(std::fs::read_to_string(file).with_context(|| {
        format!(
            "không đọc được tệp PIN / cannot read the PIN file {}",
            file.display()
        )
    })?);
    let pin = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    if pin.is_empty() {
        bail!("tệp PIN trống / the PIN file {} is empty", file.display());
    }
    Ok(Zeroizing::new(pin.to_string()))
}

pub(crate) fn read_pin() -> anyhow::Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("VANTHU_PIN") {
        return Ok(Zeroizing::new(p));
    }
    let p = rpassword::prompt_password("Mã PIN của token / token PIN: ").context(
        "không đọc được PIN từ bàn phím / cannot read PIN from the terminal (set VANTHU_PIN)",
    )?;
    Ok(Zeroizing::new(p))
}

/// The first PKCS#11 module (the given one, or the built-in candidates) that holds the
/// token (`token_label`, or any token when `None`).
pub(crate) fn load_module(
    module: Option<&std::path::Path>,
    token_label: Option<&str>,
) -> anyhow::Result<(Module, vanthu_sign::token::Slot)> {
    let modules = candidate_modules(module);
    if modules.is_empty() {
        bail!("{}", SignError::NoModule);
    }
    let mut last_err = None;
    for m in &modules {
        match Module::load(m).and_then(|md| md.find_slot(token_label).map(|s| (md, s))) {
            Ok(x) => return Ok(x),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err
        .unwrap_or(SignError::TokenNotFound(
            token_label.unwrap_or_default().to_string(),
        ))
        .into())
}

pub fn run_sign(a: SignArgs, g: &GlobalOpts) -> anyhow::Result<()> {
    let rect = a.rect.as_deref().map(parse_rect).transpose()?;
    // The stamp shows the canonical số/ký hiệu (Nghị định 30 form, e.g. "123/UBND-VP").
    let notation = a
        .notation
        .as_deref()
        .map(|n| {
            vanthu_domain::DocumentNumber::parse(n)
                .map(|d| d.to_string())
                .map_err(|e| {
                    anyhow::anyhow!("số, ký hiệu không hợp lệ / bad --notation {n:?}: {e}")
                })
        })
        .transpose()?;
    // Check the input before asking for a PIN: a bad file should not cost a PIN entry.
    let bytes_ok = std::fs::metadata(&a.input)
        .with_context(|| format!("không đọc được tệp / cannot read {}", a.input.display()))?;
    if !bytes_ok.is_file() {
        bail!("không phải tệp / not a file: {}", a.input.display());
    }
    {
        let data = std::fs::File::open(&a.input)
            .with_context(|| format!("không đọc được tệp / cannot read {}", a.input.display()))?;
        let map = unsafe { memmap2::Mmap::map(&data) }?;
        vanthu_sign::pdf::doc::Doc::open(&map)
            .map_err(|e| anyhow::anyhow!("{}: {e}", a.input.display()))?;
    }
    let req = SignRequest {
        input: a.input.clone(),
        output: a.output.clone(),
        role: a.role,
        image: a.image,
        seal: a.seal,
        page: a.page,
        rect,
        notation,
        reason: a.reason,
        location: a.location,
        tsa_url: a.tsa,
        time: None,
        invisible: a.invisible,
        arrival: None,
    };
    let input_err = |e: SignError| match e {
        SignError::Pdf(_) | SignError::NotPdf => anyhow::anyhow!("{}: {e}", a.input.display()),
        e => e.into(),
    };
    // The pass over the input (copied into a temporary file next to the output, hashed on
    // the way) needs no token, so it runs while the module loads and the token logs in.
    // With a typed PIN it starts only after the prompt: an interrupted prompt must not
    // leave the temporary copy behind.
    let early = match std::env::var_os("VANTHU_PIN") {
        Some(_) => Some(vanthu_sign::prepare_sign(req.clone()).map_err(input_err)?),
        None => None,
    };
    let (module, slot) = load_module(a.module.as_deref(), a.token_label.as_deref())?;
    let pin = read_pin()?;
    let prepared = match early {
        Some(p) => p,
        None => vanthu_sign::prepare_sign(req).map_err(input_err)?,
    };
    let session = module.login(slot, &pin)?;
    drop(pin);
    let key = session.key(a.key_label.as_deref())?;
    let out = prepared.sign(&key).map_err(input_err)?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "Đã ký / signed: {} (trường {}, người ký {}, trang {}, lúc {})",
            out.output.display(),
            out.field,
            out.signer,
            out.page,
            out.signing_time
        );
    }
    Ok(())
}

/// The data directory's `trust/` folder (anchors and CRLs, as the app reads it) plus the
/// files given on the command line.
pub(crate) fn trust_store(
    g: &GlobalOpts,
    anchors: &[PathBuf],
    crls: &[PathBuf],
) -> anyhow::Result<vanthu_sign::TrustStore> {
    let (mut store, warnings) =
        vanthu_sign::TrustStore::load_dir(&crate::data_dir(g).join("trust"));
    for w in warnings {
        eprintln!("bỏ qua / skipped: {w}");
    }
    store
        .anchors
        .extend(vanthu_sign::load_trust_anchors(anchors)?);
    for c in crls {
        store.add_crl_file(c)?;
    }
    Ok(store)
}

pub fn run_verify(a: VerifyArgs, g: &GlobalOpts) -> anyhow::Result<()> {
    let trust = trust_store(g, &a.trust, &a.crl)?;
    let report = vanthu_sign::verify_pdf_with(&a.file, &trust)
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

#[derive(Args)]
pub struct SignQueueArgs {
    /// Sign these documents of the queue (registry ids, comma-separated), in this order.
    #[arg(long, value_delimiter = ',', conflicts_with = "all")]
    pub sign: Vec<i64>,
    /// Sign every document of the queue.
    #[arg(long)]
    pub all: bool,
    /// leader | organization
    #[arg(long, default_value = "leader")]
    pub role: Role,
    #[arg(long)]
    pub module: Option<PathBuf>,
    #[arg(long)]
    pub token_label: Option<String>,
    #[arg(long)]
    pub key_label: Option<String>,
    /// Page number (1-based); default: the last page for a leader, as Nghị định 30 lays out.
    #[arg(long)]
    pub page: Option<u32>,
    /// x,y,w,h in points from the lower-left corner; default: found on the page.
    #[arg(long)]
    pub rect: Option<String>,
    /// Trust anchor for the verification of each signed file; repeatable.
    #[arg(long)]
    pub trust: Vec<PathBuf>,
}

/// `vanthu sign-queue`: the leader's "Chờ ký" queue; with --sign/--all, signs it with one PIN.
pub fn run_sign_queue(a: SignQueueArgs, g: &GlobalOpts) -> anyhow::Result<()> {
    let registry = vanthu_registry::Registry::open_existing(crate::data_dir(g))?;
    let queue = registry.signing_queue()?;
    let ids: Vec<i64> = if a.all {
        queue.iter().map(|i| i.document.id).collect()
    } else {
        a.sign.clone()
    };
    if ids.is_empty() {
        if g.json {
            let rows: Vec<_> = queue
                .iter()
                .map(|i| {
                    serde_json::json!({
                        "id": i.document.id, "notation": i.document.notation,
                        "subject": i.document.subject, "pdf": i.pdf.file_name,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        } else if queue.is_empty() {
            println!("Không có văn bản chờ ký / nothing waiting for a signature");
        } else {
            for i in &queue {
                println!(
                    "{:>6}  {}  {}  [{}]",
                    i.document.id, i.document.notation, i.document.subject, i.pdf.file_name
                );
            }
        }
        return Ok(());
    }
    let rect = a.rect.as_deref().map(parse_rect).transpose()?;
    let trust = trust_store(g, &a.trust, &[])?;
    let (module, _) = load_module(a.module.as_deref(), a.token_label.as_deref())?;
    let pin = read_pin()?;
    let registry = std::sync::Mutex::new(registry);
    let results = vanthu_core::sign_queue::sign_queue(
        &registry,
        &module,
        &trust,
        &vanthu_core::sign_queue::Batch {
            ids: &ids,
            role: a.role,
            page: a.page,
            rect,
            key_label: a.key_label.as_deref(),
            token_label: a.token_label.as_deref(),
        },
        pin,
        |i, n, id| {
            if !g.json {
                eprintln!("Đang ký {}/{n}: văn bản {id}", i + 1);
            }
        },
    )?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        for r in &results {
            match &r.outcome {
                Ok(s) => {
                    let verdict = match &s.verification {
                        Ok(rep) if rep.signatures.iter().all(|x| x.intact && x.valid) => {
                            "chữ ký hợp lệ / signature valid".to_string()
                        }
                        Ok(_) => "chữ ký có vấn đề / signature has problems".to_string(),
                        Err(e) => e.clone(),
                    };
                    println!("Đã ký / signed {} {} — {verdict}", r.id, r.notation)
                }
                Err(e) => println!("Chưa ký / not signed {} {} — {e}", r.id, r.notation),
            }
        }
    }
    if results.iter().any(|r| r.outcome.is_err()) {
        bail!("có văn bản chưa ký / some documents were not signed");
    }
    Ok(())
}

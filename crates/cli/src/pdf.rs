//! `vanthu pdf …`: inspect, render and extract text from PDFs with pdfium.
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use vanthu_pdf::{Document, ImageFormat, RenderOptions, RenderSize, Rotation};

use crate::GlobalOpts;

#[derive(Subcommand, Debug)]
pub enum PdfCommand {
    /// Page count, encryption, signatures (--json: {"pages":N,"encrypted":bool,"signatures":N}).
    Info {
        file: PathBuf,
        #[arg(long, env = "VANTHU_PDF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Also list page sizes and signature fields.
        #[arg(long)]
        detail: bool,
    },
    /// Render a page (or every page with --all) to PNG, WebP or JPEG.
    Render {
        file: PathBuf,
        /// 1-based page number.
        #[arg(long, default_value_t = 1, conflicts_with = "all")]
        page: u32,
        /// Render every page; OUT is then a folder receiving page-0001.png, …
        #[arg(long)]
        all: bool,
        #[arg(long, conflicts_with = "width")]
        dpi: Option<f32>,
        /// Output width in pixels (instead of --dpi).
        #[arg(long)]
        width: Option<u32>,
        /// png, webp or jpeg; default from OUT's extension, else png.
        #[arg(long)]
        format: Option<ImageFormat>,
        /// Extra clockwise rotation in degrees (0, 90, 180, 270).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        rotate: i32,
        /// Leave annotations and form fields out.
        #[arg(long)]
        no_annotations: bool,
        #[arg(long, env = "VANTHU_PDF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Find text ignoring case and diacritics; prints page numbers and highlight boxes (points).
    Find {
        file: PathBuf,
        query: String,
        #[arg(long, default_value_t = 100)]
        max: usize,
        #[arg(long, env = "VANTHU_PDF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Print the text of one page (--page) or of every page (pages separated by form feeds).
    Text {
        file: PathBuf,
        #[arg(long)]
        page: Option<u32>,
        #[arg(long, env = "VANTHU_PDF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

fn open(file: &Path, password: Option<&str>) -> anyhow::Result<Document> {
    let doc = match password {
        Some(p) => Document::open_with_password(file, p),
        None => Document::open(file),
    };
    doc.with_context(|| format!("{}", file.display()))
}

fn page_index(page: u32, doc: &Document) -> anyhow::Result<u32> {
    if page == 0 || page > doc.page_count() {
        bail!(
            "không có trang {page} (tài liệu có {n} trang) / page {page} out of range (document has {n} pages)",
            n = doc.page_count()
        );
    }
    Ok(page - 1)
}

pub fn run(cmd: PdfCommand, global: &GlobalOpts) -> anyhow::Result<()> {
    match cmd {
        PdfCommand::Info {
            file,
            password,
            detail,
        } => {
            let doc = open(&file, password.as_deref())?;
            let info = doc.info();
            let mut json = serde_json::json!({
                "pages": info.pages,
                "encrypted": info.encrypted,
                "signatures": info.signatures,
            });
            let fields = if detail {
                let fields = doc.signature_fields()?;
                json["page_sizes"] = serde_json::to_value(&info.page_sizes)?;
                json["signature_fields"] = serde_json::to_value(&fields)?;
                fields
            } else {
                Vec::new()
            };
            if global.json {
                println!("{json}");
            } else {
                println!("Số trang / pages: {}", info.pages);
                println!(
                    "Mã hóa / encrypted: {}",
                    if info.encrypted {
                        "có / yes"
                    } else {
                        "không / no"
                    }
                );
                println!("Chữ ký / signatures: {}", info.signatures);
                if detail {
                    for (i, s) in info.page_sizes.iter().enumerate() {
                        println!(
                            "Trang / page {}: {:.1} × {:.1} pt",
                            i + 1,
                            s.width,
                            s.height
                        );
                    }
                    for f in fields {
                        println!(
                            "Ô chữ ký / signature field {} (trang / page {})",
                            f.name.as_deref().unwrap_or("?"),
                            f.page + 1
                        );
                    }
                }
            }
            Ok(())
        }
        PdfCommand::Render {
            file,
            page,
            all,
            dpi,
            width,
            format,
            rotate,
            no_annotations,
            password,
            out,
        } => {
            let format = format
                .or_else(|| {
                    out.extension()
                        .and_then(|e| e.to_str())
                        .and_then(ImageFormat::from_extension)
                })
                .unwrap_or_default();
            let size = match (dpi, width) {
                (_, Some(w)) => RenderSize::Width(w),
                (Some(d), None) => RenderSize::Dpi(d),
                (None, None) => RenderSize::Dpi(150.0),
            };
            let rotation = Rotation::from_degrees(rotate)
                .with_context(|| format!("góc xoay không hợp lệ / invalid rotation {rotate}"))?;
            let opts = RenderOptions {
                size,
                format,
                rotation,
                annotations: !no_annotations,
                ..RenderOptions::default()
            };
            let doc = open(&file, password.as_deref())?;
            if all {
                std::fs::create_dir_all(&out).with_context(|| {
                    format!("không tạo được thư mục / cannot create {}", out.display())
                })?;
                // Queue every page first so the renderer and the encoders never wait for us.
                let tickets = (0..doc.page_count())
                    .map(|i| doc.request_render(i, opts, None))
                    .collect::<Result<Vec<_>, _>>()?;
                for (i, t) in tickets.into_iter().enumerate() {
                    let img = t
                        .wait()
                        .with_context(|| format!("trang / page {}", i + 1))?;
                    let path = out.join(format!("page-{:04}.{}", i + 1, format.extension()));
                    // Derived, regenerable output: atomic rename without fsync per page.
                    write_atomic(&path, &img.bytes, false)?;
                }
            } else {
                let index = page_index(page, &doc)?;
                let img = doc
                    .render(index, opts)
                    .with_context(|| format!("trang / page {page}"))?;
                write_atomic(&out, &img.bytes, true)?;
            }
            Ok(())
        }
        PdfCommand::Find {
            file,
            query,
            max,
            password,
        } => {
            let doc = open(&file, password.as_deref())?;
            let hits = doc.find(&query, max)?;
            if global.json {
                println!("{}", serde_json::to_value(&hits)?);
            } else {
                for h in &hits {
                    let boxes: Vec<String> = h
                        .rects
                        .iter()
                        .map(|[x, y, w, h]| format!("{x:.1},{y:.1} {w:.1}×{h:.1}"))
                        .collect();
                    println!("trang / page {}: {}", h.page + 1, boxes.join("; "));
                }
                if hits.is_empty() {
                    println!("không tìm thấy / not found");
                }
            }
            Ok(())
        }
        PdfCommand::Text {
            file,
            page,
            password,
        } => {
            let doc = open(&file, password.as_deref())?;
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            match page {
                Some(p) => {
                    let text = doc.page_text(page_index(p, &doc)?)?;
                    if global.json {
                        writeln!(w, "{}", serde_json::json!({ "page": p, "text": text }))?;
                    } else {
                        writeln!(w, "{text}")?;
                    }
                }
                None => {
                    let pages = doc.text()?;
                    if global.json {
                        writeln!(w, "{}", serde_json::json!({ "pages": pages }))?;
                    } else {
                        writeln!(w, "{}", pages.join("\n\u{c}\n"))?;
                    }
                }
            }
            Ok(())
        }
    }
}

/// Writes to a temporary name in the same folder, then renames, so a reader never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8], durable: bool) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().with_context(|| {
        format!(
            "tên tệp không hợp lệ / invalid output path {}",
            path.display()
        )
    })?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("không ghi được / cannot write {}", path.display()));
    }
    Ok(())
}

//! The images of visible signatures (NĐ 30/2020, Phụ lục I): each lãnh đạo's handwritten
//! signature (ảnh chữ ký, blue) and the unit's seal (ảnh con dấu, red), both PNG with a
//! transparent background. The files live in the attachment store under their hash, like
//! any attachment (so backups carry them, `snapshot.rs`); one table names which hash is
//! whose. The "Chờ ký" workflow (vanthu-core `sign_queue`) reads them from here.
//!
//! Who may set them is decided here, under every caller: the văn thư (who keeps the seal,
//! `Duty::ManageSignImages`) sets the seal and anyone's signature, and a lãnh đạo signed in
//! at this desktop may set their own signature. Only a person holding the lãnh đạo role has a
//! signature image: nobody else signs as a leader.
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use vanthu_domain::roles::Duty;
use vanthu_domain::Actor;

use crate::people::{load_person, signed_in};
use crate::{audit, Error, Registry, Result};

/// Largest image file accepted. A seal scanned at 300 dpi is ~500 px and tens of KB; a few
/// MB means a photo or a print-resolution scan that only bloats every signed PDF.
pub const MAX_IMAGE_BYTES: u64 = 2 * 1024 * 1024;
/// Smallest side in pixels: below this a seal or signature is unreadable on the page.
pub const MIN_IMAGE_SIDE: u32 = 32;
/// Largest side in pixels.
pub const MAX_IMAGE_SIDE: u32 = 4000;

pub(crate) fn migrate_v17(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        r#"
CREATE TABLE sign_images (
    -- 'seal': the unit's (one); 'signature': a person's (one each)
    kind      TEXT NOT NULL CHECK (kind IN ('seal', 'signature')),
    person_id INTEGER REFERENCES people (id),
    -- the PNG in the attachment store
    sha256    TEXT NOT NULL,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    set_at    TEXT NOT NULL,
    CHECK ((kind = 'seal') = (person_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX sign_images_owner ON sign_images (kind, coalesce(person_id, 0));
"#,
    )?;
    Ok(())
}

/// A signature or seal image as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignImage {
    /// The PNG's hash, its name in the attachment store.
    pub sha256: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// File size in bytes.
    pub size: u64,
    /// When it was set (RFC 3339).
    pub set_at: String,
}

/// What a PNG check found: its size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PngInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Checks that `bytes` are a PNG fit for a signature or a seal: decodable to the end, of a
/// sensible size, with a transparent background (an alpha channel or a transparent colour,
/// and at least one pixel that is see-through), as NĐ 30 asks so the text under it shows.
pub fn check_png(bytes: &[u8]) -> Result<PngInfo> {
    let bad = |why: String| Error::InvalidImage(why);
    if bytes.len() as u64 > MAX_IMAGE_BYTES {
        return Err(bad(format!(
            "tệp lớn quá {} MB / larger than {} MB",
            MAX_IMAGE_BYTES / 1024 / 1024,
            MAX_IMAGE_BYTES / 1024 / 1024
        )));
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(bad("không phải tệp PNG / not a PNG file".into()));
    }
    let mut dec = png::Decoder::new_with_limits(
        bytes,
        png::Limits {
            // Decoded RGBA of the largest accepted image, and no more.
            bytes: (MAX_IMAGE_SIDE as usize) * (MAX_IMAGE_SIDE as usize) * 4,
        },
    );
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let broken = |e: png::DecodingError| {
        Error::InvalidImage(format!("tệp PNG hỏng / the PNG cannot be decoded: {e}"))
    };
    let mut reader = dec.read_info().map_err(broken)?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width.min(height) < MIN_IMAGE_SIDE || width.max(height) > MAX_IMAGE_SIDE {
        return Err(bad(format!(
            "kích thước {width}×{height} điểm ảnh, cần mỗi cạnh từ {MIN_IMAGE_SIDE} đến {MAX_IMAGE_SIDE} / \
             {width}×{height} pixels, each side must be {MIN_IMAGE_SIDE} to {MAX_IMAGE_SIDE}"
        )));
    }
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).map_err(broken)?;
    let channels = match frame.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::GrayscaleAlpha => 2,
        _ => {
            return Err(bad(
                "ảnh không có nền trong suốt (cần PNG có kênh alpha) / \
                 the image has no transparent background (a PNG with alpha is needed)"
                    .into(),
            ))
        }
    };
    let see_through = buf[..frame.buffer_size()]
        .chunks_exact(channels)
        .any(|px| px[channels - 1] < 255);
    if !see_through {
        return Err(bad(
            "ảnh không có điểm ảnh trong suốt nào: nền sẽ che chữ bên dưới / \
             no pixel is transparent: the background would hide the page"
                .into(),
        ));
    }
    Ok(PngInfo { width, height })
}

/// Reads an image file, refusing a file too large before reading it.
fn read_image(path: &Path) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).map_err(|e| Error::file(path, e))?;
    let mut bytes = Vec::new();
    f.take(MAX_IMAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::file(path, e))?;
    Ok(bytes)
}

const IMAGE_COLS: &str = "sha256, width, height, size, set_at";

fn image_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignImage> {
    Ok(SignImage {
        sha256: r.get(0)?,
        width: r.get(1)?,
        height: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        set_at: r.get(4)?,
    })
}

fn load_image(
    conn: &rusqlite::Connection,
    kind: &str,
    person: Option<i64>,
) -> Result<Option<SignImage>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {IMAGE_COLS} FROM sign_images WHERE kind = ?1 AND person_id IS ?2"
        ))?
        .query_row(params![kind, person], image_row)
        .optional()?)
}

impl Registry {
    /// The unit's seal image (ảnh con dấu), if set.
    pub fn seal_image(&self) -> Result<Option<SignImage>> {
        load_image(&self.conn, "seal", None)
    }

    /// A person's signature image (ảnh chữ ký), if set.
    pub fn signature_image(&self, person: i64) -> Result<Option<SignImage>> {
        load_image(&self.conn, "signature", Some(person))
    }

    /// Where an image's PNG is on disk.
    pub fn sign_image_path(&self, image: &SignImage) -> PathBuf {
        self.blobs.path_of(&image.sha256)
    }

    /// The signature image of the person signed in at this desktop, with its path: what a
    /// leader's signature from this desktop shows.
    pub fn own_signature_image(&self) -> Result<Option<PathBuf>> {
        let Some(me) = signed_in(&self.conn)? else {
            return Ok(None);
        };
        Ok(self
            .signature_image(me.id)?
            .map(|i| self.sign_image_path(&i)))
    }

    /// Sets (or with `None` removes) the unit's seal image from a PNG file. The văn thư's
    /// task; refused with nothing written when the PNG does not pass [`check_png`].
    pub fn set_seal_image(&mut self, png: Option<&Path>) -> Result<Option<SignImage>> {
        self.require(Duty::ManageSignImages)?;
        self.store_image("seal", None, png)
    }

    /// Sets (or with `None` removes) a lãnh đạo's signature image from a PNG file. The văn
    /// thư may set anyone's; a leader signed in at this desktop may set their own.
    pub fn set_signature_image(
        &mut self,
        person: i64,
        png: Option<&Path>,
    ) -> Result<Option<SignImage>> {
        let target = load_person(&self.conn, person)?.ok_or_else(|| {
            Error::invalid(format!(
                "không có cán bộ số {person} / no person with id {person}"
            ))
        })?;
        let me = signed_in(&self.conn)?;
        if me.as_ref().map(|m| m.id) != Some(person) {
            self.require(Duty::ManageSignImages)?;
        }
        if !target.roles.contains(&Actor::Leader) {
            return Err(Error::invalid(format!(
                "{} không phải lãnh đạo: chỉ lãnh đạo có ảnh chữ ký / {} is not a leader: only leaders have a signature image",
                target.full_name, target.full_name
            )));
        }
        if !target.active && png.is_some() {
            return Err(Error::invalid(format!(
                "{} đã nghỉ / {} is no longer active",
                target.full_name, target.full_name
            )));
        }
        self.store_image("signature", Some(person), png)
    }

    fn store_image(
        &mut self,
        kind: &'static str,
        person: Option<i64>,
        png: Option<&Path>,
    ) -> Result<Option<SignImage>> {
        let checked = match png {
            Some(path) => {
                let bytes = read_image(path)?;
                let info = check_png(&bytes)?;
                // The blob is written before the row that names it, as for attachments: a
                // crash in between leaves an unreferenced blob, never a dangling row.
                let blob = self.blobs.put_bytes(&bytes)?;
                Some((info, blob))
            }
            None => None,
        };
        self.write(|tx, ctx| {
            tx.execute(
                "DELETE FROM sign_images WHERE kind = ?1 AND person_id IS ?2",
                params![kind, person],
            )?;
            if let Some((info, blob)) = &checked {
                tx.execute(
                    "INSERT INTO sign_images (kind, person_id, sha256, width, height, size, set_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        kind,
                        person,
                        blob.sha256,
                        info.width,
                        info.height,
                        blob.size as i64,
                        ctx.now
                    ],
                )?;
            }
            let (action, entity, id) = match person {
                Some(p) => ("people.signature_image", "person", Some(p.to_string())),
                None => ("unit.seal_image", "unit", None),
            };
            audit::append(
                tx,
                ctx,
                action,
                entity,
                id.as_deref(),
                &serde_json::json!({
                    "sha256": checked.as_ref().map(|(_, b)| &b.sha256),
                    "width": checked.as_ref().map(|(i, _)| i.width),
                    "height": checked.as_ref().map(|(i, _)| i.height),
                }),
            )
        })?;
        load_image(&self.conn, kind, person)
    }
}

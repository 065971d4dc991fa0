use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Output image format of a rendered page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// Lossless PNG (the default).
    #[default]
    Png,
    /// Lossless WebP (the encoder available in pure Rust).
    Webp,
    /// JPEG at `RenderOptions::quality`.
    Jpeg,
}

impl ImageFormat {
    /// The MIME type to serve the image with.
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Jpeg => "image/jpeg",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Webp => "webp",
            ImageFormat::Jpeg => "jpg",
        }
    }

    /// Guesses the format from a file name's extension (`.png`, `.webp`, `.jpg`/`.jpeg`).
    pub fn from_extension(ext: &str) -> Option<ImageFormat> {
        match ext.to_ascii_lowercase().as_str() {
            "png" => Some(ImageFormat::Png),
            "webp" => Some(ImageFormat::Webp),
            "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
            _ => None,
        }
    }
}

impl std::str::FromStr for ImageFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageFormat::from_extension(s).ok_or_else(|| format!("unknown image format {s:?}"))
    }
}

/// How large to render a page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderSize {
    /// Dots per inch (72 = one pixel per PDF point).
    Dpi(f32),
    /// Output width in pixels; height follows the page's aspect ratio.
    Width(u32),
    /// Largest size that fits in a box of this many pixels on each side (thumbnails).
    Fit(u32),
}

/// Extra clockwise rotation applied on top of the page's own /Rotate (the viewer's rotate button).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Rotation {
    /// As the page's /Rotate says.
    #[default]
    None,
    /// A quarter turn clockwise.
    Cw90,
    /// Upside down.
    Cw180,
    /// A quarter turn counter-clockwise.
    Cw270,
}

impl Rotation {
    /// From degrees (0, 90, 180, 270; other multiples of 90 wrap around).
    pub fn from_degrees(deg: i32) -> Option<Rotation> {
        match deg.rem_euclid(360) {
            0 => Some(Rotation::None),
            90 => Some(Rotation::Cw90),
            180 => Some(Rotation::Cw180),
            270 => Some(Rotation::Cw270),
            _ => None,
        }
    }

    pub(crate) fn swaps_axes(self) -> bool {
        matches!(self, Rotation::Cw90 | Rotation::Cw270)
    }
}

/// Default cap on the pixels of one rendered page: A0 at 150 DPI fits, while a hostile page box
/// (up to 200×200 inches, or more with /UserUnit) cannot make us allocate gigabytes.
pub const DEFAULT_MAX_PIXELS: u64 = 36_000_000;

/// Default time guard for one page: far above what a normal page needs (tens of ms) and
/// below the point where a person gives up waiting.
pub const DEFAULT_RENDER_TIMEOUT: Duration = Duration::from_secs(20);

/// What to render and how to encode it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RenderOptions {
    /// How large to render.
    pub size: RenderSize,
    /// How to encode the image.
    pub format: ImageFormat,
    /// JPEG quality 1–100 (ignored for PNG and lossless WebP).
    pub quality: u8,
    /// Extra rotation (the viewer's rotate button).
    pub rotation: Rotation,
    /// Draw annotations (stamps, comments) and filled-in form fields, as a printed page shows them.
    pub annotations: bool,
    /// Size guard: a request for more pixels than this fails with `PageTooLarge`.
    pub max_pixels: u64,
    /// Time guard, counted from submission: past it the caller is answered `Timeout` (see
    /// docs/pdf.md, "Time guard").
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    DEFAULT_RENDER_TIMEOUT
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            size: RenderSize::Dpi(96.0),
            format: ImageFormat::Png,
            quality: 85,
            rotation: Rotation::None,
            annotations: true,
            max_pixels: DEFAULT_MAX_PIXELS,
            timeout: DEFAULT_RENDER_TIMEOUT,
        }
    }
}

impl RenderOptions {
    /// Defaults at `dpi` dots per inch.
    pub fn dpi(dpi: f32) -> Self {
        RenderOptions {
            size: RenderSize::Dpi(dpi),
            ..Default::default()
        }
    }

    /// Defaults at `px` pixels wide.
    pub fn width(px: u32) -> Self {
        RenderOptions {
            size: RenderSize::Width(px),
            ..Default::default()
        }
    }

    /// The same with another image format.
    pub fn format(mut self, format: ImageFormat) -> Self {
        self.format = format;
        self
    }

    /// The same with another rotation.
    pub fn rotation(mut self, rotation: Rotation) -> Self {
        self.rotation = rotation;
        self
    }

    /// The same with another time guard.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// An encoded page image.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// 0-based page index.
    pub index: u32,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// The encoding of `bytes`.
    pub format: ImageFormat,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for RenderedPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedPage")
            .field("index", &self.index)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Page size in PDF points (1/72 inch), as displayed (the page's /Rotate already applied).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageSize {
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
}

impl PageSize {
    /// Pixel size at a DPI, rounded the way the renderer rounds it.
    pub fn pixels_at_dpi(&self, dpi: f32) -> (u32, u32) {
        (
            (self.width * dpi / 72.0).round().max(1.0) as u32,
            (self.height * dpi / 72.0).round().max(1.0) as u32,
        )
    }
}

/// What is known about a document right after opening it (cheap: no page is rendered).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// Number of pages.
    pub pages: u32,
    /// The file has an encryption dictionary (it may still open without a password).
    pub encrypted: bool,
    /// Number of signatures (signed signature fields) in the document.
    pub signatures: u32,
    /// The size of each page, in page order.
    pub page_sizes: Vec<PageSize>,
}

/// A signature field found on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureField {
    /// Fully qualified field name, when it has one.
    pub name: Option<String>,
    /// 0-based page index of the field's widget.
    pub page: u32,
    /// Widget rectangle in PDF points: left, bottom, right, top.
    pub rect: [f32; 4],
}

/// A run of text on one line of a page with its box: what pdfium reports as one text
/// rectangle (characters of one line and one style), for layout analysis such as finding
/// the signer block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextRun {
    /// The run's text, NFC, trimmed.
    pub text: String,
    /// Box in PDF user space points: left, bottom, right, top (the page's /Rotate not applied).
    pub rect: [f32; 4],
}

/// A signature value (a signed field), in document order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureInfo {
    /// The /Reason the signer gave, if any.
    pub reason: Option<String>,
    /// The /M entry as written in the PDF (e.g. `D:20240101120000+07'00'`).
    pub signing_time: Option<String>,
    /// Size of the CMS blob in bytes.
    pub contents_len: usize,
}

/// One occurrence of a search term, with the boxes to highlight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindHit {
    /// 0-based page index.
    pub page: u32,
    /// One box per text line the match spans: `[x, y, width, height]` in points from the
    /// top-left corner of the page as displayed (its /Rotate applied), so a viewer multiplies
    /// by its pixels-per-point scale and places them over the rendered image.
    pub rects: Vec<[f32; 4]>,
}

/// Cancels queued render requests that hold a clone of it (e.g. a page that scrolled out of view).
/// A request already being rendered finishes; its result is then dropped as `Cancelled`.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token nobody has cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every queued request holding a clone of this token.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether `cancel` was called on any clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

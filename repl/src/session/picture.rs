//! A picture's PNG copy: every value the kernel sends or `check` stores as
//! `image/svg+xml` is also given as `image/png`, drawn by resvg (the
//! terminal, which shows neither, draws none).
//!
//! Why: JupyterLab (and Notebook 7) do not draw the SVG stored in a notebook
//! that is not trusted — every notebook a learner downloads or clones, until
//! it is run — but they do draw a PNG. A front end that can draw the SVG
//! still prefers it. The text is set in DejaVu Sans, built into this binary,
//! so the copy looks the same on every machine; the system's fonts are
//! there for letters DejaVu lacks (a lane named in Chinese).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use resvg::{tiny_skia, usvg};

/// The MIME type of the copy.
pub const PNG: &str = "image/png";
/// The MIME type it is made from.
pub const SVG: &str = "image/svg+xml";

/// Why a picture has no PNG copy.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// resvg could not read the SVG.
    #[error("the SVG does not read: {0}")]
    Svg(#[from] usvg::Error),
    /// It has no size, or one too big to draw.
    #[error("the picture is {0} × {1} px")]
    Size(f32, f32),
    /// The PNG encoder failed.
    #[error("the PNG could not be written: {0}")]
    Png(String),
}

/// Pictures bigger than this are not copied (a PNG of them would be larger
/// than the learner wants in a notebook).
const MOST_PIXELS: f32 = 4096.0 * 4096.0;

/// Adds an `image/png` beside an `image/svg+xml` in `values`, unless one is
/// there already. A picture that cannot be drawn keeps its SVG alone, with
/// the reason in the text beside it.
pub fn add_png(values: &mut HashMap<String, String>) {
    let Some(svg) = values.get(SVG) else {
        return;
    };
    if values.contains_key(PNG) {
        return;
    }
    match png_of(svg) {
        Ok(png) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(png);
            values.insert(PNG.to_string(), encoded);
        }
        Err(error) => {
            let text = values.entry("text/plain".to_string()).or_default();
            text.push_str(&format!("\n(no PNG copy of the picture: {error})"));
        }
    }
}

/// `svg` drawn as a PNG, at its own size, on white.
pub fn png_of(svg: &str) -> Result<Vec<u8>, PictureError> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans".to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size();
    let (width, height) = (size.width().ceil(), size.height().ceil());
    if width < 1.0 || height < 1.0 || width * height > MOST_PIXELS {
        return Err(PictureError::Size(width, height));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width as u32, height as u32)
        .ok_or(PictureError::Size(width, height))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PictureError::Png(e.to_string()))
}

/// The fonts, read once: DejaVu Sans first (and as `sans-serif`), then the
/// system's.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = usvg::fontdb::Database::new();
            fonts.load_font_data(dejavu::sans::regular().to_vec());
            fonts.load_font_data(dejavu::sans::bold().to_vec());
            fonts.load_system_fonts();
            fonts.set_sans_serif_family("DejaVu Sans");
            Arc::new(fonts)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PICTURE: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\">\
        <rect x=\"0\" y=\"0\" width=\"20\" height=\"20\" fill=\"#2e7d32\"/>\
        <text x=\"22\" y=\"14\" font-size=\"11\">ab</text></svg>";

    fn decoded(values: &HashMap<String, String>) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&values[PNG])
            .unwrap()
    }

    #[test]
    fn an_svg_gets_a_png_of_its_size_with_its_text_drawn() {
        let mut values: HashMap<String, String> = [(SVG.to_string(), PICTURE.to_string())].into();
        add_png(&mut values);
        let png = decoded(&values);
        assert_eq!(&png[1..4], b"PNG");
        // The IHDR's width and height.
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 40);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 20);
        // The text is drawn: the same picture without it is another PNG.
        let bare = png_of(&PICTURE.replace(">ab<", "><")).unwrap();
        assert_ne!(png, bare);
    }

    #[test]
    fn a_bad_svg_keeps_its_value_and_says_why() {
        let mut values: HashMap<String, String> = [
            (SVG.to_string(), "<svg".to_string()),
            ("text/plain".to_string(), "chart".to_string()),
        ]
        .into();
        add_png(&mut values);
        assert!(!values.contains_key(PNG));
        assert!(
            values["text/plain"]
                .starts_with("chart\n(no PNG copy of the picture: the SVG does not read"),
            "{values:?}"
        );
    }
}

//! Pictures for the optics job: false-colour maps with a title, a colour bar and a
//! scale bar, and tiled charts. Colour maps come from `colorous`, glyphs from `font8x8`,
//! PNG encoding from `image`; this file only lays pixels out.

use colorous::Gradient;
use font8x8::UnicodeFonts;
use image::{Rgb, RgbImage};

const BACKGROUND: Rgb<u8> = Rgb([255, 255, 255]);
const INK: Rgb<u8> = Rgb([20, 20, 20]);
/// Where a sample is NaN (outside the pupil).
const NO_DATA: Rgb<u8> = Rgb([215, 215, 215]);
const MARGIN: u32 = 12;
const COLOUR_BAR_WIDTH: u32 = 18;

/// A 2-D field to draw: `values` row by row (row 0 at the top), NaN where undefined.
pub struct Field<'a> {
    pub values: &'a [f64],
    pub width: usize,
    pub height: usize,
}

/// How to draw one map.
pub struct MapStyle<'a> {
    pub title: &'a str,
    pub gradient: Gradient,
    /// The values at the two ends of the colour map.
    pub range: (f64, f64),
    /// Label of the colour bar's ends, e.g. `"nm"`.
    pub unit: &'a str,
    /// A scale bar: its length in samples and its label.
    pub scale_bar: Option<(f64, String)>,
}

/// The (min, max) of the finite values, or (0, 1) when there are none.
pub fn finite_range(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

fn colour(gradient: &Gradient, value: f64, (lo, hi): (f64, f64)) -> Rgb<u8> {
    if !value.is_finite() {
        return NO_DATA;
    }
    let t = if hi > lo {
        (value - lo) / (hi - lo)
    } else {
        0.5
    };
    let c = gradient.eval_continuous(t.clamp(0.0, 1.0));
    Rgb([c.r, c.g, c.b])
}

/// Upscaling factor so small fields are still legible next to their labels.
fn zoom_for(field: &Field) -> u32 {
    (256 / field.width.max(field.height).max(1)).max(1) as u32
}

/// A false-colour map of `field` with its title above, a colour bar with its end
/// values to the right and, if asked, a scale bar below.
pub fn map(field: &Field, style: &MapStyle) -> RgbImage {
    let zoom = zoom_for(field);
    let (w, h) = (field.width as u32 * zoom, field.height as u32 * zoom);
    let label_lo = format!("{} {}", number(style.range.0), style.unit);
    let label_hi = format!("{} {}", number(style.range.1), style.unit);
    let label_width = text_width(&label_lo).max(text_width(&label_hi));
    let width = MARGIN + w + MARGIN + COLOUR_BAR_WIDTH + 6 + label_width + MARGIN;
    let top = MARGIN + 8 + MARGIN;
    let height = top + h + MARGIN + 8 + MARGIN + 8;
    let mut img = RgbImage::from_pixel(width, height, BACKGROUND);
    draw_text(&mut img, MARGIN, MARGIN, style.title);

    for py in 0..h {
        for px in 0..w {
            let v = field.values[(py / zoom) as usize * field.width + (px / zoom) as usize];
            img.put_pixel(
                MARGIN + px,
                top + py,
                colour(&style.gradient, v, style.range),
            );
        }
    }

    // The colour bar: high values at the top.
    let bar_x = MARGIN + w + MARGIN;
    for py in 0..h {
        let t = 1.0 - py as f64 / (h.max(2) - 1) as f64;
        let v = style.range.0 + t * (style.range.1 - style.range.0);
        let c = colour(&style.gradient, v, style.range);
        for px in 0..COLOUR_BAR_WIDTH {
            img.put_pixel(bar_x + px, top + py, c);
        }
    }
    let label_x = bar_x + COLOUR_BAR_WIDTH + 6;
    draw_text(&mut img, label_x, top, &label_hi);
    draw_text(&mut img, label_x, top + h - 8, &label_lo);

    if let Some((samples, label)) = &style.scale_bar {
        let len = ((samples * zoom as f64).round() as u32).clamp(1, w);
        let y = top + h + MARGIN;
        for dy in 0..3 {
            for px in 0..len {
                img.put_pixel(MARGIN + px, y + dy, INK);
            }
        }
        draw_text(&mut img, MARGIN + len + 6, y - 2, label);
    }
    img
}

/// Tiles of equal size in rows of `columns`, each with its label above.
pub fn chart(title: &str, tiles: &[(String, RgbImage)], columns: usize) -> RgbImage {
    let (tw, th) = tiles
        .first()
        .map_or((1, 1), |(_, t)| (t.width(), t.height()));
    let label_width = tiles.iter().map(|(l, _)| text_width(l)).max().unwrap_or(0);
    let cell_w = tw.max(label_width) + MARGIN;
    let cell_h = th + 8 + 4 + MARGIN;
    let rows = tiles.len().div_ceil(columns.max(1)) as u32;
    let top = MARGIN + 8 + MARGIN;
    let mut img = RgbImage::from_pixel(
        MARGIN + cell_w * columns as u32,
        top + cell_h * rows,
        BACKGROUND,
    );
    draw_text(&mut img, MARGIN, MARGIN, title);
    for (k, (label, tile)) in tiles.iter().enumerate() {
        let x = MARGIN + (k % columns) as u32 * cell_w;
        let y = top + (k / columns) as u32 * cell_h;
        draw_text(&mut img, x, y, label);
        image::imageops::overlay(&mut img, tile, x as i64, (y + 12) as i64);
    }
    img
}

/// `field` coloured with no decorations, one pixel per sample (a chart's tile).
pub fn plain(field: &Field, gradient: Gradient, range: (f64, f64)) -> RgbImage {
    RgbImage::from_fn(field.width as u32, field.height as u32, |x, y| {
        colour(
            &gradient,
            field.values[y as usize * field.width + x as usize],
            range,
        )
    })
}

/// A colour-bar label: plain decimals for everyday magnitudes, scientific otherwise.
fn number(v: f64) -> String {
    if v == 0.0 || (1e-2..1e4).contains(&v.abs()) {
        format!("{v:.3}")
    } else {
        format!("{v:.2e}")
    }
}

fn text_width(text: &str) -> u32 {
    8 * text.chars().count() as u32
}

/// 8×8 glyphs in ink, top-left corner at (x, y); pixels outside the image are dropped.
fn draw_text(img: &mut RgbImage, x: u32, y: u32, text: &str) {
    for (k, ch) in text.chars().enumerate() {
        let glyph = font8x8::BASIC_FONTS
            .get(ch)
            .or_else(|| font8x8::GREEK_FONTS.get(ch));
        let Some(rows) = glyph else {
            continue;
        };
        for (dy, bits) in rows.iter().enumerate() {
            for dx in 0..8 {
                // font8x8 stores the leftmost pixel in the lowest bit.
                if bits & (1 << dx) != 0 {
                    let (px, py) = (x + 8 * k as u32 + dx, y + dy as u32);
                    if px < img.width() && py < img.height() {
                        img.put_pixel(px, py, INK);
                    }
                }
            }
        }
    }
}

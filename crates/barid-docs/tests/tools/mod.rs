//! The real tools the PDF tests drive: poppler-utils (`pdftoppm`, `pdftotext`, `pdffonts`) and
//! zbar-tools (`zbarimg`). A missing tool fails the test with the package to install; it never
//! skips.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A folder for one test's files, kept after the run so the PNGs can be looked at.
pub fn out_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("barid-docs")
        .join(test);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `pdf` to `dir/name.pdf`.
pub fn save(dir: &Path, name: &str, pdf: &[u8]) -> PathBuf {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    path
}

fn run(program: &str, package: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|error| {
        panic!("cannot run {program} ({error}); the PDF tests need it: apt-get install -y {package}")
    })
}

fn run_ok(program: &str, package: &str, args: &[&str]) -> String {
    let output = run(program, package, args);
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Renders page `page` (1-based) at `dpi`; `mono` gives a 1-bit image like a thermal printer.
pub fn render(pdf: &Path, page: usize, dpi: u32, mono: bool) -> PathBuf {
    let stem = pdf.with_extension("");
    let prefix = format!(
        "{}-p{page}-{dpi}dpi{}",
        stem.display(),
        if mono { "-mono" } else { "" }
    );
    let page = page.to_string();
    let dpi = dpi.to_string();
    let mut args = vec!["-r", &dpi, "-f", &page, "-l", &page, "-singlefile"];
    if mono {
        args.push("-mono");
    } else {
        args.push("-png");
    }
    let pdf = pdf.to_str().unwrap();
    args.extend([pdf, &prefix]);
    run_ok("pdftoppm", "poppler-utils", &args);
    let path = PathBuf::from(format!("{prefix}.{}", if mono { "pbm" } else { "png" }));
    assert!(path.exists(), "pdftoppm wrote no {}", path.display());
    path
}

/// Every barcode zbarimg finds in the image, as `TYPE:data`.
pub fn scan(image: &Path) -> Vec<String> {
    let output = run("zbarimg", "zbar-tools", &["-q", image.to_str().unwrap()]);
    // zbarimg exits 4 when it finds nothing; that is a result, not a tool failure.
    assert!(
        output.status.success() || output.status.code() == Some(4),
        "zbarimg failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `pdftotext` of the whole document (reading order, no layout).
pub fn text(pdf: &Path) -> String {
    run_ok("pdftotext", "poppler-utils", &[pdf.to_str().unwrap(), "-"])
}

/// One row of `pdffonts`.
#[derive(Debug)]
pub struct FontRow {
    pub name: String,
    pub kind: String,
    pub embedded: bool,
    pub subset: bool,
    pub unicode: bool,
}

pub fn fonts(pdf: &Path) -> Vec<FontRow> {
    let out = run_ok("pdffonts", "poppler-utils", &[pdf.to_str().unwrap()]);
    out.lines()
        .skip(2)
        .map(|line| {
            // name, type (may hold spaces), encoding, emb, sub, uni, object, ID
            let fields: Vec<&str> = line.split_whitespace().collect();
            let n = fields.len();
            assert!(n >= 8, "unexpected pdffonts line {line:?}");
            FontRow {
                name: fields[0].to_owned(),
                kind: fields[1..n - 6].join(" "),
                embedded: fields[n - 5] == "yes",
                subset: fields[n - 4] == "yes",
                unicode: fields[n - 3] == "yes",
            }
        })
        .collect()
}

/// A word and its box from `pdftotext -bbox`, in points from the page's top-left corner.
#[derive(Debug, Clone)]
pub struct Word {
    pub page: usize,
    pub text: String,
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
}

/// Every word with its box, and each page's size.
pub fn words(pdf: &Path) -> (Vec<(f32, f32)>, Vec<Word>) {
    let html = run_ok(
        "pdftotext",
        "poppler-utils",
        &["-bbox", pdf.to_str().unwrap(), "-"],
    );
    let attribute = |tag: &str, name: &str| -> f32 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + tag[start..].find('"').unwrap();
        tag[start..end].parse().unwrap()
    };
    let mut pages = Vec::new();
    let mut words = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push((attribute(line, "width"), attribute(line, "height")));
        } else if line.starts_with("<word ") {
            let text_start = line.find('>').unwrap() + 1;
            let text_end = line.rfind("</word>").unwrap();
            words.push(Word {
                page: pages.len(),
                text: unescape(&line[text_start..text_end]),
                x_min: attribute(line, "xMin"),
                y_min: attribute(line, "yMin"),
                x_max: attribute(line, "xMax"),
                y_max: attribute(line, "yMax"),
            });
        }
    }
    (pages, words)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The number of pages, from `pdfinfo`.
pub fn page_count(pdf: &Path) -> usize {
    let info = run_ok("pdfinfo", "poppler-utils", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .map(|count| count.trim().parse().unwrap())
        .expect("pdfinfo prints the page count")
}

/// Row `y` of a binary PBM (`P4`) image, `true` for black.
pub fn pbm_row(image: &Path, y: usize) -> Vec<bool> {
    let data = std::fs::read(image).unwrap();
    let mut fields = data.splitn(3, |byte| *byte == b'\n');
    assert_eq!(fields.next(), Some(&b"P4"[..]), "not a binary PBM");
    let size = std::str::from_utf8(fields.next().unwrap()).unwrap();
    let (width, height) = size.split_once(' ').unwrap();
    let (width, height): (usize, usize) = (width.parse().unwrap(), height.parse().unwrap());
    assert!(y < height);
    let pixels = fields.next().unwrap();
    let stride = width.div_ceil(8);
    let row = &pixels[y * stride..(y + 1) * stride];
    (0..width)
        .map(|x| row[x / 8] >> (7 - x % 8) & 1 == 1)
        .collect()
}

/// The colour of the pixel at (`x_mm`, `y_mm`) from the top-left corner of page `page`, from a
/// colour (PPM) render at `dpi`.
pub fn pixel(pdf: &Path, page: usize, dpi: u32, (x_mm, y_mm): (f32, f32)) -> (u8, u8, u8) {
    let prefix = format!("{}-p{page}-{dpi}dpi-rgb", pdf.with_extension("").display());
    let (page, dpi_text) = (page.to_string(), dpi.to_string());
    run_ok(
        "pdftoppm",
        "poppler-utils",
        &[
            "-r",
            &dpi_text,
            "-f",
            &page,
            "-l",
            &page,
            "-singlefile",
            pdf.to_str().unwrap(),
            &prefix,
        ],
    );
    let data = std::fs::read(format!("{prefix}.ppm")).unwrap();
    // P6, width height, maxval, then RGB bytes.
    let mut fields = data.splitn(4, |byte| *byte == b'\n');
    assert_eq!(fields.next(), Some(&b"P6"[..]), "not a binary PPM");
    let size = std::str::from_utf8(fields.next().unwrap()).unwrap();
    let (width, _) = size.split_once(' ').unwrap();
    let width: usize = width.parse().unwrap();
    assert_eq!(fields.next(), Some(&b"255"[..]));
    let pixels = fields.next().unwrap();
    let to_px = |mm: f32| (mm / 25.4 * dpi as f32) as usize;
    let at = (to_px(y_mm) * width + to_px(x_mm)) * 3;
    (pixels[at], pixels[at + 1], pixels[at + 2])
}

//! The pages' static files, compiled into the binary and served under `/static/`: Barid's own
//! style sheet and scripts, htmx and uPlot (vendored from npm, see `static/README.md`), and
//! the Noto fonts the documents embed too (OFL), so pages look the same on every client and no
//! request leaves for a CDN.
//!
//! Every page loads barid.css, htmx and barid.js (`base.html`). A page with quality charts
//! adds uPlot and `quality.js` in its `scripts` block, linked with [`href`]:
//! `{{ crate::pages::assets::href("quality.js") }}`.
//!
//! Pages link every file with `?v=<hash of all files>`; a request carrying the current hash is
//! cached for a year (`immutable`), any other for five minutes.

use std::sync::OnceLock;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// One static file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! static_file {
    ($name:literal, $type:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $name)),
        }
    };
}

macro_rules! font_file {
    ($name:literal, $type:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../barid-docs/fonts/",
                $name
            )),
        }
    };
}

/// Every file served under `/static/`.
pub const FILES: [Asset; 13] = [
    static_file!("barid.css", "text/css; charset=utf-8"),
    static_file!("barid.js", "text/javascript; charset=utf-8"),
    static_file!("htmx.min.js", "text/javascript; charset=utf-8"),
    static_file!("htmx.LICENSE", "text/plain; charset=utf-8"),
    static_file!("quality.js", "text/javascript; charset=utf-8"),
    static_file!("uPlot.iife.min.js", "text/javascript; charset=utf-8"),
    static_file!("uPlot.min.css", "text/css; charset=utf-8"),
    static_file!("uPlot.LICENSE", "text/plain; charset=utf-8"),
    font_file!("NotoSans-Regular.ttf", "font/ttf"),
    font_file!("NotoSans-Bold.ttf", "font/ttf"),
    font_file!("NotoNaskhArabic-Regular.ttf", "font/ttf"),
    font_file!("NotoNaskhArabic-Bold.ttf", "font/ttf"),
    font_file!("OFL.txt", "text/plain; charset=utf-8"),
];

/// A short hash of every static file: changes whenever one of them does.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hasher = Sha256::new();
        for file in FILES {
            hasher.update(file.name.as_bytes());
            hasher.update(file.bytes);
        }
        hasher
            .finalize()
            .iter()
            .take(6)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    })
}

/// The URL a page links a static file with.
pub fn href(name: &str) -> String {
    format!("/static/{name}?v={}", version())
}

/// The style sheet with its font URLs versioned like the pages' links.
fn stylesheet() -> &'static [u8] {
    static CSS: OnceLock<Vec<u8>> = OnceLock::new();
    CSS.get_or_init(|| {
        let css = FILES
            .iter()
            .find(|file| file.name == "barid.css")
            .map(|file| String::from_utf8_lossy(file.bytes).into_owned())
            .unwrap_or_default();
        css.replace(".ttf\")", &format!(".ttf?v={}\")", version()))
            .into_bytes()
    })
}

/// A static file.
#[utoipa::path(get, path = "/static/{file}", tag = "pages",
    params(
        ("file" = String, Path, description = "File name, e.g. barid.css"),
        ("v" = Option<String>, Query, description = "The files' version; with the current one the answer is cached for a year"),
    ),
    responses(
        (status = 200, description = "The file"),
        (status = 404, description = "No such file", body = crate::error::ErrorBody),
    ))]
pub async fn file(Path(name): Path<String>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let Some(file) = FILES.iter().find(|file| file.name == name) else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no static file {name}"),
        ));
    };
    let bytes = if file.name == "barid.css" {
        stylesheet()
    } else {
        file.bytes
    };
    let current = query.as_deref().is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair == format!("v={}", version()))
    });
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_font_the_style_sheet_names_is_served() {
        let css = String::from_utf8_lossy(stylesheet()).into_owned();
        let mut named = 0;
        for piece in css.split("url(\"/static/").skip(1) {
            let name = piece.split('?').next().unwrap_or_default();
            assert!(
                FILES.iter().any(|file| file.name == name),
                "{name} is not served"
            );
            assert!(piece.starts_with(&format!("{name}?v={}\")", version())));
            named += 1;
        }
        assert_eq!(named, 4, "{css}");
        assert_eq!(version().len(), 12);
    }
}

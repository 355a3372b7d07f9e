//! The site's sources on disk: `site.toml`, `content/` and its report files, `static/`, `templates/`, themes and `.portal-cache/`.

"""Small fixes of the rendered pages (a local Sphinx extension, see _config.yml).

* Jupyter Book 1.0.4 + sphinx-thebe 0.3.1 add the inline thebe configuration script
  twice to every page ("Identifier 'THEBE_JS_URL' has already been declared" in the
  console): keep each script once.
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, out = set(), []
    for s in scripts:
        attrs = getattr(s, "attributes", None) or {}
        key = ((getattr(s, "filename", None) or "") if hasattr(s, "filename") else str(s),
               tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
    scripts[:] = out


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


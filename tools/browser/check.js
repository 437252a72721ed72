// make browser-check: render every page of the built book in headless Chromium (Debian's
// package), save a full-page screenshot per page and fail on console errors, page errors,
// unrendered maths, MathJax errors, or a claims/data table wider than the text column.
// Usage: node check.js HTML_DIR SCREENS_DIR [CHROMIUM]
const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

const [htmlDir, screens, exe] = [process.argv[2], process.argv[3], process.argv[4] || "/usr/bin/chromium"];
const pages = [];
(function walk(d) {
  for (const f of fs.readdirSync(d)) {
    const p = path.join(d, f);
    if (fs.statSync(p).isDirectory()) {
      if (!["_static", "_sources", "_images", "_downloads"].includes(f)) walk(p);
    } else if (f.endsWith(".html") && !["genindex.html", "search.html"].includes(f)
               && !/http-equiv="Refresh"/i.test(fs.readFileSync(p, "utf8").slice(0, 2000))) pages.push(p);  // skip redirects
  }
})(htmlDir);

(async () => {
  fs.mkdirSync(screens, { recursive: true });
  const browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox", "--disable-gpu"] });
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  let failures = 0;
  for (const file of pages.sort()) {
    const rel = path.relative(htmlDir, file);
    const page = await ctx.newPage();
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`failed request: ${r.url()} (${r.failure() && r.failure().errorText})`));
    await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
    const mathjax = await page.evaluate(async () => {
      const n = document.querySelectorAll(".math").length;
      if (!n) return { n, ok: true };
      for (let i = 0; i < 100 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
        await new Promise((r) => setTimeout(r, 100));
      if (!(window.MathJax && MathJax.startup)) return { n, ok: false, why: "MathJax did not load" };
      await MathJax.startup.promise;
      if (MathJax.typesetPromise) await MathJax.typesetPromise();
      return { n, ok: true };
    });
    if (!mathjax.ok) problems.push(mathjax.why);
    const found = await page.evaluate(() => {
      const out = [];
      const raw = [...document.querySelectorAll(".math")].filter((e) => !e.querySelector("mjx-container"));
      if (raw.length) out.push(`${raw.length} maths element(s) not rendered, e.g. ${raw[0].textContent.slice(0, 60)}`);
      const walker = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT);
      const skip = "mjx-container, pre, code, script, style, textarea, .highlight, .cell_input, .output";
      let shown = 0, example = "";
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement.closest(skip) || !n.parentElement.offsetParent) continue;
        if (/\\[A-Za-z]{2,}|\$\$|(^|[^\\])\$/.test(n.textContent)) { shown++; example = example || n.textContent.trim().slice(0, 60); }
      }
      if (shown) out.push(`${shown} visible text node(s) with raw TeX, e.g. ${example}`);
      const err = document.querySelectorAll("mjx-merror, .MathJax_Error");
      if (err.length) out.push(`${err.length} MathJax error(s), e.g. ${err[0].textContent.slice(0, 80)}`);
      const article = document.querySelector("article") || document.body;
      const right = article.getBoundingClientRect().right + 1;
      for (const t of document.querySelectorAll("table.claims, table.datatable, table.report")) {
        const r = t.getBoundingClientRect();
        if (r.right > right) out.push(`a ${t.className} table is ${Math.round(r.right - right)} px wider than the text column`);
      }
      for (const pre of document.querySelectorAll(".cell_output pre")) {
        if (pre.scrollWidth > pre.clientWidth + 2 && /verdict|\[(reproduced|partly|not reproduced|inconclusive|not testable)\]/.test(pre.textContent))
          out.push(`a claims text output needs horizontal scrolling (${pre.scrollWidth} > ${pre.clientWidth} px)`);
      }
      return out;
    });
    problems.push(...found);
    const shot = path.join(screens, rel.replace(/[\/]/g, "__").replace(/\.html$/, ".png"));
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`${problems.length ? "FAIL" : "ok  "} ${rel} (${mathjax.n} maths) -> ${path.basename(shot)}`);
    for (const p of problems) console.log(`     - ${p}`);
    if (problems.length) failures++;
    await page.close();
  }
  await browser.close();
  console.log(failures ? `browser check: ${failures} of ${pages.length} page(s) failed` : `browser check: ${pages.length} pages ok`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });

// check_report.mjs: open a run's report.html in Debian's chromium (playwright-core, no
// browser download) and check what a person would see: no console or page errors, no
// request that failed, every chart drawn, a playable <video> for every video expected,
// nothing active from the run's files (no script, img, iframe, object or event
// attribute). Saves a full-page screenshot.
// usage: node check_report.mjs REPORT.html SCREENSHOT.png EXPECTED_VIDEOS
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const [report, shot, videosWanted] = process.argv.slice(2);
const problems = [];
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url().slice(0, 80)}`));
  await page.goto(pathToFileURL(report).href, { waitUntil: "load" });
  const seen = await page.evaluate(async () => {
    const charts = [...document.querySelectorAll("svg.chart")];
    const empty = charts.filter((svg) => {
      const marks = [...svg.querySelectorAll("polyline, circle")];
      return !marks.some((m) => { const b = m.getBBox(); return b.width > 0 || b.height > 0; })
        || svg.getBoundingClientRect().width < 50;
    }).length;
    const tooltips = document.querySelectorAll("svg.chart circle > title").length;
    const videos = [...document.querySelectorAll("video")];
    // Wait until every video has its metadata (duration known) or has failed.
    await Promise.all(videos.map((v) => v.readyState >= 1 ? null : new Promise((ok) => {
      v.addEventListener("loadedmetadata", ok, { once: true });
      v.addEventListener("error", ok, { once: true });
      setTimeout(ok, 10000);
    })));
    const playable = videos.filter((v) => v.readyState >= 1 && v.duration > 0 && !v.error).length;
    const active = document.querySelectorAll("script, img, iframe, object, embed").length +
      [...document.querySelectorAll("*")].filter((el) =>
        [...el.attributes].some((a) => a.name.startsWith("on"))).length;
    return { charts: charts.length, empty, tooltips, videos: videos.length, playable, active };
  });
  console.log(JSON.stringify(seen));
  if (seen.charts === 0) problems.push("no chart on the page");
  if (seen.empty) problems.push(`${seen.empty} chart(s) drawn empty`);
  if (seen.tooltips === 0) problems.push("no hover tooltips on the charts");
  if (seen.videos !== Number(videosWanted)) problems.push(`${seen.videos} video element(s), want ${videosWanted}`);
  if (seen.playable !== seen.videos) problems.push(`${seen.videos - seen.playable} video(s) the browser cannot play`);
  if (seen.active) problems.push(`${seen.active} active element(s) or event attribute(s) from run files`);
  await page.screenshot({ path: shot, fullPage: true });
} finally {
  await browser.close();
}
for (const p of problems) console.log(`FAIL: ${p}`);
process.exit(problems.length ? 1 : 0);

/**
 * The console's stylesheet, inline in the page and allowed by its hash (console-page.ts). Colors
 * meet WCAG AA contrast on white; state is never shown by color alone (every bar has its numbers
 * and a word: "short", "reserve").
 */
export const CONSOLE_STYLE = `
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--focus:#0969da}
*{box-sizing:border-box}
[hidden]{display:none !important}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:#fff}
header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap;padding:.8rem 1.5rem;border-bottom:1px solid var(--line)}
header h1{font-size:1.3rem;margin:0}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(30rem,1fr));gap:1rem 2rem;padding:1rem 1.5rem 3rem}
section{min-width:0}
section.wide{grid-column:1/-1}
h2{font-size:1.1rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin:.6rem 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{position:relative;height:.9rem;min-width:8rem;background:#f6f8fa;border:1px solid var(--line);border-radius:3px;overflow:hidden}
.bar .on{position:absolute;left:0;top:0;bottom:0;background:var(--ok)}
.bar .reserve{position:absolute;top:0;bottom:0;border-right:2px dashed var(--ink)}
.bar.short .on{background:var(--bad)}
.tag{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.8rem;font-weight:600;border:1px solid}
.tag.short{color:var(--bad);border-color:var(--bad)}
.tag.low{color:var(--warn);border-color:var(--warn)}
.tag.emergency{color:#fff;background:var(--bad);border-color:var(--bad)}
.tag.urgent{color:#fff;background:var(--warn);border-color:var(--warn)}
.tag.routine{color:var(--muted);border-color:var(--muted)}
form{display:flex;flex-wrap:wrap;gap:.5rem .8rem;align-items:flex-end;margin:.4rem 0 1rem}
label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);gap:.1rem}
input,select,textarea,button{font:inherit;color:var(--ink);padding:.25rem .4rem;border:1px solid #8c959f;border-radius:4px;background:#fff}
textarea{min-width:12rem}
button{background:#f6f8fa;cursor:pointer}
button.primary{background:var(--ok);border-color:var(--ok);color:#fff}
button.link{border:none;background:none;color:var(--focus);text-decoration:underline;padding:0}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
#problem{border:2px solid var(--bad);border-radius:6px;padding:.5rem .8rem;margin:0 1.5rem;color:var(--bad)}
#problem:empty{display:none}
#notice{color:var(--ok);margin:.4rem 1.5rem}
.muted{color:var(--muted)}
.packages li{margin:.2rem 0}
ul.lots{list-style:none;margin:0;padding:0;font-size:.85rem}
`;

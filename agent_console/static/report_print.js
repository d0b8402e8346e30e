// The print view of a report: its «Печать» button opens the browser's print dialog.
"use strict";
document.getElementById("report-print")?.addEventListener("click", () => window.print());

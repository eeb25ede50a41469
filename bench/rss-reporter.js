// Preloaded into a benchmarked process (node -r): writes its peak RSS in KB to $PMG_RSS_FILE at exit.
'use strict';
process.on('exit', () => {
  if (process.env.PMG_RSS_FILE) require('fs').writeFileSync(process.env.PMG_RSS_FILE, String(process.resourceUsage().maxRSS));
});

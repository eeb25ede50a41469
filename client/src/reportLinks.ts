import * as path from 'path';
import { URI } from 'vscode-uri';

/**
 * VS Code's Markdown preview does not follow `file:` links (it shows them as
 * text), but it opens relative links, `#L12` included, at that line. The
 * server writes absolute `file:` links; once the client knows where the
 * report file lives, they become paths relative to it. A link that cannot be
 * made relative (another drive) stays as it was.
 */
export function linksRelativeTo(markdown: string, reportFile: string): string {
  const folder = path.dirname(reportFile);
  return markdown.replace(/\]\((file:\/\/[^)\s]+)\)/g, (whole, link: string) => {
    const hash = link.indexOf('#');
    const target = URI.parse(hash < 0 ? link : link.slice(0, hash)).fsPath;
    const relative = path.relative(folder, target);
    if (!relative || path.isAbsolute(relative)) return whole;
    const encoded = relative
      .split(path.sep)
      .map((segment) => encodeURIComponent(segment).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
      .join('/');
    return `](${encoded}${hash < 0 ? '' : link.slice(hash)})`;
  });
}

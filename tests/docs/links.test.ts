import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Every Markdown file git tracks: what a clone has. */
const markdown = execFileSync('git', ['ls-files', '-z', '--', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter(Boolean);

/** Link targets `[text](target)` and `<a href="target">`, with their line numbers. */
function links(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|href="([^"]+)"/g))
      out.push({ line: i + 1, target: (m[1] ?? m[2])! });
  });
  return out;
}

/** Relative paths written anywhere (links, code spans, prose) that climb with `../`. */
function climbingPaths(text: string): { line: number; path: string }[] {
  const out: { line: number; path: string }[] = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/(?:^|[\s(`'"[])((?:\.\.\/)+[^\s)`'"\]]*)/g)) out.push({ line: i + 1, path: m[1]! });
  });
  return out;
}

const outside = (from: string, path: string): boolean => {
  const rel = relative(root, resolve(root, dirname(from), path));
  return rel.startsWith('..') || isAbsolute(rel);
};

describe('Markdown links', () => {
  it('should find the tracked Markdown files', () => {
    expect(markdown).toContain('README.md');
    expect(markdown.length).toBeGreaterThan(5);
  });

  it('should never point outside the repository or at a path it does not have (a clone has nothing there)', () => {
    const found: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const { line, path } of climbingPaths(text)) {
        const clean = path.split('#')[0]!.replace(/[.,;:]+$/, '');
        if (outside(file, clean)) found.push(`${file}:${line}: ${path}`);
        // Written relative to the repository root rather than to the file, it names nothing here either.
        else if (!existsSync(resolve(root, dirname(file), clean)))
          found.push(`${file}:${line}: ${path} (not in the repository)`);
      }
      for (const { line, target } of links(text)) {
        if (/^(file:|\/)/.test(target)) found.push(`${file}:${line}: ${target} (an absolute path)`);
      }
    }
    expect(found).toEqual([]);
  });

  it('should name files that exist in every relative link', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      for (const { line, target } of links(readFileSync(join(root, file), 'utf8'))) {
        if (/^([a-z][a-z0-9+.-]*:|#|\/)/i.test(target)) continue; // URLs, anchors, absolute paths (see above)
        const path = decodeURIComponent(target.split('#')[0]!);
        if (!existsSync(resolve(root, dirname(file), path))) broken.push(`${file}:${line}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

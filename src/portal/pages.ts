// Renders the portal's pages with eta (auto-escaping on): the built-in templates, or the creator's files
// `portal-<name>.eta` in config.templatesDir. Every template is compiled when loaded, so a broken file fails
// at start-up (naming the file), not when a buyer opens the page.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Eta } from 'eta/core';
import { UserError } from '../errors.js';
import { DEFAULT_PAGES, PAGE_NAMES, pageFile, type PageName } from './page-templates.js';

export interface Brand {
  productName: string;
  supportEmail: string;
  logoUrl: string | null;
}

export interface PageFrame {
  title: string;
  brand: Brand;
  /** The session's email when signed in (shows "Sign out"). */
  signedInAs: string | null;
  csrf: string;
}

export interface PortalPages {
  render(name: Exclude<PageName, 'layout'>, frame: PageFrame, data: Record<string, unknown>): string;
}

export function compilePages(sourceOf: (name: PageName) => { source: string; where: string }): PortalPages {
  const eta = new Eta({ autoEscape: true, cache: true, useWith: false });
  for (const name of PAGE_NAMES) {
    const { source, where } = sourceOf(name);
    try {
      eta.loadTemplate(`@${name}`, eta.compile(source));
    } catch (error) {
      throw new UserError(`${where}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return {
    render(name, frame, data) {
      const body = eta.render(`@${name}`, { ...frame, ...data });
      return eta.render('@layout', { ...frame, body });
    },
  };
}

export const BUILT_IN_PAGES: PortalPages = compilePages((name) => ({ source: DEFAULT_PAGES[name], where: `built-in ${pageFile(name)}` }));

export function loadPortalPages(templatesDir: string | undefined, configDir: string): PortalPages {
  const dir = templatesDir ? (isAbsolute(templatesDir) ? templatesDir : join(configDir, templatesDir)) : null;
  if (!dir) return BUILT_IN_PAGES;
  return compilePages((name) => {
    const file = join(dir, pageFile(name));
    return existsSync(file) ? { source: readFileSync(file, 'utf8'), where: file } : { source: DEFAULT_PAGES[name], where: `built-in ${pageFile(name)}` };
  });
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type SignatureVerifier = (header: string, body: string, secret: string) => boolean;

const readme = () => readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

// The code block the README shows right after `<!-- marker -->`, exactly as a reader copies it.
export function readmeSnippet(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(readme());
  if (!match?.[1]) throw new Error(`README has no snippet after <!-- ${marker} -->`);
  return match[1];
}

// Loads the README's Node verification snippet as a module, so tests verify with what users copy.
export async function documentedNodeVerifier(): Promise<SignatureVerifier> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'webhook-snippet-')), 'verify.mjs');
  writeFileSync(file, readmeSnippet('webhook-verify-node'));
  const module = (await import(pathToFileURL(file).href)) as { verifyFleetSignature: SignatureVerifier };
  return module.verifyFleetSignature;
}

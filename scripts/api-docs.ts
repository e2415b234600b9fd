/**
 * Generates docs/api.md from custom-elements.json (the elements), the TypeScript sources (the
 * types the elements' members and events name, and the exports of `click-to-call/server`) and
 * the configuration's zod schema (every option, with its type, default and JSDoc).
 *
 *   node --import tsx scripts/api-docs.ts           writes docs/api.md
 *   node --import tsx scripts/api-docs.ts --check   exits 1 when docs/api.md is stale
 *
 * The output depends only on the sources (no dates, no absolute paths), so that a test can
 * regenerate it and compare.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as z from 'zod';
import { C2CConfigSchema } from '../src/server/config.ts';
import { CALLBACK_VENDORS } from '../src/server/providers/vendors.ts';
import { ErrorCode } from '../src/protocol/errors.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const API_DOC = join(root, 'docs', 'api.md');

// ---------------------------------------------------------------------------------------------
// Sources

interface Program {
  files: ts.SourceFile[];
  checker: ts.TypeChecker;
  program: ts.Program;
}

function loadProgram(): Program {
  const entries = ['src/index.ts', 'src/server/index.ts', 'src/elements/click-to-call.ts', 'src/elements/call-status.ts'].map((f) => join(root, f));
  const program = ts.createProgram(entries, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    experimentalDecorators: true,
    noEmit: true,
    skipLibCheck: true,
    strict: true,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
  });
  const files = program.getSourceFiles().filter((f) => !f.isDeclarationFile && f.fileName.startsWith(join(root, 'src')));
  return { files, checker: program.getTypeChecker(), program };
}

/** The text of the last JSDoc block before a node, without its stars. */
function jsdoc(node: ts.Node): string {
  const source = node.getSourceFile().getFullText();
  const ranges = ts.getLeadingCommentRanges(source, node.getFullStart()) ?? [];
  const block = ranges.filter((r) => source.slice(r.pos, r.pos + 3) === '/**').at(-1);
  if (!block) return '';
  return source
    .slice(block.pos + 3, block.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** One paragraph for a table cell. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A declaration's text from its first token (JSDoc included when `withDoc`). */
function declarationText(node: ts.Node, withDoc = true): string {
  const doc = withDoc ? jsdoc(node) : '';
  const text = node.getText();
  return (doc ? `/** ${doc.replace(/\n/g, '\n * ')} */\n` : '') + text.replace(/^export\s+/, '');
}

// ---------------------------------------------------------------------------------------------
// Elements (custom-elements.json)

interface CemType { text: string }
interface CemMember {
  kind: 'field' | 'method';
  name: string;
  type?: CemType;
  default?: string;
  description?: string;
  attribute?: string;
  reflects?: boolean;
  readonly?: boolean;
  static?: boolean;
  privacy?: string;
  parameters?: Array<{ name: string; type?: CemType; optional?: boolean }>;
  return?: { type?: CemType };
}
interface CemDeclaration {
  name: string;
  tagName?: string;
  summary?: string;
  description?: string;
  members?: CemMember[];
  attributes?: Array<{ name: string; type?: CemType; default?: string; description?: string; fieldName?: string }>;
  events?: Array<{ name: string; type?: CemType; description?: string }>;
  slots?: Array<{ name: string; description?: string }>;
  cssParts?: Array<{ name: string; description?: string }>;
  cssProperties?: Array<{ name: string; default?: string; description?: string }>;
}

const TAG_ORDER = ['click-to-call', 'call-status'];

function code(text: string | undefined): string {
  return text ? `\`${cell(text)}\`` : '';
}

function renderElement(el: CemDeclaration, typeNames: Set<string>): string[] {
  const out: string[] = [];
  const members = (el.members ?? []).filter((m) => !m.static && !m.privacy && !m.name.startsWith('#'));
  const collect = (text: string | undefined) => {
    for (const name of text?.match(/\b[A-Z][A-Za-z0-9]+\b/g) ?? []) typeNames.add(name);
  };
  out.push(`### \`<${el.tagName}>\``, '');
  if (el.summary) out.push(`${el.summary}`, '');
  if (el.description) out.push(el.description.replace(/\n/g, ' '), '');
  out.push(`Class \`${el.name}\`.`, '');

  const attributes = el.attributes ?? [];
  if (attributes.length) {
    out.push('#### Attributes', '', '| attribute | property | type | default | description |', '| --- | --- | --- | --- | --- |');
    for (const a of attributes) {
      const member = members.find((m) => m.name === a.fieldName);
      const reflects = member?.reflects ? ' (reflected)' : '';
      collect(a.type?.text);
      out.push(`| \`${a.name}\` | ${code(a.fieldName)} | ${code(a.type?.text)} | ${code(a.default)} | ${oneLine(a.description ?? '')}${reflects} |`);
    }
    out.push('');
  }

  const attributeFields = new Set(attributes.map((a) => a.fieldName));
  const properties = members.filter((m) => m.kind === 'field' && !attributeFields.has(m.name));
  if (properties.length) {
    out.push('#### Properties (no attribute)', '', '| property | type | default | description |', '| --- | --- | --- | --- |');
    for (const p of properties) {
      collect(p.type?.text);
      out.push(`| \`${p.name}\`${p.readonly ? ' (read-only)' : ''} | ${code(p.type?.text)} | ${code(p.default)} | ${oneLine(p.description ?? '')} |`);
    }
    out.push('');
  }

  const methods = members.filter((m) => m.kind === 'method');
  if (methods.length) {
    out.push('#### Methods', '');
    for (const m of methods) {
      const params = (m.parameters ?? []).map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type?.text ?? 'unknown'}`).join(', ');
      for (const p of m.parameters ?? []) collect(p.type?.text);
      collect(m.return?.type?.text);
      out.push(`- \`${m.name}(${params}): ${m.return?.type?.text ?? 'void'}\`  `, `  ${oneLine(m.description ?? '')}`);
    }
    out.push('');
  }

  const events = el.events ?? [];
  if (events.length) {
    out.push('#### Events', '', 'All bubble and are composed.', '', '| event | type | description |', '| --- | --- | --- |');
    for (const e of events) {
      collect(e.type?.text);
      out.push(`| \`${e.name}\` | ${code(e.type?.text)} | ${oneLine(e.description ?? '')} |`);
    }
    out.push('');
  }

  const slots = el.slots ?? [];
  if (slots.length) {
    out.push('#### Slots', '', '| slot | description |', '| --- | --- |');
    for (const s of [...slots].sort((a, b) => a.name.localeCompare(b.name))) out.push(`| ${s.name ? `\`${s.name}\`` : '(default)'} | ${oneLine(s.description ?? '')} |`);
    out.push('');
  }

  const parts = el.cssParts ?? [];
  if (parts.length) {
    out.push('#### CSS parts', '', '| part | description |', '| --- | --- |');
    for (const p of parts) out.push(`| \`${p.name}\` | ${oneLine(p.description ?? '')} |`);
    out.push('');
  }

  const properties2 = el.cssProperties ?? [];
  if (properties2.length) {
    out.push('#### CSS custom properties', '', '| property | default | description |', '| --- | --- | --- |');
    for (const p of properties2) out.push(`| \`${p.name}\` | ${code(p.default)} | ${oneLine(p.description ?? '')} |`);
    out.push('');
  }
  return out;
}

/** Declarations (interface, type alias, `as const` object) by name, browser side of src/. */
function browserTypeIndex(program: Program): Map<string, ts.Node[]> {
  const index = new Map<string, ts.Node[]>();
  for (const file of program.files) {
    if (file.fileName.includes(`${join(root, 'src', 'server')}`) || file.fileName.includes(join(root, 'src', 'sandbox'))) continue;
    for (const statement of file.statements) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      let name: string | undefined;
      if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) name = statement.name.text;
      else if (ts.isVariableStatement(statement)) {
        const decl = statement.declarationList.declarations[0];
        // `as const` objects that share their name with a type (CallState, ErrorCode).
        if (decl && ts.isIdentifier(decl.name) && decl.initializer && ts.isAsExpression(decl.initializer)) name = decl.name.text;
      }
      if (!name) continue;
      index.set(name, [...(index.get(name) ?? []), statement]);
    }
  }
  return index;
}

function renderTypes(program: Program, wanted: Set<string>): string[] {
  const index = browserTypeIndex(program);
  const done = new Set<string>();
  const queue = [...wanted].sort();
  const blocks: Array<[string, string]> = [];
  while (queue.length) {
    const name = queue.shift()!;
    if (done.has(name)) continue;
    done.add(name);
    const nodes = index.get(name);
    if (!nodes) continue;
    const text = nodes.map((n) => declarationText(n)).join('\n');
    blocks.push([name, text]);
    for (const ref of text.replace(/\/\*\*[\s\S]*?\*\//g, '').match(/\b[A-Z][A-Za-z0-9_]+\b/g) ?? []) if (!done.has(ref)) queue.push(ref);
  }
  blocks.sort((a, b) => a[0].localeCompare(b[0]));
  const out = ['## Types the elements use', '', 'From the TypeScript sources (the browser entry exports most of them).', ''];
  for (const [name, text] of blocks) out.push(`### \`${name}\``, '', '```ts', text, '```', '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Server exports (src/server/index.ts)

function signatureOf(node: ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration): string {
  const text = node.getText();
  const body = node.body ? node.body.getStart() - node.getStart() : text.length;
  return text.slice(0, body).replace(/^export\s+/, '').replace(/\s+/g, ' ').trim();
}

function renderClass(node: ts.ClassDeclaration): string {
  const heading = node.getText().slice(0, node.members.pos - node.getStart()).replace(/^export\s+/, '').replace(/\s*\{\s*$/, '').replace(/\s+/g, ' ');
  const lines = [`${heading} {`];
  for (const member of node.members) {
    const name = member.name?.getText() ?? '';
    if (name.startsWith('#')) continue;
    const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
    const doc = jsdoc(member);
    if (doc) lines.push(`  /** ${oneLine(doc).replace(/\\\|/g, '|')} */`);
    if (ts.isMethodDeclaration(member) || ts.isConstructorDeclaration(member)) lines.push(`  ${signatureOf(member)};`);
    else if (ts.isPropertyDeclaration(member)) {
      // Literal initializers say something (a name, a code); others are implementation.
      const literal = member.initializer && (ts.isStringLiteral(member.initializer) || ts.isNumericLiteral(member.initializer));
      lines.push(`  ${(literal ? member.getText() : member.getText().replace(/\s*=[\s\S]*$/, '')).replace(/;$/, '')};`);
    }
    else if (ts.isGetAccessorDeclaration(member)) lines.push(`  ${member.getText().slice(0, member.body ? member.body.getStart() - member.getStart() : undefined).trim()};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function renderServer(program: Program): string[] {
  const index = program.program.getSourceFile(join(root, 'src/server/index.ts'))!;
  const { checker } = program;
  const out = [
    '## `click-to-call/server`',
    '',
    'The exports of `src/server/index.ts`, in its order. The configuration types (`C2CConfig`,',
    '`C2CConfigInput`, `HuaweiConfig`, `DestinationConfig`, `LimitsConfig`, `CaptchaConfig`) are the',
    'zod schema\'s output and input: their options are listed under [Configuration](#configuration).',
    '',
  ];
  const seen = new Set<string>();
  for (const statement of index.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    const from = (statement.moduleSpecifier as ts.StringLiteral).text;
    for (const element of statement.exportClause.elements) {
      const name = element.name.text;
      if (seen.has(name)) continue;
      seen.add(name);
      const symbol = checker.getSymbolAtLocation(element.name);
      const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declarations = (target?.declarations ?? []).filter((d) => !ts.isSourceFile(d));
      const blocks: string[] = [];
      let doc = '';
      let zodType = false;
      for (const decl of declarations) {
        const statementNode = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
        doc ||= jsdoc(statementNode);
        if (ts.isFunctionDeclaration(decl)) blocks.push(signatureOf(decl).replace(/^async\s+/, ''));
        else if (ts.isClassDeclaration(decl)) blocks.push(renderClass(decl));
        else if (ts.isInterfaceDeclaration(decl)) blocks.push(decl.getText().replace(/^export\s+/, ''));
        else if (ts.isTypeAliasDeclaration(decl)) {
          if (/\bz\.(output|input)</.test(decl.type.getText())) zodType = true;
          else blocks.push(decl.getText().replace(/^export\s+/, ''));
        } else if (ts.isVariableDeclaration(decl)) {
          if (decl.initializer && /^z\s*\./.test(decl.initializer.getText())) {
            zodType = true;
            continue;
          }
          const type = decl.type ? decl.type.getText() : checker.typeToString(checker.getTypeAtLocation(decl));
          blocks.push(`const ${name}: ${type}`);
        }
      }
      if (zodType && blocks.length === 0) {
        out.push(`### \`${name}\` (type)`, '', `${doc ? `${oneLine(doc)} ` : ''}See [Configuration](#configuration).`, '');
        continue;
      }
      out.push(`### \`${name}\``, '', `From \`src/server/${from.replace(/^\.\//, '')}\`.`, '');
      if (doc) out.push(doc, '');
      if (blocks.length) out.push('```ts', blocks.join('\n\n'), '```', '');
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Configuration (zod schema -> JSON Schema, descriptions from the JSDoc of the schema sources)

interface Docs {
  /** JSDoc per property key. */
  keys: Map<string, string>;
  /** JSDoc of the declaration the object literal belongs to. */
  about: string;
}

/** Every object literal passed to z.object / z.strictObject in the server's sources. */
function schemaLiterals(program: Program): Array<{ keys: Set<string>; docs: Docs }> {
  const found: Array<{ keys: Set<string>; docs: Docs }> = [];
  for (const file of program.files) {
    if (!file.fileName.startsWith(join(root, 'src', 'server'))) continue;
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['object', 'strictObject', 'looseObject'].includes(node.expression.name.text)) {
        const literal = node.arguments[0];
        if (literal && ts.isObjectLiteralExpression(literal)) {
          const keys = new Map<string, string>();
          for (const property of literal.properties) {
            if ((ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) && property.name && !ts.isComputedPropertyName(property.name)) {
              keys.set(property.name.getText().replace(/^['"]|['"]$/g, ''), jsdoc(property));
            }
          }
          let owner: ts.Node | undefined = node.parent;
          while (owner && !ts.isVariableStatement(owner) && !ts.isPropertyAssignment(owner) && !ts.isSourceFile(owner)) owner = owner.parent;
          const about = owner && ts.isVariableStatement(owner) ? jsdoc(owner) : '';
          found.push({ keys: new Set(keys.keys()), docs: { keys, about } });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

type Json = Record<string, unknown>;

function docsFor(literals: Array<{ keys: Set<string>; docs: Docs }>, properties: string[]): Docs | undefined {
  const wanted = new Set(properties);
  const exact = literals.find((l) => l.keys.size === wanted.size && [...l.keys].every((k) => wanted.has(k)));
  if (exact) return exact.docs;
  // A literal completed by a spread (the providers object) still names its own keys.
  return literals.filter((l) => l.keys.size >= 1 && [...l.keys].every((k) => wanted.has(k))).sort((a, b) => b.keys.size - a.keys.size)[0]?.docs;
}

function range(min: unknown, max: unknown, unit = ''): string {
  const big = (n: unknown) => typeof n === 'number' && n >= Number.MAX_SAFE_INTEGER;
  if (min !== undefined && max !== undefined && !big(max)) return `${min}–${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  if (max !== undefined && !big(max)) return `≤ ${max}${unit}`;
  return '';
}

/** `inline`: a flat object is spelt out (the object side of `{...} or false`). */
function typeLabel(schema: Json, inline = false): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map((s) => typeLabel(s, true)).join(' or ');
  const type = schema.type;
  const limits: string[] = [];
  if (type === 'string') {
    if (schema.format === 'uri') return 'URL';
    const length = range(schema.minLength, schema.maxLength, ' chars');
    if (length) limits.push(length);
    if (typeof schema.pattern === 'string') limits.push(`\`/${schema.pattern}/\``);
    return ['string', ...limits].join(', ');
  }
  if (type === 'integer' || type === 'number') {
    const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : undefined);
    const r = typeof min === 'string' ? min : range(min, schema.maximum);
    return [type, r].filter(Boolean).join(' ');
  }
  if (type === 'array') {
    const items = (schema.items ?? {}) as Json;
    const count = range(schema.minItems, schema.maxItems, ' items');
    const of = items.type === 'object' && items.properties ? 'objects (below)' : typeLabel(items);
    return `array of ${of}${count ? ` (${count})` : ''}`;
  }
  if (type === 'object') {
    const props = schema.properties as Record<string, Json> | undefined;
    if (inline && props && Object.values(props).every((p) => p.type !== 'object' && p.type !== 'array')) {
      return `{ ${Object.entries(props).map(([k, p]) => `${k}: ${typeLabel(p)}`).join('; ')} }`;
    }
    if (!props && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      const value = schema.additionalProperties as Json;
      if (value.type === 'object' && value.properties) return 'map of name → object (below)';
      return Object.keys(value).length ? `map of name → ${typeLabel(value)}` : 'object';
    }
    return 'object';
  }
  if (type === 'boolean') return 'boolean';
  return typeof type === 'string' ? type : 'any';
}

interface Row {
  path: string;
  type: string;
  value: string;
  description: string;
}

function walk(schema: Json, path: string, required: boolean, description: string, literals: Array<{ keys: Set<string>; docs: Docs }>, rows: Row[], self = true): void {
  const props = schema.properties as Record<string, Json> | undefined;
  const hasDefault = 'default' in schema;
  // An object whose keys have rows of their own: each row says its default.
  const spelt = hasDefault && props && typeof schema.default === 'object' && schema.default !== null && Object.keys(schema.default).length > 0;
  const value = spelt ? 'per key, below' : hasDefault ? `\`${JSON.stringify(schema.default)}\`` : required ? 'required' : 'optional';
  const items = schema.items as Json | undefined;
  const anyOfObject = Array.isArray(schema.anyOf) ? (schema.anyOf as Json[]).find((s) => s.type === 'object' && s.properties) : undefined;
  const objectShape = props ? schema : anyOfObject;
  const docs = objectShape?.properties ? docsFor(literals, Object.keys(objectShape.properties as Json)) : undefined;
  const label = typeLabel(schema);
  // `{ points; durationSeconds } or false`: the label already spells the object out.
  const flat = label.startsWith('{');
  if (path && self) rows.push({ path, type: label, value, description: description || docs?.about || '' });

  if (objectShape?.properties && (!flat || !path)) {
    const required = new Set((objectShape.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(objectShape.properties as Record<string, Json>)) {
      walk(child, path ? `${path}.${key}` : key, required.has(key), docs?.keys.get(key) ?? '', literals, rows);
    }
  }
  // The array's row already says what it holds; its items' keys follow as `path[].key`.
  if (items?.type === 'object' && items.properties) walk(items, `${path}[]`, true, '', literals, rows, false);
  const record = schema.additionalProperties as Json | undefined;
  if (!props && record && typeof record === 'object' && record.type === 'object' && record.properties) walk(record, `${path}.<key>`, true, '', literals, rows);
}

function configRows(schema: z.ZodType, literals: Array<{ keys: Set<string>; docs: Docs }>, prefix = ''): Row[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const rows: Row[] = [];
  walk(json, prefix, true, '', literals, rows);
  return rows.filter((r) => r.path !== prefix);
}

function table(rows: Row[]): string[] {
  return [
    '| option | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.path}\` | ${cell(r.type)} | ${r.value} | ${oneLine(r.description)} |`),
  ];
}

function renderConfig(program: Program): string[] {
  const literals = schemaLiterals(program);
  const out = [
    '## Configuration',
    '',
    'The options of the JSON file given to `c2c-server --config` (and of the object given to',
    '`createC2CHandler` / `parseConfig`), from the zod schema in `src/server/config.ts`. "required" is',
    'required when its parent is present; environment variables that override the file are listed',
    'under [`loadConfig`](#loadconfig).',
    '',
    ...table(configRows(C2CConfigSchema, literals)),
    '',
    '### Destination options per provider',
    '',
    'Besides `provider`, `countries` and `schedule`, a destination carries its vendor\'s own keys,',
    'checked by that vendor\'s schema. Huawei destinations have none (`mediaAbility` is fixed).',
    '',
  ];
  for (const [name, vendor] of Object.entries(CALLBACK_VENDORS)) {
    if (!vendor.destination) continue;
    out.push(`#### \`${name}\``, '', ...table(configRows(vendor.destination, literals, `destinations.<key>`)), '');
  }
  return out;
}

function renderErrorCodes(): string[] {
  const codes = Object.values(ErrorCode as Record<string, string>);
  return ['## Error codes', '', 'Values of `snapshot.error.code` and of the endpoint\'s `{"error": {"code"}}` answers (`ErrorCode` in `src/protocol/errors.ts`):', '', codes.map((c) => `\`${c}\``).join(', ') + '.', ''];
}

// ---------------------------------------------------------------------------------------------

export function renderApiDocs(): string {
  const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8')) as { modules: Array<{ declarations?: CemDeclaration[] }> };
  const elements = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .filter((d) => d.tagName)
    .sort((a, b) => {
      const rank = (t: string) => (TAG_ORDER.includes(t) ? TAG_ORDER.indexOf(t) : TAG_ORDER.length);
      return rank(a.tagName!) - rank(b.tagName!) || a.tagName!.localeCompare(b.tagName!);
    });
  const program = loadProgram();
  const typeNames = new Set<string>();
  const lines = [
    '<!-- Generated by scripts/api-docs.ts from custom-elements.json and src/: do not edit. Run `npm run docs`. -->',
    '',
    '# API reference',
    '',
    'Contents: [Elements](#elements) · [Types the elements use](#types-the-elements-use) ·',
    '[Error codes](#error-codes) · [`click-to-call/server`](#click-to-callserver) ·',
    '[Configuration](#configuration)',
    '',
    '## Elements',
    '',
  ];
  for (const el of elements) lines.push(...renderElement(el, typeNames));
  lines.push(...renderTypes(program, typeNames));
  lines.push(...renderErrorCodes());
  lines.push(...renderServer(program));
  lines.push(...renderConfig(program));
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const text = renderApiDocs();
  if (process.argv.includes('--check')) {
    const current = (() => {
      try {
        return readFileSync(API_DOC, 'utf8');
      } catch {
        return '';
      }
    })();
    if (current !== text) {
      process.stderr.write('docs/api.md is stale: run `npm run docs`\n');
      process.exit(1);
    }
  } else {
    writeFileSync(API_DOC, text);
    process.stdout.write(`wrote ${relative(root, API_DOC)}\n`);
  }
}
